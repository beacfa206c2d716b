import { CELL_HEIGHT, CELL_WIDTH, glyphMask } from './font.js';

export const COLUMNS = 80;
export const ROWS = 25;

/** Colours as 0xRRGGBB: the VGA text palette's entries the console uses. */
export const Colour = {
  black: 0x000000,
  lightGrey: 0xaaaaaa,
  white: 0xffffff,
  green: 0x55ff55,
  cyan: 0x55ffff,
} as const;

/** Called with the framebuffer rows [top, bottom) that changed. */
export type ChangeListener = (top: number, bottom: number) => void;

/**
 * An 80×25 text console and the framebuffer it is drawn in: 32 bits a pixel, 0x00RRGGBB in
 * the host's byte order, the pixel format the RFB server announces. Rows are drawn when the
 * framebuffer is read, so a console nobody watches costs no drawing.
 */
export class TextScreen {
  readonly width = COLUMNS * CELL_WIDTH;
  readonly height = ROWS * CELL_HEIGHT;
  private readonly pixels: Buffer;
  private readonly pixels32: Uint32Array;
  private readonly stale = new Uint8Array(ROWS).fill(1);
  private readonly codes = new Uint8Array(COLUMNS * ROWS).fill(0x20);
  private readonly colours = new Uint32Array(COLUMNS * ROWS).fill(Colour.lightGrey);
  private column = 0;
  private row = 0;
  private cursorShown = true;
  private readonly listeners = new Set<ChangeListener>();
  private changedFrom = ROWS;
  private changedTo = -1;
  private readonly cells = new Map<number, Uint32Array>();

  constructor(private readonly background: number = Colour.black) {
    this.pixels = Buffer.alloc(this.width * this.height * 4);
    this.pixels32 = new Uint32Array(
      this.pixels.buffer,
      this.pixels.byteOffset,
      this.width * this.height,
    );
  }

  /** The pixels, row by row, up to date. */
  get framebuffer(): Buffer {
    for (let row = 0; row < ROWS; row++) {
      if (this.stale[row]) {
        this.stale[row] = 0;
        this.drawRow(row);
      }
    }
    return this.pixels;
  }

  /** Subscribes to changes; returns the unsubscribe. */
  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get cursor(): { column: number; row: number } {
    return { column: this.column, row: this.row };
  }

  /** Writes `text` at the cursor: `\n` starts a new line, long lines wrap, the screen scrolls. */
  write(text: string, colour: number = Colour.lightGrey): void {
    this.batch(() => {
      for (const ch of text) {
        if (ch === '\n') {
          this.newLine();
          continue;
        }
        const code = ch.charCodeAt(0);
        const at = this.row * COLUMNS + this.column;
        this.codes[at] = code >= 0x20 && code <= 0x7e ? code : 0x3f;
        this.colours[at] = colour;
        this.markRow(this.row);
        this.column++;
        if (this.column === COLUMNS) this.newLine();
      }
    });
  }

  /** Erases the character before the cursor on the cursor's line. */
  backspace(): void {
    if (this.column === 0) return;
    this.batch(() => {
      this.column--;
      this.codes[this.row * COLUMNS + this.column] = 0x20;
      this.markRow(this.row);
    });
  }

  /** Blank screen, cursor home. */
  clear(): void {
    this.batch(() => {
      this.codes.fill(0x20);
      this.colours.fill(Colour.lightGrey);
      this.column = 0;
      this.row = 0;
      this.markRow(0);
      this.markRow(ROWS - 1);
    });
  }

  setCursorShown(shown: boolean): void {
    if (shown === this.cursorShown) return;
    this.batch(() => {
      this.cursorShown = shown;
      this.markRow(this.row);
    });
  }

  /** The text of one row, trailing blanks removed. */
  rowText(row: number): string {
    const start = row * COLUMNS;
    return String.fromCharCode(...this.codes.subarray(start, start + COLUMNS)).trimEnd();
  }

  private newLine(): void {
    this.markRow(this.row);
    this.column = 0;
    if (this.row < ROWS - 1) {
      this.row++;
    } else {
      this.codes.copyWithin(0, COLUMNS);
      this.colours.copyWithin(0, COLUMNS);
      this.codes.fill(0x20, (ROWS - 1) * COLUMNS);
      this.markRow(0);
    }
    this.markRow(this.row);
  }

  private markRow(row: number): void {
    this.changedFrom = Math.min(this.changedFrom, row);
    this.changedTo = Math.max(this.changedTo, row);
  }

  /** Runs `change`, then marks the rows it touched for drawing and tells the listeners once. */
  private batch(change: () => void): void {
    const cursorRow = this.row;
    change();
    this.markRow(cursorRow);
    if (this.changedTo < this.changedFrom) return;
    const from = this.changedFrom;
    const to = this.changedTo;
    this.changedFrom = ROWS;
    this.changedTo = -1;
    this.stale.fill(1, from, to + 1);
    for (const listener of this.listeners) listener(from * CELL_HEIGHT, (to + 1) * CELL_HEIGHT);
  }

  private drawRow(row: number): void {
    for (let column = 0; column < COLUMNS; column++) this.drawCell(column, row);
  }

  private drawCell(column: number, row: number): void {
    const at = row * COLUMNS + column;
    const withCursor = this.cursorShown && column === this.column && row === this.row;
    const cell = this.cellPixels(this.codes[at]!, this.colours[at]!, withCursor);
    const fb = this.pixels32;
    const stride = this.width;
    let start = row * CELL_HEIGHT * stride + column * CELL_WIDTH;
    for (let y = 0; y < CELL_HEIGHT; y++, start += stride) {
      fb.set(cell.subarray(y * CELL_WIDTH, (y + 1) * CELL_WIDTH), start);
    }
  }

  /** A character cell's pixels, drawn once per character, colour and cursor. */
  private cellPixels(code: number, fg: number, withCursor: boolean): Uint32Array {
    const key = (code * 2 + (withCursor ? 1 : 0)) * 0x1000000 + fg;
    let cell = this.cells.get(key);
    if (!cell) {
      const mask = glyphMask(code);
      cell = new Uint32Array(CELL_WIDTH * CELL_HEIGHT);
      for (let i = 0; i < cell.length; i++) cell[i] = mask[i] ? fg : this.background;
      if (withCursor) cell.fill(fg, (CELL_HEIGHT - 3) * CELL_WIDTH, (CELL_HEIGHT - 1) * CELL_WIDTH);
      this.cells.set(key, cell);
    }
    return cell;
  }
}
