// The nodelet under test, in a process of its own so its CPU and memory can be read from /proc
// without the harness in them: the same composition as `nodelet run` (memory store, one-node
// scheduler, Kubelet, process runtime, ProbeManager), driven by the harness over the IPC channel.
// The floor is spawned from this same process, so both pay the same fork cost for its size.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { StoreEventSink, StorePodSource, StoreStatusWriter } from '../src/cli/store-ports.ts';
import { Kubelet } from '../src/kubelet/kubelet.ts';
import { ProbeManager, type ProbeRun } from '../src/kubelet/prober/prober-manager.ts';
import { listProcs } from '../src/runtime/process/proc-table.ts';
import { ProcessRuntime } from '../src/runtime/process/process-runtime.ts';
import { MemoryStore } from '../src/store/memory-store.ts';
import { realClock } from '../src/util/clock.ts';
import { killFloor, spawnFloor } from './floor.ts';
import { InProcessPodApi } from './in-process-api.ts';
import { now, PodTracker } from './pod-api.ts';
import { benchPod, httpdCommand } from './pods.ts';
import type { AgentRequest, AgentResponse, DensityRamp } from './agent-protocol.ts';
import type { TimedRun } from './probe-lateness.ts';
import { deletion, listLatency, NAMESPACE, startup, watchLatency } from './scenarios.ts';

const NODE_NAME = 'nodelet';
/** The probes' default period: within one of the kubelet's start, probes jitter their first run. */
const FIRST_PERIOD_MS = 10_000;

const root = mkdtempSync(join(tmpdir(), 'nodelet-bench-'));
const store = new MemoryStore();
const sink = new StoreEventSink(store);
const runtime = new ProcessRuntime({ root: join(root, 'runtime'), clock: realClock });
let prober: ProbeManager | undefined;
const kubeletStartedAt = Date.now();
const kubelet = new Kubelet({
  nodeName: NODE_NAME,
  clock: realClock,
  runtime,
  podSource: new StorePodSource(store, NODE_NAME),
  statusWriter: new StoreStatusWriter(store),
  eventSink: sink,
  prober: (deps) => (prober = new ProbeManager(deps)),
});
const api = new InProcessPodApi(store, sink, NODE_NAME, realClock);
/**
 * Every container and probe process of this node is a child of this process (in its own group):
 * killing the children's groups removes them all, in one pass over /proc. (ProcessRuntime.killAll
 * scans /proc once per container, which takes seconds with hundreds of pods.)
 */
function killChildren(): void {
  for (const p of listProcs()) {
    if (p.ppid !== process.pid) continue;
    for (const target of [-p.pgid, p.pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
}
process.on('exit', () => {
  killChildren();
  rmSync(root, { recursive: true, force: true });
});
kubelet.start();

// Density: the pods are kept across levels (100 → 500 → 1000), so each level only adds pods.
const densityTracker = new PodTracker();
let densityWatch: (() => void) | undefined;
const densityNames: string[] = [];
let recording: TimedRun[] | undefined;
let unsubscribeRuns: (() => void) | undefined;

function periodOf(run: ProbeRun): number {
  const pod = kubelet.worker(run.podUid)?.currentPod;
  const c = pod?.spec?.containers.find((x) => x.name === run.containerName);
  const probe =
    run.kind === 'liveness'
      ? c?.livenessProbe
      : run.kind === 'readiness'
        ? c?.readinessProbe
        : c?.startupProbe;
  return (probe?.periodSeconds ?? 10) * 1000;
}

/**
 * As the kubelet, a probe worker that starts within one period of the kubelet's own start waits a
 * random part of the period first (so a restarted kubelet does not probe everything at once). The
 * figures are for a node that has been up for longer, so the scenarios with probes wait that out.
 */
async function pastFirstPeriod(): Promise<void> {
  const left = kubeletStartedAt + FIRST_PERIOD_MS + 100 - Date.now();
  if (left > 0) await sleep(left);
}

async function densityRamp(req: DensityRamp): Promise<{ rampMs: number; notReady: string[] }> {
  await pastFirstPeriod();
  densityWatch ??= await api.watch(densityTracker.onEvent);
  const t0 = now();
  const added: string[] = [];
  for (let i = densityNames.length; i < req.to; i++) {
    const name = `density-${i}`;
    const pod: Pod = benchPod({
      name,
      run: req.run,
      command: httpdCommand(req.ports[i] as number, req.wwwDir),
      httpPort: req.ports[i] as number,
    });
    await api.create(pod);
    densityNames.push(name);
    added.push(name);
  }
  const notReady: string[] = [];
  await Promise.all(
    added.map((n) =>
      densityTracker.until(NAMESPACE, n, 'ready', req.timeoutMs).catch(() => {
        notReady.push(n);
      }),
    ),
  );
  return { rampMs: now() - t0, notReady };
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
      return startup(api, req.options);
    case 'deletion':
      return deletion(api, req.count, req.run, req.prefix, req.command);
    case 'floor-spawn':
      return spawnFloor(req.command, req.count, req.mode, req.probe);
    case 'floor-kill':
      return killFloor(req.command, req.count);
    case 'density-ramp':
      return densityRamp(req);
    case 'probe-record':
      if (req.on) {
        recording = [];
        unsubscribeRuns = prober?.onRun((r) =>
          recording?.push({
            key: `${r.podUid}/${r.containerName}/${r.kind}`,
            at: r.at,
            periodMs: periodOf(r),
          }),
        );
        return { runs: [] };
      } else {
        unsubscribeRuns?.();
        const runs = recording ?? [];
        recording = undefined;
        return { runs };
      }
    case 'list':
      return listLatency(api, req.count, req.gapMs);
    case 'watch':
      if (densityNames.length === 0) throw new Error('watch latency needs the density pods');
      return watchLatency(api, densityNames, req.count, req.gapMs);
    case 'shutdown':
      densityWatch?.();
      // Detach the kubelet (its rounds are aborted), but do not wait long for busy workers.
      await Promise.race([kubelet.stop(), sleep(5_000)]);
      killChildren();
      await runtime.close();
      return { pods: store.list('pods').items.length };
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
process.send?.({ id: 0, ok: true, result: { pid: process.pid, path: api.path } } satisfies AgentResponse);
