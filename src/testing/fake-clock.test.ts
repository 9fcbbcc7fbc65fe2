import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './fake-clock.ts';

test('FakeClock fires timers in time order and only when advanced past them', async () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimer(200, () => fired.push('b'));
  clock.setTimer(100, () => fired.push('a'));
  const t = clock.setTimer(150, () => fired.push('cancelled'));
  t.cancel();
  await clock.advance(99);
  assert.deepEqual(fired, []);
  await clock.advance(101);
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(clock.now(), 200);
});

test('FakeClock sleep chains resolve within one advance', async () => {
  const clock = new FakeClock(0);
  let done = false;
  void (async () => {
    await clock.sleep(1000);
    await clock.sleep(1000);
    done = true;
  })();
  await clock.advance(1999);
  assert.equal(done, false);
  await clock.advance(1);
  assert.equal(done, true);
});

test('sleep rejects when its signal aborts', async () => {
  const clock = new FakeClock(0);
  const ac = new AbortController();
  const p = clock.sleep(1000, ac.signal);
  ac.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
  assert.equal(clock.timers, 0);
});
