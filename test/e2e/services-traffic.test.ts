// Service traffic end to end: `nodelet server --runtime oci` driven by the real kubectl, nginx
// and busybox images from a local docker-registry mirror. A Service over two nginx pods answers
// on its ClusterIP from the node and from a third pod, and both backends get traffic; a pod whose
// readiness probe fails leaves `kubectl get endpoints` and stops receiving traffic, then comes
// back; a NodePort answers on the node's addresses; a server restart keeps the traffic flowing;
// deleting the Service removes its rules.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { buildImages, ociSkip, startRegistry, type TestRegistry } from '../fixtures/images/test-images.ts';
import { removeNodeProxyRules } from '../../src/proxy/node-proxy.ts';
import { hasKubectl, ServerUnderTest } from './server-harness.ts';

const skip = !hasKubectl ? 'kubectl is not at /usr/bin/kubectl' : ociSkip();
if (!hasKubectl)
  process.stderr.write('SKIPPING services traffic tests: kubectl is not at /usr/bin/kubectl\n');

// Each nginx serves its own pod name; ready while /tmp/ready exists (the test removes it to fail
// the readiness probe).
const backend = (name: string): string => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: { app: web }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: nginx
    image: nginx
    command: ['sh', '-c', 'hostname > /usr/share/nginx/html/index.html; touch /tmp/ready; exec nginx -g "daemon off;"']
    ports: [{ name: http, containerPort: 80 }]
    readinessProbe:
      exec: { command: ['cat', '/tmp/ready'] }
      periodSeconds: 1
      failureThreshold: 1
`;

const SERVICE = `
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector: { app: web }
  ports:
  - name: http
    port: 8080
    targetPort: http
`;

const CLIENT = `
apiVersion: v1
kind: Pod
metadata:
  name: client
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: busybox
    image: busybox
    command: ['sleep', '3600']
`;

function iptablesSave(): string {
  return execFileSync('iptables-save', [], {
    env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
  }).toString();
}

/** One GET on a new connection (a kept-alive one would stick to one backend), its body trimmed. */
function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body.trim()));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** busybox wget in a pod; `timeout` rather than wget's -T, which crashes Debian's static busybox 1.35. */
const wgetIn = (pod: string, url: string): string[] => [
  'exec',
  pod,
  '--',
  'timeout',
  '5',
  'wget',
  '-qO-',
  url,
];

/** Mount points under dir (the containers' root filesystems). */
function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[1] ?? '')
    .filter((m) => m.startsWith(`${dir}/`));
}

describe('Service traffic through the proxy (oci runtime, real kubectl)', { skip }, () => {
  let server: ServerUnderTest;
  let registry: TestRegistry;
  let clusterIP = '';
  let nodePort = 0;
  let serverArgs: string[] = [];

  before(async () => {
    const images = await buildImages();
    registry = await startRegistry();
    await registry.push(images.busyboxArchive, 'library/busybox', 'latest');
    await registry.push(images.nginxArchive, 'library/nginx', 'latest');
    server = new ServerUnderTest();
    serverArgs = ['--runtime', 'oci', '--registry-mirror', `docker.io=${registry.url}`];
    await server.start(serverArgs);
    await server.ok(['apply', '-f', '-'], {
      input: [backend('web-1'), backend('web-2'), SERVICE, CLIENT].join('---\n'),
    });
    await server.ok([
      'wait',
      '--for=condition=Ready',
      'pod/web-1',
      'pod/web-2',
      'pod/client',
      '--timeout=120s',
    ]);
    clusterIP = (await server.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    nodePort = Number(await server.ok(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    assert.match(clusterIP, /^10\.96\.\d+\.\d+$/);
    assert.ok(nodePort >= 30000 && nodePort <= 32767, `nodePort ${nodePort}`);
  });

  after(async () => {
    if (server) {
      await server.kubectl(['delete', 'pods', '--all', '--grace-period=1', '--timeout=30s']);
      // The deleted pods' containers are removed a moment later; their root filesystems must be
      // unmounted before the data directory can go.
      await server
        .until('the containers removed', () => (mountsUnder(server.dir).length ? undefined : true), 30_000)
        .catch(() => {
          for (const m of mountsUnder(server.dir)) execFileSync('umount', [m]);
        });
      await server.cleanup();
    }
    await registry?.stop();
    // The server leaves its rules when it stops (as kube-proxy); the test machine gets them removed.
    if (server) await removeNodeProxyRules(server.dataDir);
  });

  const endpointIPs = async (): Promise<string[]> =>
    (await server.ok(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']))
      .split(/\s+/)
      .filter(Boolean)
      .sort();

  const podIP = async (name: string): Promise<string> =>
    (await server.ok(['get', 'pod', name, '-o', 'jsonpath={.status.podIP}'])).trim();

  /** Names answering n requests from the node. */
  const fromNode = async (n: number): Promise<Set<string>> => {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) seen.add(await get(`http://${clusterIP}:8080/`));
    return seen;
  };

  test('the ClusterIP answers from the node, and both backends get traffic', async () => {
    const ips = await server.until('two ready endpoints', async () => {
      const got = await endpointIPs();
      return got.length === 2 ? got : undefined;
    });
    assert.deepEqual(ips, [await podIP('web-1'), await podIP('web-2')].sort());
    // The rules follow the endpoints a moment later: retry until both answer.
    const seen = await server.until('both backends answering', async () => {
      const s = await fromNode(30);
      return s.size === 2 ? s : undefined;
    });
    assert.deepEqual([...seen].sort(), ['web-1', 'web-2']);
  });

  test('the ClusterIP answers from a third pod (busybox wget)', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) {
      const out = await server.ok(wgetIn('client', `http://${clusterIP}:8080/`));
      seen.add(out.trim());
    }
    assert.deepEqual([...seen].sort(), ['web-1', 'web-2']);
  });

  test('hairpin: a backend reaches its own Service, itself included', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) {
      seen.add((await server.ok(wgetIn('web-1', `http://${clusterIP}:8080/`))).trim());
    }
    assert.deepEqual([...seen].sort(), ['web-1', 'web-2']);
  });

  test('sessionAffinity ClientIP keeps a client on one backend; None spreads again', async () => {
    await server.ok(['patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
    await server.until('the affinity rules', () => (iptablesSave().includes('--rcheck') ? true : undefined));
    const first = await get(`http://${clusterIP}:8080/`);
    for (let i = 0; i < 20; i++) assert.equal(await get(`http://${clusterIP}:8080/`), first);
    await server.ok([
      'patch',
      'svc',
      'web',
      '-p',
      '{"spec":{"sessionAffinity":"None","sessionAffinityConfig":null}}',
    ]);
    await server.until('the affinity rules gone', () =>
      iptablesSave().includes('--rcheck') ? undefined : true,
    );
    const seen = await server.until('both backends answering', async () => {
      const s = await fromNode(30);
      return s.size === 2 ? s : undefined;
    });
    assert.equal(seen.size, 2);
  });

  test('a NodePort answers on 127.0.0.1 and on the node’s bridge address', async () => {
    const a = await server.until('the NodePort on 127.0.0.1', () => get(`http://127.0.0.1:${nodePort}/`));
    assert.match(a, /^web-[12]$/);
    const b = await get(`http://10.87.0.1:${nodePort}/`);
    assert.match(b, /^web-[12]$/);
    const c = await server.ok(wgetIn('client', `http://10.87.0.1:${nodePort}/`));
    assert.match(c.trim(), /^web-[12]$/);
  });

  test('a pod failing readiness leaves the endpoints and the traffic, and comes back', async () => {
    const ip2 = await podIP('web-2');
    await server.ok(['exec', 'web-2', '--', 'rm', '/tmp/ready']);
    await server.until('web-2 out of the endpoints', async () => {
      const got = await endpointIPs();
      return got.length === 1 && !got.includes(ip2) ? got : undefined;
    });
    const notReady = await server.ok([
      'get',
      'endpoints',
      'web',
      '-o',
      'jsonpath={.subsets[*].notReadyAddresses[*].ip}',
    ]);
    assert.equal(notReady.trim(), ip2);
    // Once the rules follow, only web-1 answers.
    await server.until('only web-1 answering', async () => {
      const s = await fromNode(20);
      return s.size === 1 && s.has('web-1') ? s : undefined;
    });
    for (let i = 0; i < 10; i++) {
      const out = await server.ok(wgetIn('client', `http://${clusterIP}:8080/`));
      assert.equal(out.trim(), 'web-1');
    }

    await server.ok(['exec', 'web-2', '--', 'touch', '/tmp/ready']);
    await server.until('web-2 back in the endpoints', async () => {
      const got = await endpointIPs();
      return got.length === 2 ? got : undefined;
    });
    const seen = await server.until('both backends answering again', async () => {
      const s = await fromNode(30);
      return s.size === 2 ? s : undefined;
    });
    assert.deepEqual([...seen].sort(), ['web-1', 'web-2']);
  });

  test('a server restart keeps the rules: the ClusterIP answers while the node is down and after', async () => {
    await server.stop();
    assert.match(iptablesSave(), /default\/web:http cluster IP/);
    assert.match(await get(`http://${clusterIP}:8080/`), /^web-[12]$/);
    // The harness waits for the serving line in all output so far: start from a clean slate.
    (server as unknown as { output: string }).output = '';
    await server.start(serverArgs);
    const seen = await server.until('both backends answering after the restart', async () => {
      const s = await fromNode(30);
      return s.size === 2 ? s : undefined;
    });
    assert.deepEqual([...seen].sort(), ['web-1', 'web-2']);
  });

  test('deleting the Service removes its rules; its ClusterIP is refused, not routed away', async () => {
    assert.match(iptablesSave(), /default\/web:http cluster IP/);
    await server.ok(['delete', 'svc', 'web']);
    await server.until('the rules gone', () =>
      iptablesSave().includes('default/web:http') ? undefined : true,
    );
    // The service range's catch-all rejects the address at once (no timeout, nothing leaves the machine).
    await assert.rejects(get(`http://${clusterIP}:8080/`), (e: NodeJS.ErrnoException) => {
      assert.ok(['ENETUNREACH', 'ECONNREFUSED', 'EHOSTUNREACH'].includes(e.code ?? ''), e.message);
      return true;
    });
  });
});
