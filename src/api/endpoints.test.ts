import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import {
  computeEndpointSubsets,
  computeSliceGroups,
  findPort,
  mirroredGroups,
  shouldPodBeInEndpoints,
  sliceGenerateName,
} from './endpoints.ts';

function svc(spec: Service['spec'] = {}, name = 'web'): Service {
  return {
    metadata: { name, namespace: 'default', uid: 'svc-uid', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: {
      selector: { app: 'web' },
      clusterIP: '10.96.0.20',
      ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }],
      ...spec,
    },
  };
}

interface PodOpts {
  ready?: boolean;
  ip?: string;
  phase?: string;
  deleting?: boolean;
  labels?: Record<string, string>;
  ports?: { name: string; containerPort: number; protocol?: string }[];
  namespace?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: {
      name,
      namespace: o.namespace ?? 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:01:00Z' } : {}),
    },
    spec: { nodeName: 'n1', containers: [{ name: 'c', ...(o.ports ? { ports: o.ports } : {}) }] },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip !== ''
        ? {
            podIP: o.ip ?? `10.87.0.${name.length + 10}`,
            podIPs: [{ ip: o.ip ?? `10.87.0.${name.length + 10}` }],
          }
        : {}),
      conditions: [
        {
          type: 'Ready',
          status: o.ready === false ? 'False' : 'True',
          lastTransitionTime: '2026-01-01T00:00:30Z',
        },
      ],
    },
  };
}

const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });

describe('Endpoints subsets', () => {
  test('ready pods are addresses, unready ones notReadyAddresses, with nodeName and targetRef', () => {
    const subsets = computeEndpointSubsets(svc(), [
      pod('a', { ip: '10.87.0.3' }),
      pod('b', { ip: '10.87.0.2', ready: false }),
      pod('c', { ip: '10.87.0.1' }),
    ]);
    assert.deepEqual(subsets, [
      {
        addresses: [
          { ip: '10.87.0.1', nodeName: 'n1', targetRef: ref('c') },
          { ip: '10.87.0.3', nodeName: 'n1', targetRef: ref('a') },
        ],
        notReadyAddresses: [{ ip: '10.87.0.2', nodeName: 'n1', targetRef: ref('b') }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  test('pods not selected, without an IP, terminal or terminating are left out', () => {
    const subsets = computeEndpointSubsets(svc(), [
      pod('other', { labels: { app: 'db' } }),
      pod('elsewhere', { namespace: 'team' }),
      pod('noip', { ip: '' }),
      pod('done', { phase: 'Succeeded' }),
      pod('failed', { phase: 'Failed' }),
      pod('leaving', { deleting: true }),
      pod('x', { ip: '10.87.0.9' }),
    ]);
    assert.deepEqual(subsets, [
      {
        addresses: [{ ip: '10.87.0.9', nodeName: 'n1', targetRef: ref('x') }],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  });

  test('publishNotReadyAddresses: everyone, terminating pods too, is an address', () => {
    const subsets = computeEndpointSubsets(svc({ publishNotReadyAddresses: true }), [
      pod('a', { ip: '10.87.0.1', ready: false }),
      pod('b', { ip: '10.87.0.2', deleting: true }),
    ]);
    assert.equal(subsets.length, 1);
    assert.deepEqual(
      subsets[0]?.addresses?.map((a) => a.ip),
      ['10.87.0.1', '10.87.0.2'],
    );
    assert.equal(subsets[0]?.notReadyAddresses, undefined);
  });

  test('named target ports are resolved per pod; a pod without the name is skipped for that port', () => {
    const s = svc({
      ports: [
        { name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    });
    const subsets = computeEndpointSubsets(s, [
      pod('a', { ip: '10.87.0.1', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', { ip: '10.87.0.2', ports: [{ name: 'web', containerPort: 8081 }] }),
      pod('c', { ip: '10.87.0.3', ports: [{ name: 'other', containerPort: 1 }] }),
      pod('d', { ip: '10.87.0.4', ports: [{ name: 'web', containerPort: 8080, protocol: 'UDP' }] }),
    ]);
    // Repacked: each subset is one set of addresses with all the ports they share.
    const view = subsets.map((x) => [
      x.addresses?.map((a) => a.ip),
      x.ports?.map((p) => `${p.name}:${p.port}`),
    ]);
    assert.deepEqual(view, [
      [['10.87.0.1'], ['http:8080']],
      [['10.87.0.1', '10.87.0.2', '10.87.0.3', '10.87.0.4'], ['metrics:9090']],
      [['10.87.0.2'], ['http:8081']],
    ]);
  });

  test('a headless Service without ports lists addresses only; with ports as any other', () => {
    const headless = svc({ clusterIP: 'None', ports: [] });
    assert.deepEqual(computeEndpointSubsets(headless, [pod('a', { ip: '10.87.0.1' })]), [
      { addresses: [{ ip: '10.87.0.1', nodeName: 'n1', targetRef: ref('a') }] },
    ]);
    // A ClusterIP Service without ports has nothing to list.
    assert.deepEqual(computeEndpointSubsets(svc({ ports: [] }), [pod('a', { ip: '10.87.0.1' })]), []);
  });

  test('hostname is set when the pod names the Service as its subdomain', () => {
    const p = pod('a', { ip: '10.87.0.1' });
    p.spec = { ...p.spec, containers: p.spec?.containers ?? [], hostname: 'a-host', subdomain: 'web' };
    assert.equal(computeEndpointSubsets(svc(), [p])[0]?.addresses?.[0]?.hostname, 'a-host');
  });

  test('no selector, no endpoints', () => {
    const s = svc();
    delete (s.spec as { selector?: unknown }).selector;
    assert.deepEqual(computeEndpointSubsets(s, [pod('a')]), []);
    assert.deepEqual(computeEndpointSubsets(svc({ selector: {} }), [pod('a')]), []);
  });
});

describe('helpers', () => {
  test('findPort: numbers, numeric strings, names with protocol, sidecar ports', () => {
    const p = pod('a', { ports: [{ name: 'web', containerPort: 8080 }] });
    p.spec = {
      ...p.spec,
      containers: p.spec?.containers ?? [],
      initContainers: [
        { name: 'side', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] },
        { name: 'init', ports: [{ name: 'once', containerPort: 1 }] },
      ],
    };
    assert.equal(findPort(p, { port: 80 }), 80);
    assert.equal(findPort(p, { port: 80, targetPort: 81 }), 81);
    assert.equal(findPort(p, { port: 80, targetPort: 'web' }), 8080);
    assert.equal(findPort(p, { port: 80, targetPort: 'web', protocol: 'UDP' }), undefined);
    assert.equal(findPort(p, { port: 80, targetPort: 'proxy' }), 15001);
    assert.equal(findPort(p, { port: 80, targetPort: 'once' }), undefined);
  });

  test('shouldPodBeInEndpoints', () => {
    assert.equal(shouldPodBeInEndpoints(pod('a', { phase: 'Pending' }), false), true);
    assert.equal(shouldPodBeInEndpoints(pod('a', { deleting: true }), false), false);
    assert.equal(shouldPodBeInEndpoints(pod('a', { deleting: true }), true), true);
    assert.equal(shouldPodBeInEndpoints(pod('a', { phase: 'Failed' }), true), false);
  });

  test('slice name prefix', () => {
    assert.equal(sliceGenerateName('web'), 'web-');
    assert.equal(sliceGenerateName('a'.repeat(253)), 'a'.repeat(253));
  });
});

describe('EndpointSlice groups', () => {
  test('conditions: ready = serving and not terminating; terminating pods stay', () => {
    const [g] = computeSliceGroups(svc(), [
      pod('a', { ip: '10.87.0.1' }),
      pod('b', { ip: '10.87.0.2', ready: false }),
      pod('c', { ip: '10.87.0.3', deleting: true }),
      pod('d', { ip: '10.87.0.4', phase: 'Succeeded' }),
    ]);
    assert.deepEqual(g?.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
    assert.equal(g?.addressType, 'IPv4');
    assert.deepEqual(
      g?.endpoints.map((e) => [e.addresses[0], e.conditions]),
      [
        ['10.87.0.1', { ready: true, serving: true, terminating: false }],
        ['10.87.0.2', { ready: false, serving: false, terminating: false }],
        ['10.87.0.3', { ready: false, serving: true, terminating: true }],
      ],
    );
    assert.deepEqual(g?.endpoints[0], {
      addresses: ['10.87.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'n1',
      targetRef: ref('a'),
    });
  });

  test('publishNotReadyAddresses makes every endpoint ready', () => {
    const [g] = computeSliceGroups(svc({ publishNotReadyAddresses: true }), [
      pod('b', { ready: false }),
      pod('c', { deleting: true }),
    ]);
    assert.deepEqual(
      g?.endpoints.map((e) => e.conditions?.ready),
      [true, true],
    );
  });

  test('a pod missing a named port goes to a group with the ports it has', () => {
    const s = svc({ ports: [{ name: 'http', port: 80, targetPort: 'web', protocol: 'TCP' }] });
    const groups = computeSliceGroups(s, [
      pod('a', { ip: '10.87.0.1', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', { ip: '10.87.0.2' }),
    ]);
    assert.deepEqual(
      groups.map((g) => [g.ports, g.endpoints.map((e) => e.addresses[0])]),
      [
        [[{ name: 'http', port: 8080, protocol: 'TCP' }], ['10.87.0.1']],
        [[], ['10.87.0.2']],
      ],
    );
  });

  test('mirroring: ready and not ready addresses under the subset ports, split by family, once each', () => {
    const ep: Endpoints = {
      metadata: { name: 'kube-dns', namespace: 'kube-system' },
      subsets: [
        {
          addresses: [{ ip: '10.87.0.1' }, { ip: 'fd00::1' }, { ip: 'not-an-ip' }],
          notReadyAddresses: [{ ip: '10.87.0.2', nodeName: 'n1' }],
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53, protocol: 'TCP' },
          ],
        },
        {
          addresses: [{ ip: '10.87.0.1' }],
          ports: [
            { name: 'dns-tcp', port: 53, protocol: 'TCP' },
            { name: 'dns', port: 53, protocol: 'UDP' },
          ],
        },
      ],
    };
    const groups = mirroredGroups(ep);
    assert.deepEqual(
      groups.map((g) => [g.addressType, g.endpoints]),
      [
        [
          'IPv4',
          [
            { addresses: ['10.87.0.1'], conditions: { ready: true } },
            { addresses: ['10.87.0.2'], conditions: { ready: false }, nodeName: 'n1' },
          ],
        ],
        ['IPv6', [{ addresses: ['fd00::1'], conditions: { ready: true } }]],
      ],
    );
  });
});
