// The probe manager (pkg/kubelet/prober/prober_manager.go): owns the workers of every pod, the
// three results caches, and the rules by which `started` and `ready` are derived from them when the
// kubelet generates a pod status. It never kills a container: the engine reads the liveness and
// startup results when it computes its actions and re-syncs the pod on every published change.
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ContainerRuntime } from '../../runtime/runtime.ts';
import type { Clock } from '../../util/clock.ts';
import type { EventRecorder } from '../event-recorder.ts';
import { tail } from './handler-outcome.ts';
import { ProbeHistory, type ProbeRun } from './probe-history.ts';
import { compileProbe, containerProbe, PROBE_KINDS, type ProbeKind } from './probe-spec.ts';
import { ProbeWorker, type WorkerHost } from './probe-worker.ts';
import { probeOnce, type ProberContext, type ProbeRound } from './prober.ts';
import { ResultsCache, type ProbeResult } from './results-cache.ts';

export type { ProbeKind } from './probe-spec.ts';
export type { ProbeResult } from './results-cache.ts';
export type { ProbeRun } from './probe-history.ts';

export interface ProbeUpdate {
  podUid: string;
  containerName: string;
  containerId: string;
  kind: ProbeKind;
  result: ProbeResult;
}

export interface ProberDeps {
  clock: Clock;
  /** Exec probes run through runtime.execSync(id, cmd, { timeoutMs }). */
  runtime: ContainerRuntime;
  /** Unhealthy / ProbeWarning events. */
  recorder: EventRecorder;
  /** The latest spec (deletionTimestamp included). */
  getPod(uid: string): Pod | undefined;
  /** The kubelet's latest computed status. */
  getPodStatus(uid: string): PodStatus | undefined;
  /** For the first-period jitter. */
  kubeletStartedAt: number;
  /** Jitter source, injectable for tests. */
  random?: () => number;
  /** For User-Agent kube-probe/<major>.<minor>; 1.32 by default. */
  kubeVersion?: { major: string; minor: string };
  /**
   * Asks the kubelet to sync the pod again: called on every published result change (as the
   * kubelet's sync loop reacts to the results managers' updates) and when the pod's probe
   * annotations changed, so they get written with the next status.
   */
  resync?(uid: string): void;
}

/** How much of a run's output the history keeps. */
const RUN_OUTPUT_TAIL = 512;

function workerKey(uid: string, containerName: string, kind: ProbeKind): string {
  return `${uid}\u0000${containerName}\u0000${kind}`;
}

function safeCall<T>(fn: (arg: T) => void, arg: T): void {
  try {
    fn(arg);
  } catch {
    // A listener's failure must not stop probing.
  }
}

export class ProbeManager {
  private readonly deps: ProberDeps;
  private readonly ctx: ProberContext;
  private readonly workers = new Map<string, ProbeWorker>();
  private readonly caches: Record<ProbeKind, ResultsCache>;
  private readonly updateListeners = new Set<(u: ProbeUpdate) => void>();
  private readonly runListeners = new Set<(r: ProbeRun) => void>();
  private readonly annotationListeners = new Set<(uid: string) => void>();
  private readonly recent = new ProbeHistory();
  private readonly host: WorkerHost;
  private closed = false;

  constructor(deps: ProberDeps) {
    this.deps = deps;
    const v = deps.kubeVersion ?? { major: '1', minor: '32' };
    this.ctx = {
      clock: deps.clock,
      runtime: deps.runtime,
      recorder: deps.recorder,
      userAgent: `kube-probe/${v.major}.${v.minor}`,
    };
    const cache = (kind: ProbeKind): ResultsCache =>
      new ResultsCache((containerId, e) => {
        const u: ProbeUpdate = {
          podUid: e.podUid,
          containerName: e.containerName,
          containerId,
          kind,
          result: e.result,
        };
        for (const l of [...this.updateListeners]) safeCall(l, u);
        this.resync(e.podUid);
      });
    this.caches = { liveness: cache('liveness'), readiness: cache('readiness'), startup: cache('startup') };
    this.host = {
      clock: deps.clock,
      random: deps.random ?? Math.random,
      kubeletStartedAt: deps.kubeletStartedAt,
      getPod: (uid) => deps.getPod(uid),
      getPodStatus: (uid) => deps.getPodStatus(uid),
      results: (kind) => this.caches[kind],
      probe: (w, pod, status, containerId) => this.probe(w, pod, status, containerId),
      workerExited: (w) => {
        const key = workerKey(w.podUid, w.containerName, w.kind);
        if (this.workers.get(key) === w) this.workers.delete(key);
      },
    };
  }

  /** Starts workers for the pod's regular containers and sidecars that have probes; idempotent. */
  addPod(pod: Pod): void {
    if (this.closed) return;
    const uid = pod.metadata?.uid ?? '';
    this.recent.revive(uid);
    const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
    const targets = [
      ...(pod.spec?.containers ?? []).map((c) => ({ c, sidecar: false })),
      ...sidecars.map((c) => ({ c, sidecar: true })),
    ];
    for (const { c, sidecar } of targets) {
      for (const kind of PROBE_KINDS) {
        const probe = containerProbe(c, kind);
        if (!probe) continue;
        const key = workerKey(uid, c.name, kind);
        if (this.workers.has(key)) continue;
        const w = new ProbeWorker(this.host, pod, c, compileProbe(kind, probe), sidecar);
        this.workers.set(key, w);
        w.start();
      }
    }
  }

  /** Stops every worker of the pod. */
  removePod(uid: string): void {
    for (const w of this.podWorkers(uid)) {
      this.workers.delete(workerKey(uid, w.containerName, w.kind));
      w.stop();
    }
    this.recent.retire(uid);
  }

  /** Pod termination began: liveness and startup stop quietly (result Success); readiness goes on. */
  podTerminating(uid: string): void {
    for (const w of this.podWorkers(uid)) {
      if (w.kind === 'readiness') continue;
      this.workers.delete(workerKey(uid, w.containerName, w.kind));
      w.stopQuietly();
    }
  }

  /**
   * Sets `started` and `ready` on every container status in place (UpdatePodStatus): started means
   * running and (startup Success, or no startup probe); ready means started, running and (readiness
   * Success, or no readiness probe). A readiness worker without a result yet gets a manual run.
   * Regular init containers are ready when they exited 0.
   */
  updatePodStatus(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata?.uid ?? '';
    for (const cs of status.containerStatuses ?? []) this.setStartedReady(uid, cs);
    const inits = pod.spec?.initContainers ?? [];
    for (const cs of status.initContainerStatuses ?? []) {
      const spec = inits.find((c) => c.name === cs.name);
      if (spec?.restartPolicy === 'Always') {
        this.setStartedReady(uid, cs);
        continue;
      }
      cs.started = this.isStarted(uid, cs);
      cs.ready = cs.state?.terminated !== undefined && cs.state.terminated.exitCode === 0;
    }
  }

  private isStarted(uid: string, cs: ContainerStatus): boolean {
    if (!cs.state?.running) return false;
    const r = cs.containerID ? this.caches.startup.get(cs.containerID) : undefined;
    if (r !== undefined) return r === 'Success';
    // A startup probe that has not run yet: not started.
    return !this.workers.has(workerKey(uid, cs.name, 'startup'));
  }

  private setStartedReady(uid: string, cs: ContainerStatus): void {
    const started = this.isStarted(uid, cs);
    cs.started = started;
    if (!started) {
      cs.ready = false;
      return;
    }
    if (!cs.state?.running) {
      cs.ready = false;
      return;
    }
    const r = cs.containerID ? this.caches.readiness.get(cs.containerID) : undefined;
    if (r === 'Success') {
      cs.ready = true;
      return;
    }
    const w = this.workers.get(workerKey(uid, cs.name, 'readiness'));
    // No readiness probe: always ready. Otherwise not ready, and probe now.
    cs.ready = w === undefined;
    w?.trigger();
  }

  /** The published result for the container instance, or undefined when none. */
  result(kind: ProbeKind, containerId: string): ProbeResult | undefined {
    return this.caches[kind].get(containerId);
  }

  /** Published result changes only. */
  onUpdate(listener: (u: ProbeUpdate) => void): () => void {
    this.updateListeners.add(listener);
    return () => this.updateListeners.delete(listener);
  }

  /** Every probe execution. */
  onRun(listener: (r: ProbeRun) => void): () => void {
    this.runListeners.add(listener);
    return () => this.runListeners.delete(listener);
  }

  /** The pod's annotations() changed (an outcome transition of one of its probes). */
  onAnnotationsChange(listener: (uid: string) => void): () => void {
    this.annotationListeners.add(listener);
    return () => this.annotationListeners.delete(listener);
  }

  /** Recent runs of the pod's probes (the last 10 per container and kind), oldest first. */
  history(uid: string): ProbeRun[] {
    return this.recent.runs(uid);
  }

  /** `probe.nodelet.dev/<container>.<kind>` → summary of the latest outcome transition. */
  annotations(uid: string): Record<string, string> {
    return this.recent.annotations(uid);
  }

  /** Workers currently alive for the pod (for tests and describe). */
  workerKinds(uid: string): Array<{ containerName: string; kind: ProbeKind }> {
    return this.podWorkers(uid).map((w) => ({ containerName: w.containerName, kind: w.kind }));
  }

  close(): void {
    this.closed = true;
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
    this.updateListeners.clear();
    this.runListeners.clear();
    this.annotationListeners.clear();
  }

  private resync(uid: string): void {
    safeCall((u: string) => this.deps.resync?.(u), uid);
  }

  private podWorkers(uid: string): ProbeWorker[] {
    return [...this.workers.values()].filter((w) => w.podUid === uid);
  }

  private async probe(w: ProbeWorker, pod: Pod, status: PodStatus, containerId: string): Promise<ProbeRound> {
    const clock = this.deps.clock;
    const at = clock.now();
    const round = await probeOnce(
      this.ctx,
      w.spec,
      { pod, status, container: w.container, containerId },
      w.signal,
    );
    if (w.isStopped) return round;
    const run: ProbeRun = {
      podUid: w.podUid,
      containerName: w.containerName,
      containerId,
      kind: w.kind,
      at,
      durationMs: Math.max(0, clock.now() - at),
      outcome: round.outcome,
      output: tail(round.detail, RUN_OUTPUT_TAIL),
    };
    const changed = this.recent.record(run, round.message);
    for (const l of [...this.runListeners]) safeCall(l, run);
    if (changed) {
      for (const l of [...this.annotationListeners]) safeCall(l, w.podUid);
      this.resync(w.podUid);
    }
    return round;
  }
}
