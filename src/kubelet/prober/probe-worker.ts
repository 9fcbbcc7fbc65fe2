// One worker per (pod, container, probe kind), probing on its own ticker, exactly as the kubelet's
// worker does (pkg/kubelet/prober/worker.go): jitter only in the kubelet's first period, one run
// at once and then every periodSeconds relative to the worker's start, manual triggers for
// readiness, and the round rules of doProbe (see doProbe below, step by step).
import type { Container, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Clock, Timer } from '../../util/clock.ts';
import type { CompiledProbe, ProbeKind } from './probe-spec.ts';
import type { ProbeRound } from './prober.ts';
import type { ProbeResult, ResultsCache } from './results-cache.ts';

/** What a worker needs from its manager. */
export interface WorkerHost {
  readonly clock: Clock;
  readonly random: () => number;
  readonly kubeletStartedAt: number;
  getPod(uid: string): Pod | undefined;
  getPodStatus(uid: string): PodStatus | undefined;
  results(kind: ProbeKind): ResultsCache;
  /** Runs one probe round and records it (history, run listeners). */
  probe(worker: ProbeWorker, pod: Pod, status: PodStatus, containerId: string): Promise<ProbeRound>;
  /** The worker's loop ended. */
  workerExited(worker: ProbeWorker): void;
}

/** Initial results for a new container instance (newWorker in worker.go). */
export const INITIAL_RESULT: Record<ProbeKind, ProbeResult> = {
  readiness: 'Failure',
  liveness: 'Success',
  startup: 'Unknown',
};

function findStatus(list: ContainerStatus[] | undefined, name: string): ContainerStatus | undefined {
  return (list ?? []).find((s) => s.name === name);
}

export class ProbeWorker {
  readonly podUid: string;
  readonly containerName: string;
  readonly kind: ProbeKind;
  readonly spec: CompiledProbe;
  readonly pod: Pod;
  readonly container: Container;
  /** Init container with restartPolicy Always. */
  readonly isSidecar: boolean;

  /** The container instance the worker last saw (`<runtime>://<id>`), '' before the first. */
  containerId = '';
  private lastResult: ProbeResult | undefined;
  private resultRun = 0;
  private onHold = false;

  private readonly host: WorkerHost;
  private readonly ac = new AbortController();
  private stopped = false;
  /** Stopped on purpose during termination: the last result stays published. */
  private keepResult = false;
  private tickPending = false;
  private manualPending = false;
  private wake: (() => void) | undefined;
  private tickTimer: Timer | undefined;
  private done: Promise<void> = Promise.resolve();

  constructor(host: WorkerHost, pod: Pod, container: Container, spec: CompiledProbe, isSidecar: boolean) {
    this.host = host;
    this.pod = pod;
    this.podUid = pod.metadata?.uid ?? '';
    this.container = container;
    this.containerName = container.name;
    this.kind = spec.kind;
    this.spec = spec;
    this.isSidecar = isSidecar;
  }

  get signal(): AbortSignal {
    return this.ac.signal;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Resolves when the loop has ended. */
  get finished(): Promise<void> {
    return this.done;
  }

  start(): void {
    this.done = this.run().catch(() => undefined);
  }

  /** Ends the loop; a run in flight is abandoned and not published. Safe to call twice. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ac.abort(new Error('probe worker stopped'));
    this.tickTimer?.cancel();
    this.wakeUp();
  }

  /**
   * Pod termination (StopLivenessAndStartup): set Success for a quiet shutdown and stop, keeping
   * that last result so nothing reads the container as failed while it is being stopped.
   */
  stopQuietly(): void {
    if (this.containerId !== '') this.publish('Success');
    this.keepResult = true;
    this.stop();
  }

  /** A manual run (readiness with no result yet); buffered like the kubelet's 1-slot channel. */
  trigger(): void {
    if (this.stopped) return;
    this.manualPending = true;
    this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private publish(result: ProbeResult): void {
    this.host.results(this.kind).set(this.containerId, result, this.podUid, this.containerName);
  }

  private async run(): Promise<void> {
    const { clock } = this.host;
    const periodMs = this.spec.periodSeconds * 1000;
    try {
      // If the kubelet restarted, probes would all start at once: wait a random part of the period
      // first, but only while the kubelet started less than a period ago.
      if (periodMs > clock.now() - this.host.kubeletStartedAt) {
        await clock.sleep(this.host.random() * periodMs, this.ac.signal);
      }
      if (this.stopped) return;
      this.startTicker(clock.now(), periodMs);
      while (!this.stopped) {
        const keepGoing = await this.doProbe();
        if (!keepGoing || this.stopped) break;
        await this.waitForNext();
      }
    } finally {
      this.tickTimer?.cancel();
      this.stopped = true;
      if (this.containerId !== '' && !this.keepResult) this.host.results(this.kind).remove(this.containerId);
      this.host.workerExited(this);
    }
  }

  /**
   * A ticker on the grid start + k·period, like Go's time.Ticker: a tick that falls due while a
   * run is in progress is kept (one slot) and runs right after; further missed ticks are dropped.
   */
  private startTicker(start: number, periodMs: number): void {
    let k = 1;
    const schedule = (): void => {
      const now = this.host.clock.now();
      while (start + k * periodMs <= now) k++;
      this.tickTimer = this.host.clock.setTimer(start + k * periodMs - now, () => {
        if (this.stopped) return;
        this.tickPending = true;
        k++;
        schedule();
        this.wakeUp();
      });
    };
    schedule();
  }

  private async waitForNext(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      if (this.tickPending) {
        this.tickPending = false;
        return;
      }
      if (this.manualPending) {
        this.manualPending = false;
        return;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  /** One round; returns whether the worker keeps going. */
  async doProbe(): Promise<boolean> {
    const host = this.host;
    // 1. No status yet → wait; a terminal pod ends the worker.
    const status = host.getPodStatus(this.podUid);
    if (!status) return true;
    if (status.phase === 'Failed' || status.phase === 'Succeeded') return false;

    // 2. The container (regular or sidecar) has no ID yet → wait.
    let c = findStatus(status.containerStatuses, this.containerName);
    if (!c?.containerID) {
      c = findStatus(status.initContainerStatuses, this.containerName);
      if (!c?.containerID) return true;
    }

    // 3. A new container instance: back to the initial result, probing resumes.
    if (this.containerId !== c.containerID) {
      if (this.containerId !== '') host.results(this.kind).remove(this.containerId);
      this.containerId = c.containerID;
      this.publish(INITIAL_RESULT[this.kind]);
      this.onHold = false;
    }

    // 4. On hold after a liveness/startup failure until the container is replaced.
    if (this.onHold) return true;

    // 5. Not running → Failure; the worker ends only if the container will never run again.
    const running = c.state?.running;
    if (!running) {
      this.publish('Failure');
      const neverRestarts = c.state?.terminated !== undefined && this.pod.spec?.restartPolicy === 'Never';
      // Sidecars are always restarted, whatever the pod's policy.
      return !(neverRestarts && !this.isSidecar);
    }

    // 6. Pod deletion: liveness and startup stop quietly with Success; readiness keeps probing.
    const pod = host.getPod(this.podUid) ?? this.pod;
    if (pod.metadata?.deletionTimestamp && this.kind !== 'readiness') {
      this.publish('Success');
      this.keepResult = true;
      return false;
    }

    // 7. initialDelaySeconds, in whole seconds since the container started.
    const startedAt = running.startedAt ? Date.parse(running.startedAt) : Number.NaN;
    if (Number.isFinite(startedAt)) {
      const elapsed = Math.trunc((host.clock.now() - startedAt) / 1000);
      if (elapsed < this.spec.initialDelaySeconds) return true;
    }

    // 8. Startup gating: startup stops once started; liveness and readiness wait for it.
    if (c.started === true) {
      if (this.kind === 'startup') return true;
    } else if (this.kind !== 'startup') {
      return true;
    }

    // 9. Run it; an error throws the round away.
    const round = await host.probe(this, pod, status, this.containerId);
    if (this.stopped) return false;
    if (round.discarded) return true;

    // 10. Consecutive results; publish at the threshold.
    if (this.lastResult === round.result) {
      this.resultRun++;
    } else {
      this.lastResult = round.result;
      this.resultRun = 1;
    }
    if (
      (round.result === 'Failure' && this.resultRun < this.spec.failureThreshold) ||
      (round.result === 'Success' && this.resultRun < this.spec.successThreshold)
    ) {
      return true;
    }
    this.publish(round.result);

    // 11. A liveness/startup failure will restart the container: hold until a new instance.
    if (this.kind !== 'readiness' && round.result === 'Failure') {
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}
