import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withDeadline } from './deadline.ts';

test('withDeadline: true in time, false when late or rejected', async () => {
  assert.equal(await withDeadline(Promise.resolve(1), 50), true);
  assert.equal(await withDeadline(new Promise(() => undefined), 5), false);
  assert.equal(await withDeadline(Promise.reject(new Error('x')), 50), false);
});
