// The node agent: watches the pods bound to this node, keeps one PodWorker per pod, wakes workers
// on runtime events (the PLEG), and does the housekeeping (back-off GC, orphaned containers).
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ImageService } from '../runtime/image/image-service.ts';
import type { ContainerRuntime, ExecSession, ExecStreamOptions } from '../runtime/runtime.ts';
import type { Clock, Timer } from '../util/clock.ts';
import { admitByCount, DEFAULT_MAX_PODS, rejectedStatus, wasRejected } from './admission.ts';
import { CrashLoopBackoff, DEFAULT_CRASH_LOOP_BACKOFF, type BackoffConfig } from './backoff.ts';
import { KubeletEventRecorder } from './event-recorder.ts';
import { ImageManager } from './image-manager.ts';
import type { HookJournal } from './lifecycle/hook-journal.ts';
import type { HookRun } from './lifecycle/hook-run.ts';
import type { KubeletVersion } from './pod-context.ts';
import { PodWorker, type PodProber } from './pod-worker.ts';
import { podUid } from './pod-util.ts';
import type { EventSink, ObjectSource, PodSource, StatusWriter } from './ports.ts';
import { lookupRuntimeHandler, type RuntimeClassSource } from './runtime-class.ts';
import { observePod, newestOf } from './runtime-view.ts';
import type { EventRecorder } from './event-recorder.ts';

export interface KubeletOptions {
  nodeName: string;
  hostIP?: string;
  clock: Clock;
  runtime: ContainerRuntime;
  podSource: PodSource;
  statusWriter: StatusWriter;
  eventSink: EventSink;
  crashLoopBackOff?: BackoffConfig;
  kubeVersion?: KubeletVersion;
  random?: () => number;
  /** Builds the prober once the kubelet's pieces exist (probe workers need status and events). */
  prober?: (deps: ProberFactoryDeps) => PodProber & { close(): void };
  onHookRun?: (pod: Pod, run: HookRun) => void;
  onStatus?: (pod: Pod, status: PodStatus) => void;
  /** The kubelet's --max-pods: active pods beyond it are rejected (admission.ts); 110 by default. */
  maxPods?: number;
  /** postStart progress kept across restarts (lifecycle/hook-journal.ts); without it, a restart forgets. */
  hookJournal?: HookJournal;
  /**
   * RuntimeClass objects: a pod's runtimeClassName resolves to the runtime handler of its sandbox
   * (runtime-class.ts). Without it every pod gets the empty handler (the runtime's default).
   */
  runtimeClasses?: RuntimeClassSource;
  /** ConfigMaps, Secrets and Services for container environments (envFrom, valueFrom, service links). */
  objects?: ObjectSource;
}

export interface ProberFactoryDeps {
  clock: Clock;
  runtime: ContainerRuntime;
  recorder: EventRecorder;
  getPod(uid: string): Pod | undefined;
  getPodStatus(uid: string): PodStatus | undefined;
  kubeletStartedAt: number;
  random: () => number;
  kubeVersion: KubeletVersion;
  /** Called when a probe result changed: the pod is synced again. */
  resync(uid: string): void;
}

const HOUSEKEEPING_MS = 2_000;
const CONTAINER_GC_PERIOD_MS = 60_000;

export class Kubelet {
  private readonly opts: KubeletOptions;
  private readonly workers = new Map<string, PodWorker>();
  private readonly recorder: KubeletEventRecorder;
  private readonly backoff: CrashLoopBackoff;
  private readonly images: ImageManager;
  private readonly prober: (PodProber & { close(): void }) | undefined;
  private readonly unsubscribe: (() => void)[] = [];
  private housekeeping: Timer | undefined;
  private lastContainerGc = 0;
  private readonly startedAt: number;
  private stopped = false;

  constructor(opts: KubeletOptions) {
    this.opts = opts;
    this.startedAt = opts.clock.now();
    this.lastContainerGc = this.startedAt;
    this.recorder = new KubeletEventRecorder(opts.eventSink, opts.clock, opts.nodeName);
    this.backoff = new CrashLoopBackoff(opts.crashLoopBackOff ?? DEFAULT_CRASH_LOOP_BACKOFF);
    this.images = new ImageManager((pod) => this.imagesOf(pod), opts.clock, this.recorder);
    this.prober = opts.prober?.({
      clock: opts.clock,
      runtime: opts.runtime,
      recorder: this.recorder,
      getPod: (uid) => this.workers.get(uid)?.currentPod,
      getPodStatus: (uid) => this.workers.get(uid)?.currentStatus,
      kubeletStartedAt: this.startedAt,
      random: this.random,
      kubeVersion: this.version,
      resync: (uid) => this.workers.get(uid)?.trigger(),
    });
  }

  /** The images of the runtime that runs the pod (none for the process runtime's pods). */
  private imagesOf(pod: Pod): ImageService | undefined {
    const rt = this.opts.runtime;
    if (!rt.imagesFor) return rt.images;
    try {
      return rt.imagesFor(lookupRuntimeHandler(this.opts.runtimeClasses, pod.spec?.runtimeClassName));
    } catch {
      return rt.images;
    }
  }

  private get random(): () => number {
    return this.opts.random ?? Math.random;
  }

  private get version(): KubeletVersion {
    return this.opts.kubeVersion ?? { major: '1', minor: '32' };
  }

  get eventRecorder(): EventRecorder {
    return this.recorder;
  }

  start(): void {
    this.unsubscribe.push(
      this.opts.runtime.watch((e) => this.workers.get(e.podUid)?.trigger()),
      this.opts.podSource.watchPods((change, pod) => {
        if (change === 'DELETED') this.podRemoved(podUid(pod));
        else this.podChanged(pod);
      }),
    );
    this.scheduleHousekeeping();
  }

  private readonly removed = new Set<string>();

  private podRemoved(uid: string): void {
    this.rejected.delete(uid);
    const w = this.workers.get(uid);
    if (!w) return;
    this.removed.add(uid);
    w.remove();
    if (w.isTerminated) this.forget(uid);
  }

  private forget(uid: string): void {
    this.workers.delete(uid);
    this.removed.delete(uid);
    this.recorder.forgetPod(uid);
    this.backoff.forgetPod(uid);
    this.images.forgetPod(uid);
  }

  private podChanged(pod: Pod): void {
    const uid = podUid(pod);
    const w = this.workers.get(uid);
    if (w) {
      w.update(pod);
      return;
    }
    if (this.stopped) return;
    if (!this.admit(pod)) return;
    const o = this.opts;
    const worker = new PodWorker(pod, {
      nodeName: o.nodeName,
      hostIP: o.hostIP ?? '127.0.0.1',
      clock: o.clock,
      runtime: o.runtime,
      recorder: this.recorder,
      backoff: this.backoff,
      images: this.images,
      kubeVersion: this.version,
      random: this.random,
      statusWriter: o.statusWriter,
      runtimeClasses: o.runtimeClasses,
      ...(o.objects ? { objects: o.objects } : {}),
      prober: this.prober,
      ...(o.hookJournal ? { hookJournal: o.hookJournal } : {}),
      onHookRun: (p, run) => o.onHookRun?.(p, run),
      onStatus: (p, s) => o.onStatus?.(p, s),
      onTerminated: (id) => {
        if (this.removed.has(id)) this.forget(id);
      },
    });
    this.workers.set(uid, worker);
    worker.trigger();
  }

  /** Uids of pods rejected by admission: their status is written once, and they never run. */
  private readonly rejected = new Set<string>();

  /** The kubelet's admission by pod count (admission.ts); false when the pod was (or is now) rejected. */
  private admit(pod: Pod): boolean {
    const uid = podUid(pod);
    if (this.rejected.has(uid) || wasRejected(pod)) {
      // Nothing runs for a rejected pod: once deleted, its object goes at once (status manager).
      if (pod.metadata?.deletionTimestamp) void this.opts.statusWriter.deletePod(pod).catch(() => undefined);
      return false;
    }
    let active = 0;
    for (const w of this.workers.values()) if (!w.isTerminated) active++;
    const rejection = admitByCount(active, this.opts.maxPods ?? DEFAULT_MAX_PODS);
    if (!rejection) return true;
    this.rejected.add(uid);
    this.recorder.event(pod, undefined, 'Warning', rejection.reason, rejection.message);
    const now = new Date(this.opts.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    void this.opts.statusWriter.updateStatus(pod, rejectedStatus(pod, rejection, now)).catch(() => undefined);
    return false;
  }

  private scheduleHousekeeping(): void {
    if (this.stopped) return;
    this.housekeeping = this.opts.clock.setTimer(HOUSEKEEPING_MS, () => {
      this.backoff.gc(this.opts.clock.now());
      void this.cleanupOrphans().finally(() => this.scheduleHousekeeping());
    });
  }

  /** Containers whose pod is unknown to this node are killed with grace 2, then removed (orphan cleanup). */
  private async cleanupOrphans(): Promise<void> {
    const listedAt = this.opts.clock.now();
    const all = await this.opts.runtime.listContainers().catch(() => undefined);
    if (!all) return;
    // Journal entries of containers that are gone (only when the list is known to be whole).
    this.opts.hookJournal?.retain(new Set(all.map((c) => c.id)), listedAt);
    const orphans = all.filter((c) => c.state === 'running' && !this.workers.has(c.podUid));
    await Promise.all(orphans.map((c) => this.opts.runtime.stopContainer(c.id, 2).catch(() => undefined)));
    // The container GC (every minute, as the kubelet's ContainerGCPeriod): pods that no longer exist
    // have their dead containers and sandboxes removed (root filesystems unmounted, pod networks
    // released), once nothing of the pod runs.
    if (listedAt - this.lastContainerGc < CONTAINER_GC_PERIOD_MS) return;
    this.lastContainerGc = listedAt;
    const dead = all.filter((c) => c.state !== 'running' && !this.workers.has(c.podUid));
    for (const c of dead) await this.opts.runtime.removeContainer(c.id).catch(() => undefined);
    const stillRunning = new Set(orphans.map((c) => c.podUid));
    const sandboxes = await this.opts.runtime.listPodSandboxes().catch(() => []);
    for (const sb of sandboxes) {
      if (this.workers.has(sb.podUid) || stillRunning.has(sb.podUid)) continue;
      if (sb.state === 'ready') await this.opts.runtime.stopPodSandbox(sb.id).catch(() => undefined);
      await this.opts.runtime.removePodSandbox(sb.id).catch(() => undefined);
    }
  }

  /** Pod workers' current view, for tests and the CLI. */
  worker(uid: string): PodWorker | undefined {
    return this.workers.get(uid);
  }

  async logPath(uid: string, containerName: string, previous: boolean): Promise<string | undefined> {
    return this.workers.get(uid)?.logPath(containerName, previous);
  }

  async exec(
    uid: string,
    containerName: string,
    command: string[],
    options: ExecStreamOptions,
  ): Promise<ExecSession> {
    const view = await observePod(this.opts.runtime, uid);
    const c = newestOf(view, containerName);
    if (!c || c.state !== 'running') throw new Error(`container ${containerName} is not running`);
    return this.opts.runtime.exec(c.id, command, options);
  }

  /** Leaves every workload running and stops watching (nodelet shutdown or restart). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.housekeeping?.cancel();
    for (const u of this.unsubscribe.splice(0)) u();
    for (const w of this.workers.values()) w.detach();
    await Promise.all([...this.workers.values()].map((w) => w.idle()));
    this.prober?.close();
  }

  /** Resolves once every worker is idle (tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.workers.values()].map((w) => w.idle()));
  }
}
