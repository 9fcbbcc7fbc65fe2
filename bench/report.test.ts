import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  atMost,
  cells,
  COLUMNS,
  formatNumber,
  formatRatio,
  latencyRow,
  markdownTable,
  textTable,
  type Row,
} from './report.ts';
import { summarize } from './stats.ts';

test('latencyRow carries nodelet percentiles, the floor and both ratios', () => {
  const r = latencyRow('s', 'm', summarize([10, 20, 30, 40]), summarize([5, 5, 5, 10]));
  assert.equal(r.n, 4);
  assert.equal(r.p50, 20);
  assert.equal(r.p99, 40);
  assert.equal(r.floorP50, 5);
  assert.equal(r.ratioP50, 4);
  assert.equal(r.ratioP99, 4);
  assert.equal(r.overheadP50, 15);
});

test('latencyRow without floor samples has no ratio', () => {
  const r = latencyRow('s', 'm', summarize([1, 2]), summarize([]));
  assert.equal(r.floorP50, undefined);
  assert.equal(r.ratioP50, undefined);
  const empty = latencyRow('s', 'm', summarize([]));
  assert.equal(empty.p50, undefined);
  assert.equal(empty.n, 0);
});

test('atMost says met, missed, or not measured', () => {
  assert.equal(atMost('t', 10, 15).met, true);
  assert.equal(atMost('t', 15, 15).met, true);
  assert.equal(atMost('t', 16, 15).met, false);
  assert.equal(atMost('t', undefined, 15).met, undefined);
  assert.equal(atMost('t', Number.NaN, 15).met, undefined);
});

test('numbers are printed as people read them', () => {
  assert.equal(formatNumber(0.4234), '0.42');
  assert.equal(formatNumber(3.44), '3.4');
  assert.equal(formatNumber(27.6), '28');
  assert.equal(formatNumber(undefined), '–');
  assert.equal(formatNumber(Number.NaN), '–');
  assert.equal(formatNumber(123.4, 'MB'), '123');
  assert.equal(formatNumber(12.345, '% core'), '12.3');
  assert.equal(formatRatio(2.5), '2.50×');
  assert.equal(formatRatio(55.43), '55.4×');
  assert.equal(formatRatio(undefined), '–');
});

const rows: Row[] = [
  latencyRow('start-up', 'create → Running', summarize([10, 12, 14]), summarize([5, 6, 7]), {
    target: { text: 'p50 ≤ 15', met: true },
  }),
  {
    section: 'density',
    measure: '1000 pods: CPU',
    unit: '% core',
    value: 12.34,
    target: { text: '≤ 25 %', met: false },
    note: 'n',
  },
];

test('cells follow COLUMNS; a single-valued row fills p50 only', () => {
  const a = cells(rows[0] as Row);
  assert.equal(a.length, COLUMNS.length);
  assert.deepEqual(a, [
    'create → Running',
    'ms',
    '3',
    '12',
    '14',
    '14',
    '6.0',
    '7.0',
    '2.00×',
    '2.00×',
    'p50 ≤ 15 met',
  ]);
  assert.deepEqual(cells(rows[1] as Row), [
    '1000 pods: CPU',
    '% core',
    '',
    '12.3',
    '',
    '',
    '',
    '',
    '',
    '',
    '≤ 25 % MISSED; n',
  ]);
});

test('the text table has one header per section, columns aligned', () => {
  const t = textTable(rows).split('\n');
  assert.equal(t[0], '== start-up');
  assert.ok(t[1]?.startsWith('measure'));
  assert.ok(t.includes('== density'));
  const header = t[1] as string;
  const line = t[2] as string;
  // Right-aligned numeric columns end where their header ends.
  const end = header.indexOf('p50') + 3;
  assert.equal(line.slice(end - 2, end), '12');
});

test('the markdown table escapes pipes and has a row per result', () => {
  const md = markdownTable([...rows, { section: 'x', measure: 'a | b', unit: 'ms' }])
    .trimEnd()
    .split('\n');
  assert.equal(md.length, 2 + 3);
  assert.ok(md[0]?.startsWith('| section | measure |'));
  assert.ok(md[4]?.includes('a \\| b'));
});
