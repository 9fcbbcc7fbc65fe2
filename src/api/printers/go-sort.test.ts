import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goSort } from './go-sort.ts';

/** A small deterministic generator for test inputs. */
function numbers(seed: number, n: number, range: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % range;
  });
}

test('goSort sorts, for every length and distribution', () => {
  for (let n = 0; n <= 300; n += n < 40 ? 1 : 37) {
    for (const range of [1, 3, 10, 1000]) {
      const input = numbers(n * 31 + range, n, range);
      const sorted = goSort(input, (a, b) => a < b);
      assert.deepEqual(
        sorted,
        [...input].sort((a, b) => a - b),
        `n=${n} range=${range}`,
      );
    }
    const ascending = Array.from({ length: n }, (_, i) => i);
    assert.deepEqual(
      goSort([...ascending].reverse(), (a, b) => a < b),
      ascending,
    );
  }
});

test('up to 12 elements it is an insertion sort, so equal keys keep their order', () => {
  const items = numbers(7, 12, 3).map((key, i) => ({ key, i }));
  const sorted = goSort(items, (a, b) => a.key < b.key);
  const stable = [...items].sort((a, b) => a.key - b.key);
  assert.deepEqual(sorted, stable);
});

test('beyond 12 elements equal keys can be reordered, as with Go (kubectl-goldens check the exact order)', () => {
  const keys = [12, 3, 40, 3, 12, 3, 7, 40, 3, 12, 7, 3, 12, 40, 3, 7, 12, 3, 40, 7];
  const items = keys.map((key, i) => ({ key, i }));
  const sorted = goSort(items, (a, b) => a.key < b.key);
  assert.deepEqual(
    sorted.map((x) => x.key),
    [...keys].sort((a, b) => a - b),
  );
  const stable = [...items].sort((a, b) => a.key - b.key).map((x) => x.i);
  assert.notDeepEqual(
    sorted.map((x) => x.i),
    stable,
  );
  // Input that is already in order is left alone whatever its length.
  const ordered = [...items].sort((a, b) => a.key - b.key);
  assert.deepEqual(
    goSort(ordered, (a, b) => a.key < b.key),
    ordered,
  );
});

test('goSort does not modify its input', () => {
  const input = [3, 1, 2];
  goSort(input, (a, b) => a < b);
  assert.deepEqual(input, [3, 1, 2]);
});
