// The comparisons with the real kubectl, shared by the live test (kubectl-oracle.test.ts), the
// recorder of kubectl's answers (testdata/record-kubectl-goldens.ts) and the replay of those
// answers without kubectl (kubectl-goldens.test.ts).
//
// Every case names a kubectl command and how our printers produce the same text. Table cells are
// server-side, so they are computed at one fixed instant (`base`); describe computes its ages on
// kubectl's own clock, which is why the fixtures put every time at whole minutes or half minutes
// from `base` and `base` on a :30 second mark: the printed ages then stay the same for ~25 s.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConfigMap, Event, Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import { describePod } from '../describe-pod.ts';
import { eventTable } from '../event-table.ts';
import { podTable, PodWatchPrinter } from '../pod-table.ts';
import {
  defaultTableObject,
  eventTableObject,
  namespaceTableObject,
  nodeTableObject,
  podTableObject,
} from '../table-objects.ts';
import { printTable } from '../table-printer.ts';
import type { IncludeObject } from '../table.ts';
import { describeFixtures } from '../testdata/describe-pods.ts';
import { lifecycleScenarios, webEvents } from '../testdata/lifecycle-pods.ts';
import { sendJson, wantsTable } from './fake-apiserver.ts';

const DAY = 86_400_000;

export interface World {
  base: number;
  /** The lifecycle scenario pods: what `kubectl get pods` lists. */
  pods: Pod[];
  /** Also the describe fixtures (reachable by name). */
  allPods: Pod[];
  events: Event[];
  eventsByUid: Map<string, Event[]>;
  node: Node;
  namespaces: Namespace[];
  configMaps: ConfigMap[];
  /** What the next watch stream sends after the list. */
  watchUpdates: Pod[];
}

/** A :30 second mark at most a minute before now. */
export function stableBase(now: number): number {
  const base = Math.floor(now / 60_000) * 60_000 + 30_000;
  return base <= now ? base : base - 60_000;
}

export function buildWorld(base: number): World {
  const pods = lifecycleScenarios(base).map((s) => s.pod);
  const web = pods.find((p) => p.metadata?.name === 'web');
  if (web === undefined) throw new Error('fixture "web" missing');
  const events = webEvents(base, web);
  const described = describeFixtures(base);
  const eventsByUid = new Map<string, Event[]>([[web.metadata?.uid ?? '', events]]);
  for (const d of described) eventsByUid.set(d.pod.metadata?.uid ?? '', d.events);
  const created = new Date(base - 3 * DAY).toISOString();
  return {
    base,
    pods,
    allPods: [...pods, ...described.map((d) => d.pod)],
    events,
    eventsByUid,
    node: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'node-1',
        creationTimestamp: created,
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
    },
    namespaces: [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'default', creationTimestamp: created },
        status: { phase: 'Active' },
      },
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'kube-system', creationTimestamp: created },
        status: { phase: 'Terminating' },
      },
    ],
    configMaps: [
      { metadata: { name: 'kube-root-ca.crt', namespace: 'default', creationTimestamp: created } },
    ],
    watchUpdates: [],
  };
}

async function streamWatch(world: World, res: ServerResponse): Promise<boolean> {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  let first = true;
  for (const pod of world.watchUpdates) {
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Like the apiserver: column definitions only in the first event's Table.
    const table = podTableObject([pod], world.base, { noHeaders: !first });
    res.write(`${JSON.stringify({ type: 'MODIFIED', object: table })}\n`);
    first = false;
  }
  await new Promise((resolve) => setTimeout(resolve, 30));
  res.end();
  return true;
}

/** The fake API server's routes for a world: pods, events, nodes, namespaces and configmaps. */
export function worldRoute(world: World) {
  return (req: IncomingMessage, url: URL, res: ServerResponse): boolean | Promise<boolean> => {
    const includeObject = (url.searchParams.get('includeObject') ?? undefined) as IncludeObject | undefined;
    const opts = { resourceVersion: '200', ...(includeObject !== undefined ? { includeObject } : {}) };
    const path = url.pathname;
    if (path === '/api/v1/namespaces/default/pods' || path === '/api/v1/pods') {
      if (url.searchParams.get('watch') === 'true') return streamWatch(world, res);
      if (wantsTable(req)) sendJson(res, 200, podTableObject(world.pods, world.base, opts));
      else
        sendJson(res, 200, {
          kind: 'PodList',
          apiVersion: 'v1',
          metadata: { resourceVersion: '200' },
          items: world.pods,
        });
      return true;
    }
    const single = /^\/api\/v1\/namespaces\/default\/pods\/([^/]+)$/.exec(path);
    if (single !== null) {
      const pod = world.allPods.find((p) => p.metadata?.name === single[1]);
      if (pod === undefined) return false;
      sendJson(
        res,
        200,
        wantsTable(req) ? podTableObject([pod], world.base, { resourceVersion: '100' }) : pod,
      );
      return true;
    }
    if (path === '/api/v1/namespaces/default/events') {
      const uid = /involvedObject\.uid=([^,]+)/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
      const items = uid !== undefined ? (world.eventsByUid.get(uid) ?? []) : world.events;
      if (wantsTable(req)) sendJson(res, 200, eventTableObject(items, world.base, opts));
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
      sendJson(res, 200, nodeTableObject([world.node], world.base, opts));
      return true;
    }
    if (path === '/api/v1/namespaces') {
      sendJson(res, 200, namespaceTableObject(world.namespaces, world.base, opts));
      return true;
    }
    if (path === '/api/v1/namespaces/default/configmaps') {
      sendJson(res, 200, defaultTableObject(world.configMaps, 'ConfigMap', 'v1', opts));
      return true;
    }
    return false;
  };
}

export interface OracleCase {
  /** A stable identifier (also the key of the recorded answer). */
  id: string;
  args: string[];
  /** Pods the watch stream sends after the list, for `get -w` cases. */
  watch?: (world: World) => Pod[];
  /** Our text for the command; `now` is the instant kubectl ran at. */
  ours: (world: World, now: number) => string;
}

function named(world: World, name: string): Pod {
  const pod = world.allPods.find((p) => p.metadata?.name === name);
  if (pod === undefined) throw new Error(`no fixture pod ${name}`);
  return pod;
}

export function oracleCases(world: World): OracleCase[] {
  const t = world.base;
  const cases: OracleCase[] = [
    { id: 'get pods', args: ['get', 'pods'], ours: (w) => podTable(w.pods, t) },
    {
      id: 'get pods -o wide',
      args: ['get', 'pods', '-o', 'wide'],
      ours: (w) => podTable(w.pods, t, { wide: true }),
    },
    {
      id: 'get pods --no-headers',
      args: ['get', 'pods', '--no-headers'],
      ours: (w) => podTable(w.pods, t, { noHeaders: true }),
    },
    {
      id: 'get pods -A',
      args: ['get', 'pods', '-A'],
      ours: (w) => podTable(w.pods, t, { withNamespace: true }),
    },
    {
      id: 'get pods -A -o wide --show-labels',
      args: ['get', 'pods', '-A', '-o', 'wide', '--show-labels'],
      ours: (w) => podTable(w.pods, t, { withNamespace: true, wide: true, showLabels: true }),
    },
    {
      id: 'get pods -L app,missing',
      args: ['get', 'pods', '-L', 'app,missing'],
      ours: (w) => podTable(w.pods, t, { columnLabels: ['app', 'missing'] }),
    },
    {
      id: 'get pods -w',
      args: ['get', 'pods', '-w'],
      watch: (w) => {
        const wider = structuredClone(named(w, 'crashloop')) as Pod & {
          metadata: NonNullable<Pod['metadata']>;
        };
        wider.metadata.name = 'a-much-longer-pod-name-than-any-before';
        return [named(w, 'creating'), wider, named(w, 'init-waiting')];
      },
      ours: (w) => {
        const session = new PodWatchPrinter();
        let text = session.list(w.pods, t);
        for (const p of w.watchUpdates) text += session.event('MODIFIED', p, t);
        return text;
      },
    },
    {
      id: 'get pods -w --output-watch-events',
      args: ['get', 'pods', '-w', '--output-watch-events'],
      watch: (w) => [named(w, 'init-second')],
      ours: (w) => {
        const session = new PodWatchPrinter({ outputWatchEvents: true });
        let text = session.list(w.pods, t);
        for (const p of w.watchUpdates) text += session.event('MODIFIED', p, t);
        return text;
      },
    },
    { id: 'get events', args: ['get', 'events'], ours: (w) => eventTable(w.events, t) },
    {
      id: 'get events -o wide',
      args: ['get', 'events', '-o', 'wide'],
      ours: (w) => eventTable(w.events, t, { wide: true }),
    },
    { id: 'get nodes', args: ['get', 'nodes'], ours: (w) => printTable(nodeTableObject([w.node], t)) },
    {
      id: 'get nodes -o wide',
      args: ['get', 'nodes', '-o', 'wide'],
      ours: (w) => printTable(nodeTableObject([w.node], t), { wide: true }),
    },
    {
      id: 'get namespaces',
      args: ['get', 'namespaces'],
      ours: (w) => printTable(namespaceTableObject(w.namespaces, t)),
    },
    {
      id: 'get configmaps',
      args: ['get', 'configmaps'],
      ours: (w) => printTable(defaultTableObject(w.configMaps, 'ConfigMap', 'v1')),
    },
  ];
  for (const pod of world.allPods) {
    const name = pod.metadata?.name ?? '';
    cases.push({
      id: `describe pod ${name}`,
      args: ['describe', 'pod', name],
      ours: (w, now) =>
        describePod(pod, w.eventsByUid.get(pod.metadata?.uid ?? '') ?? [], now, { timeZone: 'UTC' }),
    });
  }
  return cases;
}
