import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../store/memory-store.ts';
import { FakeClock } from '../../testing/fake-clock.ts';
import { NamespaceController } from './namespace-controller.ts';

test('a namespace being deleted loses its Services, ConfigMaps, Secrets and Endpoints, then goes', () => {
  const store = new MemoryStore();
  const ns = 'team';
  const put = (resource: string, name: string, extra: Record<string, unknown> = {}): void => {
    store.create(
      { resource, namespace: resource === 'namespaces' ? '' : ns, name },
      {
        metadata: { name, ...(resource === 'namespaces' ? {} : { namespace: ns }) },
        ...extra,
      },
    );
  };
  put('services', 'web', { spec: { clusterIP: '10.96.0.7' } });
  put('endpoints', 'web');
  put('configmaps', 'conf');
  put('secrets', 'pw');
  store.create(
    { resource: 'configmaps', namespace: 'other', name: 'kept' },
    { metadata: { name: 'kept', namespace: 'other' } },
  );
  store.create(
    { resource: 'namespaces', namespace: '', name: ns },
    { metadata: { name: ns, deletionTimestamp: '2026-01-01T00:00:00Z' } },
  );
  const controller = new NamespaceController(store, new FakeClock(0));
  controller.start();
  for (const r of ['services', 'endpoints', 'configmaps', 'secrets'])
    assert.equal(store.list(r, { namespace: ns }).items.length, 0, r);
  assert.equal(store.get({ resource: 'namespaces', namespace: '', name: ns }), undefined);
  assert.ok(store.get({ resource: 'configmaps', namespace: 'other', name: 'kept' }));
  controller.stop();
});
