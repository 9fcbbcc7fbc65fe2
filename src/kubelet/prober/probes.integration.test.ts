// Probes on real processes: the kubelet engine, the process runtime and this prober together, on
// the real clock. One scenario per handler; assertions are on what happened, never on how fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Event, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { ProcessRuntime } from '../../runtime/process/process-runtime.ts';
import { realClock } from '../../util/clock.ts';
import { Kubelet } from '../kubelet.ts';
import type { PodChange, PodSource, StatusWriter, EventSink } from '../ports.ts';
import { ProbeManager } from './prober-manager.ts';

interface Node {
  kubelet: Kubelet;
  runtime: ProcessRuntime;
  events: Event[];
  statuses: PodStatus[];
  latest(): PodStatus | undefined;
  stop(): Promise<void>;
}

function startNode(pod: Pod): Node {
  const root = mkdtempSync(join(tmpdir(), 'nodelet-probe-it-'));
  const runtime = new ProcessRuntime({ root, clock: realClock });
  const events: Event[] = [];
  const statuses: PodStatus[] = [];
  const podSource: PodSource = {
    watchPods(handler: (change: PodChange, pod: Pod) => void) {
      handler('ADDED', pod);
      return () => undefined;
    },
  };
  const statusWriter: StatusWriter = {
    updateStatus(_pod: Pod, status: PodStatus) {
      statuses.push(structuredClone(status));
      return Promise.resolve();
    },
    deletePod() {
      return Promise.resolve();
    },
  };
  const byName = new Map<string, Event>();
  const eventSink: EventSink = {
    writeEvent(e: Event) {
      const name = e.metadata?.name ?? '';
      const prior = byName.get(name);
      byName.set(name, e);
      if (prior) events[events.indexOf(prior)] = e;
      else events.push(e);
    },
  };
  const kubelet = new Kubelet({
    nodeName: 'nodelet',
    clock: realClock,
    runtime,
    podSource,
    statusWriter,
    eventSink,
    prober: (deps) => new ProbeManager(deps),
  });
  kubelet.start();
  return {
    kubelet,
    runtime,
    events,
    statuses,
    latest: () => statuses.at(-1),
    stop: async () => {
      await kubelet.stop();
      runtime.killAll();
      await runtime.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

let seq = 0;
function makePod(containers: Container[], extra: Partial<NonNullable<Pod['spec']>> = {}): Pod {
  seq++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `probe-it-${seq}`,
      namespace: 'default',
      uid: `00000000-0000-4000-8000-${String(process.pid).padStart(6, '0')}${String(seq).padStart(6, '0')}`,
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    },
    spec: {
      nodeName: 'nodelet',
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 2,
      ...extra,
      containers: containers.map((c) => ({
        image: 'busybox',
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        ...c,
      })),
    },
  };
}

async function waitFor(what: string, cond: () => boolean, maxMs = 30_000): Promise<void> {
  const end = Date.now() + maxMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function messages(node: Node, reason: string): string[] {
  return node.events.filter((e) => e.reason === reason).map((e) => e.message ?? '');
}

const NODE = process.execPath;

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise<number>((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

test('liveness exec: a failing probe restarts the container with the kubelet events', async () => {
  const flag = join(mkdtempSync(join(tmpdir(), 'probe-flag-')), 'alive');
  const pod = makePod([
    {
      name: 'app',
      command: ['/bin/sh', '-c', `touch ${flag}; sleep 1.5; rm -f ${flag}; sleep 3600`],
      livenessProbe: { exec: { command: ['test', '-e', flag] }, periodSeconds: 1, failureThreshold: 2 },
    },
  ]);
  const node = startNode(pod);
  try {
    await waitFor('restartCount 1', () => (node.latest()?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    assert.ok(messages(node, 'Unhealthy').includes(`Liveness probe failed: `));
    assert.ok(messages(node, 'Killing').includes('Container app failed liveness probe, will be restarted'));
    const cs = node.latest()?.containerStatuses?.[0];
    assert.ok(cs?.lastState?.terminated, 'the killed instance is lastState');
  } finally {
    await node.stop();
  }
});

test('readiness httpGet: READY follows the health endpoint (0/1 → 1/1 → 0/1)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'probe-flag-'));
  const flag = join(dir, 'ready');
  const probePort = await freePort();
  const server = `require('http').createServer((q, s) => { const ok = require('fs').existsSync(${JSON.stringify(flag)}); s.statusCode = ok ? 200 : 503; s.end(ok ? 'ok' : 'not yet'); }).listen(${probePort}, '127.0.0.1');`;
  const pod = makePod([
    {
      name: 'web',
      command: [NODE, '-e', server],
      ports: [{ name: 'http', containerPort: probePort }],
      readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 1, failureThreshold: 1 },
    },
  ]);
  const node = startNode(pod);
  const ready = (): boolean | undefined => node.latest()?.containerStatuses?.[0]?.ready;
  try {
    await waitFor('an Unhealthy 503', () =>
      messages(node, 'Unhealthy').includes('Readiness probe failed: HTTP probe failed with statuscode: 503'),
    );
    assert.equal(ready(), false);
    const { writeFileSync, rmSync: rm } = await import('node:fs');
    writeFileSync(flag, '');
    await waitFor('ready', () => ready() === true);
    assert.equal(node.latest()?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
    rm(flag);
    await waitFor('not ready again', () => ready() === false);
    assert.equal(node.latest()?.containerStatuses?.[0]?.restartCount, 0, 'readiness never restarts');
  } finally {
    await node.stop();
  }
});

test('startup exec holds back liveness until it succeeds', async () => {
  const flag = join(mkdtempSync(join(tmpdir(), 'probe-flag-')), 'started');
  const pod = makePod([
    {
      name: 'slow',
      command: ['/bin/sh', '-c', `sleep 2; touch ${flag}; sleep 3600`],
      startupProbe: { exec: { command: ['test', '-e', flag] }, periodSeconds: 1, failureThreshold: 30 },
      // Would fail (and kill) at once if it ran before the startup probe succeeded.
      livenessProbe: { exec: { command: ['test', '-e', flag] }, periodSeconds: 1, failureThreshold: 1 },
    },
  ]);
  const node = startNode(pod);
  try {
    await waitFor('started', () => node.latest()?.containerStatuses?.[0]?.started === true);
    assert.ok(messages(node, 'Unhealthy').every((m) => m.startsWith('Startup probe failed')));
    assert.ok(messages(node, 'Unhealthy').length >= 1);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(node.latest()?.containerStatuses?.[0]?.restartCount, 0);
    assert.equal(messages(node, 'Killing').length, 0);
  } finally {
    await node.stop();
  }
});

test('liveness tcpSocket: a closed port restarts the container', async () => {
  const port = await freePort();
  // Listens for 2 s, then closes the port but keeps running.
  const script = `const s = require('net').createServer(() => {}).listen(${port}, '127.0.0.1'); setTimeout(() => s.close(), 2000); setInterval(() => {}, 1000);`;
  const pod = makePod([
    {
      name: 'tcp',
      command: [NODE, '-e', script],
      livenessProbe: { tcpSocket: { port }, periodSeconds: 1, failureThreshold: 2, initialDelaySeconds: 1 },
    },
  ]);
  const node = startNode(pod);
  try {
    await waitFor('restart', () => (node.latest()?.containerStatuses?.[0]?.restartCount ?? 0) >= 1);
    assert.ok(
      messages(node, 'Unhealthy').includes(
        `Liveness probe failed: dial tcp 127.0.0.1:${port}: connect: connection refused`,
      ),
    );
    assert.ok(messages(node, 'Killing').includes('Container tcp failed liveness probe, will be restarted'));
  } finally {
    await node.stop();
  }
});

test('readiness grpc: NOT_SERVING keeps the container unready until it reports SERVING', async () => {
  const port = await freePort();
  const codec = new URL('./grpc-probe.ts', import.meta.url).href;
  // A real grpc-js health server as the container: NOT_SERVING for 2 s, then SERVING.
  const script = [
    "import * as grpc from '@grpc/grpc-js';",
    `import * as h from ${JSON.stringify(codec)};`,
    'const started = Date.now();',
    'const server = new grpc.Server();',
    'server.addService({ Check: { path: h.HEALTH_CHECK_METHOD, requestStream: false, responseStream: false,',
    '  requestSerialize: h.encodeHealthCheckRequest, requestDeserialize: h.decodeHealthCheckRequest,',
    '  responseSerialize: h.encodeHealthCheckResponse, responseDeserialize: h.decodeHealthCheckResponse } },',
    '  { Check: (call, cb) => cb(null, { status: Date.now() - started > 2000 ? 1 : 2 }) });',
    `server.bindAsync('127.0.0.1:${port}', grpc.ServerCredentials.createInsecure(), () => {});`,
  ].join('\n');
  const pod = makePod([
    {
      name: 'grpc',
      command: [NODE, '--input-type=module', '-e', script],
      workingDir: process.cwd(),
      readinessProbe: { grpc: { port }, periodSeconds: 1, failureThreshold: 1 },
    },
  ]);
  const node = startNode(pod);
  try {
    await waitFor('NOT_SERVING reported', () =>
      messages(node, 'Unhealthy').includes(
        'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")',
      ),
    );
    assert.equal(node.latest()?.containerStatuses?.[0]?.ready, false);
    await waitFor('ready', () => node.latest()?.containerStatuses?.[0]?.ready === true);
  } finally {
    await node.stop();
  }
});
