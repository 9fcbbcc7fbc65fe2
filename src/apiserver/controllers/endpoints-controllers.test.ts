import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { MemoryStore } from '../../store/memory-store.ts';
import { FakeClock } from '../../testing/fake-clock.ts';
import { EndpointsController } from './endpoints-controller.ts';
import { EndpointSliceController } from './endpointslice-controller.ts';
import { EndpointSliceMirroringController } from './endpointslice-mirroring.ts';
import { planSlices } from './endpointslice-reconcile.ts';
import { SYNC_RETRY_MS } from './service-watch.ts';

const NOW = Date.parse('2026-12-03T12:00:00Z');

function service(name: string, spec: Service['spec'], labels?: Record<string, string>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'default',
      uid: `svc-${name}`,
      creationTimestamp: '2026-12-03T11:00:00Z',
      ...(labels ? { labels } : {}),
    },
    spec: {
      clusterIP: '10.96.0.20',
      ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }],
      ...spec,
    },
  };
}

function pod(
  name: string,
  ip: string | undefined,
  ready: boolean,
  labels: Record<string, string> = { app: 'web' },
): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels },
    spec: { nodeName: 'n1', containers: [{ name: 'c' }] },
    status: {
      phase: 'Running',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: '2026-12-03T11:30:00Z' },
      ],
    },
  };
}

const key = (resource: string, name: string, namespace = 'default') => ({ resource, namespace, name });

function setup(): { store: MemoryStore; clock: FakeClock; writes: string[] } {
  const store = new MemoryStore();
  const clock = new FakeClock(NOW);
  const writes: string[] = [];
  store.watch('endpoints', {}, (e) => writes.push(`endpoints ${e.type} ${e.object.metadata?.name ?? ''}`));
  store.watch('endpointslices', {}, (e) => writes.push(`endpointslices ${e.type}`));
  return { store, clock, writes };
}

function setReady(store: MemoryStore, name: string, ready: boolean, at: string): void {
  const p = store.get<Pod>(key('pods', name));
  assert.ok(p);
  store.update(key('pods', name), {
    ...p,
    status: {
      ...p.status,
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at }],
    },
  });
}

function slicesOf(store: MemoryStore, svc: string): EndpointSlice[] {
  return store
    .list<EndpointSlice>('endpointslices')
    .items.filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === svc);
}

describe('endpoints controller', () => {
  test('keeps Endpoints in step with pods: ready, not ready, leaving; writes only on change', () => {
    const { store, clock, writes } = setup();
    const c = new EndpointsController({ store, clock, uid: () => 'ep-uid' });
    store.create(key('services', 'web'), service('web', { selector: { app: 'web' } }, { tier: 'front' }));
    store.create(key('pods', 'a'), pod('a', '10.87.0.5', true));
    c.start();
    let ep = store.get<Endpoints>(key('endpoints', 'web'));
    assert.deepEqual(ep?.metadata?.labels, { tier: 'front' });
    assert.equal(ep?.metadata?.uid, 'ep-uid');
    assert.equal(ep?.metadata?.creationTimestamp, '2026-12-03T12:00:00Z');
    // First sync of a Service: its creation is the trigger.
    assert.equal(
      ep?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'],
      '2026-12-03T11:00:00Z',
    );
    assert.deepEqual(ep?.subsets, [
      {
        addresses: [
          {
            ip: '10.87.0.5',
            nodeName: 'n1',
            targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' },
          },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);

    // A pod without an IP yet changes nothing; once it has one it is not ready.
    store.create(key('pods', 'b'), pod('b', undefined, false));
    const before = writes.length;
    const b = store.get<Pod>(key('pods', 'b'));
    assert.ok(b);
    store.update(key('pods', 'b'), {
      ...b,
      status: { ...b.status, podIP: '10.87.0.6', podIPs: [{ ip: '10.87.0.6' }] },
    });
    ep = store.get<Endpoints>(key('endpoints', 'web'));
    assert.deepEqual(
      ep?.subsets?.[0]?.notReadyAddresses?.map((x) => x.ip),
      ['10.87.0.6'],
    );
    assert.equal(writes.length, before + 1);

    // Its readiness probe passes: it moves to addresses; the trigger is the Ready transition.
    setReady(store, 'b', true, '2026-12-03T11:45:00.5Z');
    ep = store.get<Endpoints>(key('endpoints', 'web'));
    assert.deepEqual(
      ep?.subsets?.[0]?.addresses?.map((x) => x.ip),
      ['10.87.0.5', '10.87.0.6'],
    );
    assert.equal(ep?.subsets?.[0]?.notReadyAddresses, undefined);
    assert.equal(
      ep?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'],
      '2026-12-03T11:45:00.5Z',
    );

    // A status write that changes nothing endpoints are made of writes nothing.
    const n = writes.length;
    const a = store.get<Pod>(key('pods', 'a'));
    assert.ok(a);
    store.update(key('pods', 'a'), { ...a, status: { ...a.status, containerStatuses: [] } });
    store.update(key('services', 'web'), { ...store.get<Service>(key('services', 'web')) });
    assert.equal(writes.length, n, 'no write storm');

    // Terminating pods leave; a pod whose labels no longer match leaves.
    const a2 = store.get<Pod>(key('pods', 'a'));
    assert.ok(a2);
    store.update(key('pods', 'a'), {
      ...a2,
      metadata: { ...a2.metadata, deletionTimestamp: '2026-12-03T12:00:30Z' },
    });
    const b2 = store.get<Pod>(key('pods', 'b'));
    assert.ok(b2);
    store.update(key('pods', 'b'), { ...b2, metadata: { ...b2.metadata, labels: { app: 'other' } } });
    ep = store.get<Endpoints>(key('endpoints', 'web'));
    assert.equal(ep?.subsets, undefined);

    // The Service goes: so do its Endpoints.
    store.delete(key('services', 'web'));
    assert.equal(store.get(key('endpoints', 'web')), undefined);
    c.stop();
    assert.equal(clock.timers, 0);
  });

  test('selector-less Services keep their user-written Endpoints; deleted Endpoints come back', () => {
    const { store, clock } = setup();
    const c = new EndpointsController({ store, clock });
    c.start();
    store.create(key('services', 'ext'), service('ext', {}));
    const manual: Endpoints = {
      metadata: { name: 'ext', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }],
    };
    store.create(key('endpoints', 'ext'), manual);
    store.create(key('pods', 'a'), pod('a', '10.87.0.5', true));
    assert.deepEqual(store.get<Endpoints>(key('endpoints', 'ext'))?.subsets, manual.subsets);

    store.create(key('services', 'web'), service('web', { selector: { app: 'web' } }));
    store.delete(key('endpoints', 'web'));
    assert.ok(store.get(key('endpoints', 'web')), 'recreated');
    c.stop();
  });

  test('headless Services are labelled; ExternalName Services get nothing', () => {
    const { store, clock } = setup();
    const c = new EndpointsController({ store, clock });
    c.start();
    store.create(key('pods', 'a'), pod('a', '10.87.0.5', false));
    store.create(key('services', 'h'), service('h', { selector: { app: 'web' }, clusterIP: 'None' }));
    const ep = store.get<Endpoints>(key('endpoints', 'h'));
    assert.deepEqual(ep?.metadata?.labels, { 'service.kubernetes.io/headless': '' });
    assert.deepEqual(
      ep?.subsets?.[0]?.notReadyAddresses?.map((x) => x.ip),
      ['10.87.0.5'],
    );
    store.create(
      key('services', 'x'),
      service('x', { type: 'ExternalName', externalName: 'example.com', selector: { app: 'web' } }),
    );
    assert.equal(store.get(key('endpoints', 'x')), undefined);
    c.stop();
  });

  test('at start, Endpoints whose Service is gone are removed (leader locks stay)', () => {
    const { store, clock } = setup();
    store.create(key('endpoints', 'stale'), { metadata: { name: 'stale', namespace: 'default' } });
    store.create(key('endpoints', 'lock'), {
      metadata: {
        name: 'lock',
        namespace: 'default',
        annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' },
      },
    });
    const c = new EndpointsController({ store, clock });
    c.start();
    assert.equal(store.get(key('endpoints', 'stale')), undefined);
    assert.ok(store.get(key('endpoints', 'lock')));
    c.stop();
  });

  test('a failed write is retried after a second', async () => {
    const { store, clock } = setup();
    const errors: string[] = [];
    const c = new EndpointsController({ store, clock, onError: (k) => errors.push(k) });
    store.create(key('services', 'web'), service('web', { selector: { app: 'web' } }));
    const realCreate = store.create.bind(store);
    let fail = true;
    store.create = (k, o) => {
      if (fail && k.resource === 'endpoints') throw new Error('disk full');
      return realCreate(k, o);
    };
    c.start();
    assert.deepEqual(errors, ['default/web']);
    assert.equal(store.get(key('endpoints', 'web')), undefined);
    fail = false;
    await clock.advance(SYNC_RETRY_MS);
    assert.ok(store.get(key('endpoints', 'web')));
    c.stop();
  });
});

describe('EndpointSlice controller', () => {
  test('slices with labels, owner, conditions; a placeholder when no pod; updated in place', () => {
    const { store, clock, writes } = setup();
    const c = new EndpointSliceController({ store, clock, uid: () => 'slice-uid' });
    c.start();
    store.create(key('services', 'web'), service('web', { selector: { app: 'web' } }, { tier: 'front' }));
    let [slice, ...more] = slicesOf(store, 'web');
    assert.equal(more.length, 0);
    assert.ok(slice);
    assert.match(slice.metadata?.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(slice.metadata?.generateName, 'web-');
    assert.equal(slice.metadata?.generation, 1);
    assert.deepEqual(slice.metadata?.labels, {
      tier: 'front',
      'kubernetes.io/service-name': 'web',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    assert.deepEqual(slice.metadata?.ownerReferences, [
      {
        apiVersion: 'v1',
        kind: 'Service',
        name: 'web',
        uid: 'svc-web',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints, []);
    assert.deepEqual(slice.ports, []);
    const placeholder = slice.metadata?.name;

    store.create(key('pods', 'a'), pod('a', '10.87.0.5', true));
    store.create(key('pods', 'b'), pod('b', '10.87.0.6', false));
    [slice, ...more] = slicesOf(store, 'web');
    assert.equal(more.length, 0);
    assert.equal(slice?.metadata?.name, placeholder, 'the placeholder is reused');
    assert.deepEqual(slice?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual(
      slice?.endpoints.map((e) => [e.addresses[0], e.conditions?.ready, e.nodeName, e.targetRef?.name]),
      [
        ['10.87.0.5', true, 'n1', 'a'],
        ['10.87.0.6', false, 'n1', 'b'],
      ],
    );
    setReady(store, 'b', true, '2026-12-03T11:50:00Z');
    slice = slicesOf(store, 'web')[0];
    assert.equal(slice?.endpoints[1]?.conditions?.ready, true);
    assert.equal(
      slice?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'],
      '2026-12-03T11:50:00Z',
    );
    assert.equal((slice?.metadata?.generation ?? 0) > 1, true);

    // Terminating: kept, with the terminating condition.
    const a = store.get<Pod>(key('pods', 'a'));
    assert.ok(a);
    store.update(key('pods', 'a'), {
      ...a,
      metadata: { ...a.metadata, deletionTimestamp: '2026-12-03T12:01:00Z' },
    });
    slice = slicesOf(store, 'web')[0];
    assert.deepEqual(slice?.endpoints[0]?.conditions, { ready: false, serving: true, terminating: true });

    const n = writes.length;
    store.update(key('pods', 'b'), {
      ...store.get<Pod>(key('pods', 'b')),
      metadata: { ...store.get<Pod>(key('pods', 'b'))?.metadata, annotations: { x: 'y' } },
    });
    assert.equal(writes.length, n, 'an annotation change writes no slice');

    // Someone deletes our slice: it comes back.
    store.delete(key('endpointslices', slice?.metadata?.name ?? ''));
    assert.equal(slicesOf(store, 'web').length, 1);

    // The Service goes: its slices go (as the owner reference has them collected).
    store.delete(key('services', 'web'));
    assert.equal(slicesOf(store, 'web').length, 0);
    c.stop();
  });

  test('syncs inside one delivery see the slices just written (no duplicates while events queue)', () => {
    const { store, clock } = setup();
    // Registered first: while pod a's ADDED is delivered, pod b is created (its events queue).
    store.watch<Pod>('pods', {}, (e) => {
      if (e.type === 'ADDED' && e.object.metadata?.name === 'a')
        store.create(key('pods', 'b'), pod('b', '10.87.0.6', true));
    });
    const c = new EndpointSliceController({ store, clock });
    c.start();
    store.create(key('services', 'web'), service('web', { selector: { app: 'web' } }));
    store.create(key('pods', 'a'), pod('a', '10.87.0.5', true));
    const slices = slicesOf(store, 'web');
    assert.equal(slices.length, 1);
    assert.deepEqual(
      slices[0]?.endpoints.map((e) => e.addresses[0]),
      ['10.87.0.5', '10.87.0.6'],
    );
    c.stop();
  });

  test('headless label; more than 100 endpoints take two slices', () => {
    const { store, clock } = setup();
    const c = new EndpointSliceController({ store, clock });
    c.start();
    for (let i = 0; i < 150; i++) store.create(key('pods', `p${i}`), pod(`p${i}`, `10.87.1.${i}`, true));
    store.create(key('services', 'h'), service('h', { selector: { app: 'web' }, clusterIP: 'None' }));
    const slices = slicesOf(store, 'h');
    assert.deepEqual(
      slices.map((s) => s.endpoints.length).sort((x, y) => x - y),
      [50, 100],
    );
    for (const s of slices) assert.equal(s.metadata?.labels?.['service.kubernetes.io/headless'], '');
    c.stop();
  });

  test('planSlices keeps endpoints where they are and fills the slice with room', () => {
    const owner = {
      namespace: 'default',
      generateName: 'web-',
      labels: { l: '1' },
      annotations: {},
      ownerReference: { apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'u' },
      triggerTime: undefined,
      maxEndpointsPerSlice: 2,
    };
    const ep = (ip: string) => ({ addresses: [ip], conditions: { ready: true }, targetRef: { uid: ip } });
    const existing: EndpointSlice[] = [
      {
        metadata: { name: 'web-aaaaa', labels: { l: '1' }, ownerReferences: [owner.ownerReference] },
        addressType: 'IPv4',
        endpoints: [ep('1'), ep('2')],
        ports: [],
      },
      {
        metadata: { name: 'web-bbbbb', labels: { l: '1' }, ownerReferences: [owner.ownerReference] },
        addressType: 'IPv4',
        endpoints: [ep('3')],
        ports: [],
      },
    ];
    const ops = planSlices(
      owner,
      [{ addressType: 'IPv4', ports: [], endpoints: [ep('3'), ep('1'), ep('2'), ep('4'), ep('5')] }],
      existing,
    );
    assert.deepEqual(
      ops.update.map((s) => [s.metadata?.name, s.endpoints.map((e) => e.addresses[0])]),
      [['web-bbbbb', ['3', '4']]],
    );
    assert.deepEqual(
      ops.create.map((s) => s.endpoints.map((e) => e.addresses[0])),
      [['5']],
    );
    assert.deepEqual(ops.remove, []);
  });
});

describe('EndpointSlice mirroring', () => {
  test('a selector-less Service with manual Endpoints gets mirrored slices, kept in step', () => {
    const { store, clock } = setup();
    const c = new EndpointSliceMirroringController({ store, clock });
    const e = new EndpointSliceController({ store, clock });
    c.start();
    e.start();
    store.create(key('services', 'kube-dns', 'kube-system'), {
      ...service('kube-dns', {
        clusterIP: '10.96.0.10',
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      }),
      metadata: { name: 'kube-dns', namespace: 'kube-system', uid: 'dns-svc' },
    });
    store.create(key('endpoints', 'kube-dns', 'kube-system'), {
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        uid: 'dns-ep',
        labels: { 'k8s-app': 'kube-dns' },
        annotations: { note: 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
      },
      subsets: [
        {
          addresses: [{ ip: '10.87.0.1' }],
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53, protocol: 'TCP' },
          ],
        },
      ],
    } satisfies Endpoints);
    const slices = store.list<EndpointSlice>('endpointslices', { namespace: 'kube-system' }).items;
    assert.equal(slices.length, 1, 'only the mirroring controller writes for a selector-less Service');
    const s = slices[0];
    assert.match(s?.metadata?.name ?? '', /^kube-dns-.{5}$/);
    assert.deepEqual(s?.metadata?.labels, {
      'k8s-app': 'kube-dns',
      'kubernetes.io/service-name': 'kube-dns',
      'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io',
    });
    assert.deepEqual(s?.metadata?.annotations, { note: 'x' });
    assert.deepEqual(s?.metadata?.ownerReferences, [
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        name: 'kube-dns',
        uid: 'dns-ep',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    assert.deepEqual(s?.endpoints, [{ addresses: ['10.87.0.1'], conditions: { ready: true } }]);
    assert.deepEqual(s?.ports, [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ]);

    // skip-mirror: the slices go.
    const ep = store.get<Endpoints>(key('endpoints', 'kube-dns', 'kube-system'));
    assert.ok(ep);
    store.update(key('endpoints', 'kube-dns', 'kube-system'), {
      ...ep,
      metadata: { ...ep.metadata, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    });
    assert.equal(store.list('endpointslices', { namespace: 'kube-system' }).items.length, 0);
    store.update(key('endpoints', 'kube-dns', 'kube-system'), {
      ...ep,
      metadata: { ...ep.metadata, resourceVersion: '' },
    });
    assert.equal(store.list('endpointslices', { namespace: 'kube-system' }).items.length, 1);
    // The Endpoints go: so do the mirrored slices.
    store.delete(key('endpoints', 'kube-dns', 'kube-system'));
    assert.equal(store.list('endpointslices', { namespace: 'kube-system' }).items.length, 0);
    c.stop();
    e.stop();
  });

  test('Endpoints written before the controller starts are mirrored at start; Services with a selector are not', () => {
    const { store, clock } = setup();
    store.create(key('services', 'ext'), service('ext', {}));
    store.create(key('endpoints', 'ext'), {
      metadata: { name: 'ext', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 443 }] }],
    });
    store.create(key('services', 'web'), service('web', { selector: { app: 'web' } }));
    store.create(key('endpoints', 'web'), {
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '192.0.2.2' }], ports: [{ port: 80 }] }],
    });
    const c = new EndpointSliceMirroringController({ store, clock });
    c.start();
    assert.deepEqual(
      slicesOf(store, 'ext').map((s) => [s.endpoints[0]?.addresses[0], s.ports]),
      [['192.0.2.1', [{ name: '', port: 443, protocol: 'TCP' }]]],
    );
    assert.equal(slicesOf(store, 'web').length, 0);
    // Gaining a selector ends the mirroring.
    const ext = store.get<Service>(key('services', 'ext'));
    assert.ok(ext);
    store.update(key('services', 'ext'), { ...ext, spec: { ...ext.spec, selector: { app: 'x' } } });
    assert.equal(slicesOf(store, 'ext').length, 0);
    c.stop();
  });
});
