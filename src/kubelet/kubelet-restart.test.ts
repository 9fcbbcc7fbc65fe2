// Restart policies and crash-loop back-off through the whole Kubelet (reference §6; gotchas 1–4):
// the first restart immediate, then 10, 20, 40 … 300 s from each finishedAt, restarts landing on
// the first sync after the window (10 s × (1 + 0.5·random) requeues), reset after 10 minutes of
// running, BackOff events aggregated, tunable initial and max.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, fakeNode, makePod, type FakeNode } from '../testing/kubelet-harness.ts';

const FMT = 'p_default(uid-p)';
const BACKOFF_EVENT = `Warning BackOff spec.containers{app} Back-off restarting failed container app in pod ${FMT}`;

async function withNode(
  fn: (n: FakeNode) => Promise<void>,
  opts: Parameters<typeof fakeNode>[0] = {},
): Promise<void> {
  const n = fakeNode(opts);
  try {
    await fn(n);
  } finally {
    await n.h.stop();
  }
}

/** Seconds since the start of each startContainer of app. */
function starts(n: FakeNode, name = 'app'): number[] {
  return n.runtime.calls
    .filter((c) => c.op === 'startContainer' && c.name === name)
    .map((c) => (c.at - n.start) / 1000);
}

test('gotchas 1 and 2: restarts at 0, 10, 20, 40, 80, 160, 300, 300 s after each crash, on the sync that follows', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exitAfterMs: 1000, exitCode: 1 });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(1300 * 1000);
    // Each instance runs 1 s; the wait from its finishedAt to the next start is the back-off.
    const s = starts(n);
    const waits = s.slice(1).map((t, i) => t - ((s[i] ?? 0) + 1));
    assert.deepEqual(waits.slice(0, 9), [0, 10, 20, 40, 80, 160, 300, 300, 300]);
    const st = n.h.container('p', 'app');
    assert.equal(st.restartCount, s.length - 1);
    assert.equal(n.h.phase('p'), 'Running');
  }));

test('gotcha 2: with jitter the restart lags the window: the first sync after it, 15 s apart', () =>
  withNode(
    async (n) => {
      n.runtime.script('app', { exitAfterMs: 1000, exitCode: 1 });
      n.h.create(makePod('p', { containers: [ctr('app')] }));
      await n.advance(100_000);
      // Requeues every 12.5 s. Crash at 1 s → immediate restart; crash at 2 s → window 10 s, the
      // next sync is at 14.5 s: restart then; crash at 15.5 s → window 20 s, syncs at 28 s (too
      // early) and 40.5 s: restart 5 s after the window ended.
      assert.deepEqual(starts(n).slice(0, 4), [0, 1, 14.5, 40.5]);
    },
    { random: () => 0.5 },
  ));

test('CrashLoopBackOff: waiting reason and message with the window, BackOff events merged with a count', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exitAfterMs: 1000, exitCode: 2 });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(2000); // two crashes: the second meets the 10 s window
    // The round that met the back-off computed its status first; the next one (10 s later) shows it.
    await n.advance(10_000 - 1);
    await n.advance(1);
    const at12 = n.h.statusWrites.find(
      (w) => w.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    assert.equal(at12?.at, n.start + 12_000);
    const st = at12?.status.containerStatuses?.[0];
    assert.deepEqual(st?.state, {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off 10s restarting failed container=app pod=${FMT}`,
      },
    });
    assert.equal(st?.lastState?.terminated?.exitCode, 2);
    assert.equal(st?.lastState?.terminated?.reason, 'Error');
    assert.equal(st?.restartCount, 1);
    // Third crash at 13 s: a 20 s window, two suppressed rounds (13 s and 23 s) → one event, count 2.
    await n.advance(20_000);
    assert.ok(n.h.eventLines('p').includes(`${BACKOFF_EVENT} x3`), n.h.eventLines('p').join('\n'));
    const later = n.h.statusWrites.filter((w) =>
      w.status.containerStatuses?.[0]?.state?.waiting?.message?.startsWith('back-off 20s'),
    );
    assert.ok(later.length > 0);
    // The cap is written as Go's duration: 5m0s.
    await n.advance(1200_000);
    assert.ok(
      n.h.statusWrites.some(
        (w) =>
          w.status.containerStatuses?.[0]?.state?.waiting?.message ===
          `back-off 5m0s restarting failed container=app pod=${FMT}`,
      ),
    );
  }));

test('the back-off resets after a run longer than 10 minutes since the last restart', () =>
  withNode(async (n) => {
    n.runtime.scriptAttempts('app', [
      { exitAfterMs: 1000, exitCode: 1 },
      { exitAfterMs: 1000, exitCode: 1 },
      { exitAfterMs: 1000, exitCode: 1 },
      { exitAfterMs: 601_000, exitCode: 1 },
      { exitAfterMs: 1000, exitCode: 1 },
    ]);
    n.runtime.script('app', { exitAfterMs: 1000, exitCode: 1 });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(800_000);
    const s = starts(n);
    // 0, 1, 12 (10 s), 33 (20 s); runs 601 s → crash at 634 → restarted at once (reset);
    // then the windows start again from 10 s.
    assert.deepEqual(s.slice(0, 6), [0, 1, 12, 33, 634, 645]);
  }));

test('tunable back-off: initial 1 s and max 4 s; failed syncs are retried as often as the initial back-off', () =>
  withNode(
    async (n) => {
      n.runtime.script('app', { exitAfterMs: 1000, exitCode: 1 });
      n.h.create(makePod('p', { containers: [ctr('app')] }));
      await n.advance(60_000);
      // nodelet's choice: a node tuned below 10 s requeues back-off rounds every initial back-off
      // (1 s here) instead of 10 s, so the windows 1, 2, 4, 4 s are kept to the second.
      assert.deepEqual(starts(n).slice(0, 6), [0, 1, 3, 6, 11, 16]);
      assert.ok(
        n.h.statusWrites.some(
          (w) =>
            w.status.containerStatuses?.[0]?.state?.waiting?.message ===
            `back-off 1s restarting failed container=app pod=${FMT}`,
        ),
      );
    },
    { crashLoopBackOff: { initialMs: 1000, maxMs: 4000 } },
  ));

for (const [policy, exitCode, restarted, phase] of [
  ['Always', 0, true, 'Running'],
  ['Always', 1, true, 'Running'],
  ['OnFailure', 0, false, 'Succeeded'],
  ['OnFailure', 1, true, 'Running'],
  ['Never', 0, false, 'Succeeded'],
  ['Never', 1, false, 'Failed'],
] as const) {
  test(`restartPolicy ${policy}, exit ${exitCode}: ${restarted ? 'restarted' : 'not restarted'}, pod ${phase}`, () =>
    withNode(async (n) => {
      n.runtime.scriptAttempts('app', [{ exitAfterMs: 1000, exitCode }]);
      n.h.create(makePod('p', { restartPolicy: policy, containers: [ctr('app')] }));
      await n.advance(5000);
      assert.deepEqual(starts(n), restarted ? [0, 1] : [0]);
      assert.equal(n.h.phase('p'), phase);
      const st = n.h.container('p', 'app');
      assert.equal(st.restartCount, restarted ? 1 : 0);
      if (restarted) {
        assert.equal(st.lastState?.terminated?.exitCode, exitCode);
        assert.equal(st.lastState?.terminated?.reason, exitCode === 0 ? 'Completed' : 'Error');
        assert.ok(st.state?.running);
      }
    }));
}

test('gotcha 3: Always restarts a container that exits 0 into CrashLoopBackOff, lastState Completed, pod Running', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exitAfterMs: 1000, exitCode: 0 });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(12_000);
    const w = n.h.statusWrites.find(
      (x) => x.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    assert.ok(w);
    assert.equal(w.status.phase, 'Running');
    assert.equal(w.status.containerStatuses?.[0]?.lastState?.terminated?.reason, 'Completed');
    assert.equal(w.status.conditions?.find((c) => c.type === 'Ready')?.status, 'False');
    assert.equal(
      w.status.conditions?.find((c) => c.type === 'ContainersReady')?.message,
      'containers with unready status: [app]',
    );
  }));

test('gotcha 4: OnFailure, waiting to restart after an exit 0 elsewhere is not success: the pod stays Running', () =>
  withNode(async (n) => {
    n.runtime.script('a', { exitAfterMs: 1000, exitCode: 0 });
    n.runtime.script('b', { exitAfterMs: 1000, exitCode: 1 });
    n.h.create(makePod('p', { restartPolicy: 'OnFailure', containers: [ctr('a'), ctr('b')] }));
    await n.advance(30_000);
    assert.equal(n.h.phase('p'), 'Running');
    assert.equal(n.h.container('p', 'a').state?.terminated?.exitCode, 0);
    assert.ok((n.h.container('p', 'b').restartCount ?? 0) >= 1);
  }));

test('an OOM kill shows reason OOMKilled, exit 137, in lastState', () =>
  withNode(async (n) => {
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(0);
    const id = n.runtime.instances('app')[0]?.id ?? '';
    n.runtime.exit(id, 137, 'OOMKilled');
    await n.advance(0);
    const st = n.h.container('p', 'app');
    assert.equal(st.lastState?.terminated?.reason, 'OOMKilled');
    assert.equal(st.lastState?.terminated?.exitCode, 137);
    assert.equal(st.restartCount, 1);
  }));

test('a changed image restarts a running container whatever the policy, with a fresh back-off', () =>
  withNode(async (n) => {
    n.h.create(makePod('p', { restartPolicy: 'Never', containers: [ctr('app', { image: 'busybox:1' })] }));
    await n.advance(1000);
    n.h.updateSpec('p', (s) => ({ ...s, containers: [ctr('app', { image: 'busybox:2' })] }));
    await n.advance(0);
    assert.ok(
      n.h
        .eventLines('p')
        .includes('Normal Killing spec.containers{app} Container app definition changed, will be restarted'),
      n.h.eventLines('p').join('\n'),
    );
    assert.deepEqual(
      n.callLog((c) => c.name === 'app' && c.op !== 'removeContainer'),
      [
        'createContainer app#0 @0',
        'startContainer app#0 @0',
        'stopContainer app#0 timeout=30 @1000',
        'createContainer app#1 @1000',
        'startContainer app#1 @1000',
      ],
    );
    const st = n.h.container('p', 'app');
    assert.equal(st.image, 'busybox:2');
    assert.equal(st.restartCount, 1);
    assert.equal(st.lastState?.terminated?.exitCode, 143);
  }));
