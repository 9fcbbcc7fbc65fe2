// One pod worker per pod: the only writer of that pod's status, running one sync round at a time
// (SyncPod → SyncTerminatingPod → SyncTerminatedPod, reference §1.1, §7.4). Status is computed at
// the start of each round from the runtime's view; actions taken in a round show in the next.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { Timer } from '../util/clock.ts';
import { killContainer, MIN_GRACE_SECONDS } from './container-kill.ts';
import { defaultKubeletDns, podDnsConfig } from './dns-config.ts';
import { recoverPostStart, startContainer } from './container-start.ts';
import type { StartFailure } from './container-statuses.ts';
import { formatHookRun, hookAnnotationKey, type HookRun } from './lifecycle/hook-run.ts';
import { computePodActions, shouldRestart, type PodActions } from './pod-actions.ts';
import type { NodeDeps, PodContext } from './pod-context.ts';
import { defaultProbeState, generatePodStatus, isTerminalPhase, terminatePodStatus } from './pod-status.ts';
import { allContainers, findContainer, podUid, rfc3339, type SpecContainer } from './pod-util.ts';
import { newestOf, observePod, type RuntimePod } from './runtime-view.ts';
import type { StatusWriter } from './ports.ts';
import { lookupRuntimeHandler, type RuntimeClassSource } from './runtime-class.ts';
import { TerminationMessages } from './termination-message.ts';

/** The prober as the pod worker uses it (implemented by prober/prober-manager.ts). */
export interface PodProber {
  addPod(pod: Pod): void;
  removePod(uid: string): void;
  podTerminating(uid: string): void;
  updatePodStatus(pod: Pod, status: PodStatus): void;
  result(
    kind: 'liveness' | 'readiness' | 'startup',
    containerId: string,
  ): 'Success' | 'Failure' | 'Unknown' | undefined;
  annotations(uid: string): Record<string, string>;
}

export interface WorkerDeps extends NodeDeps {
  statusWriter: StatusWriter;
  /** RuntimeClass objects, for the sandbox's runtime handler; undefined: always the default. */
  runtimeClasses: RuntimeClassSource | undefined;
  prober: PodProber | undefined;
  onHookRun: (pod: Pod, run: HookRun) => void;
  onStatus: (pod: Pod, status: PodStatus) => void;
  onTerminated: (uid: string) => void;
}

type WorkerState = 'syncing' | 'terminating' | 'terminated';

/**
 * The `<type>://` of the pod's container IDs: the runtime that runs its sandbox. nodelet names
 * its runtime handlers after its runtimes (`process`, `oci`), so an oci pod on a process node
 * shows `oci://…`; a sandbox without a handler is the node runtime's.
 */
function runtimeNameOf(view: RuntimePod, nodeRuntime: string): string {
  return view.sandbox?.runtimeHandler || nodeRuntime;
}

/** As the kubelet: a round that failed (back-off included) is retried after 10 s, jittered up to 1.5×. */
const BACKOFF_PERIOD_MS = 10_000;
const RESYNC_PERIOD_MS = 60_000;

export class PodWorker {
  private pod: Pod;
  private state: WorkerState = 'syncing';
  private status: PodStatus | undefined;
  private published = '';
  private readonly reasonCache = new Map<string, StartFailure>();
  private readonly hookAnnotations: Record<string, string> = {};
  private readonly messages = new TerminationMessages();
  private readonly deps: WorkerDeps;
  private readonly ctx: PodContext;
  private removed = false;
  private dirty = false;
  private running: Promise<void> | undefined;
  private requeue: { at: number; timer: Timer } | undefined;
  private deadlineTimer: Timer | undefined;
  private round = new AbortController();
  private terminationGrace: number | undefined;
  private stopping: Map<string, SpecContainer> = new Map();
  private detached = false;
  private deadlineExceeded = false;
  private hooksRecovered = false;

  constructor(pod: Pod, deps: WorkerDeps) {
    this.pod = pod;
    this.deps = deps;
    this.ctx = {
      ...deps,
      pod: () => this.pod,
      podIP: () => this.status?.podIP,
      reasonCache: this.reasonCache,
      hookRan: (run) => {
        this.hookAnnotations[hookAnnotationKey(run.container, run.hook)] = formatHookRun(run);
        deps.onHookRun(this.pod, run);
        this.trigger();
      },
    };
    if (isTerminalPhase(pod.status?.phase) && pod.status) this.status = pod.status;
  }

  get uid(): string {
    return podUid(this.pod);
  }

  get currentPod(): Pod {
    return this.pod;
  }

  get currentStatus(): PodStatus | undefined {
    return this.status;
  }

  get isTerminated(): boolean {
    return this.state === 'terminated';
  }

  /** A new version of the pod from the source. */
  update(pod: Pod): void {
    const wasDeleting = !!this.pod.metadata?.deletionTimestamp;
    const relevant = (p: Pod): string =>
      JSON.stringify([
        p.spec,
        p.metadata?.deletionTimestamp,
        p.metadata?.deletionGracePeriodSeconds,
        p.metadata?.labels,
      ]);
    const changed = relevant(pod) !== relevant(this.pod);
    this.pod = pod;
    // Our own status writes come back as updates; only spec and deletion changes need a sync.
    if (!changed) return;
    if (pod.metadata?.deletionTimestamp && !wasDeleting) this.round.abort(new Error('pod is being deleted'));
    if (this.state === 'terminating') this.maybeShortenGrace();
    this.trigger();
  }

  /** The pod's object is gone from the API (force deletion): terminate with the minimum grace. */
  remove(): void {
    this.removed = true;
    this.round.abort(new Error('pod was removed'));
    if (this.state === 'terminating') this.maybeShortenGrace();
    this.trigger();
  }

  /** Stops working on the pod without touching its containers (nodelet shutdown). */
  detach(): void {
    this.detached = true;
    this.round.abort(new Error('node agent is stopping'));
    this.requeue?.timer.cancel();
    this.deadlineTimer?.cancel();
  }

  /** Resolves once the worker is idle. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  trigger(): void {
    if (this.detached) return;
    this.dirty = true;
    if (!this.running) {
      this.running = this.loop().finally(() => {
        this.running = undefined;
      });
    }
  }

  private schedule(ms: number): void {
    const at = this.deps.clock.now() + ms;
    if (this.requeue && this.requeue.at <= at) return;
    this.requeue?.timer.cancel();
    this.requeue = {
      at,
      timer: this.deps.clock.setTimer(ms, () => {
        this.requeue = undefined;
        this.trigger();
      }),
    };
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.detached) {
      this.dirty = false;
      this.round = new AbortController();
      try {
        await this.syncRound();
      } catch (e) {
        if (this.detached) return;
        if (!this.round.signal.aborted) {
          process.emitWarning(
            `pod ${this.pod.metadata?.name}: sync failed: ${(e as Error).stack ?? String(e)}`,
          );
        }
        this.schedule(this.backoffDelay());
      }
    }
  }

  private backoffDelay(): number {
    // A node tuned to a shorter crash-loop back-off retries as often as that back-off allows;
    // with the default (10 s) this is exactly the kubelet's 10–15 s.
    const period = Math.min(BACKOFF_PERIOD_MS, this.deps.backoff.initialMs);
    return period * (1 + 0.5 * this.deps.random());
  }

  private shouldTerminate(): boolean {
    return (
      this.removed ||
      !!this.pod.metadata?.deletionTimestamp ||
      isTerminalPhase(this.status?.phase) ||
      this.deadlineExceeded
    );
  }

  private async syncRound(): Promise<void> {
    if (this.state === 'terminated') return;
    if (this.state === 'syncing' && this.shouldTerminate()) this.state = 'terminating';
    if (this.state === 'syncing') {
      const terminal = await this.syncPod(this.round.signal);
      if (!terminal) return;
      this.state = 'terminating';
    }
    await this.syncTerminatingPod();
    this.state = 'terminated';
    await this.syncTerminatedPod();
  }

  private statusFromView(view: RuntimePod, podIsTerminal: boolean): PodStatus {
    const d = this.deps;
    return generatePodStatus({
      pod: this.pod,
      view,
      previous: this.status ?? (this.pod.status?.containerStatuses ? this.pod.status : undefined),
      runtimeName: runtimeNameOf(view, d.runtime.name),
      hostIP: d.hostIP,
      now: d.clock.now(),
      podIsTerminal,
      reasonCache: (n) => this.reasonCache.get(n),
      shouldRestart: (sc) => shouldRestart(this.pod, sc, newestOf(view, sc.container.name)),
      terminationMessage: (c, sc) => this.messages.get(c, sc),
      setProbeState: (pod, status) => {
        defaultProbeState(pod, status);
        d.prober?.updatePodStatus(pod, status);
      },
    });
  }

  private async publish(status: PodStatus, final = false): Promise<void> {
    const prev = this.status;
    let out = status;
    // A terminal phase is published only once nothing of the pod runs any more.
    if (!final && isTerminalPhase(status.phase) && !isTerminalPhase(prev?.phase)) {
      out = { ...status, phase: prev?.phase ?? 'Pending' };
      if (prev?.reason) out.reason = prev.reason;
      else delete out.reason;
      if (prev?.message) out.message = prev.message;
      else delete out.message;
      out.conditions = prev?.conditions ?? status.conditions ?? [];
      this.status = { ...status };
    } else {
      this.status = status;
    }
    const annotations = { ...this.hookAnnotations, ...(this.deps.prober?.annotations(this.uid) ?? {}) };
    const key = JSON.stringify([out, annotations]);
    if (key === this.published || this.removed) return;
    this.published = key;
    this.deps.onStatus(this.pod, out);
    await this.deps.statusWriter.updateStatus(this.pod, out, annotations);
  }

  private armDeadline(): void {
    const ads = this.pod.spec?.activeDeadlineSeconds;
    if (ads === undefined || this.deadlineTimer || !this.status?.startTime) return;
    const start = Date.parse(this.status.startTime);
    this.deadlineTimer = this.deps.clock.setTimer(start + ads * 1000 - this.deps.clock.now(), () => {
      this.deadlineExceeded = true;
      this.round.abort(new Error('active deadline exceeded'));
      this.trigger();
    });
  }

  /** SyncPod: one round of driving the pod towards its spec. Returns true when the pod is terminal. */
  private async syncPod(signal: AbortSignal): Promise<boolean> {
    const d = this.deps;
    let view = await observePod(d.runtime, this.uid);
    const status = this.statusFromView(view, false);
    await this.publish(status);
    this.armDeadline();
    if (isTerminalPhase(status.phase)) return true;
    if (this.shouldTerminate()) return true;

    // Sandbox: one per pod; a new one re-runs initialization from the first init container.
    if (!view.sandbox || view.sandbox.state !== 'ready') {
      const attempt = view.sandbox ? view.sandbox.attempt + 1 : 0;
      // As computePodActions/SyncPod: what runs is killed through the normal kill path (Killing
      // events, preStop, each container's grace); a Never pod that already ran gets no new sandbox.
      if (this.pod.spec?.restartPolicy === 'Never' && attempt !== 0 && view.containers.length > 0) {
        await this.killAll(undefined);
        return false;
      }
      if (view.sandbox) {
        d.recorder.event(
          this.pod,
          undefined,
          'Normal',
          'SandboxChanged',
          'Pod sandbox changed, it will be killed and re-created.',
        );
        await this.killAll(undefined);
        for (const c of view.containers) {
          if (c.labels['nodelet.dev/container-kind'] !== 'regular') await d.runtime.removeContainer(c.id);
        }
      }
      const md = this.pod.metadata ?? {};
      const pod = this.pod;
      // As the kubelet's generatePodSandboxConfig: the pod's DNSConfig from dnsPolicy/dnsConfig.
      const dns = podDnsConfig(pod, defaultKubeletDns(), (reason, message) =>
        d.recorder.event(pod, undefined, 'Warning', reason, message),
      );
      try {
        // As createPodSandbox: the RuntimeClass's handler goes with RunPodSandbox.
        const runtimeHandler = lookupRuntimeHandler(d.runtimeClasses, this.pod.spec?.runtimeClassName);
        await d.runtime.runPodSandbox(
          {
            podUid: this.uid,
            podName: md.name ?? '',
            namespace: md.namespace ?? 'default',
            attempt,
            hostname: this.pod.spec?.hostname ?? md.name ?? '',
            ...(md.labels ? { labels: md.labels } : {}),
            dns,
            ...(runtimeHandler ? { runtimeHandler } : {}),
          },
          signal,
        );
      } catch (e) {
        if (signal.aborted) throw e;
        this.sandboxFailed(e);
        return false;
      }
      view = await observePod(d.runtime, this.uid);
      // The new sandbox (and pod IP) shows before any container starts.
      await this.publish(this.statusFromView(view, false));
    }
    d.prober?.addPod(this.pod);
    // Once per worker (so after a nodelet restart): hooks a previous run left unsettled.
    if (!this.hooksRecovered) {
      this.hooksRecovered = true;
      if (await recoverPostStart(this.ctx, view, signal)) view = await observePod(d.runtime, this.uid);
    }

    const actions = computePodActions({
      pod: this.pod,
      view,
      runtimeName: runtimeNameOf(view, d.runtime.name),
      probe: (kind, id) => d.prober?.result(kind, id),
    });
    return this.execute(actions, view, signal);
  }

  /**
   * SyncPod when createPodSandbox fails: the FailedCreatePodSandBox warning (none once the pod's
   * termination is requested), and the round retried after the worker's back-off; the pod stays
   * Pending with its containers waiting in ContainerCreating.
   */
  private sandboxFailed(e: unknown): void {
    if (this.shouldTerminate()) {
      this.trigger();
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    this.deps.recorder.event(
      this.pod,
      undefined,
      'Warning',
      'FailedCreatePodSandBox',
      `Failed to create pod sandbox: ${msg}`,
    );
    this.schedule(this.backoffDelay());
  }

  private async execute(actions: PodActions, view: RuntimePod, signal: AbortSignal): Promise<boolean> {
    for (const k of actions.kill) {
      await killContainer(this.ctx, k.sc, k.container, { message: k.message, reason: k.reason });
    }
    if (actions.killPod) {
      await this.killAll(undefined);
      this.trigger();
      return false;
    }
    if (actions.kill.length) view = await observePod(this.deps.runtime, this.uid);
    let failed = false;
    let backoff = false;
    for (const sc of actions.start) {
      if (signal.aborted) return false;
      const res = await startContainer(this.ctx, view, sc, signal);
      if (!res.ok) {
        failed = true;
        if (res.backoff) backoff = true;
        // A regular init container that fails to start ends the round; sidecars and others do not.
        if (sc.kind === 'init') break;
      }
    }
    if (failed || backoff) this.schedule(this.backoffDelay());
    else this.schedule(RESYNC_PERIOD_MS * (1 + 0.5 * this.deps.random()));
    return false;
  }

  /** calculateEffectiveGracePeriod: never grows during termination, never below 1. */
  private effectiveGrace(): number {
    let grace = this.terminationGrace ?? 0;
    const dgp = this.pod.metadata?.deletionGracePeriodSeconds;
    if (dgp !== undefined && (this.terminationGrace === undefined || dgp < grace)) grace = dgp;
    if (this.removed) grace = Math.min(grace || 1, 1);
    if (grace === 0) grace = this.pod.spec?.terminationGracePeriodSeconds ?? 30;
    return Math.max(1, grace);
  }

  /** A shorter grace during termination (a second delete, --force): stop what runs with it now. */
  private maybeShortenGrace(): void {
    if (this.terminationGrace === undefined) return;
    const g = this.effectiveGrace();
    if (g >= this.terminationGrace) return;
    this.terminationGrace = g;
    void (async () => {
      const view = await observePod(this.deps.runtime, this.uid);
      await Promise.all(
        view.containers
          .filter((c) => c.state === 'running')
          .map((c) =>
            this.deps.runtime.stopContainer(c.id, Math.max(g, MIN_GRACE_SECONDS)).catch(() => undefined),
          ),
      );
    })();
  }

  /** Kills every running container in parallel; sidecars stop after regular containers, in reverse order. */
  private async killAll(grace: number | undefined): Promise<void> {
    const view = await observePod(this.deps.runtime, this.uid);
    const running = allContainers(this.pod)
      .map((sc) => ({ sc, c: newestOf(view, sc.container.name) }))
      .filter((x): x is { sc: SpecContainer; c: NonNullable<typeof x.c> } => x.c?.state === 'running');
    const done = new Map<string, Promise<void>>();
    const regular = running.filter((x) => x.sc.kind === 'regular');
    const sidecars = running.filter((x) => x.sc.kind !== 'regular');
    const killOne = (x: { sc: SpecContainer; c: (typeof running)[number]['c'] }, wait?: Promise<unknown>) =>
      killContainer(this.ctx, x.sc, x.c, {
        reason: 'podTermination',
        ...(grace !== undefined ? { gracePeriodOverride: grace } : {}),
        ...(wait ? { waitBeforeStop: wait } : {}),
      });
    for (const x of regular) done.set(x.sc.container.name, killOne(x));
    // Later sidecars are set up first so earlier ones can wait for them.
    for (let i = sidecars.length - 1; i >= 0; i--) {
      const x = sidecars[i];
      if (!x) continue;
      const waitFor = [...done.values()];
      done.set(x.sc.container.name, killOne(x, waitFor.length ? Promise.all(waitFor) : undefined));
    }
    for (const x of running) this.stopping.set(x.c.id, x.sc);
    await Promise.all(done.values());
  }

  /** SyncTerminatingPod: stop everything with the pod's grace, then compute the terminal status. */
  private async syncTerminatingPod(): Promise<void> {
    const d = this.deps;
    const view = await observePod(d.runtime, this.uid);
    let status = this.statusFromView(view, false);
    if (this.deadlineExceeded && !isTerminalPhase(this.status?.phase)) {
      const msg = 'Pod was active on the node longer than the specified deadline';
      d.recorder.event(this.pod, undefined, 'Normal', 'DeadlineExceeded', msg);
      status = { ...status, phase: 'Failed', reason: 'DeadlineExceeded', message: msg };
    }
    await this.publish(status);
    d.prober?.podTerminating(this.uid);
    this.terminationGrace = this.effectiveGrace();
    // Pods finishing on their own (and deadline kills) use their spec's grace per container.
    const podDeleted = this.removed || !!this.pod.metadata?.deletionTimestamp;
    await this.killAll(
      podDeleted ? this.terminationGrace : (this.pod.spec?.terminationGracePeriodSeconds ?? 30),
    );
    for (const sb of (await observePod(d.runtime, this.uid)).sandboxes) {
      if (sb.state === 'ready') await d.runtime.stopPodSandbox(sb.id);
    }
    const finalView = await observePod(d.runtime, this.uid);
    const final = this.statusFromView(finalView, true);
    if (this.status?.reason === 'DeadlineExceeded') {
      final.phase = 'Failed';
      final.reason = this.status.reason;
      if (this.status.message) final.message = this.status.message;
    }
    this.statusFinal = final;
  }

  private statusFinal: PodStatus | undefined;

  /** SyncTerminatedPod: the final status is published, then a deleted pod's object is removed. */
  private async syncTerminatedPod(): Promise<void> {
    const d = this.deps;
    this.requeue?.timer.cancel();
    this.deadlineTimer?.cancel();
    d.prober?.removePod(this.uid);
    const final = terminatePodStatus(this.pod, this.statusFinal ?? this.status ?? {});
    await this.publish(recomputeReadiness(final, rfc3339(d.clock.now())), true);
    if (!this.removed && this.pod.metadata?.deletionTimestamp) {
      await d.statusWriter.deletePod(this.pod);
    }
    d.onTerminated(this.uid);
  }

  /** Log file of a container instance (for `kubectl logs`). */
  async logPath(containerName: string, previous: boolean): Promise<string | undefined> {
    const view = await observePod(this.deps.runtime, this.uid);
    const sc = findContainer(this.pod, containerName);
    if (!sc) return undefined;
    const list = view.containers
      .filter((c) => c.name === containerName)
      .sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
    return (previous ? list[1] : list[0])?.logPath;
  }
}

/** Terminal pods: Ready and ContainersReady forced False with PodCompleted / PodFailed. */
function recomputeReadiness(status: PodStatus, now: string): PodStatus {
  const reason =
    status.phase === 'Succeeded' ? 'PodCompleted' : status.phase === 'Failed' ? 'PodFailed' : undefined;
  if (!reason) return status;
  for (const c of status.conditions ?? []) {
    if ((c.type === 'Ready' || c.type === 'ContainersReady') && c.status === 'True') {
      c.status = 'False';
      c.reason = reason;
      c.lastTransitionTime = now;
      delete c.message;
    }
  }
  return status;
}
