import { endianness } from 'node:os';

/** An RFB pixel format (RFC 6143 §7.4): how a client wants pixel values laid out. */
export interface PixelFormat {
  bitsPerPixel: number;
  depth: number;
  bigEndian: boolean;
  trueColour: boolean;
  redMax: number;
  greenMax: number;
  blueMax: number;
  redShift: number;
  greenShift: number;
  blueShift: number;
}

const HOST_BIG_ENDIAN = endianness() === 'BE';

/** The server's own format, the framebuffer's layout: 32 bits, 0x00RRGGBB in the host's byte order. */
export const SERVER_PIXEL_FORMAT: PixelFormat = {
  bitsPerPixel: 32,
  depth: 24,
  bigEndian: HOST_BIG_ENDIAN,
  trueColour: true,
  redMax: 255,
  greenMax: 255,
  blueMax: 255,
  redShift: 16,
  greenShift: 8,
  blueShift: 0,
};

export function encodePixelFormat(format: PixelFormat): Buffer {
  const out = Buffer.alloc(16);
  out.writeUInt8(format.bitsPerPixel, 0);
  out.writeUInt8(format.depth, 1);
  out.writeUInt8(format.bigEndian ? 1 : 0, 2);
  out.writeUInt8(format.trueColour ? 1 : 0, 3);
  out.writeUInt16BE(format.redMax, 4);
  out.writeUInt16BE(format.greenMax, 6);
  out.writeUInt16BE(format.blueMax, 8);
  out.writeUInt8(format.redShift, 10);
  out.writeUInt8(format.greenShift, 11);
  out.writeUInt8(format.blueShift, 12);
  return out;
}

export function decodePixelFormat(data: Buffer): PixelFormat {
  return {
    bitsPerPixel: data.readUInt8(0),
    depth: data.readUInt8(1),
    bigEndian: data.readUInt8(2) !== 0,
    trueColour: data.readUInt8(3) !== 0,
    redMax: data.readUInt16BE(4),
    greenMax: data.readUInt16BE(6),
    blueMax: data.readUInt16BE(8),
    redShift: data.readUInt8(10),
    greenShift: data.readUInt8(11),
    blueShift: data.readUInt8(12),
  };
}

/** Why the server cannot send pixels in `format`, or null when it can. */
export function unsupportedReason(format: PixelFormat): string | null {
  if (!format.trueColour) return 'colour-map pixel formats are not supported';
  if (![8, 16, 32].includes(format.bitsPerPixel)) {
    return `${format.bitsPerPixel} bits per pixel is not supported`;
  }
  const fits = (max: number, shift: number): boolean =>
    max > 0 && shift < format.bitsPerPixel && max * 2 ** shift < 2 ** format.bitsPerPixel;
  if (
    !fits(format.redMax, format.redShift) ||
    !fits(format.greenMax, format.greenShift) ||
    !fits(format.blueMax, format.blueShift)
  ) {
    return 'colour channels do not fit in the pixel';
  }
  return null;
}

function isServerFormat(f: PixelFormat): boolean {
  return (
    f.bitsPerPixel === 32 &&
    f.bigEndian === HOST_BIG_ENDIAN &&
    f.redMax === 255 &&
    f.greenMax === 255 &&
    f.blueMax === 255 &&
    f.redShift === 16 &&
    f.greenShift === 8 &&
    f.blueShift === 0
  );
}

/** One framebuffer pixel (0x00RRGGBB) as a value in `format`. */
export function convertPixel(rgb: number, format: PixelFormat): number {
  const scale = (value: number, max: number): number => Math.round((value * max) / 255);
  return (
    (scale((rgb >>> 16) & 0xff, format.redMax) * 2 ** format.redShift +
      scale((rgb >>> 8) & 0xff, format.greenMax) * 2 ** format.greenShift +
      scale(rgb & 0xff, format.blueMax) * 2 ** format.blueShift) >>>
    0
  );
}

/**
 * The pixels of the rectangle (x, y, width, height) of a framebuffer of `fbWidth` pixels
 * a row, in `format`: the payload of a Raw-encoded rectangle (RFC 6143 §7.7.1).
 */
export function rawPixels(
  framebuffer: Buffer,
  fbWidth: number,
  rect: { x: number; y: number; width: number; height: number },
  format: PixelFormat,
): Buffer {
  const { x, y, width, height } = rect;
  if (isServerFormat(format)) {
    if (x === 0 && width === fbWidth) {
      return Buffer.from(framebuffer.subarray(y * fbWidth * 4, (y + height) * fbWidth * 4));
    }
    const out = Buffer.allocUnsafe(width * height * 4);
    for (let row = 0; row < height; row++) {
      const start = ((y + row) * fbWidth + x) * 4;
      framebuffer.copy(out, row * width * 4, start, start + width * 4);
    }
    return out;
  }
  const bytes = format.bitsPerPixel / 8;
  const out = Buffer.allocUnsafe(width * height * bytes);
  // The console draws a handful of colours: convert each once.
  const converted = new Map<number, number>();
  let offset = 0;
  for (let row = 0; row < height; row++) {
    let from = ((y + row) * fbWidth + x) * 4;
    for (let column = 0; column < width; column++, from += 4, offset += bytes) {
      const rgb = HOST_BIG_ENDIAN ? framebuffer.readUInt32BE(from) : framebuffer.readUInt32LE(from);
      let value = converted.get(rgb);
      if (value === undefined) {
        value = convertPixel(rgb, format);
        converted.set(rgb, value);
      }
      if (bytes === 4) {
        if (format.bigEndian) out.writeUInt32BE(value, offset);
        else out.writeUInt32LE(value, offset);
      } else if (bytes === 2) {
        if (format.bigEndian) out.writeUInt16BE(value, offset);
        else out.writeUInt16LE(value, offset);
      } else {
        out.writeUInt8(value, offset);
      }
    }
  }
  return out;
}
