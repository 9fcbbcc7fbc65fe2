// A whole Kubelet reading ConfigMaps, Secrets and Services through its ObjectSource: a missing
// ConfigMap is CreateContainerConfigError until it is created, and a container gets the Service
// variables of the Services that exist when it starts — not of those created later.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { StoreEventSink, StoreObjectSource, StorePodSource, StoreStatusWriter } from '../cli/store-ports.ts';
import type { ContainerConfig } from '../runtime/runtime.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { FakeRuntime } from '../testing/fake-runtime.ts';
import { createBoundPod } from '../cli/scheduler.ts';
import { ctr, makePod } from '../testing/kubelet-harness.ts';
import { Kubelet } from './kubelet.ts';

test('env from the API objects: config error until the ConfigMap exists; service links as of the start', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const store = new MemoryStore();
  const runtime = new FakeRuntime({ clock });
  runtime.script('app', { exitAfterMs: 1_000, exitCode: 0 });
  const configs: ContainerConfig[] = [];
  const create = runtime.createContainer.bind(runtime);
  runtime.createContainer = (sandboxId, config) => {
    configs.push(config);
    return create(sandboxId, config);
  };
  const sink = new StoreEventSink(store);
  const kubelet = new Kubelet({
    nodeName: 'nodelet',
    clock,
    runtime,
    podSource: new StorePodSource(store, 'nodelet'),
    statusWriter: new StoreStatusWriter(store),
    eventSink: sink,
    random: () => 0,
    objects: new StoreObjectSource(store),
  });
  kubelet.start();
  try {
    store.create(
      { resource: 'services', namespace: 'default', name: 'kubernetes' },
      {
        metadata: { name: 'kubernetes', namespace: 'default' },
        spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] },
      },
    );
    store.create(
      { resource: 'services', namespace: 'default', name: 'myservice' },
      {
        metadata: { name: 'myservice', namespace: 'default' },
        spec: { clusterIP: '10.96.0.50', ports: [{ port: 80, targetPort: 9376, protocol: 'TCP' }] },
      },
    );
    createBoundPod(
      store,
      sink,
      makePod('p', {
        restartPolicy: 'Always',
        containers: [
          ctr('app', {
            env: [
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'settings', key: 'greeting' } } },
            ],
          }),
        ],
      }),
      'nodelet',
      clock,
    );
    // The failed round is retried after 10 s; its status shows the reason.
    await clock.advance(10_000);
    const status = (): Pod['status'] =>
      store.get<Pod>({ resource: 'pods', namespace: 'default', name: 'p' })?.status;
    assert.deepEqual(status()?.containerStatuses?.[0]?.state, {
      waiting: { reason: 'CreateContainerConfigError', message: 'configmap "settings" not found' },
    });
    assert.equal(configs.length, 0);

    store.create(
      { resource: 'configmaps', namespace: 'default', name: 'settings' },
      { metadata: { name: 'settings', namespace: 'default' }, data: { greeting: 'hello' } },
    );
    assert.equal(await clock.advanceUntil(() => configs.length > 0, 30_000), true);
    assert.equal(configs.length, 1);
    // A Service created after the container started is not in its environment.
    store.create(
      { resource: 'services', namespace: 'default', name: 'mydb' },
      {
        metadata: { name: 'mydb', namespace: 'default' },
        spec: { clusterIP: '10.96.0.51', ports: [{ port: 80, protocol: 'TCP' }] },
      },
    );
    const env = new Map((configs[0]?.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.get('GREETING'), 'hello');
    assert.equal(env.get('MYSERVICE_SERVICE_HOST'), '10.96.0.50');
    assert.equal(env.get('MYSERVICE_PORT_80_TCP_ADDR'), '10.96.0.50');
    assert.equal(env.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
    assert.equal(env.has('MYDB_SERVICE_HOST'), false);
    // The restarted container (after its 10 s back-off) sees it.
    await clock.advance(30_000);
    assert.equal(configs.length >= 2, true);
    const env2 = new Map((configs[1]?.env ?? []).map((e) => [e.name, e.value]));
    assert.equal(env2.get('MYDB_SERVICE_HOST'), '10.96.0.51');
    assert.equal(env2.get('MYDB_PORT'), 'tcp://10.96.0.51:80');
  } finally {
    await kubelet.stop();
  }
});
