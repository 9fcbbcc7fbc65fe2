// runtimeClassName on a real node whose default runtime is host processes: a pod naming the `oci`
// RuntimeClass runs in a real container (runc under conmon, its own network namespace, the busybox
// image pulled from a local docker-registry through a docker.io mirror) beside a host-process pod,
// and a restarted node (a new RuntimeSet over the same state) adopts both.
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  builtinRuntimeClasses,
  createNodeRuntime,
  storeRuntimeClasses,
  type NodeRuntime,
} from '../../src/cli/runtime-factory.ts';
import { createBoundPod } from '../../src/cli/scheduler.ts';
import { StoreEventSink, StorePodSource, StoreStatusWriter } from '../../src/cli/store-ports.ts';
import { Kubelet } from '../../src/kubelet/kubelet.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { realClock } from '../../src/util/clock.ts';
import { buildImages, ociSkip, startRegistry, type TestRegistry } from '../fixtures/images/test-images.ts';

const skip = ociSkip();
const nodeName = 'nodelet';

describe('runtimeClassName: oci on a process node', { skip }, () => {
  let root: string;
  let registry: TestRegistry;
  let store: MemoryStore;
  let node: NodeRuntime;
  let kubelet: Kubelet;

  const start = (): void => {
    node = createNodeRuntime({
      flag: 'process',
      processRoot: join(root, 'process'),
      dataDir: root,
      registries: { mirrors: { 'docker.io': [registry.url] } },
      clock: realClock,
      store,
    });
    kubelet = new Kubelet({
      nodeName,
      clock: realClock,
      runtime: node.runtime,
      podSource: new StorePodSource(store, nodeName),
      statusWriter: new StoreStatusWriter(store),
      eventSink: new StoreEventSink(store),
      runtimeClasses: storeRuntimeClasses(store),
    });
    kubelet.start();
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nodelet-runtime-class-'));
    const images = await buildImages();
    registry = await startRegistry();
    await registry.push(images.busyboxArchive, 'library/busybox', 'latest');
    store = new MemoryStore();
    for (const rc of builtinRuntimeClasses(Date.now(), randomUUID))
      store.create({ resource: 'runtimeclasses', namespace: '', name: rc.metadata?.name ?? '' }, rc);
    start();
  });

  after(async () => {
    await kubelet?.stop();
    if (node) {
      await node.killAll();
      for (const s of await node.runtime.listPodSandboxes()) await node.runtime.removePodSandbox(s.id);
      await node.runtime.close();
    }
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const create = (pod: Pod): Pod => {
    pod.metadata = { namespace: 'default', ...pod.metadata, uid: randomUUID() };
    return createBoundPod(store, new StoreEventSink(store), pod, nodeName, realClock);
  };
  const get = (name: string): Pod | undefined =>
    store.get<Pod>({ resource: 'pods', namespace: 'default', name });
  const until = async (what: string, ok: () => boolean, ms = 60_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(get('boxed')?.status)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const running = (name: string): boolean =>
    get(name)?.status?.phase === 'Running' &&
    (get(name)?.status?.containerStatuses ?? []).every((c) => c.state?.running);
  const containerID = (name: string): string => get(name)?.status?.containerStatuses?.[0]?.containerID ?? '';

  test('the oci pod runs in a container, the other on the host; both listed, IDs say which', async () => {
    assert.deepEqual(
      node.runtime.created().map(([h]) => h),
      ['process'],
      'only the default runtime exists before an oci pod comes',
    );
    create({
      metadata: { name: 'host' },
      spec: { containers: [{ name: 'app', image: 'busybox', command: ['sleep', '300'] }] },
    });
    create({
      metadata: { name: 'boxed' },
      spec: {
        runtimeClassName: 'oci',
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '300'] }],
      },
    });
    await until('both pods running', () => running('host') && running('boxed'));
    assert.match(containerID('host'), /^process:\/\//);
    assert.match(containerID('boxed'), /^oci:\/\//);
    assert.equal(get('host')?.status?.podIP, '127.0.0.1');
    assert.match(
      get('boxed')?.status?.podIP ?? '',
      /^10\.87\./,
      'its own network namespace on the pod bridge',
    );
    const events = store
      .list<Event>('events')
      .items.filter((e) => e.involvedObject.name === 'boxed')
      .map((e) => e.reason);
    assert.ok(events.includes('Pulling') && events.includes('Pulled'), events.join(','));

    // Inside the container: the image's root and the pod's own hostname.
    const id = containerID('boxed').replace(/^oci:\/\//, '');
    const out = await node.runtime.execSync(
      id,
      ['sh', '-c', 'hostname; test -x /bin/busybox && echo image'],
      {
        timeoutMs: 10_000,
      },
    );
    assert.equal(out.stdout.toString(), 'boxed\nimage\n');
    assert.deepEqual((await node.runtime.listContainers()).map((c) => c.name + '@' + c.podUid).length, 2);
  });

  test('a restarted node adopts both pods: the oci runtime is created at start from its state', async () => {
    const before = [containerID('host'), containerID('boxed')];
    await kubelet.stop();
    await node.runtime.close();
    start();
    assert.deepEqual(
      node.runtime
        .created()
        .map(([h]) => h)
        .sort(),
      ['oci', 'process'],
    );
    const listed = await node.runtime.listContainers();
    assert.deepEqual(
      listed.filter((c) => c.state === 'running').map((c) => c.podUid).length,
      2,
      'both containers still run and are listed',
    );
    // The new kubelet keeps them (same container IDs, no restart).
    await new Promise((r) => setTimeout(r, 1500));
    await until('both pods running again', () => running('host') && running('boxed'));
    assert.deepEqual([containerID('host'), containerID('boxed')], before);
    assert.equal(get('boxed')?.status?.containerStatuses?.[0]?.restartCount, 0);
  });

  test('killAll stops the containers of both runtimes', async () => {
    await kubelet.stop();
    await node.killAll();
    // SIGKILLed processes are seen exited once their exit is noticed.
    const end = Date.now() + 15_000;
    let left = (await node.runtime.listContainers()).filter((c) => c.state === 'running');
    while (left.length > 0 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      left = (await node.runtime.listContainers()).filter((c) => c.state === 'running');
    }
    assert.deepEqual(
      left.map((c) => c.id),
      [],
    );
  });
});
