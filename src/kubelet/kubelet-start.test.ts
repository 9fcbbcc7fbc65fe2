// A whole Kubelet on a FakeRuntime and a FakeClock: starting pods, the statuses and events they
// go through, terminal phases, and containers that cannot be created or started (reference §1,
// §2, §7.5, §8.1, §8.3; gotchas 6, 23, 25).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, fakeNode, makePod, type FakeNode } from '../testing/kubelet-harness.ts';

const FMT = 'p_default(uid-p)';

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

test('a pod that runs 5 s and exits 0 under Never: events, statuses and runtime calls in order', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exitAfterMs: 5000, exitCode: 0 });
    n.h.create(makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] }));
    await n.advance(0);
    assert.deepEqual(n.h.eventLines('p'), [
      'Normal Pulled spec.containers{app} Container image "busybox" already present on machine',
      'Normal Created spec.containers{app} Created container app',
      'Normal Started spec.containers{app} Started container app',
    ]);
    // The first round's status was computed before anything started: Pending, ContainerCreating.
    const first = n.h.statusWrites[0]?.status;
    assert.equal(first?.phase, 'Pending');
    assert.deepEqual(first?.containerStatuses?.[0]?.state, { waiting: { reason: 'ContainerCreating' } });
    assert.equal(first?.conditions?.find((c) => c.type === 'PodReadyToStartContainers')?.status, 'False');

    // The runtime's ContainerStarted event (PLEG) syncs the pod again: now Running.
    const running = n.h.status('p');
    assert.equal(running.phase, 'Running');
    assert.equal(running.podIP, '127.0.0.1');
    assert.equal(running.startTime, '2026-01-01T00:00:00Z');
    const app = n.h.container('p', 'app');
    assert.deepEqual(app, {
      name: 'app',
      image: 'busybox',
      imageID: 'busybox',
      containerID: app.containerID,
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
      lastState: {},
    });
    assert.match(app.containerID ?? '', /^fake:\/\/app-\d+$/);
    for (const type of [
      'PodReadyToStartContainers',
      'Initialized',
      'Ready',
      'ContainersReady',
      'PodScheduled',
    ]) {
      assert.equal(running.conditions?.find((c) => c.type === type)?.status, 'True', type);
    }

    await n.advance(5000);
    const done = n.h.status('p');
    assert.equal(done.phase, 'Succeeded');
    assert.deepEqual(n.h.container('p', 'app').state, {
      terminated: {
        exitCode: 0,
        reason: 'Completed',
        startedAt: '2026-01-01T00:00:00Z',
        finishedAt: '2026-01-01T00:00:05Z',
        containerID: app.containerID ?? '',
      },
    });
    const cond = (t: string) => {
      const c = done.conditions?.find((x) => x.type === t);
      return [c?.status, c?.reason, c?.lastTransitionTime];
    };
    assert.deepEqual(cond('Ready'), ['False', 'PodCompleted', '2026-01-01T00:00:05Z']);
    assert.deepEqual(cond('ContainersReady'), ['False', 'PodCompleted', '2026-01-01T00:00:05Z']);
    assert.deepEqual(cond('Initialized'), ['True', 'PodCompleted', '2026-01-01T00:00:00Z']);
    assert.deepEqual(cond('PodReadyToStartContainers'), ['False', undefined, '2026-01-01T00:00:05Z']);
    assert.deepEqual(n.h.phases('p'), ['Pending', 'Running', 'Succeeded']);
    assert.deepEqual(n.callLog(), [
      'runPodSandbox @0',
      'createContainer app#0 @0',
      'startContainer app#0 @0',
      'stopPodSandbox @5000',
    ]);
    assert.ok(n.h.pod('p'), 'a pod that completed on its own is not deleted');
  }));

test('a Never pod whose container exits 1: Failed, reason Error, Ready False with PodFailed', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exitAfterMs: 1500, exitCode: 1 });
    n.h.create(makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] }));
    await n.advance(2000);
    const s = n.h.status('p');
    assert.equal(s.phase, 'Failed');
    assert.equal(n.h.container('p', 'app').state?.terminated?.reason, 'Error');
    assert.equal(n.h.container('p', 'app').state?.terminated?.exitCode, 1);
    assert.equal(s.conditions?.find((c) => c.type === 'Ready')?.reason, 'PodFailed');
    assert.equal(s.conditions?.find((c) => c.type === 'ContainersReady')?.reason, 'PodFailed');
  }));

test('gotcha 23: the terminal phase is published only once every container stopped', () =>
  withNode(async (n) => {
    // app fails; the sidecar must be stopped (it ignores SIGTERM for 3 s) before Failed is shown.
    n.runtime.script('app', { exitAfterMs: 1000, exitCode: 1 });
    n.runtime.script('side', { onStop: { afterMs: 3000, exitCode: 0 } });
    n.h.create(
      makePod('p', {
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 30,
        initContainers: [ctr('side', { restartPolicy: 'Always' })],
        containers: [ctr('app')],
      }),
    );
    await n.advance(1000);
    assert.ok(
      n.h.eventLines('p').includes('Normal Killing spec.initContainers{side} Stopping container side'),
    );
    await n.advance(2900);
    assert.equal(n.h.phase('p'), 'Running', 'held back while the sidecar still runs');
    await n.advance(200);
    assert.equal(n.h.phase('p'), 'Failed');
    assert.ok(n.h.statusWrites.every((w) => w.status.phase !== 'Failed' || w.at >= n.start + 4000));
  }));

test('terminal is sticky: a Succeeded pod never shows another phase', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exitAfterMs: 100 });
    n.h.create(makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] }));
    await n.advance(200);
    assert.equal(n.h.phase('p'), 'Succeeded');
    n.h.updateSpec('p', (s) => ({ ...s, activeDeadlineSeconds: 1000 }));
    await n.advance(120_000);
    assert.equal(n.h.phase('p'), 'Succeeded');
    const writes = n.h.statusWrites.map((w) => w.status.phase);
    assert.deepEqual(
      writes.slice(writes.indexOf('Succeeded')),
      writes.slice(writes.indexOf('Succeeded')).map(() => 'Succeeded'),
    );
    assert.deepEqual(
      n.callLog((c) => c.op === 'createContainer'),
      ['createContainer app#0 @0'],
    );
  }));

test('status timestamps have whole-second precision; startTime is set once', () =>
  withNode(async (n) => {
    await n.advance(1700);
    n.runtime.script('app', { exitAfterMs: 2600, exitCode: 0 });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(0);
    assert.equal(n.h.status('p').startTime, '2026-01-01T00:00:01Z');
    assert.equal(n.h.container('p', 'app').state?.running?.startedAt, '2026-01-01T00:00:01Z');
    await n.advance(2600);
    const last =
      n.h.container('p', 'app').lastState?.terminated ?? n.h.container('p', 'app').state?.terminated;
    assert.equal(last?.finishedAt, '2026-01-01T00:00:04Z');
    assert.equal(n.h.status('p').startTime, '2026-01-01T00:00:01Z');
  }));

test('CreateContainerError: Failed/Error event, Waiting with the runtime message, retried after the 10 s requeue', () =>
  withNode(async (n) => {
    n.runtime.script('app', { createError: 'failed to reserve container name' });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(0);
    assert.deepEqual(n.h.eventLines('p'), [
      'Normal Pulled spec.containers{app} Container image "busybox" already present on machine',
      'Warning Failed spec.containers{app} Error: failed to reserve container name',
    ]);
    // The failed round's status was computed before the attempt; the next round (10 s later) shows it.
    await n.advance(10_000);
    assert.deepEqual(n.h.container('p', 'app').state, {
      waiting: { reason: 'CreateContainerError', message: 'failed to reserve container name' },
    });
    assert.equal(n.h.phase('p'), 'Pending');
    assert.deepEqual(
      n.callLog((c) => c.op === 'createContainer'),
      ['createContainer app#0 @0', 'createContainer app#0 @10000'],
    );
  }));

test('CreateContainerConfigError: a missing Secret, with the kubelet message, never reaches the runtime', () =>
  withNode(async (n) => {
    n.h.create(
      makePod('p', {
        containers: [
          ctr('app', { env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } }] }),
        ],
      }),
    );
    await n.advance(10_000);
    assert.deepEqual(n.h.container('p', 'app').state, {
      waiting: { reason: 'CreateContainerConfigError', message: 'secret "db" not found' },
    });
    assert.ok(
      n.h.eventLines('p').includes('Warning Failed spec.containers{app} Error: secret "db" not found x2'),
    );
    assert.deepEqual(n.runtime.ops('app'), []);
  }));

test('gotcha 25: a Never pod whose container can never be created stays Pending forever', () =>
  withNode(async (n) => {
    n.h.create(
      makePod('p', {
        restartPolicy: 'Never',
        containers: [ctr('app', { envFrom: [{ configMapRef: { name: 'settings' } }] })],
      }),
    );
    await n.advance(600_000);
    assert.equal(n.h.phase('p'), 'Pending');
    assert.equal(n.h.container('p', 'app').state?.waiting?.reason, 'CreateContainerConfigError');
  }));

test('RunContainerError: Created then Failed; Waiting RunContainerError with lastState StartError 128, then back-off', () =>
  withNode(async (n) => {
    const msg = 'exec: "nope": executable file not found in $PATH';
    n.runtime.script('app', { startError: msg });
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(0);
    const ev = n.h.eventLines('p');
    // Two attempts at once (see below): the identical events are merged, count 2.
    assert.deepEqual(ev.slice(0, 3), [
      'Normal Pulled spec.containers{app} Container image "busybox" already present on machine x2',
      'Normal Created spec.containers{app} Created container app x2',
      `Warning Failed spec.containers{app} Error: ${msg} x2`,
    ]);
    // The runtime's ContainerDied syncs at once: the first retry is immediate (no back-off yet);
    // the round after the second failure shows it and meets the back-off.
    const st = n.h.container('p', 'app');
    assert.deepEqual(st.state, { waiting: { reason: 'RunContainerError', message: msg } });
    assert.equal(st.lastState?.terminated?.reason, 'StartError');
    assert.equal(st.lastState?.terminated?.exitCode, 128);
    assert.equal(st.lastState?.terminated?.message, msg);
    assert.equal(st.restartCount, 1);
    assert.deepEqual(
      n.callLog((c) => c.op === 'startContainer'),
      ['startContainer app#0 @0', 'startContainer app#1 @0'],
    );
    // That round's back-off shows on the next round, 10 s later: CrashLoopBackOff (then that
    // round restarts it, the window being over, and it fails again).
    await n.advance(10_000);
    const backOff = n.h.statusWrites.find(
      (w) => w.status.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
    );
    assert.equal(backOff?.at, n.start + 10_000);
    assert.equal(
      backOff?.status.containerStatuses?.[0]?.state?.waiting?.message,
      `back-off 10s restarting failed container=app pod=${FMT}`,
    );
    assert.ok(
      n.h
        .eventLines('p')
        .some((l) =>
          l.startsWith(
            `Warning BackOff spec.containers{app} Back-off restarting failed container app in pod ${FMT}`,
          ),
        ),
    );
  }));

test('containers start in spec order in one round; containerStatuses are sorted by name', () =>
  withNode(async (n) => {
    n.h.create(makePod('p', { containers: [ctr('web'), ctr('api'), ctr('cache')] }));
    await n.advance(0);
    assert.deepEqual(
      n.h.eventLines('p').filter((l) => l.startsWith('Normal Started')),
      [
        'Normal Started spec.containers{web} Started container web',
        'Normal Started spec.containers{api} Started container api',
        'Normal Started spec.containers{cache} Started container cache',
      ],
    );
    assert.deepEqual(
      n.h.status('p').containerStatuses?.map((c) => c.name),
      ['api', 'cache', 'web'],
    );
  }));

test('the kubelet resyncs a healthy pod every minute without touching it', () =>
  withNode(async (n) => {
    n.h.create(makePod('p', { containers: [ctr('app')] }));
    await n.advance(0);
    const calls = n.runtime.calls.length;
    const writes = n.h.statusWrites.length;
    await n.advance(600_000);
    assert.equal(n.runtime.calls.length, calls, 'no runtime action');
    assert.equal(n.h.statusWrites.length, writes, 'unchanged statuses are not written again');
  }));

test('the Created event text follows the kubelet version: `Created container: <c>` from 1.33', () =>
  withNode(
    async (n) => {
      n.h.create(makePod('p', { containers: [ctr('app')] }));
      await n.advance(0);
      assert.ok(n.h.eventLines('p').includes('Normal Created spec.containers{app} Created container: app'));
    },
    { kubeVersion: { major: '1', minor: '33' } },
  ));
