// Test kit for the kubelet engine: builders for pods, API container statuses and runtime views (for
// the pure functions), and a harness that runs a whole Kubelet on a FakeClock and a FakeRuntime
// over a MemoryStore, the way `nodelet run` composes it.
import assert from 'node:assert/strict';
import type { Container, ContainerStatus, Event, Pod, PodSpec, PodStatus } from 'kubernetes-types/core/v1.js';
import type {
  ContainerRuntime,
  ContainerStatus as RuntimeContainer,
  PodSandboxStatus,
} from '../runtime/runtime.ts';
import type { BackoffConfig } from '../kubelet/backoff.ts';
import { Kubelet, type KubeletOptions } from '../kubelet/kubelet.ts';
import type { EventSink, StatusWriter } from '../kubelet/ports.ts';
import type { RuntimePod } from '../kubelet/runtime-view.ts';
import { createBoundPod } from '../cli/scheduler.ts';
import { StoreEventSink, StorePodSource, StoreStatusWriter } from '../cli/store-ports.ts';
import { MemoryStore } from '../store/memory-store.ts';
import type { Clock } from '../util/clock.ts';
import { FakeClock } from './fake-clock.ts';
import { FakeRuntime, type FakeCall } from './fake-runtime.ts';

// ---------------------------------------------------------------------------------------------
// Pods

/** A container with a command (the process runtime needs one) and the given extras. */
export function ctr(name: string, extra: Partial<Container> = {}): Container {
  return { name, image: 'busybox', command: ['sh', '-c', 'true'], ...extra };
}

/** A sidecar: an init container with `restartPolicy: Always`. */
export function sidecar(name: string, extra: Partial<Container> = {}): Container {
  return ctr(name, { restartPolicy: 'Always', ...extra });
}

export interface PodOptions {
  uid?: string;
  namespace?: string;
}

export function makePod(name: string, spec: Partial<PodSpec>, opts: PodOptions = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.namespace ?? 'default', uid: opts.uid ?? `uid-${name}` },
    // As the API server defaults it.
    spec: { containers: [], terminationGracePeriodSeconds: 30, ...spec },
  };
}

// ---------------------------------------------------------------------------------------------
// API container statuses (inputs of getPhase and the conditions)

const T0 = '2026-01-01T00:00:00Z';

export function apiRunning(name: string, opts: { started?: boolean; ready?: boolean } = {}): ContainerStatus {
  return {
    name,
    image: 'busybox',
    imageID: '',
    restartCount: 0,
    started: opts.started ?? true,
    ready: opts.ready ?? true,
    state: { running: { startedAt: T0 } },
    lastState: {},
  };
}

export function apiTerminated(
  name: string,
  exitCode: number,
  opts: { ready?: boolean } = {},
): ContainerStatus {
  return {
    name,
    image: 'busybox',
    imageID: '',
    restartCount: 0,
    started: false,
    ready: opts.ready ?? false,
    state: {
      terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: T0, finishedAt: T0 },
    },
    lastState: {},
  };
}

/** Waiting, optionally after a terminated instance (`lastState.terminated` with that exit code). */
export function apiWaiting(name: string, reason = 'ContainerCreating', lastExit?: number): ContainerStatus {
  return {
    name,
    image: 'busybox',
    imageID: '',
    restartCount: lastExit === undefined ? 0 : 1,
    started: false,
    ready: false,
    state: { waiting: { reason } },
    lastState:
      lastExit === undefined
        ? {}
        : {
            terminated: {
              exitCode: lastExit,
              reason: lastExit === 0 ? 'Completed' : 'Error',
              startedAt: T0,
              finishedAt: T0,
            },
          },
  };
}

// ---------------------------------------------------------------------------------------------
// Runtime views (inputs of computePodActions and generatePodStatus)

export const SANDBOX_ID = 'sb-1';

export interface RuntimeContainerOptions {
  attempt?: number;
  exitCode?: number;
  reason?: string;
  createdAt?: number;
  startedAt?: number;
  finishedAt?: number;
  kind?: 'init' | 'sidecar' | 'regular';
  hash?: string;
  id?: string;
  podUid?: string;
  sandboxId?: string;
}

let seq = 0;

export function rt(
  name: string,
  state: RuntimeContainer['state'],
  o: RuntimeContainerOptions = {},
): RuntimeContainer {
  const attempt = o.attempt ?? 0;
  const createdAt = o.createdAt ?? Date.UTC(2026, 0, 1) + attempt * 1000;
  const exited = state === 'exited';
  const exitCode = o.exitCode ?? 0;
  return {
    id: o.id ?? `${name}-${attempt}-${seq++}`,
    sandboxId: o.sandboxId ?? SANDBOX_ID,
    podUid: o.podUid ?? 'uid-p',
    name,
    attempt,
    state,
    image: 'busybox',
    imageRef: 'busybox@sha256:0',
    labels: {
      'io.kubernetes.container.name': name,
      'nodelet.dev/container-kind': o.kind ?? 'regular',
      ...(o.hash ? { 'io.kubernetes.container.hash': o.hash } : {}),
    },
    createdAt,
    ...(state === 'running' || exited ? { startedAt: o.startedAt ?? createdAt } : {}),
    ...(exited ? { finishedAt: o.finishedAt ?? createdAt + 500, exitCode } : {}),
    ...(exited ? { reason: o.reason ?? (exitCode === 0 ? 'Completed' : 'Error') } : {}),
    logPath: `/nonexistent/${name}/${attempt}.log`,
  };
}

export function sandbox(o: Partial<PodSandboxStatus> = {}): PodSandboxStatus {
  return {
    id: SANDBOX_ID,
    podUid: 'uid-p',
    podName: 'p',
    namespace: 'default',
    attempt: 0,
    state: 'ready',
    ips: ['127.0.0.1'],
    createdAt: Date.UTC(2026, 0, 1),
    ...o,
  };
}

export function view(containers: RuntimeContainer[], sb: PodSandboxStatus | null = sandbox()): RuntimePod {
  return { sandboxes: sb ? [sb] : [], sandbox: sb ?? undefined, containers };
}

// ---------------------------------------------------------------------------------------------
// A whole node: Kubelet + store ports over a MemoryStore, as `nodelet run` composes them.

export interface HarnessOptions {
  runtime: ContainerRuntime;
  clock: Clock;
  nodeName?: string;
  crashLoopBackOff?: BackoffConfig;
  /** Injected jitter source; the kubelet's requeue is 10 s × (1 + 0.5·random). */
  random?: () => number;
  prober?: KubeletOptions['prober'];
  kubeVersion?: KubeletOptions['kubeVersion'];
  /** The API's store; a new one by default (pass another node's to play a restarted nodelet). */
  store?: MemoryStore;
  runtimeClasses?: KubeletOptions['runtimeClasses'];
}

/** One recorded status write, with the pod's clock time. */
export interface StatusWrite {
  at: number;
  pod: string;
  status: PodStatus;
}

export class KubeletHarness {
  readonly store: MemoryStore;
  readonly kubelet: Kubelet;
  readonly clock: Clock;
  readonly runtime: ContainerRuntime;
  readonly nodeName: string;
  /** Every event write in order (count updates included), as the sink received them. */
  readonly eventWrites: Event[] = [];
  /** Every status write in order. */
  readonly statusWrites: StatusWrite[] = [];
  private readonly sink: StoreEventSink;

  constructor(opts: HarnessOptions) {
    this.store = opts.store ?? new MemoryStore();
    this.clock = opts.clock;
    this.runtime = opts.runtime;
    this.nodeName = opts.nodeName ?? 'nodelet';
    const storeSink = new StoreEventSink(this.store);
    this.sink = storeSink;
    const writer = new StoreStatusWriter(this.store);
    const eventSink: EventSink = {
      writeEvent: (e) => {
        this.eventWrites.push(structuredClone(e));
        storeSink.writeEvent(e);
      },
    };
    const statusWriter: StatusWriter = {
      updateStatus: (pod, status, annotations) => {
        this.statusWrites.push({
          at: this.clock.now(),
          pod: pod.metadata?.name ?? '',
          status: structuredClone(status),
        });
        return writer.updateStatus(pod, status, annotations);
      },
      deletePod: (pod) => writer.deletePod(pod),
    };
    this.kubelet = new Kubelet({
      nodeName: this.nodeName,
      clock: opts.clock,
      runtime: opts.runtime,
      podSource: new StorePodSource(this.store, this.nodeName),
      statusWriter,
      eventSink,
      random: opts.random ?? (() => 0),
      ...(opts.crashLoopBackOff ? { crashLoopBackOff: opts.crashLoopBackOff } : {}),
      ...(opts.prober ? { prober: opts.prober } : {}),
      ...(opts.kubeVersion ? { kubeVersion: opts.kubeVersion } : {}),
      ...(opts.runtimeClasses ? { runtimeClasses: opts.runtimeClasses } : {}),
    });
    this.kubelet.start();
  }

  /** Creates the pod bound to this node (with the scheduler's Scheduled event). */
  create(pod: Pod): Pod {
    return createBoundPod(this.store, this.sink, pod, this.nodeName, this.clock);
  }

  private key(name: string, namespace = 'default'): { resource: string; namespace: string; name: string } {
    return { resource: 'pods', namespace, name };
  }

  /** The pod object as the API has it now (undefined once removed). */
  pod(name: string, namespace = 'default'): Pod | undefined {
    return this.store.get<Pod>(this.key(name, namespace));
  }

  status(name: string, namespace = 'default'): PodStatus {
    const p = this.pod(name, namespace);
    assert.ok(p, `pod ${name} is gone`);
    return p.status ?? {};
  }

  phase(name: string): string | undefined {
    return this.pod(name)?.status?.phase;
  }

  /** A container's status (init or regular) as the API has it now. */
  container(pod: string, name: string): ContainerStatus {
    const s = this.status(pod);
    const c = [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? [])].find(
      (x) => x.name === name,
    );
    assert.ok(c, `no status for container ${name} of ${pod}`);
    return c;
  }

  /** The kubelet's events about the pod, in the order they were first recorded, with their latest count. */
  events(pod: string): Event[] {
    const latest = new Map<string, Event>();
    for (const e of this.eventWrites) {
      if (e.involvedObject.name !== pod || e.source?.component !== 'kubelet') continue;
      latest.set(e.metadata?.name ?? '', e);
    }
    return [...latest.values()];
  }

  /** Events as `<type> <reason> <fieldPath|-> <message>` lines (count shown as ` xN` when > 1). */
  eventLines(pod: string): string[] {
    return this.events(pod).map(
      (e) =>
        `${e.type} ${e.reason} ${e.involvedObject.fieldPath ?? '-'} ${e.message}${(e.count ?? 1) > 1 ? ` x${e.count}` : ''}`,
    );
  }

  /** Distinct phases the pod's status went through, in order. */
  phases(pod: string): string[] {
    const out: string[] = [];
    for (const w of this.statusWrites) {
      if (w.pod !== pod) continue;
      const p = w.status.phase ?? '';
      if (out.at(-1) !== p) out.push(p);
    }
    return out;
  }

  /**
   * Deletes the pod as the API server does (reference §7.1): grace from the caller, else the pod's
   * terminationGracePeriodSeconds (default 30); grace 0 (force) removes the object at once;
   * otherwise deletionTimestamp = now + grace and deletionGracePeriodSeconds = grace, and a later
   * delete may only shorten it.
   */
  delete(name: string, opts: { gracePeriodSeconds?: number } = {}): void {
    const key = this.key(name);
    const cur = this.store.get<Pod>(key);
    assert.ok(cur, `pod ${name} not found`);
    let grace = opts.gracePeriodSeconds ?? cur.spec?.terminationGracePeriodSeconds ?? 30;
    if (grace < 0) grace = 1;
    const phase = cur.status?.phase;
    if (!cur.spec?.nodeName || phase === 'Succeeded' || phase === 'Failed') grace = 0;
    if (grace === 0) {
      this.store.delete(key, cur.metadata?.uid ? { uid: cur.metadata.uid } : undefined);
      return;
    }
    const existing = cur.metadata?.deletionGracePeriodSeconds;
    if (existing !== undefined && existing <= grace) return;
    const { resourceVersion: _rv, ...md } = cur.metadata ?? {};
    const at = Math.floor(this.clock.now() / 1000) * 1000 + grace * 1000;
    this.store.update(key, {
      ...cur,
      metadata: {
        ...md,
        deletionTimestamp: new Date(at).toISOString().replace('.000Z', 'Z'),
        deletionGracePeriodSeconds: grace,
      },
    });
  }

  /** Updates the pod's spec (e.g. a new image), as `kubectl patch` would. */
  updateSpec(name: string, change: (spec: PodSpec) => PodSpec): void {
    const key = this.key(name);
    const cur = this.store.get<Pod>(key);
    assert.ok(cur?.spec, `pod ${name} not found`);
    const { resourceVersion: _rv, ...md } = cur.metadata ?? {};
    this.store.update(key, { ...cur, metadata: md, spec: change(structuredClone(cur.spec)) });
  }

  /** Resolves once no pod worker is running a round. */
  idle(): Promise<void> {
    return this.kubelet.idle();
  }

  async stop(): Promise<void> {
    await this.kubelet.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// The same node on a FakeClock and a FakeRuntime (unit tests).

export interface FakeNode {
  clock: FakeClock;
  runtime: FakeRuntime;
  h: KubeletHarness;
  /** Advances the fake clock (timers fire, rounds run). */
  advance(ms: number): Promise<void>;
  /** Advances in 100 ms steps until cond holds; fails after maxMs. */
  until(what: string, cond: () => boolean, maxMs?: number): Promise<void>;
  /** Runtime calls as `<op> <name>[#attempt][ timeout=N] @<ms since start>`. */
  callLog(filter?: (c: FakeCall) => boolean): string[];
  start: number;
}

export function fakeNode(opts: Omit<HarnessOptions, 'runtime' | 'clock'> = {}): FakeNode {
  const start = Date.UTC(2026, 0, 1, 0, 0, 0);
  const clock = new FakeClock(start);
  const runtime = new FakeRuntime({ clock });
  const h = new KubeletHarness({ ...opts, runtime, clock });
  return {
    clock,
    runtime,
    h,
    start,
    advance: (ms) => clock.advance(ms),
    until: async (what, cond, maxMs = 60_000) => {
      const ok = await clock.advanceUntil(cond, maxMs);
      assert.ok(ok, `timed out after ${maxMs} ms (fake clock) waiting for ${what}`);
    },
    callLog: (filter) =>
      runtime.calls
        .filter((c) => c.op !== 'execSync' || c.command)
        .filter(filter ?? (() => true))
        .map(
          (c) =>
            `${c.op}${c.name ? ` ${c.name}` : ''}${c.attempt !== undefined ? `#${c.attempt}` : ''}` +
            `${c.timeoutSeconds !== undefined ? ` timeout=${c.timeoutSeconds}` : ''}` +
            `${c.op === 'execSync' ? ` [${(c.command ?? []).join(' ')}]` : ''} @${c.at - start}`,
        ),
  };
}
