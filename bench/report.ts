// Result rows and their two renderings: an aligned text table for the terminal and a markdown
// table for bench/results/ and the README.
import { overhead, ratio, type Summary } from './stats.ts';

export type Unit = 'ms' | '% core' | 'MB' | 's';

export interface Target {
  text: string;
  /** undefined when the row could not be measured. */
  met: boolean | undefined;
}

export interface Row {
  section: string;
  measure: string;
  unit: Unit;
  n?: number;
  p50?: number;
  p90?: number;
  p99?: number;
  /** A single figure (CPU share, RSS) rather than a distribution. */
  value?: number;
  floorP50?: number;
  floorP99?: number;
  /** nodelet p50 ÷ floor p50, and the same for p99. */
  ratioP50?: number;
  ratioP99?: number;
  /** nodelet p50 − floor p50 (the deletion row's "on top of the container's own exit"). */
  overheadP50?: number;
  target?: Target;
  note?: string;
}

/** A latency row from nodelet's samples and, when measured, the floor's. */
export function latencyRow(
  section: string,
  measure: string,
  nodelet: Summary,
  floor?: Summary,
  extra: Partial<Row> = {},
): Row {
  const row: Row = { section, measure, unit: 'ms', n: nodelet.count };
  if (nodelet.count > 0) {
    row.p50 = nodelet.p50;
    row.p90 = nodelet.p90;
    row.p99 = nodelet.p99;
  }
  if (floor && floor.count > 0) {
    row.floorP50 = floor.p50;
    row.floorP99 = floor.p99;
    const r50 = ratio(row.p50, floor.p50);
    const r99 = ratio(row.p99, floor.p99);
    const o50 = overhead(row.p50, floor.p50);
    if (r50 !== undefined) row.ratioP50 = r50;
    if (r99 !== undefined) row.ratioP99 = r99;
    if (o50 !== undefined) row.overheadP50 = o50;
  }
  return { ...row, ...extra };
}

/** Checks value ≤ limit; unknown when the value is missing. */
export function atMost(text: string, value: number | undefined, limit: number): Target {
  return { text, met: value === undefined || !Number.isFinite(value) ? undefined : value <= limit };
}

/** Milliseconds as people read them: 0.42, 3.4, 27, 1234. */
export function formatNumber(v: number | undefined, unit: Unit = 'ms'): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  if (unit === 'MB') return v.toFixed(0);
  if (unit === '% core') return v.toFixed(1);
  const a = Math.abs(v);
  if (a < 1) return v.toFixed(2);
  if (a < 10) return v.toFixed(1);
  return v.toFixed(0);
}

export function formatRatio(r: number | undefined): string {
  if (r === undefined || !Number.isFinite(r)) return '–';
  return `${r < 10 ? r.toFixed(2) : r.toFixed(1)}×`;
}

function metMark(t: Target | undefined): string {
  if (!t) return '';
  if (t.met === undefined) return `${t.text} (not measured)`;
  return `${t.text} ${t.met ? 'met' : 'MISSED'}`;
}

export const COLUMNS = [
  'measure',
  'unit',
  'n',
  'p50',
  'p90',
  'p99',
  'floor p50',
  'floor p99',
  '÷floor p50',
  '÷floor p99',
  'target',
] as const;

/** The cells of one row, in COLUMNS order. */
export function cells(row: Row): string[] {
  const single = row.value !== undefined;
  return [
    row.measure,
    row.unit,
    row.n === undefined ? '' : String(row.n),
    single ? formatNumber(row.value, row.unit) : formatNumber(row.p50, row.unit),
    single ? '' : formatNumber(row.p90, row.unit),
    single ? '' : formatNumber(row.p99, row.unit),
    row.floorP50 === undefined ? '' : formatNumber(row.floorP50, row.unit),
    row.floorP99 === undefined ? '' : formatNumber(row.floorP99, row.unit),
    row.floorP50 === undefined ? '' : formatRatio(row.ratioP50),
    row.floorP99 === undefined ? '' : formatRatio(row.ratioP99),
    metMark(row.target) + (row.note ? (row.target ? '; ' : '') + row.note : ''),
  ];
}

/** An aligned plain-text table, one block per section. */
export function textTable(rows: readonly Row[]): string {
  const header = [...COLUMNS];
  const body = rows.map(cells);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cs: readonly string[]): string =>
    cs
      .map((c, i) => (i === 0 || i === cs.length - 1 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  let section: string | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    if (row.section !== section) {
      section = row.section;
      if (out.length) out.push('');
      out.push(`== ${section}`);
      out.push(line(header));
    }
    out.push(line(body[i] as string[]));
  }
  return out.join('\n') + '\n';
}

function mdEscape(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** A markdown table with the section as its first column. */
export function markdownTable(rows: readonly Row[]): string {
  const header = ['section', ...COLUMNS];
  const align = header.map((_, i) => (i <= 2 || i === header.length - 1 ? ':--' : '--:'));
  const out = [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const r of rows) out.push(`| ${[r.section, ...cells(r)].map(mdEscape).join(' | ')} |`);
  return out.join('\n') + '\n';
}
