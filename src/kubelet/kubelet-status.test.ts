// What kubectl sees of the kubelet's work, through the store: Event objects (reasons, texts,
// involvedObject, count), a container that vanished from the runtime, and a restarted node agent
// that recomputes statuses from the runtime instead of trusting memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from 'kubernetes-types/core/v1.js';
import { ctr, fakeNode, KubeletHarness, makePod, type FakeNode } from '../testing/kubelet-harness.ts';

async function withNode(fn: (n: FakeNode) => Promise<void>): Promise<void> {
  const n = fakeNode();
  try {
    await fn(n);
  } finally {
    await n.h.stop();
  }
}

test('events in the API: the scheduler’s Scheduled, then the kubelet’s, with involvedObject and source', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exitAfterMs: 1000, exitCode: 1 });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(30_000);
    const events = n.h.store.list<Event>('events').items;
    const scheduled = events.find((e) => e.reason === 'Scheduled');
    assert.equal(scheduled?.message, 'Successfully assigned default/p to nodelet');
    assert.equal(scheduled?.source?.component, 'default-scheduler');
    const backOff = events.find((e) => e.reason === 'BackOff');
    assert.ok(backOff);
    assert.equal(backOff.type, 'Warning');
    assert.equal(backOff.message, 'Back-off restarting failed container app in pod p_default(uid-p)');
    assert.equal(backOff.involvedObject.kind, 'Pod');
    assert.equal(backOff.involvedObject.name, 'p');
    assert.equal(backOff.involvedObject.uid, 'uid-p');
    assert.equal(backOff.involvedObject.fieldPath, 'spec.containers{app}');
    assert.deepEqual(backOff.source, { component: 'kubelet', host: 'nodelet' });
    // Crashes at 1 s (restart at once), 2 s (window 10 s: suppressed at 2 s) → restart at 12 s,
    // crash at 13 s (window 20 s: suppressed at 13 and 23 s) → three suppressed attempts so far.
    assert.equal(backOff.count, 3);
    assert.equal(backOff.firstTimestamp, '2026-01-01T00:00:02Z');
    assert.equal(backOff.lastTimestamp, '2026-01-01T00:00:23Z');
    const started = events.find((e) => e.reason === 'Started');
    assert.equal(started?.count, 3);
    // One Event object per distinct event.
    assert.equal(new Set(events.map((e) => e.metadata?.name)).size, events.length);
  }));

test('a container that vanished from the runtime shows lastState ContainerStatusUnknown and is started again', () =>
  withNode(async (n) => {
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(1000);
    // The runtime loses the container without reporting it (e.g. its state was wiped).
    const id = n.runtime.instances('app')[0]?.id ?? '';
    (n.runtime as unknown as { containers: Map<string, unknown> }).containers.delete(id);
    await n.advance(90_000); // noticed at the next resync
    const w = n.h.statusWrites.find(
      (x) => x.status.containerStatuses?.[0]?.lastState?.terminated?.reason === 'ContainerStatusUnknown',
    );
    assert.ok(w);
    const st = w.status.containerStatuses?.[0];
    assert.deepEqual(st?.state, { waiting: { reason: 'ContainerCreating' } });
    assert.deepEqual(st?.lastState, {
      terminated: {
        exitCode: 137,
        reason: 'ContainerStatusUnknown',
        message:
          'The container could not be located when the pod was deleted.  The container used to be Running',
        startedAt: null,
        finishedAt: null,
      },
    });
    assert.equal(st?.restartCount, 1);
    assert.ok(n.h.container('p', 'app').state?.running, 'started again');
  }));

test('a stopped node agent leaves containers running; a new one recomputes statuses and starts nothing twice', async () => {
  const n = fakeNode();
  n.runtime.script('app', { exitAfterMs: 100_000, exitCode: 0 });
  n.h.create(makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] }));
  await n.advance(1000);
  await n.h.stop();
  assert.equal(n.runtime.instances('app')[0]?.state, 'running', 'stopping nodelet is not killing pods');
  assert.deepEqual(
    n.runtime.ops('app').filter((o) => o === 'stopContainer'),
    [],
  );

  await n.advance(50_000);
  const again = new KubeletHarness({ runtime: n.runtime, clock: n.clock, store: n.h.store });
  try {
    await n.advance(0);
    assert.deepEqual(
      n.runtime.ops('app'),
      ['createContainer', 'startContainer'],
      'the running container is adopted',
    );
    assert.equal(again.phase('p'), 'Running');
    assert.equal(again.status('p').startTime, '2026-01-01T00:00:00Z', 'startTime is kept');
    await n.advance(60_000);
    assert.equal(again.phase('p'), 'Succeeded');
    assert.equal(again.container('p', 'app').state?.terminated?.exitCode, 0);
  } finally {
    await again.stop();
  }
});

test('a node agent restarted after a pod finished keeps its terminal status', async () => {
  const n = fakeNode();
  n.runtime.script('app', { exitAfterMs: 500, exitCode: 3 });
  n.h.create(makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] }));
  await n.advance(1000);
  assert.equal(n.h.phase('p'), 'Failed');
  await n.h.stop();
  const again = new KubeletHarness({ runtime: n.runtime, clock: n.clock, store: n.h.store });
  try {
    await n.advance(120_000);
    assert.equal(again.phase('p'), 'Failed');
    assert.equal(n.runtime.ops('app').filter((o) => o === 'startContainer').length, 1);
  } finally {
    await again.stop();
  }
});
