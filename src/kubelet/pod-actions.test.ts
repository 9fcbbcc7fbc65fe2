// computePodActions and shouldRestart against the kubelet's rules (reference §3.1, §3.3, §5.5–5.6,
// §6.1): init containers one at a time, sidecars kept running, restart policies, probe kills.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computePodActions, shouldRestart, type PodActions } from './pod-actions.ts';
import { containerHash, findContainer } from './pod-util.ts';
import type { RuntimePod } from './runtime-view.ts';
import { ctr, makePod, rt, sidecar, view } from '../testing/kubelet-harness.ts';

type Probe = Record<string, 'Success' | 'Failure' | 'Unknown'>;

function actions(pod: Pod, v: RuntimePod, probes: { liveness?: Probe; startup?: Probe } = {}): PodActions {
  return computePodActions({
    pod,
    view: v,
    runtimeName: 'fake',
    probe: (kind, id) => probes[kind]?.[id.replace('fake://', '')],
  });
}

function summary(a: PodActions): { start: string[]; kill: string[]; killPod: boolean; initialized: boolean } {
  return {
    start: a.start.map((s) => s.container.name),
    kill: a.kill.map((k) => `${k.container.name}: ${k.message}`),
    killPod: a.killPod,
    initialized: a.initialized,
  };
}

const none = { start: [], kill: [], killPod: false, initialized: true };

test('a new pod starts every regular container, in spec order', () => {
  const pod = makePod('p', { containers: [ctr('b'), ctr('a')] });
  assert.deepEqual(summary(actions(pod, view([]))), { ...none, start: ['b', 'a'] });
});

test('running containers are kept', () => {
  const pod = makePod('p', { containers: [ctr('a')] });
  assert.deepEqual(summary(actions(pod, view([rt('a', 'running')]))), none);
});

for (const [policy, exit, restart] of [
  ['Always', 0, true],
  ['Always', 1, true],
  ['OnFailure', 0, false],
  ['OnFailure', 1, true],
  ['Never', 0, false],
  ['Never', 1, false],
] as const) {
  test(`restartPolicy ${policy}: a container that exited ${exit} is ${restart ? '' : 'not '}restarted`, () => {
    const pod = makePod('p', { restartPolicy: policy, containers: [ctr('a'), ctr('keep')] });
    const v = view([rt('a', 'exited', { exitCode: exit }), rt('keep', 'running')]);
    assert.deepEqual(summary(actions(pod, v)), { ...none, start: restart ? ['a'] : [] });
    const sc = findContainer(pod, 'a');
    assert.ok(sc);
    assert.equal(shouldRestart(pod, sc, v.containers[0]), restart);
  });
}

test('shouldRestart: never once the pod is being deleted; created and unknown are restarted', () => {
  const pod = makePod('p', { restartPolicy: 'Never', containers: [ctr('a')] });
  const sc = findContainer(pod, 'a');
  assert.ok(sc);
  assert.equal(shouldRestart(pod, sc, undefined), true, 'never started: start it');
  assert.equal(shouldRestart(pod, sc, rt('a', 'running')), false);
  assert.equal(shouldRestart(pod, sc, rt('a', 'created')), true);
  assert.equal(shouldRestart(pod, sc, rt('a', 'unknown')), true);
  const deleting = { ...pod, metadata: { ...pod.metadata, deletionTimestamp: '2026-01-01T00:00:30Z' } };
  assert.equal(shouldRestart(deleting, sc, undefined), false);
  assert.equal(shouldRestart(deleting, sc, rt('a', 'exited', { exitCode: 1 })), false);
});

test('nothing regular runs or will run: kill the pod (Never, all exited)', () => {
  const pod = makePod('p', { restartPolicy: 'Never', containers: [ctr('a'), ctr('b')] });
  const v = view([rt('a', 'exited', { exitCode: 0 }), rt('b', 'exited', { exitCode: 1 })]);
  assert.deepEqual(summary(actions(pod, v)), { ...none, killPod: true });
});

test('gotcha 19: when the main containers are done, sidecars are not restarted and the pod is killed', () => {
  const pod = makePod('p', {
    restartPolicy: 'OnFailure',
    initContainers: [sidecar('side')],
    containers: [ctr('app')],
  });
  const exitedSidecar = view([
    rt('side', 'exited', { exitCode: 1, kind: 'sidecar' }),
    rt('app', 'exited', { exitCode: 0 }),
  ]);
  assert.deepEqual(summary(actions(pod, exitedSidecar)), { ...none, killPod: true });
  const runningSidecar = view([
    rt('side', 'running', { kind: 'sidecar' }),
    rt('app', 'exited', { exitCode: 0 }),
  ]);
  assert.deepEqual(summary(actions(pod, runningSidecar)), { ...none, killPod: true });
});

test('init containers run one at a time, in order, before any regular container', () => {
  const pod = makePod('p', { initContainers: [ctr('i1'), ctr('i2')], containers: [ctr('app')] });
  const notYet = { ...none, initialized: false };
  assert.deepEqual(summary(actions(pod, view([]))), { ...notYet, start: ['i1'] });
  assert.deepEqual(summary(actions(pod, view([rt('i1', 'running', { kind: 'init' })]))), notYet);
  assert.deepEqual(summary(actions(pod, view([rt('i1', 'exited', { exitCode: 0, kind: 'init' })]))), {
    ...notYet,
    start: ['i2'],
  });
  const bothDone = view([
    rt('i1', 'exited', { exitCode: 0, kind: 'init' }),
    rt('i2', 'exited', { exitCode: 0, kind: 'init' }),
  ]);
  assert.deepEqual(summary(actions(pod, bothDone)), { ...none, start: ['app'] });
});

test('once a regular container exists, init containers are not re-run even if their instances are gone', () => {
  const pod = makePod('p', { initContainers: [ctr('i1')], containers: [ctr('app')] });
  assert.deepEqual(summary(actions(pod, view([rt('app', 'running')]))), none);
});

test('gotcha 21: an init container failure under Never kills the pod', () => {
  const pod = makePod('p', { restartPolicy: 'Never', initContainers: [ctr('i1')], containers: [ctr('app')] });
  const v = view([rt('i1', 'exited', { exitCode: 1, kind: 'init' })]);
  assert.deepEqual(summary(actions(pod, v)), { ...none, killPod: true, initialized: false });
});

for (const policy of ['OnFailure', 'Always'] as const) {
  test(`gotcha 21: an init container failure under ${policy} restarts the same init container`, () => {
    const pod = makePod('p', {
      restartPolicy: policy,
      initContainers: [ctr('i1'), ctr('i2')],
      containers: [ctr('app')],
    });
    const v = view([rt('i1', 'exited', { exitCode: 2, kind: 'init' })]);
    assert.deepEqual(summary(actions(pod, v)), { ...none, start: ['i1'], initialized: false });
  });
}

test('gotcha 21: an OOMKilled init container is a failure even with exit code 0', () => {
  const pod = makePod('p', { restartPolicy: 'Never', initContainers: [ctr('i1')], containers: [ctr('app')] });
  const v = view([rt('i1', 'exited', { exitCode: 0, reason: 'OOMKilled', kind: 'init' })]);
  assert.deepEqual(summary(actions(pod, v)), { ...none, killPod: true, initialized: false });
});

test('an init container left created (its start failed) is started again, not killed', () => {
  const pod = makePod('p', { initContainers: [ctr('i1')], containers: [ctr('app')] });
  const v = view([rt('i1', 'created', { kind: 'init' })]);
  assert.deepEqual(summary(actions(pod, v)), { ...none, start: ['i1'], initialized: false });
});

test('an init container in unknown state is killed and restarted; under Never the pod is killed', () => {
  const pod = makePod('p', { initContainers: [ctr('i1')], containers: [ctr('app')] });
  const v = view([rt('i1', 'unknown', { kind: 'init' })]);
  assert.deepEqual(summary(actions(pod, v)), {
    ...none,
    start: ['i1'],
    kill: ['i1: Init container is in "unknown" state, try killing it before restart'],
    initialized: false,
  });
  const never = makePod('p', {
    restartPolicy: 'Never',
    initContainers: [ctr('i1')],
    containers: [ctr('app')],
  });
  assert.deepEqual(summary(actions(never, v)), { ...none, killPod: true, initialized: false });
});

test('a regular container in unknown state is killed before it is restarted', () => {
  const pod = makePod('p', { containers: [ctr('a')] });
  assert.deepEqual(summary(actions(pod, view([rt('a', 'unknown')]))), {
    ...none,
    start: ['a'],
    kill: ['a: Container is in "unknown" state, try killing it before restart'],
  });
});

test('sidecars start in their position; the next init container waits until the sidecar runs', () => {
  const pod = makePod('p', {
    initContainers: [ctr('i1'), sidecar('s1'), ctr('i2'), sidecar('s2')],
    containers: [ctr('app')],
  });
  const notYet = { ...none, initialized: false };
  const i1 = rt('i1', 'exited', { exitCode: 0, kind: 'init' });
  assert.deepEqual(summary(actions(pod, view([i1]))), { ...notYet, start: ['s1'] });
  const s1 = rt('s1', 'running', { kind: 'sidecar' });
  assert.deepEqual(summary(actions(pod, view([i1, s1]))), { ...notYet, start: ['i2'] });
  const i2 = rt('i2', 'exited', { exitCode: 0, kind: 'init' });
  assert.deepEqual(summary(actions(pod, view([i1, s1, i2]))), { ...notYet, start: ['s2'] });
  const s2 = rt('s2', 'running', { kind: 'sidecar' });
  assert.deepEqual(summary(actions(pod, view([i1, s1, i2, s2]))), { ...none, start: ['app'] });
});

test('a sidecar with a startup probe holds the next container until the probe succeeds', () => {
  const pod = makePod('p', {
    initContainers: [sidecar('side', { startupProbe: { exec: { command: ['true'] } } })],
    containers: [ctr('app')],
  });
  const side = rt('side', 'running', { kind: 'sidecar', id: 'side-1' });
  const waiting = { ...none, initialized: false };
  assert.deepEqual(summary(actions(pod, view([side]))), waiting, 'no startup result yet: wait');
  assert.deepEqual(summary(actions(pod, view([side]), { startup: { 'side-1': 'Unknown' } })), waiting);
  assert.deepEqual(summary(actions(pod, view([side]), { startup: { 'side-1': 'Success' } })), {
    ...none,
    start: ['app'],
  });
  assert.deepEqual(summary(actions(pod, view([side]), { startup: { 'side-1': 'Failure' } })), {
    ...waiting,
    start: ['side'],
    kill: ['side: Init container side failed startup probe'],
  });
});

test('a sidecar that fails liveness is killed and restarted, without "will be restarted"', () => {
  const pod = makePod('p', {
    restartPolicy: 'Never',
    initContainers: [sidecar('side')],
    containers: [ctr('app')],
  });
  const v = view([rt('side', 'running', { kind: 'sidecar', id: 'side-1' }), rt('app', 'running')]);
  assert.deepEqual(summary(actions(pod, v, { liveness: { 'side-1': 'Failure' } })), {
    ...none,
    start: ['side'],
    kill: ['side: Init container side failed liveness probe'],
  });
});

test('gotcha 19: an exited sidecar is always restarted, even under Never', () => {
  const pod = makePod('p', {
    restartPolicy: 'Never',
    initContainers: [sidecar('side')],
    containers: [ctr('app')],
  });
  const v = view([rt('side', 'exited', { exitCode: 0, kind: 'sidecar' }), rt('app', 'running')]);
  assert.deepEqual(summary(actions(pod, v)), { ...none, start: ['side'] });
});

test('a missing sidecar of an initialized pod is re-created', () => {
  const pod = makePod('p', { initContainers: [ctr('i1'), sidecar('side')], containers: [ctr('app')] });
  assert.deepEqual(summary(actions(pod, view([rt('app', 'running')]))), { ...none, start: ['side'] });
});

test('liveness failure: killed with "will be restarted" and started again (Always, OnFailure)', () => {
  for (const policy of ['Always', 'OnFailure'] as const) {
    const pod = makePod('p', { restartPolicy: policy, containers: [ctr('app')] });
    const v = view([rt('app', 'running', { id: 'app-1' })]);
    assert.deepEqual(summary(actions(pod, v, { liveness: { 'app-1': 'Failure' } })), {
      ...none,
      start: ['app'],
      kill: ['app: Container app failed liveness probe, will be restarted'],
    });
  }
});

test('liveness failure under Never: killed without suffix and not restarted; the pod is done', () => {
  const pod = makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] });
  const v = view([rt('app', 'running', { id: 'app-1' })]);
  assert.deepEqual(summary(actions(pod, v, { liveness: { 'app-1': 'Failure' } })), {
    ...none,
    kill: ['app: Container app failed liveness probe'],
    killPod: true,
  });
});

test('startup failure: killed with "failed startup probe, will be restarted"', () => {
  const pod = makePod('p', { containers: [ctr('app')] });
  const v = view([rt('app', 'running', { id: 'app-1' })]);
  assert.deepEqual(summary(actions(pod, v, { startup: { 'app-1': 'Failure' } })), {
    ...none,
    start: ['app'],
    kill: ['app: Container app failed startup probe, will be restarted'],
  });
});

test('a changed container spec restarts it whatever the policy, before probe results count', () => {
  const pod = makePod('p', { restartPolicy: 'Never', containers: [ctr('app', { image: 'busybox:2' })] });
  const old = containerHash(ctr('app', { image: 'busybox:1' }));
  const v = view([rt('app', 'running', { id: 'app-1', hash: old })]);
  assert.deepEqual(summary(actions(pod, v, { liveness: { 'app-1': 'Failure' } })), {
    ...none,
    start: ['app'],
    kill: ['app: Container app definition changed, will be restarted'],
  });
  const same = view([rt('app', 'running', { hash: containerHash(ctr('app', { image: 'busybox:2' })) })]);
  assert.deepEqual(summary(actions(pod, same)), none);
});
