// The printers against the real kubectl 1.32: a loopback API server serves our Tables and the
// scenario pods and events; kubectl's own output must equal ours byte for byte. kubectl renders
// the Tables itself (alignment, wide columns, namespaces, labels, watch lines) and computes
// describe completely on its own, including every age from its own clock, so the pods are built
// around the real current time with ages that cannot change bucket during a run.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Event, Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import { describePod } from './describe-pod.ts';
import { eventTable } from './event-table.ts';
import { podTable, PodWatchPrinter } from './pod-table.ts';
import {
  defaultTableObject,
  eventTableObject,
  namespaceTableObject,
  nodeTableObject,
  podTableObject,
} from './table-objects.ts';
import { printTable } from './table-printer.ts';
import {
  kubectlAvailable,
  runKubectl,
  sendJson,
  startFakeApiServer,
  wantsTable,
  type FakeApiServer,
} from './testing/fake-apiserver.ts';
import { describeFixtures } from './testdata/describe-pods.ts';
import { lifecycleScenarios, webEvents } from './testdata/lifecycle-pods.ts';

const available = kubectlAvailable();
const skip = available ? false : 'the real kubectl is not installed at /usr/bin/kubectl';
if (!available) process.stdout.write('kubectl oracle tests skipped: /usr/bin/kubectl is not available\n');

// Base time on the 30 s mark of a minute: every age in the fixtures is whole minutes plus 0 or
// 30 s away from it, so nothing changes its printed bucket for the next ~25 s.
function stableBase(): number {
  const now = Date.now();
  const minute = Math.floor(now / 60_000) * 60_000;
  const base = minute + 30_000;
  return base <= now ? base : base - 60_000;
}

const base = stableBase();
// Table cells are computed by the server, so they use one fixed instant; only describe runs on
// kubectl's clock.
const tableNow = base;
const scenarios = lifecycleScenarios(base);
const pods = scenarios.map((s) => s.pod);
const web = pods.find((p) => p.metadata?.name === 'web');
if (web === undefined) throw new Error('fixture "web" missing');
const events = webEvents(base, web);
const described = describeFixtures(base);
const allPods = [...pods, ...described.map((d) => d.pod)];
const eventsByUid = new Map<string, Event[]>([[web.metadata?.uid ?? '', events]]);
for (const d of described) eventsByUid.set(d.pod.metadata?.uid ?? '', d.events);

const node: Node = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'node-1',
    creationTimestamp: new Date(base - 3 * 86_400_000).toISOString(),
    labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/hostname': 'node-1' },
  },
  spec: {},
  status: {
    conditions: [{ type: 'Ready', status: 'True' }],
    addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
    nodeInfo: {
      architecture: 'amd64',
      bootID: 'boot',
      kubeProxyVersion: '',
      machineID: 'machine',
      operatingSystem: 'linux',
      systemUUID: 'uuid',
      kubeletVersion: 'v1.32.4-nodelet',
      osImage: 'Debian GNU/Linux 12 (bookworm)',
      kernelVersion: '6.1.0',
      containerRuntimeVersion: 'nodelet://0.1.0',
    },
  },
};
const namespaces: Namespace[] = [
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'default', creationTimestamp: new Date(base - 3 * 86_400_000).toISOString() },
    status: { phase: 'Active' },
  },
  {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'kube-system', creationTimestamp: new Date(base - 3 * 86_400_000).toISOString() },
    status: { phase: 'Terminating' },
  },
];
const configMaps = [
  {
    metadata: {
      name: 'kube-root-ca.crt',
      namespace: 'default',
      creationTimestamp: new Date(base - 3 * 86_400_000).toISOString(),
    },
  },
];

/** What the watch stream sends after the list, as Tables (the first with headers). */
const watchUpdates: Pod[] = [];

let server: FakeApiServer;

function route(req: IncomingMessage, url: URL, res: ServerResponse): boolean | Promise<boolean> {
  const now = tableNow;
  const includeObject = (url.searchParams.get('includeObject') ?? undefined) as
    'Object' | 'Metadata' | 'None' | undefined;
  const opts = { resourceVersion: '200', ...(includeObject !== undefined ? { includeObject } : {}) };
  const path = url.pathname;
  if (path === '/api/v1/namespaces/default/pods' || path === '/api/v1/pods') {
    if (url.searchParams.get('watch') === 'true') return streamWatch(res, now);
    const fieldSelector = url.searchParams.get('fieldSelector');
    const items = fieldSelector?.startsWith('metadata.name=')
      ? allPods.filter((p) => p.metadata?.name === fieldSelector.slice('metadata.name='.length))
      : pods;
    if (wantsTable(req)) sendJson(res, 200, podTableObject(items, now, opts));
    else
      sendJson(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '200' }, items });
    return true;
  }
  const single = /^\/api\/v1\/namespaces\/default\/pods\/([^/]+)$/.exec(path);
  if (single !== null) {
    const pod = allPods.find((p) => p.metadata?.name === single[1]);
    if (pod === undefined) return false;
    sendJson(res, 200, wantsTable(req) ? podTableObject([pod], now, { resourceVersion: '100' }) : pod);
    return true;
  }
  if (path === '/api/v1/namespaces/default/events') {
    const selector = url.searchParams.get('fieldSelector') ?? '';
    const uid = /involvedObject\.uid=([^,]+)/.exec(selector)?.[1];
    const items = uid !== undefined ? (eventsByUid.get(uid) ?? []) : events;
    if (wantsTable(req)) sendJson(res, 200, eventTableObject(items, now, opts));
    else
      sendJson(res, 200, {
        kind: 'EventList',
        apiVersion: 'v1',
        metadata: { resourceVersion: '200' },
        items,
      });
    return true;
  }
  if (path === '/api/v1/nodes') {
    sendJson(res, 200, nodeTableObject([node], now, opts));
    return true;
  }
  if (path === '/api/v1/namespaces') {
    sendJson(res, 200, namespaceTableObject(namespaces, now, opts));
    return true;
  }
  if (path === '/api/v1/namespaces/default/configmaps') {
    sendJson(res, 200, defaultTableObject(configMaps, 'ConfigMap', 'v1', opts));
    return true;
  }
  return false;
}

async function streamWatch(res: ServerResponse, now: number): Promise<boolean> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  let first = true;
  for (const pod of watchUpdates) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    res.write(
      `${JSON.stringify({ type: 'MODIFIED', object: podTableObject([pod], now, { noHeaders: !first }) })}\n`,
    );
    first = false;
  }
  await new Promise((resolve) => setTimeout(resolve, 30));
  res.end();
  return true;
}

before(async () => {
  if (available) server = await startFakeApiServer(route);
});
after(async () => {
  if (available) await server.close();
});

async function kubectl(...args: string[]): Promise<string> {
  const r = await runKubectl(server, args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

test('kubectl get pods: every lifecycle scenario, one aligned table', { skip }, async () => {
  const out = await kubectl('get', 'pods');
  assert.equal(out, podTable(pods, tableNow));
  // And the columns carry what the scenarios say.
  for (const s of scenarios) {
    const line = out.split('\n').find((l) => l.startsWith(`${s.pod.metadata?.name ?? ''} `));
    assert.ok(line?.includes(` ${s.expect.status} `), `${s.name}: ${line}`);
  }
});

test('kubectl get pods -o wide', { skip }, async () => {
  assert.equal(await kubectl('get', 'pods', '-o', 'wide'), podTable(pods, tableNow, { wide: true }));
});

test('kubectl get pods --no-headers, -A, --show-labels, -L', { skip }, async () => {
  const now = tableNow;
  assert.equal(await kubectl('get', 'pods', '--no-headers'), podTable(pods, now, { noHeaders: true }));
  assert.equal(await kubectl('get', 'pods', '-A'), podTable(pods, now, { withNamespace: true }));
  assert.equal(await kubectl('get', 'pods', '--show-labels'), podTable(pods, now, { showLabels: true }));
  assert.equal(
    await kubectl('get', 'pods', '-L', 'app,missing'),
    podTable(pods, now, { columnLabels: ['app', 'missing'] }),
  );
});

test('kubectl get pods -w: header once, then rows with remembered widths', { skip }, async () => {
  const wider = structuredClone(pods.find((p) => p.metadata?.name === 'crashloop'));
  if (wider?.metadata === undefined) throw new Error('fixture missing');
  wider.metadata.name = 'a-much-longer-pod-name-than-any-before';
  watchUpdates.splice(0, watchUpdates.length, pods[0] as Pod, wider, pods[1] as Pod);
  const out = await kubectl('get', 'pods', '-w');
  const now = tableNow;
  const session = new PodWatchPrinter();
  let ours = session.list(pods, now);
  for (const p of watchUpdates) ours += session.event('MODIFIED', p, now);
  assert.equal(out, ours);
  watchUpdates.length = 0;
});

test('kubectl get pods -w --output-watch-events', { skip }, async () => {
  watchUpdates.splice(0, watchUpdates.length, pods[2] as Pod);
  const out = await kubectl('get', 'pods', '-w', '--output-watch-events');
  const now = tableNow;
  const session = new PodWatchPrinter({ outputWatchEvents: true });
  assert.equal(out, session.list(pods, now) + session.event('MODIFIED', pods[2] as Pod, now));
  watchUpdates.length = 0;
});

test('kubectl get events and -o wide', { skip }, async () => {
  const now = tableNow;
  assert.equal(await kubectl('get', 'events'), eventTable(events, now));
  assert.equal(await kubectl('get', 'events', '-o', 'wide'), eventTable(events, now, { wide: true }));
});

test('kubectl get nodes, namespaces, and a kind without a printer', { skip }, async () => {
  const now = tableNow;
  assert.equal(await kubectl('get', 'nodes'), printTable(nodeTableObject([node], now)));
  assert.equal(
    await kubectl('get', 'nodes', '-o', 'wide'),
    printTable(nodeTableObject([node], now), { wide: true }),
  );
  assert.equal(await kubectl('get', 'namespaces'), printTable(namespaceTableObject(namespaces, now)));
  assert.equal(
    await kubectl('get', 'configmaps'),
    printTable(defaultTableObject(configMaps, 'ConfigMap', 'v1')),
  );
});

test('kubectl describe pod: every lifecycle scenario', { skip }, async () => {
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const out = await kubectl('describe', 'pod', name);
    const ours = describePod(pod, eventsByUid.get(pod.metadata?.uid ?? '') ?? [], Date.now(), {
      timeZone: 'UTC',
    });
    assert.equal(out, ours, `describe pod ${name}`);
  }
});

test(
  'kubectl describe pod: probes, env, mounts, volumes, resources, annotations, tolerations',
  { skip },
  async () => {
    for (const d of described) {
      const name = d.pod.metadata?.name ?? '';
      const out = await kubectl('describe', 'pod', name);
      assert.equal(
        out,
        describePod(d.pod, d.events, Date.now(), { timeZone: 'UTC' }),
        `describe pod ${name}`,
      );
    }
  },
);
