import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import {
  defaultTableObject,
  eventTableObject,
  namespaceTableObject,
  nodeTableObject,
  podTableObject,
  tableObjectFor,
} from './table-objects.ts';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const iso = (offsetMs: number): string => new Date(NOW + offsetMs).toISOString().replace('.000Z', 'Z');

const pod: Pod = {
  metadata: {
    name: 'web',
    namespace: 'default',
    uid: 'u',
    resourceVersion: '7',
    creationTimestamp: iso(-300_000),
    labels: { app: 'web' },
  },
  spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'nginx' }] },
  status: {
    phase: 'Running',
    podIPs: [{ ip: '10.0.0.5' }],
    containerStatuses: [
      { name: 'c', ready: true, restartCount: 0, image: 'nginx', imageID: '', state: { running: {} } },
    ],
  },
};

function columns(table: {
  columnDefinitions: Array<{ name: string; type: string; format: string; priority: number }> | null;
}) {
  return (table.columnDefinitions ?? []).map((c) => [c.name, c.type, c.format, c.priority]);
}

test('pod Table: the 1.32 apiserver columns, wide cells always, PartialObjectMetadata by default', () => {
  const t = podTableObject([pod], NOW, { resourceVersion: '42' });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '42' });
  assert.deepEqual(columns(t), [
    ['Name', 'string', 'name', 0],
    ['Ready', 'string', '', 0],
    ['Status', 'string', '', 0],
    ['Restarts', 'string', '', 0],
    ['Age', 'string', '', 0],
    ['IP', 'string', '', 1],
    ['Node', 'string', '', 1],
    ['Nominated Node', 'string', '', 1],
    ['Readiness Gates', 'string', '', 1],
  ]);
  assert.equal(
    t.columnDefinitions?.[1]?.description,
    'The aggregate readiness state of this pod for accepting traffic.',
  );
  assert.match(t.columnDefinitions?.[0]?.description ?? '', /^Name must be unique within a namespace\./);
  assert.deepEqual(t.rows[0]?.cells, [
    'web',
    '1/1',
    'Running',
    '0',
    '5m',
    '10.0.0.5',
    'node-1',
    '<none>',
    '<none>',
  ]);
  assert.deepEqual(t.rows[0]?.object, {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: pod.metadata,
  });
  assert.equal('conditions' in (t.rows[0] ?? {}), false);
});

test('includeObject: Object carries the full object with kind and apiVersion first, None a null', () => {
  const full = podTableObject([pod], NOW, { includeObject: 'Object' }).rows[0]?.object as Record<
    string,
    unknown
  >;
  assert.deepEqual(Object.keys(full).slice(0, 2), ['kind', 'apiVersion']);
  assert.equal(full['kind'], 'Pod');
  assert.equal(full['apiVersion'], 'v1');
  assert.deepEqual(full['status'], pod.status);
  const none = podTableObject([pod], NOW, { includeObject: 'None' });
  assert.equal(none.rows[0]?.object, null);
  assert.match(JSON.stringify(none), /"object":null/);
});

test('noHeaders leaves the column definitions out as null, as watch events after the first do', () => {
  const t = podTableObject([pod], NOW, { noHeaders: true });
  assert.equal(t.columnDefinitions, null);
  assert.match(JSON.stringify(t), /"columnDefinitions":null/);
  assert.deepEqual(podTableObject([], NOW).rows, []);
});

test('finished pods get a Completed row condition', () => {
  const done: Pod = { ...pod, status: { phase: 'Succeeded' } };
  const failed: Pod = { ...pod, status: { phase: 'Failed' } };
  assert.deepEqual(podTableObject([done], NOW).rows[0]?.conditions, [
    {
      type: 'Completed',
      status: 'True',
      reason: 'Succeeded',
      message: 'The pod has completed successfully.',
    },
  ]);
  assert.deepEqual(podTableObject([failed], NOW).rows[0]?.conditions, [
    { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
  ]);
});

test('event Table: string columns but an integer Count cell, wide order, sources and objects', () => {
  const event: Event = {
    metadata: { name: 'web.17a', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web', fieldPath: 'spec.containers{c}' },
    reason: 'BackOff',
    message: '  Back-off restarting failed container c  \n',
    type: 'Warning',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: iso(-600_000),
    lastTimestamp: iso(-30_000),
    count: 12,
  };
  const t = eventTableObject([event], NOW);
  assert.deepEqual(columns(t), [
    ['Last Seen', 'string', '', 0],
    ['Type', 'string', '', 0],
    ['Reason', 'string', '', 0],
    ['Object', 'string', '', 0],
    ['Subobject', 'string', '', 1],
    ['Source', 'string', '', 1],
    ['Message', 'string', '', 0],
    ['First Seen', 'string', '', 1],
    ['Count', 'string', '', 1],
    ['Name', 'string', 'name', 1],
  ]);
  assert.deepEqual(t.rows[0]?.cells, [
    '30s',
    'Warning',
    'BackOff',
    'pod/web',
    'spec.containers{c}',
    'kubelet, node-1',
    'Back-off restarting failed container c',
    '10m',
    12,
    'web.17a',
  ]);
  // events.k8s.io-style: eventTime and series, reporting fields instead of source.
  const series: Event = {
    metadata: { name: 'n.1' },
    involvedObject: { kind: 'Node' },
    reason: 'Checked',
    eventTime: new Date(NOW - 3_600_000).toISOString().replace('Z', '000Z'),
    series: { count: 4, lastObservedTime: new Date(NOW - 90_000).toISOString().replace('Z', '000Z') },
    reportingComponent: 'checker',
    reportingInstance: 'node-1',
  };
  assert.deepEqual(eventTableObject([series], NOW).rows[0]?.cells, [
    '90s',
    '',
    'Checked',
    'node',
    '',
    'checker, node-1',
    '',
    '60m',
    4,
    'n.1',
  ]);
  // A singleton without count counts as 1; without any time it is <unknown>.
  const bare: Event = {
    metadata: { name: 'x' },
    involvedObject: { kind: 'Pod', name: 'p' },
    source: { component: 'c' },
  };
  assert.deepEqual(eventTableObject([bare], NOW).rows[0]?.cells.slice(7), ['<unknown>', 1, 'x']);
  assert.equal(eventTableObject([bare], NOW).rows[0]?.cells[0], '<unknown>');
});

test('namespace and node Tables', () => {
  const ns = namespaceTableObject(
    [{ metadata: { name: 'default', creationTimestamp: iso(-86_400_000 * 3) }, status: { phase: 'Active' } }],
    NOW,
  );
  assert.deepEqual(columns(ns), [
    ['Name', 'string', 'name', 0],
    ['Status', 'string', '', 0],
    ['Age', 'string', '', 0],
  ]);
  assert.deepEqual(ns.rows[0]?.cells, ['default', 'Active', '3d']);
  const node = nodeTableObject(
    [
      {
        metadata: {
          name: 'n1',
          creationTimestamp: iso(-3_600_000),
          labels: {
            'node-role.kubernetes.io/worker': '',
            'kubernetes.io/role': 'edge',
            'node-role.kubernetes.io/': '',
          },
        },
        spec: { unschedulable: true },
        status: {
          conditions: [{ type: 'Ready', status: 'False' }],
          nodeInfo: { kubeletVersion: 'v1.32.4' } as never,
        },
      },
    ],
    NOW,
  );
  assert.deepEqual(
    columns(node).map((c) => c[0]),
    [
      'Name',
      'Status',
      'Roles',
      'Age',
      'Version',
      'Internal-IP',
      'External-IP',
      'OS-Image',
      'Kernel-Version',
      'Container-Runtime',
    ],
  );
  assert.deepEqual(node.rows[0]?.cells, [
    'n1',
    'NotReady,SchedulingDisabled',
    'edge,worker',
    '60m',
    'v1.32.4',
    '<none>',
    '<none>',
    '<unknown>',
    '<unknown>',
    '<unknown>',
  ]);
  assert.equal(nodeTableObject([{ metadata: { name: 'n2' } }], NOW).rows[0]?.cells[1], 'Unknown');
});

test('kinds without a printer get the default convertor: Name and an RFC3339 "date" Created At', () => {
  const cm = { metadata: { name: 'cfg', creationTimestamp: '2025-01-15T11:00:00Z' } };
  const t = defaultTableObject([cm], 'ConfigMap', 'v1');
  assert.deepEqual(columns(t), [
    ['Name', 'string', 'name', 0],
    ['Created At', 'date', '', 0],
  ]);
  assert.deepEqual(t.rows[0]?.cells, ['cfg', '2025-01-15T11:00:00Z']);
  assert.deepEqual(
    defaultTableObject([{ metadata: { name: 'x' } }], 'Thing', 'example.com/v1').rows[0]?.cells,
    ['x', '0001-01-01T00:00:00Z'],
  );
  assert.deepEqual(
    tableObjectFor('Lease', 'coordination.k8s.io/v1', [cm], NOW).columnDefinitions?.map((c) => c.name),
    ['Name', 'Created At'],
  );
  assert.equal(tableObjectFor('Pod', 'v1', [pod], NOW).columnDefinitions?.length, 9);
  assert.equal(tableObjectFor('Event', 'v1', [], NOW).columnDefinitions?.length, 10);
});
