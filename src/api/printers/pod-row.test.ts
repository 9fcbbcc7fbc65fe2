import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podReadyColumn, podRestartsColumn, podStatusReason, podTableRow } from './pod-row.ts';
import { lifecycleScenarios } from './testdata/lifecycle-pods.ts';

const BASE = Date.UTC(2025, 0, 15, 12, 0, 0);

test('lifecycle scenarios: READY, STATUS and RESTARTS as printPod computes them', () => {
  for (const s of lifecycleScenarios(BASE)) {
    assert.deepEqual(
      {
        ready: podReadyColumn(s.pod),
        status: podStatusReason(s.pod),
        restarts: podRestartsColumn(s.pod, BASE),
      },
      s.expect,
      s.name,
    );
  }
});

test('lifecycle scenarios: the row is NAME READY STATUS RESTARTS AGE', () => {
  for (const s of lifecycleScenarios(BASE)) {
    const row = podTableRow(s.pod, BASE);
    assert.deepEqual(
      row,
      [s.pod.metadata?.name, s.expect.ready, s.expect.status, s.expect.restarts, '12m'],
      s.name,
    );
  }
});

function pod(
  spec: Partial<NonNullable<Pod['spec']>>,
  status: NonNullable<Pod['status']>,
  meta: Pod['metadata'] = {},
): Pod {
  return { metadata: { name: 'p', ...meta }, spec: { containers: [{ name: 'c' }], ...spec }, status };
}

const always = 'Always';

// Cases mirroring upstream printers_test.go (sidecars), expressed as our own pods.
test('sidecars: a running but not started sidecar keeps the pod initializing, with its restarts', () => {
  const p = pod(
    {
      initContainers: [
        { name: 'r1', restartPolicy: always },
        { name: 'r2', restartPolicy: always },
      ],
    },
    {
      phase: 'Pending',
      initContainerStatuses: [
        {
          name: 'r1',
          ready: false,
          restartCount: 3,
          started: false,
          image: '',
          imageID: '',
          state: { running: {} },
          lastState: { terminated: { exitCode: 1, finishedAt: new Date(BASE - 10_000).toISOString() } },
        },
        {
          name: 'r2',
          ready: false,
          restartCount: 0,
          started: false,
          image: '',
          imageID: '',
          state: { waiting: {} },
        },
      ],
      containerStatuses: [
        { name: 'c', ready: false, restartCount: 0, image: '', imageID: '', state: { waiting: {} } },
      ],
      conditions: [{ type: 'Initialized', status: 'False' }],
    },
  );
  assert.deepEqual(podTableRow(p, BASE), ['p', '0/3', 'Init:0/2', '3 (10s ago)', '<unknown>']);
  // Once the first sidecar has started, the second is the one waited for.
  const statuses = p.status?.initContainerStatuses ?? [];
  if (statuses[0] !== undefined) statuses[0].started = true;
  if (statuses[1] !== undefined) statuses[1].state = { running: {} };
  assert.deepEqual(podTableRow(p, BASE), ['p', '0/3', 'Init:1/2', '3 (10s ago)', '<unknown>']);
});

test('sidecars: after initialization restarts are sidecar plus app restarts, the newest termination wins', () => {
  const p = pod(
    {
      initContainers: [
        { name: 'r1', restartPolicy: always },
        { name: 'r2', restartPolicy: always },
      ],
    },
    {
      phase: 'Running',
      initContainerStatuses: [
        {
          name: 'r1',
          ready: false,
          restartCount: 3,
          started: true,
          image: '',
          imageID: '',
          state: { running: {} },
          lastState: { terminated: { exitCode: 1, finishedAt: new Date(BASE - 10_000).toISOString() } },
        },
        {
          name: 'r2',
          ready: false,
          restartCount: 0,
          started: true,
          image: '',
          imageID: '',
          state: { running: {} },
        },
      ],
      containerStatuses: [
        {
          name: 'c',
          ready: true,
          restartCount: 4,
          image: '',
          imageID: '',
          state: { running: {} },
          lastState: { terminated: { exitCode: 1, finishedAt: new Date(BASE - 20_000).toISOString() } },
        },
      ],
      conditions: [{ type: 'Initialized', status: 'True' }],
    },
  );
  assert.deepEqual(podTableRow(p, BASE), ['p', '1/3', 'Running', '7 (10s ago)', '<unknown>']);
});

test('sidecars killed at the end of a succeeded pod: Initialized=True lets Completed through', () => {
  const killed = { terminated: { exitCode: 137, reason: 'Error' } };
  const p = pod(
    {
      initContainers: [
        { name: 'r1', restartPolicy: always },
        { name: 'r2', restartPolicy: always },
      ],
    },
    {
      phase: 'Succeeded',
      initContainerStatuses: [
        {
          name: 'r1',
          ready: false,
          restartCount: 3,
          started: false,
          image: '',
          imageID: '',
          state: killed,
          lastState: { terminated: { exitCode: 1, finishedAt: new Date(BASE - 10_000).toISOString() } },
        },
        { name: 'r2', ready: false, restartCount: 0, started: false, image: '', imageID: '', state: killed },
      ],
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 4,
          image: '',
          imageID: '',
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
          lastState: { terminated: { exitCode: 1, finishedAt: new Date(BASE - 20_000).toISOString() } },
        },
      ],
      conditions: [{ type: 'Initialized', status: 'True' }],
    },
  );
  // Only r1 was visited by the init walk (it stopped at r1), so only its restarts count.
  assert.deepEqual(podTableRow(p, BASE), ['p', '0/3', 'Completed', '7 (10s ago)', '<unknown>']);
});

test('statuses for containers missing from the spec are walked like any other', () => {
  const p = pod(
    {
      initContainers: [{ name: 'init1' }, { name: 'sidecar1', restartPolicy: always }],
      containers: [{ name: 'c1' }],
    },
    {
      phase: 'Running',
      initContainerStatuses: [
        { name: 'initinvalid', ready: false, restartCount: 0, image: '', imageID: '' },
        { name: 'init1', ready: false, restartCount: 0, image: '', imageID: '' },
        { name: 'sidecar1', ready: false, restartCount: 0, image: '', imageID: '' },
      ],
      containerStatuses: [
        { name: 'containerinvalid', ready: false, restartCount: 0, image: '', imageID: '' },
        { name: 'c1', ready: false, restartCount: 0, image: '', imageID: '' },
      ],
    },
  );
  assert.deepEqual(podTableRow(p, BASE), ['p', '0/2', 'Init:0/2', '0', '<unknown>']);
});

test('wide cells: first pod IP, node, nominated node, readiness gates, and <none> for each when absent', () => {
  const p = pod(
    {
      containers: [{ name: 'a' }, { name: 'b' }],
      nodeName: 'n1',
      readinessGates: [{ conditionType: 'g1' }, { conditionType: 'g2' }, { conditionType: 'g3' }],
    },
    {
      phase: 'podPhase',
      podIPs: [{ ip: '1.1.1.1' }, { ip: '2001:db8::' }],
      nominatedNodeName: 'node1',
      conditions: [
        { type: 'g1', status: 'False' },
        { type: 'g2', status: 'True' },
      ],
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 3, image: '', imageID: '', state: { running: {} } },
        { name: 'b', ready: false, restartCount: 3, image: '', imageID: '' },
      ],
    },
  );
  assert.deepEqual(podTableRow(p, BASE, { wide: true }), [
    'p',
    '1/2',
    'podPhase',
    '6',
    '<unknown>',
    '1.1.1.1',
    'n1',
    'node1',
    '1/3',
  ]);
  const bare = pod({}, { phase: 'Pending' });
  assert.deepEqual(podTableRow(bare, BASE, { wide: true }).slice(5), [
    '<none>',
    '<none>',
    '<none>',
    '<none>',
  ]);
});

test('restarts without a recorded termination time print the bare number', () => {
  const p = pod(
    {},
    {
      phase: 'Running',
      containerStatuses: [
        { name: 'c', ready: true, restartCount: 2, image: '', imageID: '', state: { running: {} } },
      ],
    },
  );
  assert.equal(podRestartsColumn(p, BASE), '2');
});

test('terminating is not shown for pods that already finished', () => {
  const p = pod(
    {},
    {
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 0,
          image: '',
          imageID: '',
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
    },
    { name: 'p', deletionTimestamp: new Date(BASE).toISOString() },
  );
  assert.equal(podStatusReason(p), 'Completed');
});

test('a terminated container without reason but with a signal prints Signal:N', () => {
  const p = pod(
    {},
    {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 0,
          image: '',
          imageID: '',
          state: { terminated: { exitCode: 0, signal: 15 } },
        },
      ],
    },
  );
  assert.equal(podStatusReason(p), 'Signal:15');
});

test('status.reason (e.g. Evicted) is the starting point and containers may override it', () => {
  const evicted = pod(
    {},
    { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' },
  );
  assert.equal(podStatusReason(evicted), 'Evicted');
  const deadline = pod(
    {},
    {
      phase: 'Failed',
      reason: 'DeadlineExceeded',
      containerStatuses: [
        {
          name: 'c',
          ready: false,
          restartCount: 0,
          image: '',
          imageID: '',
          state: { terminated: { exitCode: 143, reason: 'Error' } },
        },
      ],
    },
  );
  assert.equal(podStatusReason(deadline), 'Error');
});
