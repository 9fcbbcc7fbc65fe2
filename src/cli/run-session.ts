// `nodelet run`: the whole pipeline in one foreground process — an in-memory store, the one-node
// scheduler, the kubelet and a runtime — with what happens streamed to stderr as it happens.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { stringify as toYaml } from 'yaml';
import { RESOURCE_OF, type LoadedResource } from '../api/load.ts';
import { prepareServiceCreate } from '../apiserver/service-strategy.ts';
import { startEndpointControllers } from '../apiserver/controllers/endpoint-controllers.ts';
import { Kubelet } from '../kubelet/kubelet.ts';
import { ContainerLogManager, type LogRotationPolicy } from '../kubelet/log-rotation.ts';
import { formatHookRun } from '../kubelet/lifecycle/hook-run.ts';
import { ProbeManager } from '../kubelet/prober/prober-manager.ts';
import type { BackoffConfig } from '../kubelet/backoff.ts';
import type { RegistryOptions } from '../runtime/image/image-manager.ts';
import { startPodNetworkServices } from './pod-network-services.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { LogFollower } from './log-follower.ts';
import { builtinRuntimeClasses, createNodeRuntime, storeRuntimeClasses } from './runtime-factory.ts';
import { EventPrinter, PodWatchPrinter, podTable } from './printing.ts';
import { podTableObject } from '../api/printers/table-objects.ts';
import { createBoundPod } from './scheduler.ts';
import { StoreEventSink, StoreObjectSource, StorePodSource, StoreStatusWriter } from './store-ports.ts';

export interface RunOptions {
  pods: Pod[];
  /** ConfigMaps, Secrets and Services of the run files (load.ts), created before the pods. */
  resources?: LoadedResource[];
  timeoutMs?: number;
  output: 'wide' | 'json' | 'yaml';
  crashLoopBackOff?: BackoffConfig;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Signals that ask the run to stop (SIGINT/SIGTERM); a second one kills at once. */
  stopSignals?: NodeJS.EventEmitter;
  clock?: Clock;
  nodeName?: string;
  /** `process` (the default) or `oci`. */
  runtime?: string;
  /** The oci runtime's data dir (its image store persists across runs). */
  dataDir?: string;
  registries?: RegistryOptions;
  maxPods?: number;
  /** Container log rotation (containerLogMaxSize/MaxFiles/MonitorInterval); 10Mi × 5, every 10 s by default. */
  containerLogs?: Partial<LogRotationPolicy> & { monitorIntervalMs?: number };
}

export const EXIT_OK = 0;
export const EXIT_POD_FAILED = 1;
export const EXIT_INVALID = 2;

const LOG_POLL_MS = 100;

export async function runPods(opts: RunOptions): Promise<number> {
  const clock = opts.clock ?? realClock;
  const nodeName = opts.nodeName ?? 'nodelet';
  const root = mkdtempSync(join(tmpdir(), 'nodelet-run-'));
  const store = new MemoryStore();
  const sink = new StoreEventSink(store);
  const err = (line: string): void => void opts.stderr.write(line + '\n');
  // The run's API objects first, as `kubectl create -f` would: a Service whose addresses cannot be
  // allocated stops the run before anything runs.
  try {
    createRunObjects(store, opts.resources ?? [], clock);
  } catch (e) {
    err((e as Error).message);
    rmSync(root, { recursive: true, force: true });
    return EXIT_INVALID;
  }
  const node = createNodeRuntime({
    flag: opts.runtime,
    processRoot: root,
    dataDir: opts.dataDir ?? root,
    registries: opts.registries ?? {},
    clock,
    store,
  });
  err(node.startupLine);
  const runtime = node.runtime;
  // `nodelet run` owns its containers: whatever way the process ends, none is left behind.
  const killOnExit = (): void => node.killAllSync();
  process.on('exit', killOnExit);

  const lastSeen = new Map<string, Pod>();
  const rows = new Map<string, string>();
  const podPrinter = new PodWatchPrinter();
  const eventPrinter = new EventPrinter();
  const unwatchPods = store.watch<Pod>('pods', {}, (e) => {
    if (e.type === 'BOOKMARK') return;
    const uid = e.object.metadata?.uid ?? '';
    lastSeen.set(uid, e.object);
    if (e.type === 'DELETED') return;
    // One line per visible change (the row without its AGE), as `kubectl get pods -w` shows them.
    const key = JSON.stringify(podTableObject([e.object], 0).rows[0]?.cells.slice(0, 4));
    if (rows.get(uid) === key) return;
    rows.set(uid, key);
    err(podPrinter.line(e.object, clock.now()));
  });
  const unwatchEvents = store.watch<Event>('events', {}, (e) => {
    if (e.type === 'DELETED' || e.type === 'BOOKMARK') return;
    err(eventPrinter.line(e.object));
  });

  const podNames = new Map(opts.pods.map((p) => [p.metadata?.uid ?? '', p.metadata?.name ?? '']));
  const kubelet = new Kubelet({
    nodeName,
    clock,
    runtime,
    podSource: new StorePodSource(store, nodeName),
    statusWriter: new StoreStatusWriter(store),
    eventSink: sink,
    runtimeClasses: storeRuntimeClasses(store),
    objects: new StoreObjectSource(store),
    ...(opts.crashLoopBackOff ? { crashLoopBackOff: opts.crashLoopBackOff } : {}),
    ...(opts.maxPods !== undefined ? { maxPods: opts.maxPods } : {}),
    prober: (deps) => {
      const m = new ProbeManager(deps);
      // Beyond kubectl: every change of a probe's outcome, with what the probe saw.
      const last = new Map<string, string>();
      m.onRun((r) => {
        const key = `${r.containerId}/${r.kind}`;
        if (last.get(key) === r.outcome) return;
        last.set(key, r.outcome);
        const out = r.output.trim() ? `: ${r.output.trim().replace(/\s*\n\s*/g, ' ⏎ ')}` : '';
        err(
          `[${podNames.get(r.podUid) ?? r.podUid}/${r.containerName}] ${r.kind} probe ${r.outcome} after ${r.durationMs}ms${out}`,
        );
      });
      m.onUpdate((u) => {
        err(`[${podNames.get(u.podUid) ?? u.podUid}/${u.containerName}] ${u.kind} result is now ${u.result}`);
      });
      return m;
    },
    onHookRun: (pod, run) =>
      err(`[${pod.metadata?.name ?? ''}/${run.container}] ${run.hook} hook ${formatHookRun(run)}`),
  });

  const containerLogs = new ContainerLogManager({
    runtime,
    clock,
    ...opts.containerLogs,
    onError: (id, e) => err(`container ${id}: ${e.message}`),
  });

  const follower = new LogFollower((prefix, _stream, line) => err(`${prefix} ${line}`));
  let polling = true;
  const pollLogs = async (): Promise<void> => {
    for (const c of await runtime.listContainers()) {
      follower.follow(c.logPath, `[${podNames.get(c.podUid) ?? c.podUid}/${c.name}]`);
    }
    follower.poll();
  };
  const logTimer = setInterval(() => {
    if (polling) void pollLogs();
  }, LOG_POLL_MS);

  // Endpoints and EndpointSlices of the run's Services follow its pods, as in `nodelet server`.
  const endpoints = startEndpointControllers({
    store,
    clock,
    onError: (k, e) => err(`endpoints of service ${k}: ${(e as Error).message}`),
  });
  kubelet.start();
  // The service proxy and cluster DNS for oci pods; the run owns the proxy's rules (cleaned up below).
  const podNetwork = startPodNetworkServices({ runtime, store, clock, instance: root, log: err });
  await podNetwork.ready();
  containerLogs.start();
  for (const pod of opts.pods) createBoundPod(store, sink, pod, nodeName, clock);

  const allDone = (): boolean =>
    opts.pods.every((p) => {
      const uid = p.metadata?.uid ?? '';
      const cur = store.get<Pod>({
        resource: 'pods',
        namespace: p.metadata?.namespace ?? 'default',
        name: p.metadata?.name ?? '',
      });
      const phase = (cur ?? lastSeen.get(uid))?.status?.phase;
      return (
        (!cur || phase === 'Succeeded' || phase === 'Failed') && (kubelet.worker(uid)?.isTerminated ?? true)
      );
    });

  let stoppedByUser = false;
  let killNow = false;
  const failedBeforeStop = new Set<string>();
  await new Promise<void>((resolve) => {
    let stopRequested = false;
    const check = setInterval(() => {
      if (allDone()) finish();
    }, 50);
    const finish = (): void => {
      clearInterval(check);
      opts.stopSignals?.off('stop', onStop);
      timer?.cancel();
      resolve();
    };
    const stopAll = (): void => {
      for (const [uid, p] of lastSeen) if (p.status?.phase === 'Failed') failedBeforeStop.add(uid);
      const now = clock.now();
      for (const p of store.list<Pod>('pods').items) {
        if (p.metadata?.deletionTimestamp || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')
          continue;
        const grace = p.spec?.terminationGracePeriodSeconds ?? 30;
        const md = { ...p.metadata };
        delete (md as { resourceVersion?: string }).resourceVersion;
        store.update(
          { resource: 'pods', namespace: md.namespace ?? 'default', name: md.name ?? '' },
          {
            ...p,
            metadata: {
              ...md,
              deletionTimestamp: new Date(Math.floor(now / 1000) * 1000 + grace * 1000)
                .toISOString()
                .replace('.000Z', 'Z'),
              deletionGracePeriodSeconds: grace,
            },
          },
        );
      }
    };
    const onStop = (): void => {
      if (stopRequested) {
        killNow = true;
        finish();
        return;
      }
      stopRequested = true;
      stoppedByUser = true;
      err('stopping: deleting pods gracefully (interrupt again to kill at once)');
      stopAll();
    };
    opts.stopSignals?.on('stop', onStop);
    const timer =
      opts.timeoutMs !== undefined
        ? clock.setTimer(opts.timeoutMs, () => {
            if (stopRequested) return;
            stopRequested = true;
            stoppedByUser = true;
            err(`timeout: deleting pods gracefully`);
            stopAll();
          })
        : undefined;
  });

  if (killNow) await node.killAll();
  await kubelet.stop();
  endpoints.stop();
  await containerLogs.stop();
  polling = false;
  clearInterval(logTimer);
  await pollLogs().catch(() => undefined);
  follower.close();
  unwatchPods();
  unwatchEvents();
  if (!killNow) await node.killAll(); // nothing should be left; make sure of it
  // The run owns its sandboxes too: network namespaces and addresses are given back.
  for (const sb of await runtime.listPodSandboxes().catch(() => [])) {
    await runtime.removePodSandbox(sb.id).catch(() => undefined);
  }
  await podNetwork.cleanup();
  await runtime.close();
  rmSync(root, { recursive: true, force: true });
  process.off('exit', killOnExit);

  const finals = opts.pods.map((p) => lastSeen.get(p.metadata?.uid ?? '') ?? p);
  printFinal(finals, opts, clock.now());
  const failed = finals.some(
    (p) => p.status?.phase === 'Failed' && (!stoppedByUser || failedBeforeStop.has(p.metadata?.uid ?? '')),
  );
  return failed ? EXIT_POD_FAILED : EXIT_OK;
}

/**
 * The built-in RuntimeClasses (`process`, `oci`), then the files' ConfigMaps, Secrets and Services
 * in their order; Services get their ClusterIP (and nodePorts) from the run's service range.
 */
function createRunObjects(store: MemoryStore, resources: readonly LoadedResource[], clock: Clock): void {
  for (const rc of builtinRuntimeClasses(clock.now(), () => crypto.randomUUID())) {
    store.create({ resource: 'runtimeclasses', namespace: '', name: rc.metadata?.name ?? '' }, rc);
  }
  for (const r of resources) {
    const md = r.object.metadata ?? {};
    const object = r.kind === 'Service' ? prepareServiceCreate(r.object, store) : r.object;
    store.create(
      { resource: RESOURCE_OF[r.kind], namespace: md.namespace ?? 'default', name: md.name ?? '' },
      { apiVersion: 'v1', kind: r.kind, ...object },
    );
  }
}

function printFinal(pods: Pod[], opts: RunOptions, now: number): void {
  const objects = pods.map((p) => ({ apiVersion: 'v1', kind: 'Pod', ...p }));
  const doc =
    objects.length === 1
      ? objects[0]
      : { apiVersion: 'v1', kind: 'List', items: objects, metadata: { resourceVersion: '' } };
  if (opts.output === 'json') opts.stdout.write(JSON.stringify(doc, null, 4) + '\n');
  else if (opts.output === 'yaml') opts.stdout.write(toYaml(doc));
  else opts.stdout.write(podTable(pods, now, true));
}
