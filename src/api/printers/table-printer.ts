// The client half of `kubectl get`: how kubectl 1.32 turns a server Table into text
// (cli-runtime printers.HumanReadablePrinter with the tabwriter it gets from GetNewTabWriter).
//
// - Column names are upper-cased; priority > 0 columns are left out unless wide.
// - A Table with no rows prints nothing at all, not even the header (kubectl then says
//   "No resources found" on stderr).
// - String cells are cut at the first '\n', '\r' or '\f' and get "..." appended; ESC is written as
//   "^[" and CR as "\r"; other cells are printed with Go's fmt.Sprint; null cells are empty.
// - NAMESPACE (first), -L label columns and LABELS (last) come from each row's object metadata.
// - Headers are printed once: a later Table whose columnDefinitions are absent or identical to the
//   last ones prints rows only. Column widths are remembered across tables, so `get -w` rows line
//   up with the first block as long as they fit and push further right when they do not.

import type { Table, TableCell, TableColumnDefinition, TableRow } from './table.ts';
import { KUBECTL_TABLE_TABWRITER, TabWriter } from './tabwriter.ts';

export interface PrintOptions {
  /** -o wide: include priority-1 columns. */
  wide?: boolean;
  /** --no-headers. */
  noHeaders?: boolean;
  /** -A / --all-namespaces: a NAMESPACE column first. */
  withNamespace?: boolean;
  /** --show-labels: a LABELS column last. */
  showLabels?: boolean;
  /** -L key,...: one column per label key. */
  columnLabels?: readonly string[];
  /** Prefix names with "<kind>/" (kubectl does this when several resource types are printed). */
  kind?: string;
}

/** Watch event types as `kubectl get -w --output-watch-events` prints them, padded to one width. */
const WATCH_EVENT_TYPES: Readonly<Record<string, string>> = {
  ADDED: 'ADDED   ',
  MODIFIED: 'MODIFIED',
  DELETED: 'DELETED ',
  ERROR: 'ERROR   ',
};

function escapeTerminal(text: string): string {
  return text.replaceAll('\x1b', '^[').replaceAll('\r', '\\r');
}

/** fmt.Sprint of a decoded JSON value (unstructured decoding turns integral numbers into int64). */
function sprint(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return JSON.stringify(value) ?? '';
}

function cellText(cell: TableCell | undefined): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') {
    const cut = cell.search(/[\f\n\r]/);
    return cut >= 0 ? `${escapeTerminal(cell.slice(0, cut))}...` : escapeTerminal(cell);
  }
  return escapeTerminal(sprint(cell));
}

interface RowMetadata {
  namespace?: string;
  labels?: Record<string, string>;
}

function rowMetadata(row: TableRow): RowMetadata | undefined {
  const obj = row.object;
  if (typeof obj !== 'object' || obj === null) return undefined;
  const metadata = (obj as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  return metadata;
}

/** labels.FormatLabels: "k=v,k2=v2" sorted by key, or "<none>". */
export function formatLabels(labels: Readonly<Record<string, string>> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels?.[k] ?? ''}`).join(',');
}

function columnsEqual(
  a: readonly TableColumnDefinition[] | undefined,
  b: readonly TableColumnDefinition[] | undefined,
): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

interface DecoratedTable {
  columns: TableColumnDefinition[];
  rows: TableCell[][];
}

function plainColumn(name: string): TableColumnDefinition {
  return { name, type: 'string', format: '', description: '', priority: 0 };
}

/** cli-runtime decorateTable: namespace, label columns and kind-prefixed names. */
function decorate(
  columns: readonly TableColumnDefinition[],
  rows: readonly TableRow[],
  options: PrintOptions,
): DecoratedTable {
  const columnLabels = options.columnLabels ?? [];
  const outColumns: TableColumnDefinition[] = [];
  if (options.withNamespace === true) outColumns.push(plainColumn('Namespace'));
  outColumns.push(...columns);
  for (const label of columnLabels) outColumns.push(plainColumn(label.split('/').at(-1) ?? label));
  if (options.showLabels === true) outColumns.push(plainColumn('Labels'));

  const nameColumn =
    options.kind !== undefined && options.kind !== ''
      ? columns.findIndex((c) => c.format === 'name' && c.type === 'string')
      : -1;
  const includeLabels = columnLabels.length > 0 || options.showLabels === true;
  const width = outColumns.length;

  const outRows = rows.map((row): TableCell[] => {
    const cells = [...row.cells];
    if (nameColumn >= 0 && nameColumn < cells.length) {
      cells[nameColumn] = `${(options.kind ?? '').toLowerCase()}/${sprint(cells[nameColumn])}`;
    }
    if (!includeLabels && options.withNamespace !== true) return cells;
    const meta = rowMetadata(row);
    if (meta === undefined) {
      // Without metadata the extra columns are filled with empty cells. The bound is re-evaluated
      // as cells grow, exactly like cli-runtime's loop, so only about half the gap gets filled.
      if (options.withNamespace === true) cells.unshift(null);
      for (let j = 0; j < width - cells.length; j++) cells.push(null);
      return cells;
    }
    if (options.withNamespace === true) cells.unshift(meta.namespace ?? '');
    if (includeLabels) {
      for (const key of columnLabels) cells.push(meta.labels?.[key] ?? '');
      if (options.showLabels === true) cells.push(formatLabels(meta.labels));
    }
    return cells;
  });
  return { columns: outColumns, rows: outRows };
}

/**
 * A kubectl table printer with its own tabwriter: one instance per `kubectl get` invocation.
 * Each print() is one flush of kubectl's writer and returns the text it produced.
 */
export class KubectlTablePrinter {
  readonly #options: PrintOptions;
  readonly #writer = new TabWriter(KUBECTL_TABLE_TABWRITER);
  #lastColumns: TableColumnDefinition[] | undefined;
  #printedHeaders = false;

  constructor(options: PrintOptions = {}) {
    this.#options = options;
  }

  /**
   * Prints a Table (a list response or one watch event's Table). eventType, as with
   * --output-watch-events, prepends an EVENT column.
   */
  print(table: Pick<Table, 'columnDefinitions' | 'rows'>, eventType?: string): string {
    this.#write(table, eventType);
    return this.#writer.flush();
  }

  #write(table: Pick<Table, 'columnDefinitions' | 'rows'>, eventType: string | undefined): void {
    let noHeaders = this.#options.noHeaders === true;
    const given = table.columnDefinitions ?? [];
    if (this.#printedHeaders && (given.length === 0 || columnsEqual(given, this.#lastColumns)))
      noHeaders = true;
    let columns: readonly TableColumnDefinition[];
    if (given.length === 0) {
      // Watch events after the first carry no column definitions: reuse the last ones.
      columns = this.#lastColumns ?? [];
    } else {
      columns = given;
      if (!columnsEqual(given, this.#lastColumns)) {
        this.#lastColumns = given.map((c) => ({ ...c }));
        this.#printedHeaders = false;
      }
    }
    if (table.rows.length > 0) this.#printedHeaders = true;

    const decorated = decorate(columns, table.rows, this.#options);
    if (eventType !== undefined && eventType !== '') {
      decorated.columns.unshift(plainColumn('Event'));
      for (const row of decorated.rows) row.unshift(WATCH_EVENT_TYPES[eventType] ?? eventType);
    }
    this.#writeTable(decorated, noHeaders);
  }

  #writeTable(table: DecoratedTable, noHeaders: boolean): void {
    const wide = this.#options.wide === true;
    if (!noHeaders) {
      if (table.rows.length === 0) return;
      const names = table.columns.filter((c) => wide || c.priority === 0).map((c) => c.name.toUpperCase());
      this.#writer.write(`${names.join('\t')}\n`);
    }
    for (const row of table.rows) {
      const cells: string[] = [];
      for (let i = 0; i < row.length; i++) {
        const column = table.columns[i];
        // More cells than columns is bad server output; kubectl ignores the extra cells.
        if (column === undefined) break;
        if (!wide && column.priority !== 0) continue;
        cells.push(cellText(row[i]));
      }
      this.#writer.write(`${cells.join('\t')}\n`);
    }
  }
}

/** `kubectl get` of one Table, start to end. */
export function printTable(
  table: Pick<Table, 'columnDefinitions' | 'rows'>,
  options: PrintOptions = {},
): string {
  return new KubectlTablePrinter(options).print(table);
}
