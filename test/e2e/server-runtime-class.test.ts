// RuntimeClasses through `nodelet server` and the real kubectl on a node whose default runtime is
// host processes: `runtimeClassName: oci` runs a pod in a real container (busybox pulled from a
// local registry through a docker.io mirror), a class that does not exist is refused by admission,
// a class whose handler the node has no runtime for leaves the pod in ContainerCreating with the
// kubelet's FailedCreatePodSandBox, and a restarted server adopts the container.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { removeOciLeftovers } from '../fixtures/oci-leftovers.ts';
import { buildImages, ociSkip, startRegistry, type TestRegistry } from '../fixtures/images/test-images.ts';
import { hasKubectl, ServerUnderTest } from './server-harness.ts';

const skip = !hasKubectl ? 'kubectl is not at /usr/bin/kubectl' : ociSkip();

const pod = (name: string, runtimeClassName?: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1
${runtimeClassName !== undefined ? `  runtimeClassName: ${runtimeClassName}\n` : ''}  containers:
  - name: app
    image: busybox
    command: ['sleep', '3600']
`;

describe('runtimeClassName through nodelet server (process node, real kubectl)', { skip }, () => {
  let server: ServerUnderTest;
  let registry: TestRegistry;

  before(async () => {
    const images = await buildImages();
    registry = await startRegistry();
    await registry.push(images.busyboxArchive, 'library/busybox', 'latest');
    server = new ServerUnderTest();
    await server.start(['--registry-mirror', `docker.io=${registry.url}`]);
  });

  after(async () => {
    // What a stopped node leaves of its oci pods is removed as the kubelet's GC would.
    if (server) await removeOciLeftovers(server);
    await registry?.stop();
  });

  const jsonpath = async (name: string, path: string): Promise<string> =>
    (await server.ok(['get', 'pod', name, '-o', `jsonpath={${path}}`])).trim();

  test('the start-up line names the default and what the oci class gets', () => {
    assert.match(
      server.log,
      /runtime: process \(host processes; the default, --runtime oci for real containers\); runtimeClassName oci: runc under conmon/,
    );
  });

  test('the built-in RuntimeClasses are listed', async () => {
    const out = await server.ok([
      'get',
      'runtimeclass',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.handler} {end}',
    ]);
    assert.deepEqual(out.trim().split(' ').sort(), ['oci=oci', 'process=process']);
  });

  test('before any oci pod, a process node runs no cluster DNS (no kube-dns Service)', async () => {
    const r = await server.kubectl(['get', 'svc', 'kube-dns', '-n', 'kube-system']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /services "kube-dns" not found/);
  });

  test('an oci pod runs in a container beside a host-process pod', async () => {
    await server.ok(['apply', '-f', '-'], { input: [pod('boxed', 'oci'), pod('host')].join('---\n') });
    await server.ok(['wait', '--for=condition=Ready', 'pod/boxed', 'pod/host', '--timeout=120s']);
    assert.match(await jsonpath('boxed', '.status.containerStatuses[0].containerID'), /^oci:\/\//);
    assert.match(await jsonpath('host', '.status.containerStatuses[0].containerID'), /^process:\/\//);
    assert.match(await jsonpath('boxed', '.status.podIP'), /^10\.87\./);
    assert.equal((await server.ok(['exec', 'boxed', '--', 'hostname'])).trim(), 'boxed');
    assert.match(await server.ok(['describe', 'pod', 'boxed']), /Runtime Class Name:\s+oci/);
    // The node still reports its default runtime.
    assert.match(
      await server.ok([
        'get',
        'node',
        'e2e-node',
        '-o',
        'jsonpath={.status.nodeInfo.containerRuntimeVersion}',
      ]),
      /^process:\/\//,
    );
  });

  test('the first oci pod brings the cluster DNS and service proxy: its lookups of Services answer', async () => {
    // busybox's nslookup asks for a dotted name as it is (no search path), so the full name.
    const name = 'kubernetes.default.svc.cluster.local';
    const out = await server.until('kubernetes.default resolved in the oci pod', async () => {
      const r = await server.kubectl(['exec', 'boxed', '--', 'nslookup', name]);
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.match(out, /Name:\s+kubernetes\.default\.svc\.cluster\.local\s+Address(?: 1)?:\s+10\.96\.0\.1\b/);
    assert.equal(
      (
        await server.ok(['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'jsonpath={.spec.clusterIP}'])
      ).trim(),
      '10.96.0.10',
    );
  });

  test('a RuntimeClass that does not exist: Forbidden, in the admission plugin’s words', async () => {
    const r = await server.kubectl(['apply', '-f', '-'], { input: pod('g', 'gvisor') });
    assert.notEqual(r.code, 0);
    assert.equal(
      r.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": pods "g" is forbidden: pod rejected: RuntimeClass "gvisor" not found',
    );
  });

  test('a class whose handler the node cannot run: FailedCreatePodSandBox, stuck in ContainerCreating', async () => {
    await server.ok(['apply', '-f', '-'], {
      input: 'apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: kata}\nhandler: kata\n',
    });
    await server.ok(['apply', '-f', '-'], { input: pod('k', 'kata') });
    const message = await server.until('the FailedCreatePodSandBox event', async () => {
      const out = await server.ok([
        'get',
        'events',
        '--field-selector',
        'involvedObject.name=k,reason=FailedCreatePodSandBox',
        '-o',
        'jsonpath={.items[0].message}',
      ]);
      return out.trim() || undefined;
    });
    assert.equal(
      message,
      'Failed to create pod sandbox: failed to get sandbox runtime: no runtime for "kata" is configured',
    );
    const row = await server.ok(['get', 'pod', 'k', '--no-headers']);
    assert.match(row, /^k\s+0\/1\s+ContainerCreating\s+0\s/);
    await server.ok(['delete', 'pod', 'k', '--grace-period=1']);
  });

  test('a restarted server adopts the oci container (same ID, no restart)', async () => {
    const id = await jsonpath('boxed', '.status.containerStatuses[0].containerID');
    assert.equal(await server.stop('SIGTERM'), 0);
    await server.start(['--registry-mirror', `docker.io=${registry.url}`]);
    await server.ok(['wait', '--for=condition=Ready', 'pod/boxed', '--timeout=60s']);
    // Give the new kubelet a few syncs: it must keep, not replace, what runs.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await jsonpath('boxed', '.status.containerStatuses[0].containerID'), id);
    assert.equal(await jsonpath('boxed', '.status.containerStatuses[0].restartCount'), '0');
    assert.equal((await server.ok(['exec', 'boxed', '--', 'hostname'])).trim(), 'boxed');
  });
});
