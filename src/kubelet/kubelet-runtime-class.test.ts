// runtimeClassName on a whole Kubelet over a RuntimeSet of two FakeRuntimes: the sandbox's
// runtime handler, container IDs and images per runtime, and the kubelet's FailedCreatePodSandBox
// for a RuntimeClass that does not exist or a handler the node cannot run (pkg/kubelet/runtimeclass,
// kuberuntime_sandbox.go createPodSandbox, kuberuntime_manager.go SyncPod).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { ImageInfo, ImageService, PullResult } from '../runtime/image/image-service.ts';
import { RuntimeSet } from '../runtime/runtime-set.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { FakeRuntime } from '../testing/fake-runtime.ts';
import { ctr, KubeletHarness, makePod } from '../testing/kubelet-harness.ts';
import { lookupRuntimeHandler, RuntimeClassNotFoundError } from './runtime-class.ts';

const START = Date.UTC(2026, 0, 1);

function fakeImages(): ImageService & { pulls: string[] } {
  const pulls: string[] = [];
  const info = (name: string): ImageInfo => ({
    id: `sha256:${name.length}`,
    names: [name],
    repoDigests: [],
    size: 100,
    createdAt: 0,
  });
  return {
    pulls,
    imageStatus: () => Promise.resolve(undefined),
    pullImage: (image): Promise<PullResult> => {
      pulls.push(image);
      return Promise.resolve({
        pulled: true,
        image: info(image),
        imageRef: `ref-${image}`,
        durationMs: 0,
        size: 100,
      });
    },
    listImages: () => Promise.resolve([]),
    removeImage: () => Promise.resolve(),
  };
}

class FakeOci extends FakeRuntime {
  readonly images = fakeImages();
}

function node(opts: { ociMissing?: string } = {}) {
  const clock = new FakeClock(START);
  const proc = new FakeRuntime({ clock, idPrefix: 'p-' });
  const oci = new FakeOci({ clock, idPrefix: 'o-' });
  const set = new RuntimeSet({
    defaultHandler: 'process',
    handlers: [
      { name: 'process', unavailable: () => undefined, create: () => proc },
      { name: 'oci', unavailable: () => opts.ociMissing, create: () => oci },
    ],
  });
  const classes = new Map<string, RuntimeClass>(
    ['process', 'oci'].map((n) => [
      n,
      { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: n }, handler: n },
    ]),
  );
  const h = new KubeletHarness({
    runtime: set,
    clock,
    runtimeClasses: { runtimeClass: (n) => classes.get(n) },
  });
  return { clock, proc, oci, set, classes, h };
}

describe('runtimeClassName', () => {
  test('LookupRuntimeHandler: none → the default (empty) handler; a class → its handler; missing → NotFound', () => {
    const src = {
      runtimeClass: (n: string) =>
        n === 'fast' ? ({ handler: 'oci', metadata: { name: n } } as RuntimeClass) : undefined,
    };
    assert.equal(lookupRuntimeHandler(src, undefined), '');
    assert.equal(lookupRuntimeHandler(src, ''), '');
    assert.equal(lookupRuntimeHandler(undefined, 'fast'), '');
    assert.equal(lookupRuntimeHandler(src, 'fast'), 'oci');
    assert.throws(
      () => lookupRuntimeHandler(src, 'slow'),
      (e: unknown) => {
        assert.ok(e instanceof RuntimeClassNotFoundError);
        assert.equal(e.message, 'runtimeclass.node.k8s.io "slow" not found');
        return true;
      },
    );
  });

  test('pods run on the runtime their class names, side by side; container IDs say which', async () => {
    const n = node();
    try {
      n.h.create(makePod('host', { containers: [ctr('app', { image: 'busybox:1.36' })] }));
      n.h.create(
        makePod('boxed', { runtimeClassName: 'oci', containers: [ctr('app', { image: 'busybox:1.36' })] }),
      );
      await n.clock.advance(0);
      assert.equal(n.h.phase('host'), 'Running');
      assert.equal(n.h.phase('boxed'), 'Running');
      assert.deepEqual(n.proc.ops(), ['runPodSandbox', 'createContainer', 'startContainer']);
      assert.deepEqual(n.oci.ops(), ['runPodSandbox', 'createContainer', 'startContainer']);
      assert.match(n.h.container('host', 'app').containerID ?? '', /^process:\/\/p-app-\d+$/);
      assert.match(n.h.container('boxed', 'app').containerID ?? '', /^oci:\/\/o-app-\d+$/);
      // Images: the oci pod's through the oci runtime's image service, the host pod's none.
      assert.deepEqual(n.oci.images.pulls, ['busybox:1.36']);
      assert.ok(
        n.h
          .eventLines('host')
          .includes(
            'Normal Pulled spec.containers{app} Container image "busybox:1.36" already present on machine',
          ),
      );
      assert.ok(
        n.h.eventLines('boxed').includes('Normal Pulling spec.containers{app} Pulling image "busybox:1.36"'),
      );
      // Both runtimes' containers are the node's: listed together.
      assert.deepEqual((await n.set.listContainers()).map((c) => c.podUid).sort(), ['uid-boxed', 'uid-host']);
    } finally {
      await n.h.stop();
    }
  });

  test('a RuntimeClass that does not exist: FailedCreatePodSandBox, ContainerCreating, retried until it exists', async () => {
    const n = node();
    try {
      n.h.create(makePod('p', { runtimeClassName: 'gvisor', containers: [ctr('app')] }));
      await n.clock.advance(0);
      assert.deepEqual(n.h.eventLines('p'), [
        'Warning FailedCreatePodSandBox - Failed to create pod sandbox: runtimeclass.node.k8s.io "gvisor" not found',
      ]);
      assert.equal(n.h.phase('p'), 'Pending');
      assert.deepEqual(n.h.container('p', 'app').state, { waiting: { reason: 'ContainerCreating' } });
      assert.deepEqual([...n.proc.ops(), ...n.oci.ops()], []);
      // The pod worker's back-off: tried again after 10 s, the same event counted.
      await n.clock.advance(10_000);
      assert.deepEqual(n.h.eventLines('p'), [
        'Warning FailedCreatePodSandBox - Failed to create pod sandbox: runtimeclass.node.k8s.io "gvisor" not found x2',
      ]);
      n.classes.set('gvisor', { metadata: { name: 'gvisor' }, handler: 'oci' });
      await n.clock.advance(10_000);
      assert.equal(n.h.phase('p'), 'Running');
      assert.deepEqual(n.oci.ops(), ['runPodSandbox', 'createContainer', 'startContainer']);
    } finally {
      await n.h.stop();
    }
  });

  test('a handler the node has no runtime for, and one it cannot run here', async () => {
    const n = node({ ociMissing: 'the oci runtime needs: apt-get install runc' });
    try {
      n.classes.set('kata', { metadata: { name: 'kata' }, handler: 'kata' });
      n.h.create(makePod('k', { runtimeClassName: 'kata', containers: [ctr('app')] }));
      n.h.create(makePod('o', { runtimeClassName: 'oci', containers: [ctr('app')] }));
      await n.clock.advance(0);
      assert.deepEqual(n.h.eventLines('k'), [
        'Warning FailedCreatePodSandBox - Failed to create pod sandbox: failed to get sandbox runtime: no runtime for "kata" is configured',
      ]);
      assert.deepEqual(n.h.eventLines('o'), [
        'Warning FailedCreatePodSandBox - Failed to create pod sandbox: failed to get sandbox runtime "oci": the oci runtime needs: apt-get install runc',
      ]);
      for (const p of ['k', 'o']) {
        assert.equal(n.h.phase(p), 'Pending');
        assert.deepEqual(n.h.container(p, 'app').state, { waiting: { reason: 'ContainerCreating' } });
      }
    } finally {
      await n.h.stop();
    }
  });

  test('a pod stuck without a sandbox is deleted at once, without another FailedCreatePodSandBox', async () => {
    const n = node();
    try {
      n.h.create(makePod('p', { runtimeClassName: 'gvisor', containers: [ctr('app')] }));
      await n.clock.advance(0);
      n.h.delete('p');
      await n.clock.advance(15_000);
      assert.equal(n.h.pod('p'), undefined);
      assert.equal(n.h.events('p')[0]?.count ?? 1, 1);
    } finally {
      await n.h.stop();
    }
  });
});
