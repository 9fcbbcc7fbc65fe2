// generatePodStatus and the container status mapping (reference §1.1–1.6; gotchas 5, 6, 23, 25):
// default waiting reasons, runtime state mapping, lastState, restartCount, the "will be restarted"
// overlay from the reason cache, sticky terminal phase, whole-second timestamps, sort order, and
// TerminatePod's safety net.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { StartFailure } from './container-statuses.ts';
import { shouldRestart } from './pod-actions.ts';
import { defaultProbeState, generatePodStatus, terminatePodStatus } from './pod-status.ts';
import { newestOf, type RuntimePod } from './runtime-view.ts';
import { apiRunning, ctr, makePod, rt, sandbox, sidecar, view } from '../testing/kubelet-harness.ts';

const T = Date.UTC(2026, 0, 1, 0, 0, 0);

interface Gen {
  previous?: PodStatus;
  reasons?: Record<string, StartFailure>;
  terminal?: boolean;
  now?: number;
}

function gen(pod: Pod, v: RuntimePod, g: Gen = {}): PodStatus {
  return generatePodStatus({
    pod,
    view: v,
    previous: g.previous,
    runtimeName: 'fake',
    hostIP: '10.0.0.1',
    now: g.now ?? T + 1500,
    podIsTerminal: g.terminal ?? false,
    reasonCache: (n) => g.reasons?.[n],
    shouldRestart: (sc) => shouldRestart(pod, sc, newestOf(v, sc.container.name)),
    terminationMessage: () => undefined,
    setProbeState: defaultProbeState,
  });
}

function byName(list: ContainerStatus[] | undefined, name: string): ContainerStatus {
  const s = list?.find((x) => x.name === name);
  assert.ok(s, `status of ${name} missing`);
  return s;
}

test('gotcha 6: without init containers every container starts as ContainerCreating', () => {
  const pod = makePod('p', { containers: [ctr('app')] });
  const s = gen(pod, view([], null));
  assert.equal(s.phase, 'Pending');
  assert.deepEqual(byName(s.containerStatuses, 'app'), {
    name: 'app',
    image: 'busybox',
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: { reason: 'ContainerCreating' } },
    lastState: {},
  });
  assert.equal(s.podIP, undefined, 'no sandbox yet: no pod IP');
  assert.deepEqual(s.hostIPs, [{ ip: '10.0.0.1' }]);
  assert.equal(s.startTime, '2026-01-01T00:00:01Z', 'whole seconds');
});

test('gotcha 6: with init containers every container (init ones too) starts as PodInitializing', () => {
  const pod = makePod('p', { initContainers: [ctr('i1'), sidecar('s1')], containers: [ctr('app')] });
  const s = gen(pod, view([]));
  for (const st of [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])]) {
    assert.deepEqual(st.state, { waiting: { reason: 'PodInitializing' } }, st.name);
  }
  assert.equal(s.podIP, '127.0.0.1');
  assert.deepEqual(s.podIPs, [{ ip: '127.0.0.1' }]);
});

test('gotcha 6: a created-but-not-started container is Waiting with an empty reason', () => {
  const pod = makePod('p', { containers: [ctr('app')] });
  const s = gen(pod, view([rt('app', 'created', { id: 'c1' })]));
  assert.deepEqual(byName(s.containerStatuses, 'app').state, { waiting: {} });
});

test('a running container: startedAt in whole seconds, containerID, image and imageID from the runtime', () => {
  const pod = makePod('p', { containers: [ctr('app')] });
  const s = gen(pod, view([rt('app', 'running', { id: 'c1', startedAt: T + 999 })]));
  assert.equal(s.phase, 'Running');
  assert.deepEqual(byName(s.containerStatuses, 'app'), {
    name: 'app',
    image: 'busybox',
    imageID: 'busybox@sha256:0',
    containerID: 'fake://c1',
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
    lastState: {},
  });
});

test('an exited container: terminated with exit code, runtime reason, times and containerID', () => {
  const pod = makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] });
  const c = rt('app', 'exited', { id: 'c1', exitCode: 3, startedAt: T + 1000, finishedAt: T + 4200 });
  const s = gen(pod, view([c]));
  assert.equal(s.phase, 'Failed');
  assert.deepEqual(byName(s.containerStatuses, 'app').state, {
    terminated: {
      exitCode: 3,
      reason: 'Error',
      startedAt: '2026-01-01T00:00:01Z',
      finishedAt: '2026-01-01T00:00:04Z',
      containerID: 'fake://c1',
    },
  });
});

test('the newest instance gives state, the one before gives lastState; restartCount is its attempt', () => {
  const pod = makePod('p', { containers: [ctr('app')] });
  const v = view([
    rt('app', 'exited', { id: 'c0', attempt: 0, exitCode: 0 }),
    rt('app', 'exited', { id: 'c1', attempt: 1, exitCode: 1 }),
    rt('app', 'running', { id: 'c2', attempt: 2 }),
  ]);
  const st = byName(gen(pod, v).containerStatuses, 'app');
  assert.equal(st.restartCount, 2);
  assert.ok(st.state?.running);
  assert.equal(st.lastState?.terminated?.containerID, 'fake://c1');
  assert.equal(st.lastState?.terminated?.exitCode, 1);
});

test('instances of an older sandbox still give the status, but do not make the pod initialized (1.32+)', () => {
  const pod = makePod('p', { initContainers: [ctr('init')], containers: [ctr('app')] });
  const v: RuntimePod = {
    sandboxes: [sandbox({ id: 'sb-2', attempt: 1 }), sandbox({ state: 'notready' })],
    sandbox: sandbox({ id: 'sb-2', attempt: 1 }),
    containers: [rt('app', 'exited', { id: 'old', exitCode: 137 })],
  };
  const s = gen(pod, v);
  // As GetPodStatus: every instance of the pod, whatever its sandbox.
  assert.equal(byName(s.containerStatuses, 'app').state?.terminated?.containerID, 'fake://old');
  // The init container has not run in the new sandbox: Pending, not Running on stale statuses.
  assert.equal(s.phase, 'Pending');
});

test('gotcha 5: containerStatuses are sorted by name, initContainerStatuses stay in spec order', () => {
  const pod = makePod('p', {
    initContainers: [ctr('zinit'), ctr('ainit')],
    containers: [ctr('web'), ctr('api'), ctr('cache')],
  });
  const s = gen(pod, view([]));
  assert.deepEqual(
    s.containerStatuses?.map((c) => c.name),
    ['api', 'cache', 'web'],
  );
  assert.deepEqual(
    s.initContainerStatuses?.map((c) => c.name),
    ['zinit', 'ainit'],
  );
});

test('gotcha 25: a completed init container reports started false but ready true', () => {
  const pod = makePod('p', { initContainers: [ctr('init')], containers: [ctr('app')] });
  const s = gen(pod, view([rt('init', 'exited', { exitCode: 0, kind: 'init' })]));
  const st = byName(s.initContainerStatuses, 'init');
  assert.equal(st.started, false);
  assert.equal(st.ready, true);
  assert.equal(st.state?.terminated?.reason, 'Completed');
});

test('a failed start in the reason cache turns a due container Waiting; a terminated state moves to lastState', () => {
  const pod = makePod('p', { containers: [ctr('app')] });
  const msg = 'back-off 10s restarting failed container=app pod=p_default(uid-p)';
  const v = view([rt('app', 'exited', { id: 'c0', exitCode: 0 })]);
  const st = byName(
    gen(pod, v, { reasons: { app: { reason: 'CrashLoopBackOff', message: msg } } }).containerStatuses,
    'app',
  );
  assert.deepEqual(st.state, { waiting: { reason: 'CrashLoopBackOff', message: msg } });
  assert.equal(st.lastState?.terminated?.reason, 'Completed');
  assert.equal(st.lastState?.terminated?.containerID, 'fake://c0');
  assert.equal(st.restartCount, 0);
});

test('the reason cache is ignored for containers that will not be restarted', () => {
  const pod = makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] });
  const v = view([rt('app', 'exited', { exitCode: 1 })]);
  const reasons = { app: { reason: 'PostStartHookError', message: 'hook failed' } };
  assert.ok(byName(gen(pod, v, { reasons }).containerStatuses, 'app').state?.terminated);
});

test('an init container that exited 0 is never overlaid by the reason cache', () => {
  const pod = makePod('p', { initContainers: [ctr('init')], containers: [ctr('app')] });
  const v = view([rt('init', 'exited', { exitCode: 0, kind: 'init' })]);
  const reasons = { init: { reason: 'RunContainerError', message: 'x' } };
  assert.ok(byName(gen(pod, v, { reasons }).initContainerStatuses, 'init').state?.terminated);
});

test('a start error on a container never started shows as Waiting with its reason and message', () => {
  const pod = makePod('p', { containers: [ctr('app')] });
  const reasons = { app: { reason: 'CreateContainerConfigError', message: 'secret "db" not found' } };
  const st = byName(gen(pod, view([]), { reasons }).containerStatuses, 'app');
  assert.deepEqual(st.state, {
    waiting: { reason: 'CreateContainerConfigError', message: 'secret "db" not found' },
  });
  assert.deepEqual(st.lastState, {});
});

test('a container that was Running and vanished from the runtime gets a ContainerStatusUnknown lastState', () => {
  const pod = makePod('p', { containers: [ctr('app')] });
  const previous: PodStatus = { phase: 'Running', containerStatuses: [apiRunning('app')] };
  const st = byName(gen(pod, view([]), { previous }).containerStatuses, 'app');
  assert.deepEqual(st.state, { waiting: { reason: 'ContainerCreating' } });
  assert.deepEqual(st.lastState, {
    terminated: {
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      message:
        'The container could not be located when the pod was deleted.  The container used to be Running',
      startedAt: null,
      finishedAt: null,
    },
  });
  assert.equal(st.restartCount, 1);

  // Not counted as a restart when the pod is being deleted.
  const deleting = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-01-01T00:00:30Z' } };
  assert.equal(byName(gen(deleting, view([]), { previous }).containerStatuses, 'app').restartCount, 0);

  // An existing lastState is kept as it is.
  const earlier = {
    ...apiRunning('app'),
    restartCount: 2,
    lastState: { terminated: { exitCode: 1, reason: 'Error' } },
  };
  const kept = byName(
    gen(pod, view([]), { previous: { containerStatuses: [earlier] } }).containerStatuses,
    'app',
  );
  assert.deepEqual(kept.lastState, { terminated: { exitCode: 1, reason: 'Error' } });
  assert.equal(kept.restartCount, 2);
});

test('an old terminated status is reused when the runtime no longer has the container', () => {
  const pod = makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] });
  const first = gen(pod, view([rt('app', 'exited', { id: 'c1', exitCode: 0 })]));
  const again = gen(pod, view([]), { previous: first });
  assert.deepEqual(byName(again.containerStatuses, 'app'), byName(first.containerStatuses, 'app'));
});

test('terminal phase is sticky; an unchanged phase keeps its reason and message', () => {
  const pod = makePod('p', { containers: [ctr('app')] });
  const previous: PodStatus = {
    phase: 'Failed',
    reason: 'DeadlineExceeded',
    message: 'Pod was active on the node longer than the specified deadline',
    startTime: '2026-01-01T00:00:00Z',
  };
  const s = gen(pod, view([rt('app', 'running')]), { previous, now: T + 60_000 });
  assert.equal(s.phase, 'Failed');
  assert.equal(s.reason, 'DeadlineExceeded');
  assert.equal(s.message, 'Pod was active on the node longer than the specified deadline');
  assert.equal(s.startTime, '2026-01-01T00:00:00Z', 'startTime never changes');

  const running = gen(pod, view([rt('app', 'running')]), {
    previous: { phase: 'Pending', reason: 'X', message: 'y' },
  });
  assert.equal(running.phase, 'Running');
  assert.equal(running.reason, undefined);
  assert.equal(running.message, undefined);
});

test('terminated messages share the 12288-byte pod budget', () => {
  const pod = makePod('p', { restartPolicy: 'Never', containers: [ctr('a'), ctr('b'), ctr('c')] });
  const long = 'x'.repeat(5000);
  const v = view(['a', 'b', 'c'].map((n) => ({ ...rt(n, 'exited', { exitCode: 1 }), message: long })));
  for (const st of gen(pod, v).containerStatuses ?? []) {
    assert.equal(st.state?.terminated?.message?.length, 4096, st.name);
  }
});

test('TerminatePod: unterminated regular containers of an initialized pod become ContainerStatusUnknown; phase Failed', () => {
  const pod = makePod('p', { initContainers: [ctr('i1'), ctr('i2'), ctr('i3')], containers: [ctr('app')] });
  const status: PodStatus = {
    phase: 'Running',
    conditions: [{ type: 'Initialized', status: 'True' }],
    initContainerStatuses: [
      { name: 'i1', image: 'x', imageID: '', ready: false, restartCount: 0, state: { running: {} } },
      {
        name: 'i2',
        image: 'x',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: 'PodInitializing' } },
      },
      {
        name: 'i3',
        image: 'x',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { waiting: { reason: 'PodInitializing' } },
      },
    ],
    containerStatuses: [apiRunning('app')],
  };
  const out = terminatePodStatus(pod, status);
  assert.equal(out.phase, 'Failed');
  const unknown = {
    terminated: {
      exitCode: 137,
      reason: 'ContainerStatusUnknown',
      message: 'The container could not be located when the pod was terminated',
    },
  };
  assert.deepEqual(byName(out.containerStatuses, 'app').state, unknown);
  assert.deepEqual(byName(out.initContainerStatuses, 'i1').state, unknown, 'the first is always included');
  assert.deepEqual(byName(out.initContainerStatuses, 'i2').state, { waiting: { reason: 'PodInitializing' } });
  assert.deepEqual(byName(out.initContainerStatuses, 'i3').state, { waiting: { reason: 'PodInitializing' } });
  assert.equal(status.phase, 'Running', 'the input is not modified');
});

test('TerminatePod keeps a Succeeded phase and terminated containers', () => {
  const pod = makePod('p', { containers: [ctr('app')] });
  const status = gen(
    makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] }),
    view([rt('app', 'exited', { exitCode: 0 })]),
  );
  const out = terminatePodStatus(pod, status);
  assert.equal(out.phase, 'Succeeded');
  assert.deepEqual(out.containerStatuses, status.containerStatuses);
});
