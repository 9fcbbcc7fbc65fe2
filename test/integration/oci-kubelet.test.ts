// The seeds' manifests on real containers: the kubelet engine over the oci runtime, the images
// pulled from a local docker-registry through a docker.io mirror. Only the image source differs
// from the originals (kubernetes.io's lifecycle-events, hostPath and init-container examples).
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { createBoundPod } from '../../src/cli/scheduler.ts';
import { StoreEventSink, StorePodSource, StoreStatusWriter } from '../../src/cli/store-ports.ts';
import { Kubelet } from '../../src/kubelet/kubelet.ts';
import { OciRuntime } from '../../src/runtime/oci/oci-runtime.ts';
import { MemoryStore } from '../../src/store/memory-store.ts';
import { realClock } from '../../src/util/clock.ts';
import { buildImages, ociSkip, startRegistry, type TestRegistry } from '../fixtures/images/test-images.ts';

const skip = ociSkip();

const LIFECYCLE_DEMO = `
apiVersion: v1
kind: Pod
metadata:
  name: lifecycle-demo
spec:
  containers:
  - name: lifecycle-demo-container
    image: nginx
    lifecycle:
      postStart:
        exec:
          command: ["/bin/sh", "-c", "echo Hello from the postStart handler > /usr/share/message"]
      preStop:
        exec:
          command: ["/bin/sh","-c","nginx -s quit; while killall -0 nginx; do sleep 1; done"]
    resources:
      limits:
        memory: "128Mi"
        cpu: "500m"
`;

const INIT_CONTAINERS = `
apiVersion: v1
kind: Pod
metadata:
  name: myapp-pod
  labels:
    app.kubernetes.io/name: MyApp
spec:
  containers:
  - name: myapp-container
    image: busybox:1.28
    command: ['sh', '-c', 'echo The app is running! && sleep 3600']
  initContainers:
  - name: init-myservice
    image: busybox:1.28
    command: ['sh', '-c', "echo waiting for myservice; sleep 1; echo myservice is up"]
  - name: init-mydb
    image: busybox:1.28
    command: ['sh', '-c', "echo waiting for mydb; sleep 1; echo mydb is up"]
`;

const hostPathPod = (dir: string): string => `
apiVersion: v1
kind: Pod
metadata:
  name: hostpath-demo
spec:
  containers:
  - name: web
    image: nginx
    lifecycle:
      preStop:
        exec:
          command: ["/bin/sh", "-c", "echo Hello from the preStop handler > /host/prestop-message; nginx -s quit"]
    readinessProbe:
      httpGet: { path: /, port: 80 }
      periodSeconds: 1
    volumeMounts:
    - name: host
      mountPath: /host
  volumes:
  - name: host
    hostPath:
      path: ${dir}
      type: DirectoryOrCreate
`;

const OOM_POD = `
apiVersion: v1
kind: Pod
metadata:
  name: memory-hog
spec:
  restartPolicy: Always
  containers:
  - name: hog
    image: busybox
    command: ['tail', '/dev/zero']
    resources:
      limits:
        memory: "32Mi"
`;

describe('seeds on the oci runtime', { skip }, () => {
  let root: string;
  let registry: TestRegistry;
  let store: MemoryStore;
  let runtime: OciRuntime;
  let kubelet: Kubelet;
  const nodeName = 'nodelet';

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nodelet-oci-kubelet-'));
    const images = await buildImages();
    registry = await startRegistry();
    await registry.push(images.busyboxArchive, 'library/busybox', 'latest');
    await registry.push(images.busyboxArchive, 'library/busybox', '1.28');
    await registry.push(images.nginxArchive, 'library/nginx', 'latest');
    store = new MemoryStore();
    const sink = new StoreEventSink(store);
    runtime = new OciRuntime({
      root: join(root, 'oci'),
      clock: realClock,
      registries: { mirrors: { 'docker.io': [registry.url] } },
      pods: (_uid, namespace, name) => store.get<Pod>({ resource: 'pods', namespace, name }),
    });
    kubelet = new Kubelet({
      nodeName,
      clock: realClock,
      runtime,
      podSource: new StorePodSource(store, nodeName),
      statusWriter: new StoreStatusWriter(store),
      eventSink: sink,
      crashLoopBackOff: { initialMs: 200, maxMs: 400 },
    });
    kubelet.start();
  });

  after(async () => {
    await kubelet?.stop();
    if (runtime) {
      for (const s of await runtime.listPodSandboxes()) await runtime.removePodSandbox(s.id);
      await runtime.close();
    }
    await registry?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const create = (yaml: string): Pod => {
    const pod = parse(yaml) as Pod;
    // As the API server (and `nodelet run`) do: every pod has a UID.
    pod.metadata = { namespace: 'default', ...pod.metadata, uid: randomUUID() };
    return createBoundPod(store, new StoreEventSink(store), pod, nodeName, realClock);
  };
  const get = (name: string): Pod | undefined =>
    store.get<Pod>({ resource: 'pods', namespace: 'default', name });
  const until = async (what: string, ok: () => boolean, ms = 30_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const ready = (name: string): boolean =>
    get(name)?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const running = (name: string): boolean =>
    get(name)?.status?.phase === 'Running' &&
    (get(name)?.status?.containerStatuses ?? []).every((c) => c.state?.running);
  /** Deletes the pod as `kubectl delete [--grace-period=N]` does and waits until it has terminated. */
  const remove = async (name: string, gracePeriod?: number): Promise<void> => {
    const p = get(name);
    assert.ok(p?.metadata);
    const md = { ...p.metadata };
    delete (md as { resourceVersion?: string }).resourceVersion;
    const grace = gracePeriod ?? p.spec?.terminationGracePeriodSeconds ?? 30;
    store.update(
      { resource: 'pods', namespace: 'default', name },
      {
        ...p,
        metadata: {
          ...md,
          deletionTimestamp: new Date(Date.now() + grace * 1000).toISOString(),
          deletionGracePeriodSeconds: grace,
        },
      },
    );
    await until(
      `${name} to terminate`,
      () => kubelet.worker(p.metadata?.uid ?? '')?.isTerminated ?? true,
      40_000,
    );
  };
  const containerId = (name: string, container: string): string =>
    (get(name)?.status?.containerStatuses?.find((c) => c.name === container)?.containerID ?? '').replace(
      /^oci:\/\//,
      '',
    );

  test('lifecycle demo: postStart writes /usr/share/message in the container, not on the host; preStop quits nginx', async () => {
    const hostMessage = existsSync('/usr/share/message')
      ? readFileSync('/usr/share/message', 'utf8')
      : undefined;
    create(LIFECYCLE_DEMO);
    await until('lifecycle-demo running', () => running('lifecycle-demo'));
    const st = get('lifecycle-demo')?.status?.containerStatuses?.[0];
    assert.equal(st?.image, 'docker.io/library/nginx:latest');
    assert.match(st?.imageID ?? '', /^docker\.io\/library\/nginx@sha256:[a-f0-9]{64}$/);
    assert.match(get('lifecycle-demo')?.status?.podIP ?? '', /^10\.87\./);
    // The image came through the kubelet's image manager and the mirror: Pulling, then Pulled with the size.
    const messages = store.list<Event>('events').items.map((e) => `${e.reason ?? ''}: ${e.message ?? ''}`);
    assert.ok(messages.includes('Pulling: Pulling image "nginx"'), messages.join('\n'));
    assert.ok(
      messages.some((m) =>
        /^Pulled: Successfully pulled image "nginx" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/.test(
          m,
        ),
      ),
      messages.join('\n'),
    );
    const out = await runtime.execSync(
      containerId('lifecycle-demo', 'lifecycle-demo-container'),
      ['cat', '/usr/share/message'],
      { timeoutMs: 5000 },
    );
    assert.equal(out.stdout.toString(), 'Hello from the postStart handler\n');
    assert.equal(
      existsSync('/usr/share/message') ? readFileSync('/usr/share/message', 'utf8') : undefined,
      hostMessage,
    );
    const id = containerId('lifecycle-demo', 'lifecycle-demo-container');
    let exitCode: number | undefined;
    const unwatch = runtime.watch((e) => {
      if (e.type === 'ContainerDied' && e.containerId === id)
        void runtime.containerStatus(id).then((s) => (exitCode = s.exitCode));
    });
    await remove('lifecycle-demo');
    unwatch();
    // Graceful: nginx quit on the preStop hook (`nginx -s quit`) and exited 0, not killed at the end of the grace period.
    assert.equal(exitCode, 0);
  });

  test('init containers run in order, then the app; a hostPath volume receives the preStop message', async () => {
    create(INIT_CONTAINERS);
    const hostDir = join(root, 'hostpath');
    create(hostPathPod(hostDir));
    await until('myapp-pod running', () => running('myapp-pod'));
    const init = get('myapp-pod')?.status?.initContainerStatuses ?? [];
    assert.deepEqual(
      init.map((c) => [c.name, c.state?.terminated?.reason]),
      [
        ['init-myservice', 'Completed'],
        ['init-mydb', 'Completed'],
      ],
    );
    await until('hostpath-demo ready (readiness httpGet on the pod IP)', () => ready('hostpath-demo'));
    await remove('hostpath-demo');
    assert.equal(readFileSync(join(hostDir, 'prestop-message'), 'utf8'), 'Hello from the preStop handler\n');
    // Its shell, PID 1, ignores SIGTERM: as on a cluster it is killed when the grace period ends.
    await remove('myapp-pod', 1);
  });

  test('over its memory limit a container is OOMKilled (137) and restarted; lastState says so', async () => {
    create(OOM_POD);
    await until(
      'memory-hog restarted',
      () => (get('memory-hog')?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
    );
    const last = get('memory-hog')?.status?.containerStatuses?.[0]?.lastState?.terminated;
    assert.equal(last?.reason, 'OOMKilled');
    assert.equal(last?.exitCode, 137);
    await remove('memory-hog');
  });
});
