// The worker model on the fake clock: initial results, thresholds, startup gating, on-hold, the
// termination rules, timing (ticker, initial delay, jitter, manual trigger), errors and events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod, PodStatus, Probe } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../testing/fake-clock.ts';
import { ProbeManager, type ProbeRun, type ProbeUpdate } from './prober-manager.ts';
import {
  CapturingRecorder,
  ScriptedRuntime,
  execResult,
  makePod,
  podStatus,
  rfc3339,
  running,
  terminated,
  waiting,
} from './prober-test-kit.ts';

type Answer = 'ok' | 'fail' | 'error' | 'timeout';

function execProbe(key: string, extra: Partial<Probe> = {}): Probe {
  return { exec: { command: [key] }, periodSeconds: 1, ...extra };
}

interface Harness {
  clock: FakeClock;
  runtime: ScriptedRuntime;
  recorder: CapturingRecorder;
  manager: ProbeManager;
  pod: Pod;
  status: PodStatus;
  answers: Map<string, Answer>;
  updates: ProbeUpdate[];
  runs: ProbeRun[];
  resyncs: string[];
  /** The engine's status generation: started/ready set by the manager. */
  sync(): void;
  setPod(p: Pod): void;
  setStatus(s: PodStatus): void;
  runsOf(kind: string): ProbeRun[];
}

function harness(
  pod: Pod,
  status: PodStatus,
  opts: { kubeletStartedAgoMs?: number; random?: () => number } = {},
): Harness {
  const clock = new FakeClock();
  const runtime = new ScriptedRuntime();
  const recorder = new CapturingRecorder();
  const answers = new Map<string, Answer>();
  runtime.script = ({ command }) => {
    const a = answers.get(command[0] ?? '') ?? 'ok';
    if (a === 'error') throw new Error('container not found');
    if (a === 'timeout') return execResult(-1, '', '', true);
    return a === 'ok' ? execResult(0, 'fine\n') : execResult(1, 'bad\n', 'worse\n');
  };
  const h: Harness = {
    clock,
    runtime,
    recorder,
    pod,
    status,
    answers,
    updates: [],
    runs: [],
    resyncs: [],
    manager: undefined as unknown as ProbeManager,
    sync: () => h.manager.updatePodStatus(h.pod, h.status),
    setPod: (p) => {
      h.pod = p;
    },
    setStatus: (s) => {
      h.status = s;
    },
    runsOf: (kind) => h.runs.filter((r) => r.kind === kind),
  };
  h.manager = new ProbeManager({
    clock,
    runtime,
    recorder,
    getPod: () => h.pod,
    getPodStatus: () => h.status,
    kubeletStartedAt: clock.now() - (opts.kubeletStartedAgoMs ?? 3_600_000),
    random: opts.random ?? (() => 0.5),
    resync: (uid) => h.resyncs.push(uid),
  });
  h.manager.onUpdate((u) => h.updates.push(u));
  h.manager.onRun((r) => h.runs.push(r));
  return h;
}

function container(
  name: string,
  probes: Partial<Pick<Container, 'livenessProbe' | 'readinessProbe' | 'startupProbe'>>,
): Container {
  return { name, image: 'busybox', ...probes };
}

test('initial results: readiness Failure, liveness Success, startup Unknown (gotcha 15)', async () => {
  const clock0 = new FakeClock().now();
  const pod = makePod({
    containers: [
      container('app', {
        livenessProbe: execProbe('live'),
        readinessProbe: execProbe('ready'),
        startupProbe: execProbe('start'),
      }),
    ],
  });
  const h = harness(pod, podStatus([running('app', 'c1', clock0)]));
  h.answers.set('start', 'fail');
  h.manager.addPod(pod);
  await h.clock.advance(0);
  assert.equal(h.manager.result('readiness', 'fake://c1'), 'Failure');
  assert.equal(h.manager.result('liveness', 'fake://c1'), 'Success');
  assert.equal(h.manager.result('startup', 'fake://c1'), 'Unknown');
  h.sync();
  const cs = h.status.containerStatuses?.[0];
  assert.equal(cs?.started, false);
  assert.equal(cs?.ready, false);
  // Only the startup probe ran: liveness and readiness wait for it (gotcha 14).
  assert.deepEqual(
    h.runs.map((r) => r.kind),
    ['startup'],
  );
  h.manager.close();
});

test('no probes: started and ready as soon as running; init containers ready when exited 0', async () => {
  const pod = makePod({
    containers: [container('app', {})],
    initContainers: [container('init', {}), container('init2', {})],
  });
  const h = harness(
    pod,
    podStatus([running('app', 'c1', 0)], [terminated('init', 'i1', 0), terminated('init2', 'i2', 1)]),
  );
  h.manager.addPod(pod);
  await h.clock.advance(0);
  h.sync();
  assert.equal(h.status.containerStatuses?.[0]?.started, true);
  assert.equal(h.status.containerStatuses?.[0]?.ready, true);
  const [i1, i2] = h.status.initContainerStatuses ?? [];
  assert.equal(i1?.started, false);
  assert.equal(i1?.ready, true);
  assert.equal(i2?.ready, false);
  assert.deepEqual(h.manager.workerKinds('uid-1'), []);
  h.manager.close();
});

test('startup gates liveness and readiness; after success started=true and startup stops probing', async () => {
  const now = new FakeClock().now();
  const pod = makePod({
    containers: [
      container('app', {
        livenessProbe: execProbe('live'),
        readinessProbe: execProbe('ready'),
        startupProbe: execProbe('start', { failureThreshold: 30 }),
      }),
    ],
  });
  const h = harness(pod, podStatus([running('app', 'c1', now)]));
  h.answers.set('start', 'fail');
  h.manager.addPod(pod);
  await h.clock.advance(0);
  h.sync();
  await h.clock.advance(3000);
  h.sync();
  assert.equal(h.runsOf('startup').length, 4);
  assert.equal(h.runsOf('liveness').length, 0);
  assert.equal(h.runsOf('readiness').length, 0);
  assert.equal(h.status.containerStatuses?.[0]?.started, false);

  h.answers.set('start', 'ok');
  await h.clock.advance(1000);
  assert.equal(h.manager.result('startup', 'fake://c1'), 'Success');
  h.sync();
  assert.equal(h.status.containerStatuses?.[0]?.started, true);
  // Readiness has no Success yet: not ready, and a manual run is triggered at once.
  assert.equal(h.status.containerStatuses?.[0]?.ready, false);
  await h.clock.advance(0);
  assert.equal(h.runsOf('readiness').length, 1);
  assert.equal(h.manager.result('readiness', 'fake://c1'), 'Success');
  h.sync();
  assert.equal(h.status.containerStatuses?.[0]?.ready, true);
  const startupRuns = h.runsOf('startup').length;
  await h.clock.advance(3000);
  assert.equal(h.runsOf('startup').length, startupRuns, 'startup no longer probes a started container');
  assert.ok(h.runsOf('liveness').length >= 3);
  h.manager.close();
});

test('liveness: failureThreshold consecutive failures publish Failure once, then on hold until a new container', async () => {
  const pod = makePod({
    containers: [container('app', { livenessProbe: execProbe('live', { failureThreshold: 3 }) })],
  });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.manager.addPod(pod);
  await h.clock.advance(0);
  h.sync();
  h.answers.set('live', 'fail');
  await h.clock.advance(1000);
  await h.clock.advance(1000);
  assert.equal(h.manager.result('liveness', 'fake://c1'), 'Success', 'two failures are below the threshold');
  await h.clock.advance(1000);
  assert.equal(h.manager.result('liveness', 'fake://c1'), 'Failure');
  const failures = h.updates.filter((u) => u.kind === 'liveness' && u.result === 'Failure');
  assert.equal(failures.length, 1);
  // Unhealthy on every failed run, not only at the threshold (gotcha 18).
  assert.deepEqual(h.recorder.messages('Unhealthy'), [
    'Liveness probe failed: bad\nworse\n',
    'Liveness probe failed: bad\nworse\n',
    'Liveness probe failed: bad\nworse\n',
  ]);
  assert.equal(h.recorder.events[0]?.fieldPath, 'spec.containers{app}');
  assert.equal(h.recorder.events[0]?.type, 'Warning');
  const before = h.runsOf('liveness').length;
  await h.clock.advance(5000);
  assert.equal(h.runsOf('liveness').length, before, 'on hold: no more runs');

  // The engine restarts the container: a new ID resets to the initial Success and probing resumes.
  h.answers.set('live', 'ok');
  h.setStatus(podStatus([{ ...running('app', 'c2', h.clock.now()), restartCount: 1 }]));
  h.sync();
  await h.clock.advance(1000);
  assert.equal(h.manager.result('liveness', 'fake://c2'), 'Success');
  assert.equal(h.manager.result('liveness', 'fake://c1'), undefined, 'the old instance is forgotten');
  assert.ok(h.runsOf('liveness').length > before);
  assert.ok(h.resyncs.length > 0, 'published changes ask for a pod sync');
  h.manager.close();
});

test('readiness: successThreshold counts consecutive successes; a failure resets the run', async () => {
  const pod = makePod({
    containers: [
      container('app', { readinessProbe: execProbe('ready', { successThreshold: 2, failureThreshold: 2 }) }),
    ],
  });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.sync();
  h.manager.addPod(pod);
  await h.clock.advance(0); // run 1: ok
  assert.equal(h.manager.result('readiness', 'fake://c1'), 'Failure');
  h.answers.set('ready', 'fail');
  await h.clock.advance(1000); // fail
  h.answers.set('ready', 'ok');
  await h.clock.advance(1000); // ok (run 1)
  assert.equal(h.manager.result('readiness', 'fake://c1'), 'Failure');
  await h.clock.advance(1000); // ok (run 2)
  assert.equal(h.manager.result('readiness', 'fake://c1'), 'Success');
  h.answers.set('ready', 'fail');
  await h.clock.advance(1000);
  assert.equal(h.manager.result('readiness', 'fake://c1'), 'Success');
  await h.clock.advance(1000);
  assert.equal(h.manager.result('readiness', 'fake://c1'), 'Failure');
  // Readiness failures never put the worker on hold.
  await h.clock.advance(2000);
  assert.equal(h.runsOf('readiness').length, 8);
  assert.deepEqual(
    h.updates.map((u) => u.result),
    ['Failure', 'Success', 'Failure'],
  );
  h.manager.close();
});

test('startup: failure at the threshold is published and holds the worker', async () => {
  const pod = makePod({
    containers: [container('app', { startupProbe: execProbe('start', { failureThreshold: 2 }) })],
  });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.answers.set('start', 'fail');
  h.manager.addPod(pod);
  await h.clock.advance(0);
  await h.clock.advance(1000);
  assert.equal(h.manager.result('startup', 'fake://c1'), 'Failure');
  assert.deepEqual(h.recorder.messages('Unhealthy'), [
    'Startup probe failed: bad\nworse\n',
    'Startup probe failed: bad\nworse\n',
  ]);
  await h.clock.advance(3000);
  assert.equal(h.runsOf('startup').length, 2);
  h.manager.close();
});

test('errors are retried 3 times, then discarded with the errored event (gotcha 17)', async () => {
  const pod = makePod({
    containers: [container('app', { livenessProbe: execProbe('live', { failureThreshold: 1 }) })],
  });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.answers.set('live', 'error');
  h.sync();
  h.manager.addPod(pod);
  await h.clock.advance(0);
  assert.equal(h.runtime.calls.length, 3);
  assert.equal(h.manager.result('liveness', 'fake://c1'), 'Success', 'an error is not a failure');
  assert.deepEqual(h.recorder.messages('Unhealthy'), [
    'Liveness probe errored and resulted in unknown state: container not found',
  ]);
  assert.equal(h.runs[0]?.outcome, 'error');
  await h.clock.advance(2000);
  assert.equal(h.manager.result('liveness', 'fake://c1'), 'Success');
  assert.equal(h.recorder.messages('Unhealthy').length, 3);
  h.manager.close();
});

test('an unknown named port is an error, not a failure', async () => {
  const pod = makePod({
    containers: [
      container('app', {
        livenessProbe: { httpGet: { port: 'web', path: '/' }, periodSeconds: 1, failureThreshold: 1 },
      }),
    ],
  });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.sync();
  h.manager.addPod(pod);
  await h.clock.advance(0);
  assert.deepEqual(h.recorder.messages('Unhealthy'), [
    'Liveness probe errored and resulted in unknown state: strconv.Atoi: parsing "web": invalid syntax',
  ]);
  assert.equal(h.manager.result('liveness', 'fake://c1'), 'Success');
  h.manager.close();
});

test('exec timeout is a failure with the timeout text', async () => {
  const pod = makePod({
    containers: [
      container('app', { readinessProbe: { exec: { command: ['sh', '-c', 'sleep 5'] }, periodSeconds: 1 } }),
    ],
  });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.runtime.script = () => execResult(-1, '', '', true);
  h.sync();
  h.manager.addPod(pod);
  await h.clock.advance(0);
  assert.deepEqual(h.recorder.messages('Unhealthy'), [
    'Readiness probe failed: command timed out: "sh -c sleep 5" timed out after 1s',
  ]);
  assert.equal(h.runtime.calls[0]?.options.timeoutMs, 1000);
  assert.equal(h.runtime.calls[0]?.id, 'c1', 'the runtime prefix is stripped');
  h.manager.close();
});

test('not running: result Failure; the worker waits unless the container is done for good', async () => {
  const pod = makePod({
    containers: [container('app', { readinessProbe: execProbe('ready'), livenessProbe: execProbe('live') })],
  });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.manager.addPod(pod);
  await h.clock.advance(0);
  h.sync();
  await h.clock.advance(1000);
  assert.equal(h.manager.result('readiness', 'fake://c1'), 'Success');
  h.setStatus(podStatus([terminated('app', 'c1', 1)]));
  await h.clock.advance(1000);
  assert.equal(h.manager.result('readiness', 'fake://c1'), 'Failure');
  assert.equal(h.manager.result('liveness', 'fake://c1'), 'Failure');
  assert.equal(h.manager.workerKinds('uid-1').length, 2, 'restartPolicy Always: workers stay');
  h.manager.close();

  // restartPolicy Never: a terminated container ends the workers and forgets their results.
  const never = makePod({
    containers: [container('app', { readinessProbe: execProbe('ready') })],
    restartPolicy: 'Never',
  });
  const h2 = harness(never, podStatus([running('app', 'c1', 0)]));
  h2.manager.addPod(never);
  await h2.clock.advance(0);
  h2.setStatus(podStatus([terminated('app', 'c1', 0)]));
  await h2.clock.advance(1000);
  assert.deepEqual(h2.manager.workerKinds('uid-1'), []);
  assert.equal(h2.manager.result('readiness', 'fake://c1'), undefined);
  h2.manager.close();
});

test('no container ID yet → wait; a terminal phase ends the worker', async () => {
  const pod = makePod({ containers: [container('app', { readinessProbe: execProbe('ready') })] });
  const h = harness(pod, podStatus([waiting('app')]));
  h.manager.addPod(pod);
  await h.clock.advance(3000);
  assert.equal(h.runs.length, 0);
  assert.equal(h.manager.workerKinds('uid-1').length, 1);
  h.setStatus({ ...podStatus([terminated('app', 'c1', 0)]), phase: 'Succeeded' });
  await h.clock.advance(1000);
  assert.deepEqual(h.manager.workerKinds('uid-1'), []);
  h.manager.close();
});

test('deletionTimestamp: liveness and startup stop quietly with Success, readiness keeps probing (gotcha 14)', async () => {
  const pod = makePod({
    containers: [container('app', { readinessProbe: execProbe('ready'), livenessProbe: execProbe('live') })],
  });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.manager.addPod(pod);
  await h.clock.advance(0);
  h.sync();
  h.answers.set('live', 'fail');
  h.answers.set('ready', 'fail');
  await h.clock.advance(1000);
  h.setPod({ ...pod, metadata: { ...pod.metadata, deletionTimestamp: rfc3339(h.clock.now()) } });
  await h.clock.advance(1000);
  assert.equal(h.manager.result('liveness', 'fake://c1'), 'Success');
  const liveRuns = h.runsOf('liveness').length;
  const readyRuns = h.runsOf('readiness').length;
  await h.clock.advance(3000);
  assert.equal(h.runsOf('liveness').length, liveRuns);
  assert.equal(h.runsOf('readiness').length, readyRuns + 3);
  assert.deepEqual(
    h.manager.workerKinds('uid-1').map((w) => w.kind),
    ['readiness'],
  );
  h.manager.close();
});

test('podTerminating stops liveness/startup at once with Success; readiness continues', async () => {
  const pod = makePod({
    containers: [
      container('app', {
        readinessProbe: execProbe('ready'),
        livenessProbe: execProbe('live', { failureThreshold: 1 }),
        startupProbe: execProbe('start'),
      }),
    ],
  });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.answers.set('start', 'fail');
  h.manager.addPod(pod);
  await h.clock.advance(0);
  h.manager.podTerminating('uid-1');
  assert.equal(h.manager.result('startup', 'fake://c1'), 'Success');
  assert.equal(h.manager.result('liveness', 'fake://c1'), 'Success');
  h.sync();
  // With the startup worker gone the container counts as started, so readiness may probe.
  assert.equal(h.status.containerStatuses?.[0]?.started, true);
  await h.clock.advance(2000);
  assert.ok(h.runsOf('readiness').length >= 2);
  assert.equal(h.runsOf('liveness').length, 0);
  h.manager.removePod('uid-1');
  const n = h.runs.length;
  await h.clock.advance(5000);
  assert.equal(h.runs.length, n, 'removePod stops every worker');
  h.manager.close();
});

test('timing: ticks are relative to worker start; the delay check uses whole seconds since start (gotcha 16)', async () => {
  const clock0 = new FakeClock().now();
  const pod = makePod({
    containers: [
      container('app', { livenessProbe: execProbe('live', { periodSeconds: 10, initialDelaySeconds: 5 }) }),
    ],
  });
  // Container started 3.5 s after the worker; ticks at 0, 10, 20 s from worker start.
  const h = harness(pod, podStatus([waiting('app')]));
  h.manager.addPod(pod);
  await h.clock.advance(3500);
  h.setStatus(podStatus([running('app', 'c1', h.clock.now())]));
  h.sync();
  await h.clock.advance(30_000 - 3500);
  assert.deepEqual(
    h.runs.map((r) => r.at - clock0),
    [10_000, 20_000, 30_000],
  );
  h.manager.close();

  // startedAt has whole-second precision and the elapsed time is truncated: initialDelay 3 with
  // ticks at .5 s probes first at 3.5 s.
  const p2 = makePod({
    containers: [
      container('app', { livenessProbe: execProbe('live', { periodSeconds: 1, initialDelaySeconds: 3 }) }),
    ],
  });
  const h2 = harness(p2, podStatus([running('app', 'c1', clock0)]));
  await h2.clock.advance(500);
  h2.manager.addPod(p2);
  h2.sync();
  await h2.clock.advance(4000);
  assert.equal((h2.runs[0]?.at ?? 0) - clock0, 3500);
  h2.manager.close();
});

test('timing: jitter only when the kubelet started less than a period ago', async () => {
  const clock0 = new FakeClock().now();
  const pod = makePod({
    containers: [container('app', { livenessProbe: execProbe('live', { periodSeconds: 10 }) })],
  });
  const h = harness(pod, podStatus([running('app', 'c1', clock0)]), {
    kubeletStartedAgoMs: 2000,
    random: () => 0.25,
  });
  h.manager.addPod(pod);
  h.sync();
  await h.clock.advance(30_000);
  assert.deepEqual(
    h.runs.map((r) => r.at - clock0),
    [2500, 12_500, 22_500],
  );
  h.manager.close();

  const h2 = harness(pod, podStatus([running('app', 'c1', clock0)]), {
    kubeletStartedAgoMs: 10_000,
    random: () => 0.25,
  });
  h2.sync();
  h2.manager.addPod(pod);
  await h2.clock.advance(20_000);
  assert.deepEqual(
    h2.runs.map((r) => r.at - clock0),
    [0, 10_000, 20_000],
  );
  h2.manager.close();
});

test('readiness manual trigger: a status generation without readiness Success runs it now', async () => {
  const clock0 = new FakeClock().now();
  const pod = makePod({
    containers: [container('app', { readinessProbe: execProbe('ready', { periodSeconds: 10 }) })],
  });
  const h = harness(pod, podStatus([waiting('app')]));
  h.manager.addPod(pod);
  await h.clock.advance(0);
  await h.clock.advance(2000);
  h.setStatus(podStatus([running('app', 'c1', h.clock.now())]));
  h.sync(); // started (no startup probe), not ready → trigger
  assert.equal(h.status.containerStatuses?.[0]?.ready, false);
  await h.clock.advance(0);
  assert.deepEqual(
    h.runs.map((r) => r.at - clock0),
    [2000],
  );
  h.sync();
  assert.equal(h.status.containerStatuses?.[0]?.ready, true);
  await h.clock.advance(0);
  assert.equal(h.runs.length, 1, 'no trigger once ready');
  await h.clock.advance(8000);
  assert.deepEqual(
    h.runs.map((r) => r.at - clock0),
    [2000, 10_000],
    'the ticker keeps its own grid',
  );
  h.manager.close();
});

test('sidecars get probe workers, regular init containers none; events name the init container', async () => {
  const pod = makePod({
    containers: [container('app', {})],
    initContainers: [
      { ...container('proxy', { readinessProbe: execProbe('sidecar-ready') }), restartPolicy: 'Always' },
      container('setup', { readinessProbe: execProbe('never') }),
    ],
  });
  const h = harness(
    pod,
    podStatus([waiting('app')], [running('proxy', 's1', 0), terminated('setup', 'i1', 0)]),
  );
  h.answers.set('sidecar-ready', 'fail');
  h.sync();
  h.manager.addPod(pod);
  await h.clock.advance(0);
  assert.deepEqual(h.manager.workerKinds('uid-1'), [{ containerName: 'proxy', kind: 'readiness' }]);
  assert.equal(h.recorder.events[0]?.fieldPath, 'spec.initContainers{proxy}');
  h.answers.set('sidecar-ready', 'ok');
  await h.clock.advance(1000);
  h.sync();
  const [proxy, setup] = h.status.initContainerStatuses ?? [];
  assert.equal(proxy?.started, true);
  assert.equal(proxy?.ready, true);
  assert.equal(setup?.ready, true);
  h.manager.close();
});

test('a terminated sidecar in a Never pod keeps its worker (sidecars always restart)', async () => {
  const pod = makePod({
    containers: [container('app', {})],
    initContainers: [{ ...container('proxy', { livenessProbe: execProbe('l') }), restartPolicy: 'Always' }],
    restartPolicy: 'Never',
  });
  const h = harness(pod, podStatus([waiting('app')], [terminated('proxy', 's1', 1)]));
  h.manager.addPod(pod);
  await h.clock.advance(2000);
  assert.equal(h.manager.workerKinds('uid-1').length, 1);
  h.manager.close();
});

test('exec commands expand $(VAR) from static env only', async () => {
  const pod = makePod({
    containers: [
      {
        ...container('app', {
          livenessProbe: { exec: { command: ['cat', '$(FILE)', '$(SECRET)', '$$(FILE)'] } },
        }),
        env: [
          { name: 'FILE', value: '/tmp/healthy' },
          { name: 'SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
        ],
      },
    ],
  });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.sync();
  h.manager.addPod(pod);
  await h.clock.advance(0);
  assert.deepEqual(h.runtime.calls[0]?.command, ['cat', '/tmp/healthy', '$(SECRET)', '$(FILE)']);
  h.manager.close();
});

test('history keeps the last 10 runs per probe; annotations change only on outcome transitions', async () => {
  const pod = makePod({ containers: [container('app', { readinessProbe: execProbe('ready') })] });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  let annotationChanges = 0;
  h.manager.onAnnotationsChange(() => annotationChanges++);
  h.answers.set('ready', 'fail');
  h.sync();
  h.manager.addPod(pod);
  await h.clock.advance(0);
  const key = 'probe.nodelet.dev/app.readiness';
  assert.equal(
    h.manager.annotations('uid-1')[key],
    `failure at ${rfc3339(h.clock.now())} after 0ms: bad\nworse`,
  );
  await h.clock.advance(11_000);
  assert.equal(annotationChanges, 1);
  h.answers.set('ready', 'ok');
  await h.clock.advance(1000);
  assert.equal(annotationChanges, 2);
  assert.equal(h.manager.annotations('uid-1')[key], `success at ${rfc3339(h.clock.now())} after 0ms`);
  const hist = h.manager.history('uid-1');
  assert.equal(hist.length, 10);
  assert.equal(hist.at(-1)?.outcome, 'success');
  assert.equal(hist.at(-1)?.output, 'fine\n');
  assert.equal(hist[0]?.output, 'bad\nworse\n');
  h.manager.removePod('uid-1');
  assert.equal(h.manager.history('uid-1').length, 10, 'a removed pod keeps its history for describe');
  h.manager.close();
});

test('onUpdate reports published changes only', async () => {
  const pod = makePod({ containers: [container('app', { livenessProbe: execProbe('live') })] });
  const h = harness(pod, podStatus([running('app', 'c1', 0)]));
  h.sync();
  h.manager.addPod(pod);
  h.manager.addPod(pod); // idempotent
  await h.clock.advance(5000);
  assert.deepEqual(h.updates, [
    { podUid: 'uid-1', containerName: 'app', containerId: 'fake://c1', kind: 'liveness', result: 'Success' },
  ]);
  assert.equal(h.runs.length, 6, 'one worker, not two');
  h.manager.close();
});

test('defaults apply: period 10 s, failureThreshold 3, timeout 1 s', async () => {
  const clock0 = new FakeClock().now();
  const pod = makePod({ containers: [container('app', { livenessProbe: { exec: { command: ['live'] } } })] });
  const h = harness(pod, podStatus([running('app', 'c1', clock0)]));
  h.answers.set('live', 'fail');
  h.sync();
  h.manager.addPod(pod);
  await h.clock.advance(25_000);
  assert.deepEqual(
    h.runs.map((r) => r.at - clock0),
    [0, 10_000, 20_000],
  );
  assert.equal(h.manager.result('liveness', 'fake://c1'), 'Failure');
  assert.equal(h.runtime.calls[0]?.options.timeoutMs, 1000);
  h.manager.close();
});
