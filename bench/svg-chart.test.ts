import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axisRange, escapeXml, renderChart, scale } from './svg-chart.ts';

test('a log axis spans whole powers of ten around the values', () => {
  assert.deepEqual(axisRange([3, 42, 0.5], true), { lo: 0.1, hi: 100, ticks: [0.1, 1, 10, 100] });
  assert.deepEqual(axisRange([10, 100], true).ticks, [10, 100]);
  const one = axisRange([5], true);
  assert.ok(one.hi > one.lo);
});

test('a linear axis starts at 0 and ends on a round number', () => {
  const r = axisRange([23, 7], false);
  assert.equal(r.lo, 0);
  assert.equal(r.hi, 25);
  assert.deepEqual(r.ticks, [0, 5, 10, 15, 20, 25]);
  assert.equal(axisRange([280], false).hi, 300);
});

test('non-finite and missing values are left out of the axis', () => {
  assert.deepEqual(axisRange([Number.NaN, 0, -1], true).ticks, [0.1, 1, 10]);
});

test('scale maps the range onto the plot and clamps', () => {
  assert.equal(scale(1, 0.1, 10, true), scale(10, 0.1, 10, true) / 2);
  assert.equal(scale(0, 0.1, 10, true), 0);
  assert.equal(scale(50, 0, 100, false) * 2, scale(100, 0, 100, false));
  assert.equal(scale(1000, 0, 100, false), scale(100, 0, 100, false));
});

test('the chart is one SVG document with escaped text and a bar per value', () => {
  const svg = renderChart('t <1>', 'm & n', [
    {
      title: 'latency',
      unit: 'ms',
      log: true,
      groups: [
        {
          label: 'a',
          bars: [
            { label: 'p50', value: 3, color: '#000' },
            { label: 'p99', value: 30, color: '#111' },
          ],
        },
        { label: 'b', bars: [{ label: 'p50', value: 4, color: '#000' }] },
      ],
      marker: { value: 15, label: 'target' },
    },
    { title: 'empty', unit: 'MB', log: false, groups: [] },
  ]);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.ok(svg.includes('t &lt;1&gt;') && svg.includes('m &amp; n'));
  assert.equal((svg.match(/<title>/g) ?? []).length, 3, 'one bar per value');
  assert.ok(!svg.includes('empty'), 'an empty panel is left out');
  assert.ok(svg.includes('class="marker"'));
  assert.equal(escapeXml('"&"'), '&quot;&amp;&quot;');
});
