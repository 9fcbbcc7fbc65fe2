// The column aligner behind every kubectl table: Go's text/tabwriter, as used by
// cli-runtime's printers (minwidth 6, tabwidth 4, padding 3, RememberWidths — the
// github.com/liggitt/tabwriter fork) and by kubectl describe (minwidth 0, tabwidth 8, padding 2).
//
// Behaviour matched, because output must be byte-identical:
// - Text is split into cells by '\t' (and '\v'); a line ends at '\n' (or '\f', which also flushes).
//   Only tab-terminated cells form columns: the text after the last tab of a line is never padded.
// - A column's width is decided per *block*: a run of consecutive lines that all have a cell in
//   that column. A line with fewer cells ends the block, so alignment restarts after it.
// - width = max(minwidth, widest cell + padding); cells are left-aligned and padded with spaces.
// - A line that has no tab at all flushes everything buffered before it (Go does this because such
//   a line cannot influence later columns).
// - Widths count Unicode code points, like utf8.RuneCount.
// - With rememberWidths, the widest width seen per column survives flushes and is never shrunk:
//   this is why `kubectl get -w` rows stay aligned with (or drift right of) the first rows.

interface Cell {
  text: string;
  width: number;
}

export interface TabWriterOptions {
  /** Minimal cell width including padding. */
  minWidth: number;
  /** Width of a tab character; kept for fidelity with Go's parameters (it only matters for tab padding). */
  tabWidth: number;
  /** Spaces added to the widest cell of a column. */
  padding: number;
  /** Remember the maximum width of each column across flushes (liggitt/tabwriter RememberWidths). */
  rememberWidths?: boolean;
}

/** cli-runtime's printers.GetNewTabWriter settings (kubectl get). */
export const KUBECTL_TABLE_TABWRITER: TabWriterOptions = {
  minWidth: 6,
  tabWidth: 4,
  padding: 3,
  rememberWidths: true,
};

/** kubectl describe's tabbedString settings. */
export const KUBECTL_DESCRIBE_TABWRITER: TabWriterOptions = { minWidth: 0, tabWidth: 8, padding: 2 };

function runeCount(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export class TabWriter {
  readonly #options: TabWriterOptions;
  #lines: Cell[][] = [[]];
  #cell = '';
  #widths: number[] = [];
  #maxWidths: number[] = [];
  #out = '';

  constructor(options: TabWriterOptions) {
    this.#options = options;
  }

  /** Buffers text; complete blocks may already be formatted into the pending output. */
  write(text: string): void {
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch !== '\t' && ch !== '\v' && ch !== '\n' && ch !== '\f') continue;
      this.#cell += text.slice(start, i);
      start = i + 1;
      const cells = this.#terminateCell();
      if (ch === '\n' || ch === '\f') {
        this.#lines.push([]);
        if (ch === '\f' || cells === 1) this.#flushBuffered();
      }
    }
    this.#cell += text.slice(start);
  }

  /** Formats everything buffered and returns all output produced since the previous flush. */
  flush(): string {
    this.#flushBuffered();
    const out = this.#out;
    this.#out = '';
    return out;
  }

  /** The remembered per-column widths (only grows when rememberWidths is set). */
  rememberedWidths(): readonly number[] {
    return [...this.#maxWidths];
  }

  #terminateCell(): number {
    const line = this.#lines[this.#lines.length - 1];
    if (line === undefined) throw new Error('tabwriter: no current line');
    line.push({ text: this.#cell, width: runeCount(this.#cell) });
    this.#cell = '';
    return line.length;
  }

  #flushBuffered(): void {
    if (this.#cell.length > 0) this.#terminateCell();
    this.#format(0, this.#lines.length);
    this.#lines = [[]];
    this.#cell = '';
    this.#widths = [];
  }

  #line(index: number): Cell[] {
    const line = this.#lines[index];
    if (line === undefined) throw new Error(`tabwriter: no line ${index}`);
    return line;
  }

  #format(line0: number, line1: number): void {
    const column = this.#widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= this.#line(current).length - 1) continue;
      // This line has a cell in this column: it starts a block.
      this.#writeLines(line0, current);
      line0 = current;
      let width = this.#options.minWidth;
      for (; current < line1; current++) {
        const cells = this.#line(current);
        if (column >= cells.length - 1) break;
        const cell = cells[column];
        if (cell !== undefined && cell.width + this.#options.padding > width) {
          width = cell.width + this.#options.padding;
        }
      }
      if (this.#options.rememberWidths === true) width = this.#remember(column, width);
      this.#widths.push(width);
      this.#format(line0, current);
      this.#widths.pop();
      line0 = current;
    }
    this.#writeLines(line0, line1);
  }

  #remember(column: number, width: number): number {
    if (this.#maxWidths.length < column) this.#maxWidths.push(...this.#widths.slice(this.#maxWidths.length));
    const remembered = this.#maxWidths[column];
    if (remembered === undefined) {
      this.#maxWidths.push(width);
      return width;
    }
    if (remembered > width) return remembered;
    this.#maxWidths[column] = width;
    return width;
  }

  #writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const cells = this.#line(i);
      for (let j = 0; j < cells.length; j++) {
        const cell = cells[j];
        if (cell === undefined) continue;
        this.#out += cell.text;
        const width = this.#widths[j];
        if (width !== undefined) this.#out += ' '.repeat(Math.max(0, width - cell.width));
      }
      // The last buffered line has no newline yet: write what is pending of it instead.
      this.#out += i + 1 === this.#lines.length ? this.#cell : '\n';
    }
  }
}
