import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coreShare, overhead, percentile, ratio, summarize } from './stats.ts';

test('percentile is nearest-rank: a measured value, p100 the maximum', () => {
  const xs = [15, 20, 35, 40, 50];
  assert.equal(percentile(xs, 0), 15);
  assert.equal(percentile(xs, 5), 15);
  assert.equal(percentile(xs, 30), 20);
  assert.equal(percentile(xs, 40), 20);
  assert.equal(percentile(xs, 50), 35);
  assert.equal(percentile(xs, 100), 50);
});

test('percentile does not depend on the order of the samples and leaves them alone', () => {
  const xs = [9, 1, 5, 3, 7];
  assert.equal(percentile(xs, 50), 5);
  assert.deepEqual(xs, [9, 1, 5, 3, 7]);
});

test('p99 of 100 samples is the 99th smallest, of 1000 the 990th', () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(hundred, 99), 99);
  assert.equal(percentile(hundred, 90), 90);
  const thousand = Array.from({ length: 1000 }, (_, i) => 1000 - i);
  assert.equal(percentile(thousand, 99), 990);
});

test('percentile of nothing is NaN; outside 0..100 throws', () => {
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile([1], 101), RangeError);
  assert.throws(() => percentile([1], -1), RangeError);
  assert.throws(() => percentile([1], Number.NaN), RangeError);
});

test('summarize gives count, min, p50, p90, p99, max and mean', () => {
  const s = summarize([4, 1, 3, 2, 10]);
  assert.deepEqual(s, { count: 5, min: 1, p50: 3, p90: 10, p99: 10, max: 10, mean: 4 });
  const e = summarize([]);
  assert.equal(e.count, 0);
  assert.ok(Number.isNaN(e.p50) && Number.isNaN(e.mean));
});

test('summarize agrees with percentile', () => {
  const xs = Array.from({ length: 37 }, (_, i) => (i * 7919) % 101);
  const s = summarize(xs);
  assert.equal(s.p50, percentile(xs, 50));
  assert.equal(s.p90, percentile(xs, 90));
  assert.equal(s.p99, percentile(xs, 99));
});

test('ratio divides by the floor, and refuses a floor that was not measured', () => {
  assert.equal(ratio(30, 10), 3);
  assert.equal(ratio(5, 10), 0.5);
  assert.equal(ratio(undefined, 10), undefined);
  assert.equal(ratio(10, undefined), undefined);
  assert.equal(ratio(10, 0), undefined);
  assert.equal(ratio(10, -1), undefined);
  assert.equal(ratio(Number.NaN, 1), undefined);
  assert.equal(ratio(1, Number.NaN), undefined);
});

test('overhead is what comes on top of the floor, never negative', () => {
  assert.equal(overhead(35, 15), 20);
  assert.equal(overhead(10, 15), 0);
  assert.equal(overhead(undefined, 1), undefined);
  assert.equal(overhead(1, Number.NaN), undefined);
});

test('coreShare: CPU µs per wall ms, 1 = one core', () => {
  assert.equal(coreShare(2_500_000, 10_000), 0.25);
  assert.equal(coreShare(20_000_000, 10_000), 2);
  assert.ok(Number.isNaN(coreShare(1, 0)));
});
