// Test kit for the kubelet engine: builders for pods, API container statuses and runtime views (for
// the pure functions), and a harness that runs a whole Kubelet on a FakeClock and a FakeRuntime
// over a MemoryStore, the way `nodelet run` composes it.
import type { Container, ContainerStatus, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus as RuntimeContainer, PodSandboxStatus } from '../runtime/runtime.ts';
import type { RuntimePod } from '../kubelet/runtime-view.ts';

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
    spec: { containers: [], ...spec },
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
