// The init-container seed end to end (issue 8): `nodelet server --runtime oci` driven by the real
// kubectl, the seed's init.yml, myservice.yml and mydb.yml exactly as in examples/seeds/, the
// seed's image (habor-repo.com/library/busybox:v1) served by a local docker-registry mirror.
// The init containers loop on busybox's `nslookup myservice` / `nslookup mydb` against nodelet's
// cluster DNS (10.96.0.10 through the service proxy, answered on the pod bridge): the pod shows
// Init:0/2, then Init:1/2 once myservice exists, then Running once mydb does.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { removeNodeProxyRules } from '../../src/proxy/node-proxy.ts';
import { buildImages, ociSkip, startRegistry, type TestRegistry } from '../fixtures/images/test-images.ts';
import { hasKubectl, ServerUnderTest } from './server-harness.ts';

const skip = !hasKubectl ? 'kubectl is not at /usr/bin/kubectl' : ociSkip();
if (!hasKubectl)
  process.stderr.write('SKIPPING the init-container seed: kubectl is not at /usr/bin/kubectl\n');

function unmountUnder(dir: string): void {
  const points = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const m of points) spawnSync('umount', ['-l', m]);
}

const seeds = join(import.meta.dirname, '..', '..', 'examples', 'seeds');

describe('seed: init containers wait for myservice and mydb (oci runtime, real kubectl)', { skip }, () => {
  let server: ServerUnderTest;
  let registry: TestRegistry;

  before(async () => {
    const images = await buildImages();
    registry = await startRegistry();
    await registry.push(images.busyboxArchive, 'library/busybox', 'v1');
    server = new ServerUnderTest();
    await server.start(['--runtime', 'oci', '--registry-mirror', `habor-repo.com=${registry.url}`]);
  });

  after(async () => {
    try {
      if (server) {
        await server.kubectl([
          'delete',
          'pod',
          'myapp-pod',
          '--grace-period=1',
          '--wait=true',
          '--timeout=30s',
        ]);
        await server.stop();
        // A stopped server leaves its service rules for the next start, as kube-proxy does.
        await removeNodeProxyRules(server.dataDir);
        // The exited containers' root filesystems stay mounted after their pod is deleted (the
        // runtime removes them lazily): unmounted here so the data directory can go.
        unmountUnder(server.dir);
        await server.cleanup();
      }
    } finally {
      await registry?.stop();
    }
  });

  /** The STATUS column of `kubectl get pod myapp-pod`. */
  const status = async (): Promise<string> => {
    const out = await server.ok(['get', 'pod', 'myapp-pod', '--no-headers']);
    return out.trim().split(/\s+/)[2] ?? '';
  };

  /** Waits for the STATUS; a timeout says what the init containers printed and what the server logged. */
  const untilStatus = async (want: string, timeoutMs = 120_000): Promise<void> => {
    try {
      await server.until(
        `myapp-pod ${want}`,
        async () => ((await status()) === want ? want : undefined),
        timeoutMs,
      );
    } catch (e) {
      const logs = await Promise.all(
        ['init-myservice', 'init-mydb'].map(async (c) =>
          (await server.kubectl(['logs', 'myapp-pod', '-c', c])).stdout.slice(-800),
        ),
      );
      throw new Error(`${(e as Error).message}
--- init logs:
${logs.join('\n---\n')}
--- server:
${server.log.slice(-2000)}`);
    }
  };

  test('the cluster DNS Service is there: kube-system/kube-dns at 10.96.0.10 with its Endpoints', async () => {
    // Another nodelet holding 10.87.0.1:53 on this machine keeps ours from starting: the log says so.
    const svc = await server.until(`kube-dns (server log:\n${server.log})`, async () => {
      const r = await server.kubectl([
        'get',
        'svc',
        '-n',
        'kube-system',
        'kube-dns',
        '-o',
        'jsonpath={.spec.clusterIP}',
      ]);
      return r.code === 0 ? r.stdout : undefined;
    });
    assert.equal(svc, '10.96.0.10');
    const ep = await server.ok([
      'get',
      'endpoints',
      '-n',
      'kube-system',
      'kube-dns',
      '-o',
      'jsonpath={.subsets[*].addresses[*].ip}',
    ]);
    assert.equal(ep, '10.87.0.1');
  });

  test('Init:0/2 while nothing resolves; `kubectl logs -c init-myservice` shows the waiting loop', async () => {
    await server.ok(['create', '-f', join(seeds, 'init.yml')]);
    await untilStatus('Init:0/2');
    const logs = await server.until('two rounds of the loop', async () => {
      const r = await server.kubectl(['logs', 'myapp-pod', '-c', 'init-myservice']);
      return (r.stdout.match(/waiting for myservice/g) ?? []).length >= 2 ? r.stdout : undefined;
    });
    assert.match(logs, /server can't find myservice\.default\.svc\.cluster\.local: NXDOMAIN/);
    assert.equal(await status(), 'Init:0/2');
  });

  test('the pod’s resolv.conf is ClusterFirst’s', async () => {
    const r = await server.kubectl([
      'exec',
      'myapp-pod',
      '-c',
      'init-myservice',
      '--',
      'cat',
      '/etc/resolv.conf',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/m);
    assert.match(r.stdout, /^nameserver 10\.96\.0\.10$/m);
    assert.match(r.stdout, /^options ndots:5$/m);
  });

  test('Init:1/2 after `kubectl create -f myservice.yml`: nslookup answers and exits 0', async () => {
    await server.ok(['create', '-f', join(seeds, 'myservice.yml')]);
    const ip = (await server.ok(['get', 'svc', 'myservice', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await untilStatus('Init:1/2');
    const logs = await server.ok(['logs', 'myapp-pod', '-c', 'init-myservice']);
    assert.match(logs, /waiting for myservice/);
    assert.ok(logs.includes(`Name:\tmyservice.default.svc.cluster.local\nAddress: ${ip}`), logs.slice(-1500));
    const db = await server.until('init-mydb waiting', async () => {
      const r = await server.kubectl(['logs', 'myapp-pod', '-c', 'init-mydb']);
      return r.stdout.includes('waiting for mydb') ? r.stdout : undefined;
    });
    assert.match(db, /mydb\.default\.svc\.cluster\.local: NXDOMAIN/);
  });

  test('Running after `kubectl create -f mydb.yml`', async () => {
    await server.ok(['create', '-f', join(seeds, 'mydb.yml')]);
    await untilStatus('Running');
    const row = (await server.ok(['get', 'pod', 'myapp-pod', '--no-headers'])).trim().split(/\s+/);
    assert.equal(row[1], '1/1');
    const app = await server.ok(['logs', 'myapp-pod']);
    assert.match(app, /the app is funning!/);
  });
});
