import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { configMapTableRow, runtimeClassTableRow, secretTableRow } from './config-rows.ts';
import { endpointsTableRow, formatEndpoints } from './endpoints-row.ts';
import { endpointSliceTableRow } from './endpointslice-row.ts';
import { serviceTableRow } from './service-row.ts';

const NOW = Date.parse('2025-01-15T12:00:00Z');
const created = '2025-01-15T11:00:00Z';
const svc = (spec: NonNullable<Service['spec']>, status?: Service['status']): Service => ({
  metadata: { name: 's', creationTimestamp: created },
  spec,
  ...(status ? { status } : {}),
});

test('Service rows: the forms of TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S), SELECTOR', () => {
  assert.deepEqual(
    serviceTableRow(
      svc({
        type: 'ClusterIP',
        clusterIPs: ['10.96.0.5'],
        ports: [{ port: 80, protocol: 'TCP' }],
        selector: { b: '2', a: '1' },
      }),
      NOW,
      { wide: true },
    ),
    ['s', 'ClusterIP', '10.96.0.5', '<none>', '80/TCP', '60m', 'a=1,b=2'],
  );
  assert.deepEqual(
    serviceTableRow(
      svc({
        type: 'NodePort',
        clusterIPs: ['10.96.0.6'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, nodePort: 30053, protocol: 'UDP' },
        ],
      }),
      NOW,
    ),
    ['s', 'NodePort', '10.96.0.6', '<none>', '80:30080/TCP,53:30053/UDP', '60m'],
  );
  assert.deepEqual(
    serviceTableRow(svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }), NOW, { wide: true }),
    ['s', 'ClusterIP', 'None', '<none>', '<none>', '60m', '<none>'],
  );
  assert.equal(serviceTableRow(svc({ type: 'LoadBalancer', ports: [] }), NOW)[3], '<pending>');
  assert.equal(
    serviceTableRow(
      svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } }),
      NOW,
    )[3],
    '192.0.2.1',
  );
  assert.deepEqual(
    serviceTableRow(svc({ type: 'ExternalName', externalName: 'example.com' }), NOW).slice(1, 5),
    ['ExternalName', '<none>', 'example.com', '<none>'],
  );
  assert.equal(
    serviceTableRow(svc({ type: 'ClusterIP', externalIPs: ['192.0.2.7', '192.0.2.8'] }), NOW)[3],
    '192.0.2.7,192.0.2.8',
  );
});

test('Endpoints rows: ip:port pairs, three at most, <none> without subsets, bare IPs without ports', () => {
  const ep = (subsets: Endpoints['subsets']): Endpoints => ({
    metadata: { name: 'e', creationTimestamp: created },
    ...(subsets ? { subsets } : {}),
  });
  assert.deepEqual(endpointsTableRow(ep(undefined), NOW), ['e', '<none>', '60m']);
  assert.equal(
    formatEndpoints(ep([{ addresses: [{ ip: '10.87.0.5' }, { ip: '10.87.0.6' }], ports: [{ port: 80 }] }])),
    '10.87.0.5:80,10.87.0.6:80',
  );
  assert.equal(
    formatEndpoints(
      ep([
        {
          addresses: ['1', '2', '3', '4', '5'].map((n) => ({ ip: `10.87.0.${n}` })),
          ports: [{ port: 80 }, { port: 443 }],
        },
      ]),
    ),
    '10.87.0.1:80,10.87.0.2:80,10.87.0.3:80 + 7 more...',
  );
  assert.equal(formatEndpoints(ep([{ addresses: [{ ip: '10.87.0.9' }] }])), '10.87.0.9');
  // Only not-ready addresses: an empty cell, as kubectl shows it.
  assert.equal(
    formatEndpoints(ep([{ notReadyAddresses: [{ ip: '10.87.0.9' }], ports: [{ port: 80 }] }])),
    '',
  );
  assert.equal(
    formatEndpoints(ep([{ addresses: [{ ip: 'fd00::1' }], ports: [{ port: 80 }] }])),
    '[fd00::1]:80',
  );
});

test('EndpointSlice rows: ports and addresses, <unset> when empty', () => {
  const slice: EndpointSlice = {
    metadata: { name: 'web-x', creationTimestamp: created },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.87.0.1', '10.87.0.2'] }, { addresses: ['10.87.0.3', '10.87.0.4'] }],
    ports: [{ port: 80 }, { name: 'named' }],
  };
  assert.deepEqual(endpointSliceTableRow(slice, NOW), [
    'web-x',
    'IPv4',
    '80,named',
    '10.87.0.1,10.87.0.2,10.87.0.3 + 1 more...',
    '60m',
  ]);
  assert.deepEqual(
    endpointSliceTableRow({ metadata: { name: 'e' }, addressType: 'IPv4', endpoints: [] }, NOW).slice(2, 4),
    ['<unset>', '<unset>'],
  );
});

test('ConfigMap, Secret and RuntimeClass rows count keys as integers', () => {
  assert.deepEqual(
    configMapTableRow(
      { metadata: { name: 'c', creationTimestamp: created }, data: { a: '' }, binaryData: { b: '' } },
      NOW,
    ),
    ['c', 2, '60m'],
  );
  assert.deepEqual(
    secretTableRow(
      {
        metadata: { name: 's', creationTimestamp: created },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': '', 'tls.key': '' },
      },
      NOW,
    ),
    ['s', 'kubernetes.io/tls', 2, '60m'],
  );
  assert.deepEqual(
    runtimeClassTableRow({ metadata: { name: 'oci', creationTimestamp: created }, handler: 'oci' }, NOW),
    ['oci', 'oci', '60m'],
  );
});
