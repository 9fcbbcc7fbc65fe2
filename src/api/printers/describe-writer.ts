// kubectl describe's output plumbing (describe.go prefixWriter and tabbedString): text is written
// at an indent level of two spaces per level, terminal escapes are neutralised, and the whole
// result goes through a tabwriter (minwidth 0, padding 2) so "Key:\tvalue" lines align per block.

import { KUBECTL_DESCRIBE_TABWRITER, TabWriter } from './tabwriter.ts';

export const LEVEL_0 = 0;
export const LEVEL_1 = 1;
export const LEVEL_2 = 2;
export const LEVEL_3 = 3;
export const LEVEL_4 = 4;

export class PrefixWriter {
  readonly #out = new TabWriter(KUBECTL_DESCRIBE_TABWRITER);
  #text = '';

  /** Writes already formatted text after `level` indents (Write(level, format, args...)). */
  write(level: number, text: string): void {
    this.#out.write(escapeTerminal('  '.repeat(level) + text));
  }

  /** WriteLine: the text and a newline, without indent. */
  writeLine(text: string): void {
    this.#out.write(escapeTerminal(`${text}\n`));
  }

  /** Formats what has been written so far, so later lines align on their own. */
  flush(): void {
    this.#text += this.#out.flush();
  }

  /** Everything written, formatted (tabbedString's final Flush). */
  finish(): string {
    this.flush();
    return this.#text;
  }
}

/** cli-runtime WriteEscaped: ESC becomes "^[", CR becomes "\r". */
function escapeTerminal(text: string): string {
  return text.replaceAll('\x1b', '^[').replaceAll('\r', '\\r');
}
