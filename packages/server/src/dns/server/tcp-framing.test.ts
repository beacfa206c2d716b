import { describe, expect, it } from 'vitest';
import { FrameReader, frame } from './tcp-framing.js';

describe('FrameReader', () => {
  it('returns whole messages however the stream is cut', () => {
    const stream = Buffer.concat([
      frame(Buffer.from('first')),
      frame(Buffer.from('second')),
      frame(Buffer.alloc(0)),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new FrameReader();
      const frames = [
        ...reader.push(stream.subarray(0, cut)),
        ...reader.push(stream.subarray(cut)),
      ];
      expect(frames.map((f) => f.toString())).toEqual(['first', 'second', '']);
      expect(reader.pendingBytes).toBe(0);
    }
  });

  it('holds an incomplete message until the rest arrives', () => {
    const reader = new FrameReader();
    expect(reader.push(Buffer.from([0, 5, 1, 2]))).toEqual([]);
    expect(reader.pendingBytes).toBe(4);
    expect(reader.push(Buffer.from([3, 4, 5]))).toEqual([Buffer.from([1, 2, 3, 4, 5])]);
  });
});
