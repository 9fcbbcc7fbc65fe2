import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latenessOnGrid, mod, probeLateness } from './probe-lateness.ts';

const P = 10_000;

test('mod is always within [0, m)', () => {
  assert.equal(mod(12, 10), 2);
  assert.equal(mod(-3, 10), 7);
  assert.equal(mod(20, 10), 0);
});

test('runs on their grid are late by their distance past the best-served tick', () => {
  const start = 1_700_000_003_250;
  const ats = [start + P + 2, start + 2 * P + 40, start + 3 * P + 1, start + 4 * P + 7];
  assert.deepEqual(latenessOnGrid(ats, P), [1, 39, 0, 6]);
});

test('the grid is found across a period boundary (phase near the end of the period)', () => {
  // Ticks at …9_995 of each period: a run 10 ms late falls into the next period's residual.
  const start = 9_995;
  const ats = [start + P, start + 2 * P + 10, start + 3 * P + 3];
  assert.deepEqual(latenessOnGrid(ats, P), [0, 10, 3]);
});

test('one run off its grid (a manual trigger) does not move the grid of the others', () => {
  const ats = [P + 5, 2 * P + 6, 2 * P + 4_000, 3 * P + 5, 4 * P + 8];
  const late = latenessOnGrid(ats, P);
  assert.deepEqual(late, [0, 1, 3_995, 0, 3]);
});

test('probeLateness groups by probe, leaves out each reference run and probes seen once', () => {
  const runs = [
    { key: 'a', at: 100, periodMs: P },
    { key: 'b', at: 5_000, periodMs: P },
    { key: 'a', at: P + 130, periodMs: P },
    { key: 'c', at: 77, periodMs: 1_000 },
    { key: 'c', at: 1_077, periodMs: 1_000 },
    { key: 'c', at: 2_097, periodMs: 1_000 },
  ];
  assert.deepEqual(
    probeLateness(runs).sort((x, y) => x - y),
    [0, 20, 30],
  );
  assert.deepEqual(probeLateness([]), []);
});

test('a period that is not positive is refused', () => {
  assert.throws(() => latenessOnGrid([1, 2], 0), RangeError);
  assert.deepEqual(latenessOnGrid([], 0), []);
});
