// The nodelet under test, in a process of its own so its CPU and memory can be read from /proc
// without the harness in them. Two shapes, chosen by the harness (argv[2]):
//   server      the real `nodelet server` (startServer: SQLite store, HTTPS API, scheduler,
//               kubelet, process runtime); the harness drives it over HTTPS with a real client.
//   in-process  the composition of `nodelet run` (memory store, one-node scheduler, Kubelet,
//               process runtime, ProbeManager), driven over the IPC channel; the scenarios then
//               run in here, against the store.
//   oci         the in-process composition on the oci runtime (runc under conmon, a busybox image
//               imported from an archive built here).
// Either way the floor is spawned from this same process, so both pay the same fork cost for its
// size, and probe runs are reported from the kubelet's ProbeManager (its onRun listener).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startServer } from '../src/cli/server.ts';
import { StoreEventSink, StorePodSource, StoreStatusWriter } from '../src/cli/store-ports.ts';
import { Kubelet } from '../src/kubelet/kubelet.ts';
import { ProbeManager, type ProbeRun } from '../src/kubelet/prober/prober-manager.ts';
import { OciRuntime } from '../src/runtime/oci/oci-runtime.ts';
import { ProcessRuntime } from '../src/runtime/process/process-runtime.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { realClock } from '../src/util/clock.ts';
import type { AgentRequest, AgentResponse } from './agent-protocol.ts';
import { DensityPods } from './density-pods.ts';
import { killFloor, spawnFloor } from './floor.ts';
import { buildBusyboxArchive } from './oci-image.ts';
import { killProcessesMentioning } from './proc-cleanup.ts';
import { InProcessPodApi } from './in-process-api.ts';
import type { TimedRun } from './probe-lateness.ts';
import { deletion, listLatency, startup, watchLatency } from './scenarios.ts';

const NODE_NAME = 'nodelet';
/** The probes' default period: within one of the kubelet's start, probes jitter their first run. */
const FIRST_PERIOD_MS = 10_000;
const mode = process.argv[2] === 'server' || process.argv[2] === 'oci' ? process.argv[2] : 'in-process';

/** --max-pods raised above the bench's largest level (the kubelet admits 110 by default). */
const MAX_PODS = Number(process.argv[3]) || 1_200;

const root = mkdtempSync(join(tmpdir(), 'nodelet-bench-'));

/**
 * Every process this node started — containers, their conmon shims, probe commands — mentions its
 * temporary directory; kill them all. (ProcessRuntime.killAll scans /proc once per container,
 * which takes seconds with hundreds of pods, and containers under a shim are not our children.)
 */
function killChildren(): void {
  killProcessesMentioning(root);
}
process.on('exit', () => {
  killChildren();
  rmSync(root, { recursive: true, force: true });
});

// The probe managers of this process and the pods they probe. `nodelet server` builds its own
// ProbeManager, out of reach, so the first addPod of each manager makes it known here; only public
// methods are used (addPod as is, onRun to listen).
const managers: ProbeManager[] = [];
const probedPods = new Map<string, Pod>();
const addPod = Object.getOwnPropertyDescriptor(ProbeManager.prototype, 'addPod')?.value as (
  this: ProbeManager,
  pod: Pod,
) => void;
ProbeManager.prototype.addPod = function (this: ProbeManager, pod: Pod): void {
  if (!managers.includes(this)) {
    managers.push(this);
    if (recording) unsubscribeRuns.push(this.onRun(recordRun));
  }
  probedPods.set(pod.metadata?.uid ?? '', pod);
  addPod.call(this, pod);
};

let recording: TimedRun[] | undefined;
let unsubscribeRuns: Array<() => void> = [];

function periodOf(run: ProbeRun): number {
  const c = probedPods.get(run.podUid)?.spec?.containers.find((x) => x.name === run.containerName);
  const probe =
    run.kind === 'liveness'
      ? c?.livenessProbe
      : run.kind === 'readiness'
        ? c?.readinessProbe
        : c?.startupProbe;
  return (probe?.periodSeconds ?? 10) * 1000;
}

function recordRun(r: ProbeRun): void {
  recording?.push({ key: `${r.podUid}/${r.containerName}/${r.kind}`, at: r.at, periodMs: periodOf(r) });
}

interface Node {
  path: string;
  startedAt: number;
  kubeconfig?: string;
  /** The scenarios' API when they run in here. */
  api?: InProcessPodApi;
  stop(): Promise<void>;
}

async function startNode(): Promise<Node> {
  const startedAt = Date.now();
  if (mode === 'server') {
    const ac = new AbortController();
    const quiet = { write: () => true } as unknown as NodeJS.WritableStream;
    const { running, stopped } = await startServer({
      dataDir: join(root, 'data'),
      host: '127.0.0.1',
      port: 0,
      runtime: 'process',
      nodeName: NODE_NAME,
      maxPods: MAX_PODS,
      stdout: quiet,
      stderr: process.stderr,
      signal: ac.signal,
    });
    return {
      path: 'nodelet server',
      startedAt,
      kubeconfig: running.kubeconfig,
      stop: async () => {
        ac.abort();
        await Promise.race([stopped, sleep(5_000)]);
      },
    };
  }
  const store = new MemoryStore();
  const sink = new StoreEventSink(store);
  const runtime =
    mode === 'oci'
      ? new OciRuntime({
          root: join(root, 'oci'),
          clock: realClock,
          pods: (_uid, namespace, name) => store.get<Pod>({ resource: 'pods', namespace, name }),
          pullOnCreate: false,
        })
      : new ProcessRuntime({ root: join(root, 'runtime'), clock: realClock });
  if (runtime instanceof OciRuntime) {
    const images = join(root, 'image-build');
    mkdirSync(images);
    await runtime.images.importArchive(await buildBusyboxArchive(images));
  }
  const kubelet = new Kubelet({
    nodeName: NODE_NAME,
    clock: realClock,
    runtime,
    podSource: new StorePodSource(store, NODE_NAME),
    statusWriter: new StoreStatusWriter(store),
    eventSink: sink,
    maxPods: MAX_PODS,
    prober: (deps) => new ProbeManager(deps),
  });
  kubelet.start();
  const api = new InProcessPodApi(store, sink, NODE_NAME, realClock);
  return {
    path: mode === 'oci' ? `${api.path}, oci runtime` : api.path,
    startedAt,
    api,
    stop: async () => {
      // Detach the kubelet (its rounds are aborted), but do not wait long for busy workers.
      await Promise.race([kubelet.stop(), sleep(5_000)]);
      // Real containers are conmon's children, not this process's: remove what is left of them.
      if (runtime instanceof OciRuntime) {
        for (const sb of await runtime.listPodSandboxes())
          await runtime.removePodSandbox(sb.id).catch(() => undefined);
      }
      await runtime.close();
    },
  };
}

let node: Node;
try {
  node = await startNode();
} catch (e) {
  process.send?.({ id: 0, ok: false, error: (e as Error).message } satisfies AgentResponse);
  process.exit(1);
}
const density = node.api ? new DensityPods(node.api) : undefined;

/**
 * As the kubelet, a probe worker that starts within one period of the kubelet's own start waits a
 * random part of the period first (so a restarted kubelet does not probe everything at once). The
 * figures are for a node that has been up for longer, so the scenarios with probes wait that out.
 */
async function pastFirstPeriod(): Promise<void> {
  const left = node.startedAt + FIRST_PERIOD_MS + 100 - Date.now();
  if (left > 0) await sleep(left);
}

function localApi(): InProcessPodApi {
  if (!node.api) throw new Error('this request runs in the harness when nodelet serves HTTPS');
  return node.api;
}

let profiler: Session | undefined;

/** The V8 CPU profiler over one phase of the run (the harness's --cpu-prof). */
async function profile(on: boolean, file?: string): Promise<{ file?: string }> {
  if (on) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
    return {};
  }
  if (!profiler) return {};
  const { profile: p } = await profiler.post('Profiler.stop');
  profiler.disconnect();
  profiler = undefined;
  if (file) writeFileSync(file, JSON.stringify(p));
  return file ? { file } : {};
}

async function handle(req: AgentRequest): Promise<unknown> {
  switch (req.op) {
    case 'profile':
      return profile(req.on, req.file);
    case 'startup':
      if (req.options.readiness) await pastFirstPeriod();
      return startup(localApi(), req.options);
    case 'deletion':
      return deletion(localApi(), req.count, req.run, req.prefix, req.command);
    case 'floor-spawn':
      return spawnFloor(req.command, req.count, req.mode, req.probe);
    case 'floor-kill':
      return killFloor(req.command, req.count);
    case 'density-ramp': {
      if (!density) throw new Error('density pods are created by the harness when nodelet serves HTTPS');
      await pastFirstPeriod();
      const { op: _op, ...ramp } = req;
      return density.ramp(ramp);
    }
    case 'probe-record':
      if (req.on) {
        recording = [];
        unsubscribeRuns = managers.map((m) => m.onRun(recordRun));
        return { runs: [] };
      } else {
        for (const u of unsubscribeRuns.splice(0)) u();
        const runs = recording ?? [];
        recording = undefined;
        return { runs };
      }
    case 'list':
      return listLatency(localApi(), req.count, req.gapMs, req.budgetMs);
    case 'watch':
      if (!density || density.names.length === 0) throw new Error('watch latency needs the density pods');
      return watchLatency(localApi(), density.names, req.count, req.gapMs, req.budgetMs);
    case 'shutdown':
      density?.close();
      await node.stop();
      killChildren();
      return { pods: probedPods.size };
  }
}

// The harness went away (or is done): nothing is left to measure. A signal exits through the same
// exit handler, so the pods' processes go too.
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(143));
process.on('SIGINT', () => process.exit(130));
process.on('message', (msg: AgentRequest & { id: number }) => {
  void handle(msg).then(
    (result) => process.send?.({ id: msg.id, ok: true, result } satisfies AgentResponse),
    (e: unknown) =>
      process.send?.({
        id: msg.id,
        ok: false,
        error: (e as Error).stack ?? String(e),
      } satisfies AgentResponse),
  );
});
process.send?.({
  id: 0,
  ok: true,
  result: { pid: process.pid, path: node.path, startedAt: node.startedAt, kubeconfig: node.kubeconfig },
} satisfies AgentResponse);
