import { describe, expect, it } from 'vitest';
import {
  SERVER_PIXEL_FORMAT,
  convertPixel,
  decodePixelFormat,
  encodePixelFormat,
  rawPixels,
  unsupportedReason,
  type PixelFormat,
} from './pixel-format.js';

const RGB565: PixelFormat = {
  bitsPerPixel: 16,
  depth: 16,
  bigEndian: false,
  trueColour: true,
  redMax: 31,
  greenMax: 63,
  blueMax: 31,
  redShift: 11,
  greenShift: 5,
  blueShift: 0,
};

/** A 3×2 framebuffer in the server's format. */
function framebuffer(pixels: number[]): Buffer {
  const fb = Buffer.alloc(pixels.length * 4);
  pixels.forEach((p, i) => fb.writeUInt32LE(p, i * 4));
  return fb;
}

describe('pixel formats', () => {
  it('encodes and decodes the 16-byte PIXEL_FORMAT', () => {
    const bytes = encodePixelFormat(SERVER_PIXEL_FORMAT);
    expect([...bytes]).toEqual([32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0]);
    expect(decodePixelFormat(bytes)).toEqual(SERVER_PIXEL_FORMAT);
    expect(decodePixelFormat(encodePixelFormat(RGB565))).toEqual(RGB565);
  });

  it('scales each channel to the format’s maximum and shifts it into place', () => {
    expect(convertPixel(0xffffff, RGB565)).toBe(0xffff);
    expect(convertPixel(0xff0000, RGB565)).toBe(0xf800);
    expect(convertPixel(0x00ff00, RGB565)).toBe(0x07e0);
    expect(convertPixel(0x55ff55, RGB565)).toBe((10 << 11) | (63 << 5) | 10);
    const bgr: PixelFormat = { ...SERVER_PIXEL_FORMAT, redShift: 0, blueShift: 16 };
    expect(convertPixel(0x123456, bgr)).toBe(0x563412);
  });

  it('copies the server’s own format as it is, whole rows or a part', () => {
    const fb = framebuffer([1, 2, 3, 4, 5, 6]);
    expect(rawPixels(fb, 3, { x: 0, y: 0, width: 3, height: 2 }, SERVER_PIXEL_FORMAT)).toEqual(fb);
    expect(rawPixels(fb, 3, { x: 1, y: 1, width: 2, height: 1 }, SERVER_PIXEL_FORMAT)).toEqual(
      framebuffer([5, 6]),
    );
  });

  it('writes other formats in the byte order and size the client asked for', () => {
    const fb = framebuffer([0xff0000, 0x00ff00, 0x0000ff, 0, 0xffffff, 0xff0000]);
    const rect = { x: 1, y: 0, width: 2, height: 2 };
    expect([...rawPixels(fb, 3, rect, RGB565)]).toEqual([
      0xe0, 0x07, 0x1f, 0x00, 0xff, 0xff, 0x00, 0xf8,
    ]);
    expect([...rawPixels(fb, 3, rect, { ...RGB565, bigEndian: true })]).toEqual([
      0x07, 0xe0, 0x00, 0x1f, 0xff, 0xff, 0xf8, 0x00,
    ]);
    const big32 = rawPixels(
      fb,
      3,
      { x: 0, y: 0, width: 1, height: 1 },
      {
        ...SERVER_PIXEL_FORMAT,
        bigEndian: true,
      },
    );
    expect([...big32]).toEqual([0x00, 0xff, 0x00, 0x00]);
    const bgr233: PixelFormat = {
      ...RGB565,
      bitsPerPixel: 8,
      depth: 8,
      redMax: 7,
      greenMax: 7,
      blueMax: 3,
      redShift: 0,
      greenShift: 3,
      blueShift: 6,
    };
    expect([...rawPixels(fb, 3, { x: 0, y: 0, width: 3, height: 1 }, bgr233)]).toEqual([
      0x07, 0x38, 0xc0,
    ]);
  });

  it('turns down colour maps, odd sizes and channels that do not fit', () => {
    expect(unsupportedReason(SERVER_PIXEL_FORMAT)).toBeNull();
    expect(unsupportedReason(RGB565)).toBeNull();
    expect(unsupportedReason({ ...RGB565, trueColour: false })).toMatch(/colour-map/);
    expect(unsupportedReason({ ...RGB565, bitsPerPixel: 24 })).toMatch(/24 bits/);
    expect(unsupportedReason({ ...RGB565, redShift: 12 })).toMatch(/do not fit/);
    expect(unsupportedReason({ ...RGB565, greenMax: 0 })).toMatch(/do not fit/);
  });
});
