// A dependency-free SVG chart of a run: horizontal grouped bars, one panel per kind of figure
// (latencies on a log scale next to their floor, then density's CPU and memory with the target as
// a line). Pure string building, so it is unit-tested like the rest of the arithmetic.

export interface Bar {
  label: string;
  value: number;
  color: string;
}

export interface Group {
  label: string;
  bars: Bar[];
}

export interface Panel {
  title: string;
  unit: string;
  log: boolean;
  groups: Group[];
  /** A vertical line, e.g. the target. */
  marker?: { value: number; label: string };
}

const LABEL_W = 300;
const PLOT_W = 460;
const VALUE_W = 80;
const BAR_H = 12;
const GROUP_GAP = 10;
const TITLE_H = 46;
const AXIS_H = 40;
const WIDTH = LABEL_W + PLOT_W + VALUE_W + 20;

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function finitePositive(v: number): boolean {
  return Number.isFinite(v) && v > 0;
}

/** The axis range: whole powers of ten around the values (log), or 0 to a round maximum (linear). */
export function axisRange(
  values: readonly number[],
  log: boolean,
): { lo: number; hi: number; ticks: number[] } {
  const vs = values.filter(finitePositive);
  if (vs.length === 0) return { lo: log ? 0.1 : 0, hi: log ? 10 : 1, ticks: log ? [0.1, 1, 10] : [0, 1] };
  const max = Math.max(...vs);
  if (log) {
    const lo = 10 ** Math.floor(Math.log10(Math.min(...vs)));
    let hi = 10 ** Math.ceil(Math.log10(max));
    if (hi <= lo) hi = lo * 10;
    const ticks: number[] = [];
    for (let t = lo; t <= hi * 1.0001; t *= 10) ticks.push(Number(t.toPrecision(6)));
    return { lo, hi, ticks };
  }
  const step = 10 ** (Math.floor(Math.log10(max)) - 1);
  const nice = [1, 2, 5, 10, 20, 50].map((m) => m * step).find((s) => Math.ceil(max / s) <= 6) ?? 100 * step;
  const hi = Math.ceil(max / nice) * nice;
  const ticks: number[] = [];
  for (let t = 0; t <= hi + nice / 1000; t += nice) ticks.push(Number(t.toPrecision(6)));
  return { lo: 0, hi, ticks };
}

/** x offset within the plot of value v. */
export function scale(v: number, lo: number, hi: number, log: boolean): number {
  if (log) {
    if (!finitePositive(v)) return 0;
    const x = (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
    return Math.min(1, Math.max(0, x)) * PLOT_W;
  }
  return Math.min(1, Math.max(0, v / hi)) * PLOT_W;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a < 1) return v.toFixed(2);
  if (a < 10) return v.toFixed(1);
  return v.toFixed(0);
}

function panelHeight(p: Panel): number {
  const rows = p.groups.reduce((n, g) => n + Math.max(1, g.bars.length) * BAR_H + GROUP_GAP, 0);
  return TITLE_H + rows + AXIS_H;
}

function renderPanel(p: Panel, y0: number): string {
  const values = p.groups.flatMap((g) => g.bars.map((b) => b.value));
  if (p.marker) values.push(p.marker.value);
  const { lo, hi, ticks } = axisRange(values, p.log);
  const x0 = LABEL_W;
  const out: string[] = [];
  out.push(`<text x="10" y="${y0 + 16}" class="title">${escapeXml(p.title)}</text>`);
  const legend = new Map<string, string>();
  for (const g of p.groups) for (const b of g.bars) legend.set(b.label, b.color);
  // The legend has its own line under the title, so a long title never runs into it.
  let lx = x0;
  for (const [label, color] of legend) {
    out.push(`<rect x="${lx}" y="${y0 + 24}" width="10" height="10" fill="${color}"/>`);
    out.push(`<text x="${lx + 14}" y="${y0 + 33}" class="small">${escapeXml(label)}</text>`);
    lx += 24 + label.length * 6.5;
  }
  let y = y0 + TITLE_H;
  const plotTop = y;
  for (const g of p.groups) {
    const h = Math.max(1, g.bars.length) * BAR_H;
    out.push(`<text x="${x0 - 8}" y="${y + h / 2 + 4}" text-anchor="end">${escapeXml(g.label)}</text>`);
    g.bars.forEach((b, i) => {
      const w = scale(b.value, lo, hi, p.log);
      const by = y + i * BAR_H;
      out.push(
        `<rect x="${x0}" y="${by + 1}" width="${w.toFixed(1)}" height="${BAR_H - 2}" fill="${b.color}"><title>${escapeXml(`${g.label} — ${b.label}: ${fmt(b.value)} ${p.unit}`)}</title></rect>`,
      );
      out.push(
        `<text x="${(x0 + w + 4).toFixed(1)}" y="${by + BAR_H - 2}" class="small">${fmt(b.value)}</text>`,
      );
    });
    y += h + GROUP_GAP;
  }
  const plotBottom = y - GROUP_GAP / 2;
  for (const t of ticks) {
    const x = x0 + scale(t, lo, hi, p.log);
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${plotTop - 2}" x2="${x.toFixed(1)}" y2="${plotBottom}" class="grid"/>`,
    );
    out.push(
      `<text x="${x.toFixed(1)}" y="${plotBottom + 14}" text-anchor="middle" class="small">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<text x="${x0 + PLOT_W + 24}" y="${plotBottom + 14}" text-anchor="start" class="small">${escapeXml(p.unit)}${p.log ? ' (log)' : ''}</text>`,
  );
  if (p.marker) {
    const x = x0 + scale(p.marker.value, lo, hi, p.log);
    out.push(
      `<line x1="${x.toFixed(1)}" y1="${plotTop - 4}" x2="${x.toFixed(1)}" y2="${plotBottom}" class="marker"/>`,
    );
    // Under the axis, clear of the bars and their values.
    out.push(
      `<text x="${x.toFixed(1)}" y="${plotBottom + 28}" text-anchor="middle" class="small marker-text">${escapeXml(p.marker.label)}</text>`,
    );
  }
  return out.join('\n');
}

/** One SVG document with the panels stacked; empty panels are left out. */
export function renderChart(title: string, subtitle: string | string[], panels: readonly Panel[]): string {
  const shown = panels.filter((p) => p.groups.length > 0);
  const subtitles = Array.isArray(subtitle) ? subtitle : [subtitle];
  let y = 36 + subtitles.length * 14;
  const parts: string[] = [];
  for (const p of shown) {
    parts.push(renderPanel(p, y));
    y += panelHeight(p) + 10;
  }
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    '<style>.title{font-weight:600;font-size:14px}.small{font-size:10px;fill:#444}.grid{stroke:#ddd}.marker{stroke:#c0392b;stroke-dasharray:4 3}.marker-text{fill:#c0392b}</style>',
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" class="title" font-size="16">${escapeXml(title)}</text>`,
    ...subtitles.map((t, i) => `<text x="10" y="${40 + i * 14}" class="small">${escapeXml(t)}</text>`),
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
