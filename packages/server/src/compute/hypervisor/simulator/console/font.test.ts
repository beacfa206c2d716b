import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CELL_HEIGHT, CELL_WIDTH, glyphMask } from './font.js';

const font = createRequire(import.meta.url)('js-pixel-fonts/data/seven-plus.json') as {
  glyphs: Record<string, { offset: number; pixels: number[][] }>;
};

/** The glyph as rows of '#' and '.', one string a cell row. */
function picture(code: number): string[] {
  const mask = glyphMask(code);
  return Array.from({ length: CELL_HEIGHT }, (_, y) =>
    Array.from({ length: CELL_WIDTH }, (_, x) => (mask[y * CELL_WIDTH + x] ? '#' : '.')).join(''),
  );
}

describe('console font', () => {
  it('draws each font pixel as a 2×2 block inside a one-pixel margin', () => {
    const a = picture(0x41);
    // Seven plus "A": .###. / #...# / #...# / ##### / #...# / #...# / #...#
    expect(a[0]).toBe('............');
    expect(a[1]).toBe('...######...');
    expect(a[2]).toBe('...######...');
    expect(a[3]).toBe('.##......##.');
    expect(a[7]).toBe('.##########.');
    expect(a[14]).toBe('.##......##.');
    expect(a[15]).toBe('............');
    expect(a[CELL_HEIGHT - 1]).toBe('............');
  });

  it('keeps descenders below the baseline', () => {
    const g = picture(0x67);
    const glyph = font.glyphs['g']!;
    const lastInkRow = 1 + (glyph.offset + glyph.pixels.length) * 2 - 1;
    expect(g[lastInkRow]).toContain('#');
    expect(lastInkRow).toBeGreaterThan(14);
  });

  it('has a distinct glyph for every printable ASCII character but space', () => {
    const seen = new Set<string>();
    for (let code = 0x21; code <= 0x7e; code++) {
      const mask = glyphMask(code);
      expect(
        mask.some((v) => v === 1),
        String.fromCharCode(code),
      ).toBe(true);
      seen.add(Buffer.from(mask).toString('hex'));
    }
    expect(seen.size).toBe(0x7e - 0x21 + 1);
    expect(glyphMask(0x20).every((v) => v === 0)).toBe(true);
  });

  it('shows characters it has no glyph for as a question mark', () => {
    expect(glyphMask(0xe9)).toBe(glyphMask(0x3f));
    expect(glyphMask(0x07)).toBe(glyphMask(0x3f));
  });
});
