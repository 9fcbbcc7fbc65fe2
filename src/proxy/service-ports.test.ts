import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointsFor, servicePorts } from './service-ports.ts';
import { service, slice } from './test-objects.ts';

describe('endpointsFor', () => {
  test('ready endpoints only; a missing ready counts as ready; sorted by address', () => {
    const s = slice(
      'web',
      [{ name: 'http', port: 8080 }],
      [{ ip: '10.87.0.10', ready: true }, { ip: '10.87.0.9' }, { ip: '10.87.0.2', ready: false }],
    );
    assert.deepEqual(endpointsFor([s], 'http', 'TCP'), [
      { ip: '10.87.0.9', port: 8080 },
      { ip: '10.87.0.10', port: 8080 },
    ]);
  });

  test('the port is matched by name and protocol', () => {
    const s = slice(
      'dns',
      [
        { name: 'dns', port: 5353, protocol: 'UDP' },
        { name: 'dns-tcp', port: 5354, protocol: 'TCP' },
      ],
      [{ ip: '10.87.0.3', ready: true }],
    );
    assert.deepEqual(endpointsFor([s], 'dns', 'UDP'), [{ ip: '10.87.0.3', port: 5353 }]);
    assert.deepEqual(endpointsFor([s], 'dns', 'TCP'), []);
    assert.deepEqual(endpointsFor([s], 'dns-tcp', 'TCP'), [{ ip: '10.87.0.3', port: 5354 }]);
  });

  test('serving terminating endpoints are used only when none is ready', () => {
    const term = { ip: '10.87.0.4', ready: false, serving: true, terminating: true };
    assert.deepEqual(endpointsFor([slice('a', [{ port: 80 }], [term])], '', 'TCP'), [
      { ip: '10.87.0.4', port: 80 },
    ]);
    assert.deepEqual(
      endpointsFor([slice('a', [{ port: 80 }], [term, { ip: '10.87.0.5', ready: true }])], '', 'TCP'),
      [{ ip: '10.87.0.5', port: 80 }],
    );
    assert.deepEqual(
      endpointsFor([slice('a', [{ port: 80 }], [{ ...term, serving: false }])], '', 'TCP'),
      [],
    );
  });

  test('endpoints in several slices are merged without duplicates; IPv6 slices are skipped', () => {
    const a = slice('a', [{ port: 80 }], [{ ip: '10.87.0.5' }], 'a-1');
    const b = slice('a', [{ port: 80 }], [{ ip: '10.87.0.5' }, { ip: '10.87.0.6' }], 'a-2');
    const v6: EndpointSlice = {
      ...slice('a', [{ port: 80 }], [{ ip: 'fd00::1' }], 'a-3'),
      addressType: 'IPv6',
    };
    assert.deepEqual(endpointsFor([a, b, v6], '', 'TCP'), [
      { ip: '10.87.0.5', port: 80 },
      { ip: '10.87.0.6', port: 80 },
    ]);
  });
});

describe('servicePorts', () => {
  test('headless, ExternalName and IP-less services give nothing', () => {
    const out = servicePorts(
      [
        service('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
        service('ext', { type: 'ExternalName', externalName: 'example.com' }),
        service('pending', { ports: [{ port: 80 }] }),
      ],
      [slice('headless', [{ port: 80 }], [{ ip: '10.87.0.5' }])],
    );
    assert.deepEqual(out, []);
  });

  test('each port of a service, with its endpoints, nodePort and affinity', () => {
    const out = servicePorts(
      [
        service('web', {
          type: 'NodePort',
          clusterIP: '10.96.0.20',
          sessionAffinity: 'ClientIP',
          ports: [
            { name: 'http', port: 80, nodePort: 30080 },
            { name: 'metrics', port: 9090, protocol: 'TCP', nodePort: 30090 },
          ],
        }),
        service('web', { clusterIP: '10.96.0.30', ports: [{ port: 80, nodePort: 30000 }] }, 'other'),
      ],
      [
        slice(
          'web',
          [
            { name: 'http', port: 8080 },
            { name: 'metrics', port: 9090 },
          ],
          [{ ip: '10.87.0.5' }],
        ),
      ],
    );
    assert.deepEqual(
      out.map((p) => [p.servicePortName, p.clusterIP, p.port, p.nodePort, p.affinitySeconds, p.endpoints]),
      [
        ['default/web:http', '10.96.0.20', 80, 30080, 10800, [{ ip: '10.87.0.5', port: 8080 }]],
        ['default/web:metrics', '10.96.0.20', 9090, 30090, 10800, [{ ip: '10.87.0.5', port: 9090 }]],
        // A ClusterIP service's nodePort (none should be set) is ignored; another namespace's slice is not its own.
        ['other/web', '10.96.0.30', 80, undefined, undefined, []],
      ],
    );
  });

  test('a ClientIP timeout from sessionAffinityConfig', () => {
    const [p] = servicePorts(
      [
        service('s', {
          clusterIP: '10.96.0.5',
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
          ports: [{ port: 80 }],
        }),
      ],
      [],
    );
    assert.equal(p?.affinitySeconds, 60);
  });
});
