// `nodelet server`: the API server and the node agent in one process — the SQLite store, the
// Kubernetes API over HTTPS, the one-node scheduler, the kubelet on the process runtime, the node
// status heartbeat and the namespace and event-TTL controllers. Stopping it detaches from the
// pods (they keep running) so the next start reconciles them, as a kubelet restart does.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { isIP } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ensureServiceBootstrap, ensureSystemNamespaces } from '../apiserver/bootstrap.ts';
import { startEndpointControllers } from '../apiserver/controllers/endpoint-controllers.ts';
import { EventTtl } from '../apiserver/controllers/event-ttl.ts';
import { NamespaceController } from '../apiserver/controllers/namespace-controller.ts';
import { NodeStatusWriter } from '../apiserver/controllers/node-status.ts';
import { KUBERNETES_VERSION } from '../apiserver/discovery.ts';
import { serverUrl, writeKubeconfig } from '../apiserver/kubeconfig.ts';
import type { NodeStreams } from '../apiserver/node-streams.ts';
import { ApiServer } from '../apiserver/server.ts';
import { ensurePki } from '../apiserver/tls/pki.ts';
import { startPodNetworkServices } from './pod-network-services.ts';
import type { BackoffConfig } from '../kubelet/backoff.ts';
import { Kubelet } from '../kubelet/kubelet.ts';
import { FileHookJournal } from '../kubelet/lifecycle/hook-journal.ts';
import { ContainerLogManager, type LogRotationPolicy } from '../kubelet/log-rotation.ts';
import { ProbeManager } from '../kubelet/prober/prober-manager.ts';
import { readCriLog } from '../runtime/cri-log.ts';
import type { RegistryOptions } from '../runtime/image/image-manager.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { createNodeRuntime, storeRuntimeClasses } from './runtime-factory.ts';
import { bindToNode, scheduledEvent } from './scheduler.ts';
import { StoreEventSink, StoreObjectSource, StorePodSource, StoreStatusWriter } from './store-ports.ts';

export interface ServerOptions {
  /** Where the store, credentials, kubeconfig and runtime state live (default ~/.nodelet). */
  dataDir: string;
  host: string;
  port: number;
  /** `process` or `oci`; unset: the node's default (process), said so at start. */
  runtime?: string;
  registries?: RegistryOptions;
  /** Pods this node admits (the kubelet's maxPods, 110 by default). */
  maxPods?: number;
  /** Container log rotation (the kubelet's containerLogMaxSize/MaxFiles/MonitorInterval); 10Mi × 5, every 10 s by default. */
  containerLogs?: Partial<LogRotationPolicy> & { monitorIntervalMs?: number };
  nodeName: string;
  crashLoopBackOff?: BackoffConfig;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Aborting it stops the server (SIGTERM/SIGINT in the command). */
  signal: AbortSignal;
  clock?: Clock;
  /** Log every request to stderr. */
  verbose?: boolean;
  /** --service-cluster-ip-range (default 10.96.0.0/16). */
  serviceClusterIpRange?: string;
}

export interface RunningServer {
  url: string;
  kubeconfig: string;
  port: number;
}

/** `HOST:PORT`, `:PORT`, `[::1]:PORT` or `HOST` (port 6443). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(text);
  const port = m?.[3] !== undefined ? Number(m[3]) : 6443;
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid --listen "${text}": want HOST:PORT, e.g. 127.0.0.1:6443`);
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Names the serving certificate must cover: loopback always, plus the listen host and this machine. */
function certificateHosts(host: string): string[] {
  const hosts = new Set(['127.0.0.1', '::1', 'localhost', hostname()]);
  if (host !== '0.0.0.0' && host !== '::' && host !== '') hosts.add(host);
  return [...hosts].filter((h) => isIP(h) || /^[a-zA-Z0-9.-]+$/.test(h));
}

/** The kubelet's log and exec, as the apiserver's NodeStreams port. */
function nodeStreams(kubelet: Kubelet, clock: Clock): NodeStreams {
  return {
    async logs(pod, req) {
      const path = await kubelet.logPath(pod.metadata?.uid ?? '', req.container, req.previous);
      if (!path) return undefined;
      const chunks = readCriLog(path, {
        timestamps: req.timestamps,
        ...(req.tailLines !== undefined ? { tailLines: req.tailLines } : {}),
        ...(req.sinceMs !== undefined ? { sinceTime: req.sinceMs } : {}),
        ...(req.limitBytes !== undefined ? { limitBytes: req.limitBytes } : {}),
        follow: req.follow,
        isRunning: () => !req.stopFollowing.aborted,
        clock,
        signal: req.signal,
      });
      return (async function* () {
        for await (const c of chunks) yield c.data;
      })();
    },
    exec(pod, container, command, options) {
      return kubelet.exec(pod.metadata?.uid ?? '', container, command, options);
    },
  };
}

/**
 * The one-node scheduler: binds each unscheduled pod to this node (spec.nodeName, PodScheduled)
 * and records default-scheduler's `Scheduled` event. Pods with scheduling gates wait.
 */
function startScheduler(store: Store, sink: StoreEventSink, nodeName: string, clock: Clock): () => void {
  const schedule = (pod: Pod): void => {
    if (pod.spec?.nodeName || pod.metadata?.deletionTimestamp || (pod.spec?.schedulingGates?.length ?? 0) > 0)
      return;
    const key = {
      resource: 'pods',
      namespace: pod.metadata?.namespace ?? '',
      name: pod.metadata?.name ?? '',
    };
    try {
      const bound = store.update<Pod>(key, bindToNode(pod, nodeName, clock.now()));
      sink.writeEvent(scheduledEvent(bound, nodeName, clock.now()));
    } catch {
      // changed meanwhile: the watch brings the newer version
    }
  };
  const listed = store.list<Pod>('pods');
  // The store's own objects: binding writes a new one.
  const stop = store.watch<Pod>('pods', { resourceVersion: listed.resourceVersion, shared: true }, (e) => {
    if (e.type === 'ADDED' || e.type === 'MODIFIED') schedule(e.object);
  });
  for (const p of listed.items) schedule(p);
  return stop;
}

/** Starts everything; resolves once serving, with where. Stops when options.signal aborts. */
export async function startServer(
  options: ServerOptions,
): Promise<{ running: RunningServer; stopped: Promise<void> }> {
  const clock = options.clock ?? realClock;
  const dataDir = resolve(options.dataDir);
  prepareDataDir(dataDir);
  const store = SqliteStore.open(join(dataDir, 'store.db'));
  const err = (line: string): void => void options.stderr.write(`${line}\n`);
  try {
    ensureSystemNamespaces(store, clock);
    const pki = ensurePki(dataDir, certificateHosts(options.host), clock.now());
    const node = createNodeRuntime({
      flag: options.runtime,
      processRoot: join(dataDir, 'runtime'),
      dataDir,
      registries: options.registries ?? {},
      clock,
      store,
    });
    err(node.startupLine);
    const runtime = node.runtime;
    const sink = new StoreEventSink(store);
    const kubelet = new Kubelet({
      nodeName: options.nodeName,
      clock,
      runtime,
      podSource: new StorePodSource(store, options.nodeName),
      statusWriter: new StoreStatusWriter(store),
      eventSink: sink,
      ...(options.crashLoopBackOff ? { crashLoopBackOff: options.crashLoopBackOff } : {}),
      prober: (deps) => new ProbeManager(deps),
      ...(options.maxPods !== undefined ? { maxPods: options.maxPods } : {}),
      runtimeClasses: storeRuntimeClasses(store),
      objects: new StoreObjectSource(store),
      // postStart progress survives a crash of nodelet: no hook run twice, none forgotten.
      hookJournal: new FileHookJournal(join(dataDir, 'kubelet', 'hooks')),
    });
    const containerLogs = new ContainerLogManager({
      runtime,
      clock,
      ...options.containerLogs,
      onError: (id, e) => err(`nodelet: container ${id}: ${e.message}`),
    });
    const nodeStatus = new NodeStatusWriter({
      store,
      clock,
      nodeName: options.nodeName,
      internalIP: '127.0.0.1',
      kubeletVersion: KUBERNETES_VERSION.gitVersion,
      containerRuntimeVersion: `${runtime.name}://${runtime.version}`,
    });
    const namespaces = new NamespaceController(store, clock);
    const eventTtl = new EventTtl(store, clock);
    const api = new ApiServer({
      store,
      clock,
      token: pki.token,
      tls: { cert: pki.certPem, key: pki.keyPem },
      nodeStreams: nodeStreams(kubelet, clock),
      ...(options.verbose ? { log: err } : {}),
    });

    nodeStatus.start();
    namespaces.start();
    eventTtl.start();
    const endpoints = startEndpointControllers({
      store,
      clock,
      onError: (k, e) => err(`nodelet: endpoints of service ${k}: ${(e as Error).message}`),
    });
    const stopScheduler = startScheduler(store, sink, options.nodeName, clock);
    kubelet.start();
    containerLogs.start();
    // The service proxy and cluster DNS, with the oci runtime (now, or with its first pod). The
    // proxy's rules stay when the server stops (as kube-proxy's), so pods keep their services.
    const podNetwork = startPodNetworkServices({
      runtime,
      store,
      clock,
      instance: dataDir,
      ...(options.serviceClusterIpRange ? { serviceCidr: options.serviceClusterIpRange } : {}),
      log: err,
    });
    await podNetwork.ready();
    const address = await api.listen(options.port, options.host);
    ensureServiceBootstrap(store, clock, {
      ...(options.serviceClusterIpRange ? { serviceCidr: options.serviceClusterIpRange } : {}),
      apiAddress: ['', '0.0.0.0', '::'].includes(options.host) ? '127.0.0.1' : options.host,
      apiPort: address.port,
    });
    const url = serverUrl(options.host, address.port);
    const kubeconfig = join(dataDir, 'kubeconfig');
    writeKubeconfig(kubeconfig, { server: url, caPem: pki.caPem, token: pki.token });
    options.stdout.write(
      `nodelet is serving the Kubernetes API at ${url} (node ${options.nodeName}, data in ${dataDir})\n` +
        `export KUBECONFIG=${kubeconfig}\n`,
    );

    const stopped = new Promise<void>((resolveStopped) => {
      const stop = async (): Promise<void> => {
        err('nodelet: stopping (pods keep running and are picked up by the next start)');
        await api.close();
        stopScheduler();
        await podNetwork.stop();
        namespaces.stop();
        eventTtl.stop();
        endpoints.stop();
        await kubelet.stop();
        await containerLogs.stop();
        nodeStatus.stop();
        await runtime.close();
        store.close();
        resolveStopped();
      };
      if (options.signal.aborted) void stop();
      else options.signal.addEventListener('abort', () => void stop(), { once: true });
    });
    return { running: { url, kubeconfig, port: address.port }, stopped };
  } catch (e) {
    store.close();
    throw e;
  }
}

/** `read-only file system (EROFS)` from a Node fs error. */
function fsCause(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const m = /^[A-Z]+: ([^,]+)/.exec(err.message);
  return err.code !== undefined && m?.[1] !== undefined ? `${m[1]} (${err.code})` : err.message;
}

/**
 * The data directory, created when missing. When it cannot be used — a file where the directory
 * should be, a read-only or unwritable disk — one line says which path and why, before anything
 * is written.
 */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    // Name the part of the path that is in the way: the nearest existing ancestor.
    let at = dirname(dir);
    while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
    if (existsSync(at) && !statSync(at).isDirectory())
      throw new Error(`cannot create the data directory ${dir}: ${at} is a file, not a directory`, {
        cause: e,
      });
    try {
      accessSync(at, constants.W_OK);
    } catch (denied) {
      throw new Error(`cannot create the data directory ${dir}: ${at} is not writable: ${fsCause(denied)}`, {
        cause: e,
      });
    }
    if ((e as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`the data directory ${dir} is a file, not a directory`, { cause: e });
    throw new Error(`cannot create the data directory ${dir}: ${fsCause(e)}`, { cause: e });
  }
  if (!statSync(dir).isDirectory()) throw new Error(`the data directory ${dir} is a file, not a directory`);
  try {
    accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (e) {
    throw new Error(`the data directory ${dir} cannot be used: ${fsCause(e)}`, { cause: e });
  }
}

/** Runs until the signal aborts; resolves with the exit code. */
export async function runServer(options: ServerOptions): Promise<number> {
  try {
    const { stopped } = await startServer(options);
    await stopped;
    return 0;
  } catch (e) {
    options.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}
