// Pod conditions, as the kubelet's status generator writes them (reference §2, gotcha 23).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodCondition } from 'kubernetes-types/core/v1.js';
import { podConditions, type ConditionInputs } from './conditions.ts';
import { apiRunning, apiTerminated, apiWaiting, ctr, makePod, sidecar } from '../testing/kubelet-harness.ts';

const NOW = '2026-01-01T00:01:00Z';

function cond(
  list: PodCondition[],
  type: string,
): Omit<PodCondition, 'lastProbeTime' | 'lastTransitionTime'> {
  const c = list.find((x) => x.type === type);
  assert.ok(c, `condition ${type} missing`);
  const { lastProbeTime: _p, lastTransitionTime: _t, ...rest } = c;
  return rest;
}

function inputs(over: Partial<ConditionInputs>): ConditionInputs {
  return {
    pod: makePod('p', { containers: [ctr('app')] }),
    phase: 'Running',
    initStatuses: [],
    statuses: [],
    sandboxReady: true,
    previous: [],
    now: NOW,
    ...over,
  };
}

test('conditions come in the kubelet order and PodScheduled is True', () => {
  const list = podConditions(inputs({ statuses: [apiRunning('app')] }));
  assert.deepEqual(
    list.map((c) => c.type),
    ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'],
  );
  assert.deepEqual(cond(list, 'PodScheduled'), { type: 'PodScheduled', status: 'True' });
  assert.deepEqual(cond(list, 'Ready'), { type: 'Ready', status: 'True' });
  assert.deepEqual(cond(list, 'ContainersReady'), { type: 'ContainersReady', status: 'True' });
  // lastProbeTime is never set by the kubelet (null in the API).
  assert.ok(list.every((c) => c.lastProbeTime === null));
});

test('PodReadyToStartContainers follows the sandbox, with no reason when False', () => {
  const list = podConditions(inputs({ sandboxReady: false, statuses: [apiWaiting('app')] }));
  assert.deepEqual(cond(list, 'PodReadyToStartContainers'), {
    type: 'PodReadyToStartContainers',
    status: 'False',
  });
  const up = podConditions(inputs({ sandboxReady: true, statuses: [apiWaiting('app')] }));
  assert.deepEqual(cond(up, 'PodReadyToStartContainers'), {
    type: 'PodReadyToStartContainers',
    status: 'True',
  });
});

test('a pod without init containers is Initialized; unready containers are listed', () => {
  const pod = makePod('p', { containers: [ctr('web'), ctr('db')] });
  const list = podConditions(inputs({ pod, statuses: [apiWaiting('web'), apiRunning('db')] }));
  assert.deepEqual(cond(list, 'Initialized'), { type: 'Initialized', status: 'True' });
  const notReady = {
    status: 'False',
    reason: 'ContainersNotReady',
    message: 'containers with unready status: [web]',
  };
  assert.deepEqual(cond(list, 'ContainersReady'), { type: 'ContainersReady', ...notReady });
  assert.deepEqual(cond(list, 'Ready'), { type: 'Ready', ...notReady });
});

test('unknown and unready containers are reported together, unknown first', () => {
  const pod = makePod('p', { containers: [ctr('a'), ctr('b'), ctr('c')] });
  const list = podConditions(inputs({ pod, statuses: [apiWaiting('a'), apiWaiting('b')] }));
  assert.equal(
    cond(list, 'ContainersReady').message,
    'containers with unknown status: [c], containers with unready status: [a b]',
  );
});

test('init containers not yet complete make Initialized False with ContainersNotInitialized', () => {
  const pod = makePod('p', { initContainers: [ctr('i1'), ctr('i2')], containers: [ctr('app')] });
  const list = podConditions(
    inputs({
      pod,
      phase: 'Pending',
      initStatuses: [apiRunning('i1', { ready: false, started: false }), apiWaiting('i2', 'PodInitializing')],
      statuses: [apiWaiting('app', 'PodInitializing')],
    }),
  );
  assert.deepEqual(cond(list, 'Initialized'), {
    type: 'Initialized',
    status: 'False',
    reason: 'ContainersNotInitialized',
    message: 'containers with incomplete status: [i1 i2]',
  });
});

test('Initialized lists unknown init containers before incomplete ones, as the kubelet', () => {
  const pod = makePod('p', { initContainers: [ctr('i1'), ctr('i2')], containers: [ctr('app')] });
  const list = podConditions(
    inputs({
      pod,
      phase: 'Pending',
      initStatuses: [apiRunning('i1', { ready: false, started: false })],
      statuses: [apiWaiting('app', 'PodInitializing')],
    }),
  );
  assert.equal(
    cond(list, 'Initialized').message,
    'containers with unknown status: [i2], containers with incomplete status: [i1]',
  );
});

test('an init container that exited 0 (ready) counts as initialized', () => {
  const pod = makePod('p', { initContainers: [ctr('i1'), ctr('i2')], containers: [ctr('app')] });
  const list = podConditions(
    inputs({
      pod,
      phase: 'Pending',
      initStatuses: [apiTerminated('i1', 0, { ready: true }), apiRunning('i2', { ready: false })],
      statuses: [apiWaiting('app', 'PodInitializing')],
    }),
  );
  assert.equal(cond(list, 'Initialized').message, 'containers with incomplete status: [i2]');
});

test('a sidecar counts as initialized once started; sidecars are listed first for readiness', () => {
  const pod = makePod('p', { initContainers: [sidecar('side')], containers: [ctr('app')] });
  const notStarted = podConditions(
    inputs({
      pod,
      phase: 'Pending',
      initStatuses: [apiRunning('side', { started: false, ready: false })],
      statuses: [apiWaiting('app', 'PodInitializing')],
    }),
  );
  assert.equal(cond(notStarted, 'Initialized').message, 'containers with incomplete status: [side]');
  assert.equal(cond(notStarted, 'ContainersReady').message, 'containers with unready status: [side app]');

  const started = podConditions(
    inputs({
      pod,
      phase: 'Pending',
      initStatuses: [apiRunning('side', { started: true, ready: true })],
      statuses: [apiWaiting('app', 'PodInitializing')],
    }),
  );
  assert.deepEqual(cond(started, 'Initialized'), { type: 'Initialized', status: 'True' });
  assert.equal(cond(started, 'ContainersReady').message, 'containers with unready status: [app]');
});

test('a regular container that ran makes the pod Initialized even if init statuses are gone', () => {
  const pod = makePod('p', { initContainers: [ctr('i1')], containers: [ctr('app')] });
  const list = podConditions(
    inputs({ pod, initStatuses: [apiWaiting('i1', 'PodInitializing')], statuses: [apiRunning('app')] }),
  );
  assert.deepEqual(cond(list, 'Initialized'), { type: 'Initialized', status: 'True' });
});

test('no init statuses at all: UnknownContainerStatuses', () => {
  const pod = makePod('p', { initContainers: [ctr('i1')], containers: [ctr('app')] });
  const list = podConditions(
    inputs({ pod, phase: 'Pending', initStatuses: [], statuses: [apiWaiting('app')] }),
  );
  assert.deepEqual(cond(list, 'Initialized'), {
    type: 'Initialized',
    status: 'False',
    reason: 'UnknownContainerStatuses',
  });
});

test('gotcha 23: Succeeded pods are Initialized/PodCompleted and not ready with PodCompleted', () => {
  const pod = makePod('p', { restartPolicy: 'Never', initContainers: [ctr('i1')], containers: [ctr('app')] });
  const list = podConditions(
    inputs({
      pod,
      phase: 'Succeeded',
      sandboxReady: false,
      initStatuses: [apiTerminated('i1', 0, { ready: true })],
      statuses: [apiTerminated('app', 0)],
    }),
  );
  assert.deepEqual(cond(list, 'Initialized'), {
    type: 'Initialized',
    status: 'True',
    reason: 'PodCompleted',
  });
  assert.deepEqual(cond(list, 'ContainersReady'), {
    type: 'ContainersReady',
    status: 'False',
    reason: 'PodCompleted',
  });
  assert.deepEqual(cond(list, 'Ready'), { type: 'Ready', status: 'False', reason: 'PodCompleted' });
  assert.deepEqual(cond(list, 'PodReadyToStartContainers'), {
    type: 'PodReadyToStartContainers',
    status: 'False',
  });
});

test('gotcha 23: Succeeded without init containers is also Initialized/PodCompleted', () => {
  const list = podConditions(inputs({ phase: 'Succeeded', statuses: [apiTerminated('app', 0)] }));
  assert.deepEqual(cond(list, 'Initialized'), {
    type: 'Initialized',
    status: 'True',
    reason: 'PodCompleted',
  });
});

test('gotcha 23: Failed pods are not ready with PodFailed; Initialized stays plain True', () => {
  const list = podConditions(inputs({ phase: 'Failed', statuses: [apiTerminated('app', 1)] }));
  assert.deepEqual(cond(list, 'Initialized'), { type: 'Initialized', status: 'True' });
  assert.deepEqual(cond(list, 'ContainersReady'), {
    type: 'ContainersReady',
    status: 'False',
    reason: 'PodFailed',
  });
  assert.deepEqual(cond(list, 'Ready'), { type: 'Ready', status: 'False', reason: 'PodFailed' });
});

test('readiness gates: missing and not-True gate conditions hold Ready back', () => {
  const pod = {
    ...makePod('p', {
      containers: [ctr('app')],
      readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }],
    }),
    status: { conditions: [{ type: 'example.com/dns', status: 'False' }] },
  };
  const list = podConditions(inputs({ pod, statuses: [apiRunning('app')] }));
  assert.deepEqual(cond(list, 'ContainersReady'), { type: 'ContainersReady', status: 'True' });
  assert.deepEqual(cond(list, 'Ready'), {
    type: 'Ready',
    status: 'False',
    reason: 'ReadinessGatesNotReady',
    message:
      'corresponding condition of pod readiness gate "example.com/lb" does not exist., ' +
      'the status of pod readiness gate "example.com/dns" is not "True", but False',
  });
  // Conditions the kubelet does not own are kept, before its own.
  assert.equal(list[0]?.type, 'example.com/dns');
});

test('readiness gates all True: Ready', () => {
  const pod = {
    ...makePod('p', { containers: [ctr('app')], readinessGates: [{ conditionType: 'example.com/lb' }] }),
    status: { conditions: [{ type: 'example.com/lb', status: 'True' }] },
  };
  const list = podConditions(inputs({ pod, statuses: [apiRunning('app')] }));
  assert.deepEqual(cond(list, 'Ready'), { type: 'Ready', status: 'True' });
});

test('lastTransitionTime changes only when the status changes', () => {
  const before = '2026-01-01T00:00:00Z';
  const previous: PodCondition[] = [
    { type: 'Ready', status: 'False', lastTransitionTime: before },
    { type: 'PodScheduled', status: 'True', lastTransitionTime: before },
  ];
  const list = podConditions(inputs({ statuses: [apiRunning('app')], previous }));
  assert.equal(list.find((c) => c.type === 'Ready')?.lastTransitionTime, NOW);
  assert.equal(list.find((c) => c.type === 'PodScheduled')?.lastTransitionTime, before);
  assert.equal(list.find((c) => c.type === 'ContainersReady')?.lastTransitionTime, NOW);
});
