// Crash-loop back-off bookkeeping (reference §6.2, gotcha 1): 0, 10, 20, 40 … 300 s measured from
// each dead instance's finishedAt, reset after a run longer than 10 minutes, tunable initial/max.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffConfig, backoffKey, CrashLoopBackoff, DEFAULT_CRASH_LOOP_BACKOFF } from './backoff.ts';

const S = 1000;
const KEY = backoffKey('p', 'default', 'uid-1', 'app', 'abcd1234');

/**
 * Plays a container that crashes `runMs` after each start, with the kubelet restarting it at the
 * first moment the back-off allows; returns the enforced wait before each restart.
 */
function waits(b: CrashLoopBackoff, crashes: number, runMs = 0): number[] {
  const out: number[] = [];
  let now = 0;
  for (let i = 0; i < crashes; i++) {
    const finishedAt = now + runMs;
    now = finishedAt;
    const window = b.inBackoff(KEY, finishedAt, now);
    const wait = window === undefined ? 0 : window;
    if (wait) {
      // Still suppressed one millisecond before the window ends, allowed at its end.
      assert.equal(b.inBackoff(KEY, finishedAt, finishedAt + wait - 1), wait);
      assert.equal(b.inBackoff(KEY, finishedAt, finishedAt + wait), undefined);
    }
    now = finishedAt + wait;
    b.next(KEY, finishedAt, now);
    out.push(wait / S);
  }
  return out;
}

test('the key is <pod>_<namespace>_<uid>_<container>_<hash>', () => {
  assert.equal(KEY, 'p_default_uid-1_app_abcd1234');
});

test('gotcha 1: the first restart is immediate, then 10, 20, 40, 80, 160, 300, 300 s', () => {
  const b = new CrashLoopBackoff();
  assert.deepEqual(waits(b, 9), [0, 10, 20, 40, 80, 160, 300, 300, 300]);
});

test('the default is 10 s initial and 300 s max', () => {
  assert.deepEqual(DEFAULT_CRASH_LOOP_BACKOFF, { initialMs: 10_000, maxMs: 300_000 });
});

test('no entry: never in back-off', () => {
  const b = new CrashLoopBackoff();
  assert.equal(b.inBackoff(KEY, 0, 0), undefined);
});

test('an entry is per key: another container (or a changed spec hash) starts fresh', () => {
  const b = new CrashLoopBackoff();
  b.next(KEY, 0, 0);
  assert.equal(b.inBackoff(KEY, 1000, 1000), 10_000);
  const other = backoffKey('p', 'default', 'uid-1', 'app', 'ffff0000');
  assert.equal(b.inBackoff(other, 1000, 1000), undefined);
});

test('a run longer than 10 minutes since the last restart resets the back-off', () => {
  const b2 = new CrashLoopBackoff();
  b2.next(KEY, 0, 0); // first restart at t=0, window 10 s
  b2.next(KEY, 1 * S, 11 * S); // second restart at 11 s, window 20 s
  // Crashes after exactly 600 s of running since that restart: not expired (needs > 600 s).
  assert.equal(b2.inBackoff(KEY, 611 * S, 611 * S), 20_000);
  // Crashes after 600.001 s: expired, no back-off, and the next window is the initial one again.
  const finishedAt = 611 * S + 1;
  assert.equal(b2.inBackoff(KEY, finishedAt, finishedAt), undefined);
  b2.next(KEY, finishedAt, finishedAt);
  assert.equal(b2.inBackoff(KEY, finishedAt + 1, finishedAt + 1), 10_000);
});

test('the reset window is 600 s even with a smaller max (1.32+)', () => {
  const b = new CrashLoopBackoff({ initialMs: 1000, maxMs: 4000 });
  b.next(KEY, 0, 0);
  b.next(KEY, 0, 1000); // window 2 s, last restart at 1 s
  // 2 × max would be 8 s; the entry must survive a 100 s run.
  assert.equal(b.inBackoff(KEY, 101 * S, 101 * S), 2000);
});

test('tunable initial and max: 1 s doubling to 4 s', () => {
  const b = new CrashLoopBackoff(backoffConfig(1000, 4000));
  assert.deepEqual(waits(b, 6), [0, 1, 2, 4, 4, 4]);
});

test('backoffConfig: defaults, and an initial above the max is lowered to it', () => {
  assert.deepEqual(backoffConfig(), DEFAULT_CRASH_LOOP_BACKOFF);
  assert.deepEqual(backoffConfig(undefined, 5000), { initialMs: 5000, maxMs: 5000 });
  assert.deepEqual(backoffConfig(20_000, 60_000), { initialMs: 20_000, maxMs: 60_000 });
});

test('the window is measured from finishedAt, not from the restart', () => {
  const b = new CrashLoopBackoff();
  b.next(KEY, 0, 0); // window 10 s
  // A container that ran 7 s and crashed at 7 s: suppressed until 17 s.
  assert.equal(b.inBackoff(KEY, 7 * S, 16_999), 10_000);
  assert.equal(b.inBackoff(KEY, 7 * S, 17 * S), undefined);
});

test('housekeeping drops entries idle longer than 2 × max; forgetPod drops a pod’s entries', () => {
  const b = new CrashLoopBackoff();
  b.next(KEY, 0, 0);
  b.next(KEY, 0, 10 * S);
  b.gc(10 * S + 600 * S);
  assert.equal(b.inBackoff(KEY, 10 * S + 1, 10 * S + 1), 20_000, 'kept at exactly 2 × max idle');
  b.gc(10 * S + 600 * S + 1);
  assert.equal(b.inBackoff(KEY, 10 * S + 1, 10 * S + 1), undefined, 'gone after 2 × max idle');

  b.next(KEY, 0, 0);
  const otherPod = backoffKey('q', 'default', 'uid-2', 'app', 'abcd1234');
  b.next(otherPod, 0, 0);
  b.forgetPod('uid-1');
  assert.equal(b.inBackoff(KEY, 1, 1), undefined);
  assert.equal(b.inBackoff(otherPod, 1, 1), 10_000);
});
