import { createRequire } from 'node:module';

/**
 * The console's bitmap font: "Seven plus" from the js-pixel-fonts package (MIT, Harry
 * Cummings), 5×7 capitals with descenders below, drawn at twice its size so that each
 * character fills a CELL_WIDTH × CELL_HEIGHT cell of the text console.
 */

const SCALE = 2;
/** The font's tallest glyph, descenders included, and its widest, in font pixels. */
const FONT_ROWS = 9;
const FONT_COLUMNS = 5;

export const CELL_WIDTH = FONT_COLUMNS * SCALE + 2;
export const CELL_HEIGHT = FONT_ROWS * SCALE + 2;

interface FontGlyph {
  offset: number;
  pixels: number[][];
}

function isFontGlyph(value: unknown): value is FontGlyph {
  if (typeof value !== 'object' || value === null) return false;
  const { offset, pixels } = value as Record<string, unknown>;
  return (
    typeof offset === 'number' &&
    Array.isArray(pixels) &&
    pixels.every((row) => Array.isArray(row) && row.every((p) => p === 0 || p === 1))
  );
}

function loadGlyphs(): Map<string, FontGlyph> {
  const data: unknown = createRequire(import.meta.url)('js-pixel-fonts/data/seven-plus.json');
  const glyphs = (data as { glyphs?: unknown }).glyphs;
  if (typeof glyphs !== 'object' || glyphs === null) throw new Error('js-pixel-fonts: no glyphs');
  const out = new Map<string, FontGlyph>();
  for (const [ch, glyph] of Object.entries(glyphs)) {
    if (ch.length === 1 && isFontGlyph(glyph)) out.set(ch, glyph);
  }
  return out;
}

/** The cell's ink for `glyph`: CELL_WIDTH × CELL_HEIGHT bytes, row by row, 1 where drawn. */
function rasterise(glyph: FontGlyph): Uint8Array {
  const mask = new Uint8Array(CELL_WIDTH * CELL_HEIGHT);
  const width = Math.max(0, ...glyph.pixels.map((row) => row.length));
  // Narrow (lower-case) glyphs are centred in the five-pixel box, as in a fixed-width font.
  const left = 1 + Math.floor((FONT_COLUMNS - Math.min(width, FONT_COLUMNS)) / 2) * SCALE;
  glyph.pixels.forEach((row, r) => {
    const fontRow = glyph.offset + r;
    if (fontRow >= FONT_ROWS) return;
    row.forEach((ink, c) => {
      if (!ink || c >= FONT_COLUMNS) return;
      for (let dy = 0; dy < SCALE; dy++) {
        for (let dx = 0; dx < SCALE; dx++) {
          mask[(1 + fontRow * SCALE + dy) * CELL_WIDTH + left + c * SCALE + dx] = 1;
        }
      }
    });
  });
  return mask;
}

function buildMasks(): Map<number, Uint8Array> {
  const glyphs = loadGlyphs();
  const masks = new Map<number, Uint8Array>();
  for (let code = 0x20; code <= 0x7e; code++) {
    const glyph = glyphs.get(String.fromCharCode(code));
    if (glyph) masks.set(code, rasterise(glyph));
  }
  return masks;
}

const masks = buildMasks();
const blank = new Uint8Array(CELL_WIDTH * CELL_HEIGHT);
const unknown = masks.get(0x3f) ?? blank;

/** The ink of the character with this code (printable ASCII; others show as `?`, space as blank). */
export function glyphMask(code: number): Uint8Array {
  if (code === 0x20) return blank;
  return masks.get(code) ?? unknown;
}
