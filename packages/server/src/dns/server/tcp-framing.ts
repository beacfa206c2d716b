/**
 * Splits a TCP byte stream into DNS messages, each preceded by its two-byte length
 * (RFC 1035 §4.2.2). Messages may arrive split across chunks or several in one chunk.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** Adds `chunk` and returns every message it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Buffer[] = [];
    let offset = 0;
    while (this.buffered.length - offset >= 2) {
      const length = this.buffered.readUInt16BE(offset);
      if (this.buffered.length - offset - 2 < length) break;
      frames.push(this.buffered.subarray(offset + 2, offset + 2 + length));
      offset += 2 + length;
    }
    this.buffered = this.buffered.subarray(offset);
    return frames;
  }

  /** Bytes received that do not yet form a whole message. */
  get pendingBytes(): number {
    return this.buffered.length;
  }
}

/** `message` with its two-byte length prefix, ready to write to a TCP stream. */
export function frame(message: Buffer): Buffer {
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(message.length);
  return Buffer.concat([prefix, message]);
}
