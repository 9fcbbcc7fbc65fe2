import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import { MemoryStore } from '../store/memory-store.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { ensureKubeDnsObjects } from './kube-dns-service.ts';

const svcKey = { resource: 'services', namespace: 'kube-system', name: 'kube-dns' };
const epKey = { resource: 'endpoints', namespace: 'kube-system', name: 'kube-dns' };

test('kube-dns: a selector-less Service at 10.96.0.10 and Endpoints naming 10.87.0.1:53', () => {
  const store = new MemoryStore();
  ensureKubeDnsObjects(store, new FakeClock(), { uid: () => 'u' });
  const svc = store.get<Service>(svcKey);
  assert.equal(svc?.spec?.clusterIP, '10.96.0.10');
  assert.equal(svc?.spec?.selector, undefined);
  assert.equal(svc?.metadata?.labels?.['k8s-app'], 'kube-dns');
  assert.deepEqual(
    svc?.spec?.ports?.map((p) => [p.name, p.port, p.protocol]),
    [
      ['dns', 53, 'UDP'],
      ['dns-tcp', 53, 'TCP'],
      ['metrics', 9153, 'TCP'],
    ],
  );
  const ep = store.get<Endpoints>(epKey);
  assert.deepEqual(ep?.subsets, [
    {
      addresses: [{ ip: '10.87.0.1' }],
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    },
  ]);
});

test('kube-dns: idempotent; a stale Endpoints address is brought back, an edited Service kept', () => {
  const store = new MemoryStore();
  const clock = new FakeClock();
  ensureKubeDnsObjects(store, clock);
  const rv = store.get<Service>(svcKey)?.metadata?.resourceVersion;
  const epRv = store.get<Endpoints>(epKey)?.metadata?.resourceVersion;
  ensureKubeDnsObjects(store, clock);
  assert.equal(store.get<Service>(svcKey)?.metadata?.resourceVersion, rv);
  assert.equal(store.get<Endpoints>(epKey)?.metadata?.resourceVersion, epRv);
  ensureKubeDnsObjects(store, clock, { listenIP: '127.0.0.1', port: 5353 });
  assert.equal(store.get<Endpoints>(epKey)?.subsets?.[0]?.addresses?.[0]?.ip, '127.0.0.1');
  assert.equal(store.get<Endpoints>(epKey)?.subsets?.[0]?.ports?.[0]?.port, 5353);
  assert.equal(store.get<Service>(svcKey)?.metadata?.resourceVersion, rv);
});
