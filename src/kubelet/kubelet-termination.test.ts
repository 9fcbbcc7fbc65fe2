// Graceful deletion and the active deadline through the whole Kubelet on the fake runtime
// (reference §7; gotchas 11, 12, 24): grace from the pod or the caller, Killing events, preStop →
// SIGTERM → SIGKILL, 143/137, the final phase from exit codes, the object removed after, a second
// immediate kill when forced, activeDeadlineSeconds → Failed/DeadlineExceeded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, fakeNode, makePod, type FakeNode } from '../testing/kubelet-harness.ts';

async function withNode(fn: (n: FakeNode) => Promise<void>): Promise<void> {
  const n = fakeNode();
  try {
    await fn(n);
  } finally {
    await n.h.stop();
  }
}

function stops(n: FakeNode): string[] {
  return n.callLog((c) => c.op === 'stopContainer' || c.op === 'stopPodSandbox');
}

test('deletion with the pod’s grace: Killing, SIGTERM (30 s timeout), 143 → Failed, then the object is removed', () =>
  withNode(async (n) => {
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(1000);
    n.h.delete('p');
    const deleting = n.h.pod('p');
    assert.equal(deleting?.metadata?.deletionGracePeriodSeconds, 30);
    assert.equal(deleting?.metadata?.deletionTimestamp, '2026-01-01T00:00:31Z');
    await n.advance(0);
    assert.equal(n.h.pod('p'), undefined);
    assert.deepEqual(stops(n), ['stopContainer app#0 timeout=30 @1000', 'stopPodSandbox @1000']);
    assert.ok(n.h.eventLines('p').includes('Normal Killing spec.containers{app} Stopping container app'));
    const final = n.h.statusWrites.at(-1)?.status;
    assert.equal(final?.phase, 'Failed');
    assert.deepEqual(final?.containerStatuses?.[0]?.state?.terminated?.exitCode, 143);
    assert.equal(final?.containerStatuses?.[0]?.state?.terminated?.reason, 'Error');
    assert.equal(final?.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodFailed');
  }));

test('deletion with the caller’s grace, and a phase that stays Running (Terminating) until everything stopped', () =>
  withNode(async (n) => {
    n.runtime.script('app', { onStop: { afterMs: 3000, exitCode: 0 } });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(1000);
    n.h.delete('p', { gracePeriodSeconds: 5 });
    await n.advance(2900);
    assert.equal(n.h.phase('p'), 'Running');
    assert.ok(n.h.pod('p')?.metadata?.deletionTimestamp);
    await n.advance(200);
    assert.equal(n.h.pod('p'), undefined);
    assert.deepEqual(stops(n), ['stopContainer app#0 timeout=5 @1000', 'stopPodSandbox @4000']);
    // gotcha 24: exit 0 after SIGTERM → Succeeded.
    assert.equal(n.h.statusWrites.at(-1)?.status.phase, 'Succeeded');
    assert.equal(
      n.h.statusWrites.at(-1)?.status.conditions?.find((c) => c.type === 'Ready')?.reason,
      'PodCompleted',
    );
  }));

test('gotcha 24: a process that ignores SIGTERM is SIGKILLed at the grace: 137, Failed', () =>
  withNode(async (n) => {
    n.runtime.script('app', { onStop: 'ignore' });
    n.h.create(makePod('p', { terminationGracePeriodSeconds: 4, containers: [ctr('app')] }));
    await n.advance(1000);
    n.h.delete('p');
    await n.advance(3900);
    assert.ok(n.h.pod('p'));
    await n.advance(100);
    assert.equal(n.h.pod('p'), undefined);
    const t = n.h.statusWrites.at(-1)?.status.containerStatuses?.[0]?.state?.terminated;
    assert.equal(t?.exitCode, 137);
    assert.equal(t?.finishedAt, '2026-01-01T00:00:05Z');
    assert.equal(n.h.statusWrites.at(-1)?.status.phase, 'Failed');
  }));

test('all containers are killed in parallel, each with its own Killing event', () =>
  withNode(async (n) => {
    n.h.create(makePod('p', { containers: [ctr('a'), ctr('b')] }));
    await n.advance(1000);
    n.h.delete('p', { gracePeriodSeconds: 10 });
    await n.advance(0);
    assert.deepEqual(stops(n), [
      'stopContainer a#0 timeout=10 @1000',
      'stopContainer b#0 timeout=10 @1000',
      'stopPodSandbox @1000',
    ]);
    const killing = n.h.eventLines('p').filter((l) => l.includes('Killing'));
    assert.deepEqual(killing, [
      'Normal Killing spec.containers{a} Stopping container a',
      'Normal Killing spec.containers{b} Stopping container b',
    ]);
  }));

test('gotcha 12: --grace-period=0 without --force (grace 1): preStop gets 1 s, the stop timeout is 2 s', () =>
  withNode(async (n) => {
    n.runtime.script('app', { onStop: 'ignore' });
    n.h.create(
      makePod('p', { containers: [ctr('app', { lifecycle: { preStop: { sleep: { seconds: 10 } } } })] }),
    );
    await n.advance(1000);
    n.h.delete('p', { gracePeriodSeconds: 1 });
    await n.advance(5000);
    assert.deepEqual(stops(n), ['stopContainer app#0 timeout=2 @2000', 'stopPodSandbox @4000']);
    assert.equal(n.h.pod('p'), undefined);
  }));

test('gotcha 12: a forced deletion (object removed) still kills with grace 1: preStop 1 s, stop timeout 2 s', () =>
  withNode(async (n) => {
    n.runtime.script('app', { onStop: 'ignore' });
    n.h.create(
      makePod('p', { containers: [ctr('app', { lifecycle: { preStop: { sleep: { seconds: 10 } } } })] }),
    );
    await n.advance(1000);
    const writes = n.h.statusWrites.length;
    n.h.delete('p', { gracePeriodSeconds: 0 });
    assert.equal(n.h.pod('p'), undefined, 'removed from the API at once');
    await n.advance(5000);
    assert.deepEqual(stops(n), ['stopContainer app#0 timeout=2 @2000', 'stopPodSandbox @4000']);
    assert.ok(n.h.eventLines('p').includes('Normal Killing spec.containers{app} Stopping container app'));
    assert.equal(n.h.statusWrites.length, writes, 'no status is written for a pod that is gone');
    assert.equal(n.runtime.instances('app')[0]?.exitCode, 137);
  }));

test('a forced deletion during a graceful one kills again at once with the minimum timeout', () =>
  withNode(async (n) => {
    n.runtime.script('app', { onStop: 'ignore' });
    n.h.create(makePod('p', { terminationGracePeriodSeconds: 60, containers: [ctr('app')] }));
    await n.advance(1000);
    n.h.delete('p');
    await n.advance(5000);
    assert.deepEqual(stops(n), ['stopContainer app#0 timeout=60 @1000']);
    n.h.delete('p', { gracePeriodSeconds: 0 });
    await n.advance(2000);
    assert.deepEqual(stops(n), [
      'stopContainer app#0 timeout=60 @1000',
      'stopContainer app#0 timeout=2 @6000',
      'stopPodSandbox @8000',
    ]);
    assert.equal(n.runtime.instances('app')[0]?.exitCode, 137);
    assert.equal(n.runtime.instances('app')[0]?.finishedAt, n.start + 8000);
  }));

test('a second delete may only shorten the grace: the kill is redone with the shorter one', () =>
  withNode(async (n) => {
    n.runtime.script('app', { onStop: 'ignore' });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(1000);
    n.h.delete('p', { gracePeriodSeconds: 30 });
    await n.advance(1000);
    n.h.delete('p', { gracePeriodSeconds: 60 });
    assert.equal(n.h.pod('p')?.metadata?.deletionGracePeriodSeconds, 30, 'a longer grace is ignored');
    n.h.delete('p', { gracePeriodSeconds: 5 });
    await n.advance(10_000);
    assert.deepEqual(stops(n).slice(0, 2), [
      'stopContainer app#0 timeout=30 @1000',
      'stopContainer app#0 timeout=5 @2000',
    ]);
    assert.equal(n.runtime.instances('app')[0]?.finishedAt, n.start + 7000);
  }));

test('a deleted pod is not restarted even if its container exits during termination', () =>
  withNode(async (n) => {
    n.runtime.script('app', { onStop: { afterMs: 1000, exitCode: 1 } });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(1000);
    n.h.delete('p');
    await n.advance(60_000);
    assert.equal(n.runtime.ops('app').filter((o) => o === 'startContainer').length, 1);
    assert.equal(n.h.pod('p'), undefined);
  }));

test('deleting a pod that already terminated removes it at once; the runtime is not touched again', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exitAfterMs: 500 });
    n.h.create(makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] }));
    await n.advance(1000);
    assert.equal(n.h.phase('p'), 'Succeeded');
    const calls = n.runtime.calls.length;
    n.h.delete('p');
    await n.advance(10_000);
    assert.equal(n.h.pod('p'), undefined);
    assert.equal(n.runtime.calls.length, calls);
  }));

test('activeDeadlineSeconds: DeadlineExceeded event, containers killed with the pod grace, then Failed/DeadlineExceeded', () =>
  withNode(async (n) => {
    n.runtime.script('app', { onStop: { afterMs: 3000, exitCode: 0 } });
    n.h.create(
      makePod('p', {
        activeDeadlineSeconds: 10,
        terminationGracePeriodSeconds: 20,
        containers: [ctr('app')],
      }),
    );
    await n.advance(9999);
    assert.equal(n.h.phase('p'), 'Running');
    await n.advance(1);
    assert.ok(
      n.h
        .eventLines('p')
        .includes('Normal DeadlineExceeded - Pod was active on the node longer than the specified deadline'),
    );
    assert.deepEqual(stops(n), ['stopContainer app#0 timeout=20 @10000']);
    assert.equal(n.h.phase('p'), 'Running', 'the terminal phase waits for the containers to stop');
    await n.advance(3000);
    const s = n.h.status('p');
    assert.equal(s.phase, 'Failed');
    assert.equal(s.reason, 'DeadlineExceeded');
    assert.equal(s.message, 'Pod was active on the node longer than the specified deadline');
    assert.equal(n.h.container('p', 'app').state?.terminated?.exitCode, 0);
    assert.ok(n.h.pod('p'), 'the object is not deleted');
    await n.advance(60_000);
    assert.equal(n.h.status('p').reason, 'DeadlineExceeded');
  }));

test('activeDeadlineSeconds counts from the status startTime, which has whole seconds', () =>
  withNode(async (n) => {
    await n.advance(700);
    n.h.create(makePod('p', { activeDeadlineSeconds: 5, containers: [ctr('app')] }));
    await n.advance(4299);
    assert.ok(!n.h.eventLines('p').some((l) => l.includes('DeadlineExceeded')));
    await n.advance(1);
    assert.ok(n.h.eventLines('p').some((l) => l.includes('DeadlineExceeded')));
  }));

test('TerminatePod: deleting a pod whose container was never created ends Failed with ContainerStatusUnknown', () =>
  withNode(async (n) => {
    n.runtime.script('app', { createError: 'no space left on device' });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(15_000);
    assert.equal(n.h.container('p', 'app').state?.waiting?.reason, 'CreateContainerError');
    n.h.delete('p');
    await n.advance(1000);
    assert.equal(n.h.pod('p'), undefined);
    const final = n.h.statusWrites.at(-1)?.status;
    assert.equal(final?.phase, 'Failed');
    assert.deepEqual(final?.containerStatuses?.[0]?.state, {
      terminated: {
        exitCode: 137,
        reason: 'ContainerStatusUnknown',
        message: 'The container could not be located when the pod was terminated',
      },
    });
    assert.ok(!n.h.eventLines('p').some((l) => l.includes('Killing')), 'nothing ran, nothing to kill');
  }));

test('deleting a pod in CrashLoopBackOff: nothing to kill, the final phase comes from the last exit code', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exitAfterMs: 1000, exitCode: 2 });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(5000);
    assert.equal(
      n.h.container('p', 'app').state?.terminated?.reason,
      'Error',
      'crashed, waiting for its back-off',
    );
    assert.equal(
      n.h.container('p', 'app').state?.waiting?.reason ?? n.h.container('p', 'app').state?.terminated?.reason,
      'Error',
    );
    n.h.delete('p');
    await n.advance(1000);
    assert.equal(n.h.pod('p'), undefined);
    const final = n.h.statusWrites.at(-1)?.status;
    assert.equal(final?.phase, 'Failed');
    assert.equal(final?.containerStatuses?.[0]?.state?.terminated?.exitCode, 2);
    assert.deepEqual(
      n.callLog((c) => c.op === 'stopContainer'),
      [],
    );
  }));

test('the container GC removes the containers and sandbox of a deleted pod within a minute, not before', () =>
  withNode(async (n) => {
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(1000);
    n.h.delete('p', { gracePeriodSeconds: 0 });
    await n.advance(10_000);
    assert.equal(n.h.pod('p'), undefined);
    assert.ok(!n.runtime.ops('app').includes('removeContainer'), 'kept until the GC period');
    await n.advance(60_000);
    assert.ok(n.runtime.ops('app').includes('removeContainer'));
    assert.ok(n.runtime.calls.some((c) => c.op === 'removePodSandbox'));
  }));
