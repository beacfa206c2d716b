import { describe, expect, it } from 'vitest';
import { CELL_HEIGHT, CELL_WIDTH, glyphMask } from './font.js';
import { COLUMNS, Colour, ROWS, TextScreen } from './text-screen.js';

function pixel(screen: TextScreen, x: number, y: number): number {
  return screen.framebuffer.readUInt32LE((y * screen.width + x) * 4);
}

describe('text screen', () => {
  it('is 80×25 cells of the font’s size, black when empty but for the cursor', () => {
    const screen = new TextScreen();
    expect(screen.width).toBe(COLUMNS * CELL_WIDTH);
    expect(screen.height).toBe(ROWS * CELL_HEIGHT);
    screen.setCursorShown(false);
    expect(screen.framebuffer.every((b) => b === 0)).toBe(true);
  });

  it('draws a character’s glyph in its colour at the cursor’s cell', () => {
    const screen = new TextScreen();
    screen.write('  A', Colour.green);
    const mask = glyphMask(0x41);
    for (let y = 0; y < CELL_HEIGHT; y++) {
      for (let x = 0; x < CELL_WIDTH; x++) {
        const want = mask[y * CELL_WIDTH + x] ? Colour.green : Colour.black;
        expect(pixel(screen, 2 * CELL_WIDTH + x, y)).toBe(want);
      }
    }
  });

  it('shows the cursor as an underline in the cell after the text', () => {
    const screen = new TextScreen();
    screen.write('ab');
    expect(screen.cursor).toEqual({ column: 2, row: 0 });
    const y = CELL_HEIGHT - 2;
    expect(pixel(screen, 2 * CELL_WIDTH + 5, y)).toBe(Colour.lightGrey);
    screen.setCursorShown(false);
    expect(pixel(screen, 2 * CELL_WIDTH + 5, y)).toBe(Colour.black);
  });

  it('wraps long lines and scrolls when the last row is full', () => {
    const screen = new TextScreen();
    screen.write('x'.repeat(COLUMNS + 3));
    expect(screen.rowText(0)).toBe('x'.repeat(COLUMNS));
    expect(screen.rowText(1)).toBe('xxx');
    screen.clear();
    for (let i = 0; i < ROWS + 2; i++) screen.write(`line ${i}\n`);
    expect(screen.rowText(0)).toBe('line 3');
    expect(screen.rowText(ROWS - 2)).toBe(`line ${ROWS + 1}`);
    expect(screen.cursor).toEqual({ column: 0, row: ROWS - 1 });
  });

  it('erases with backspace, but never past the start of the line', () => {
    const screen = new TextScreen();
    screen.write('ab\ncd');
    screen.backspace();
    screen.backspace();
    screen.backspace();
    expect(screen.rowText(1)).toBe('');
    expect(screen.rowText(0)).toBe('ab');
    expect(screen.cursor).toEqual({ column: 0, row: 1 });
  });

  it('tells listeners which framebuffer rows changed, once a write', () => {
    const screen = new TextScreen();
    screen.write('\n\n');
    const changes: Array<[number, number]> = [];
    const stop = screen.onChange((top, bottom) => changes.push([top, bottom]));
    screen.write('hello');
    expect(changes).toEqual([[2 * CELL_HEIGHT, 3 * CELL_HEIGHT]]);
    screen.write('\n');
    expect(changes[1]).toEqual([2 * CELL_HEIGHT, 4 * CELL_HEIGHT]);
    stop();
    screen.write('more');
    expect(changes).toHaveLength(2);
  });

  it('shows characters outside printable ASCII as a question mark', () => {
    const screen = new TextScreen();
    screen.write('é\u0007');
    expect(screen.rowText(0)).toBe('??');
  });
});
