// Test helpers for the prober: a runtime whose exec answers are scripted, an event recorder that
// keeps what it was told, and pod/status builders. Only the probe tests import this file.
import type { Container, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { EventRecorder, EventType } from '../event-recorder.ts';
import type {
  ContainerRuntime,
  ExecResult,
  ExecSession,
  ExecSyncOptions,
  PodSandboxStatus,
  ContainerStatus as RuntimeContainerStatus,
} from '../../runtime/runtime.ts';

export interface ExecCall {
  id: string;
  command: string[];
  options: ExecSyncOptions;
}

export type ExecScript = (call: ExecCall) => ExecResult | Promise<ExecResult>;

export function execResult(exitCode: number, stdout = '', stderr = '', timedOut = false): ExecResult {
  return { exitCode, stdout: Buffer.from(stdout), stderr: Buffer.from(stderr), timedOut };
}

function unsupported(): Promise<never> {
  return Promise.reject(new Error('not used by probe tests'));
}

/** Only execSync does anything; it answers from `script`. */
export class ScriptedRuntime implements ContainerRuntime {
  readonly name = 'fake';
  readonly version = '0.0.1';
  readonly calls: ExecCall[] = [];
  script: ExecScript = () => execResult(0);

  execSync(containerId: string, command: string[], options: ExecSyncOptions): Promise<ExecResult> {
    const call = { id: containerId, command, options };
    this.calls.push(call);
    try {
      return Promise.resolve(this.script(call));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }

  runPodSandbox(): Promise<PodSandboxStatus> {
    return unsupported();
  }
  stopPodSandbox(): Promise<void> {
    return unsupported();
  }
  removePodSandbox(): Promise<void> {
    return unsupported();
  }
  listPodSandboxes(): Promise<PodSandboxStatus[]> {
    return unsupported();
  }
  createContainer(): Promise<string> {
    return unsupported();
  }
  startContainer(): Promise<void> {
    return unsupported();
  }
  stopContainer(): Promise<void> {
    return unsupported();
  }
  removeContainer(): Promise<void> {
    return unsupported();
  }
  listContainers(): Promise<RuntimeContainerStatus[]> {
    return unsupported();
  }
  containerStatus(): Promise<RuntimeContainerStatus> {
    return unsupported();
  }
  exec(): Promise<ExecSession> {
    return unsupported();
  }
  watch(): () => void {
    return () => undefined;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export interface RecordedEvent {
  fieldPath: string | undefined;
  type: EventType;
  reason: string;
  message: string;
}

export class CapturingRecorder implements EventRecorder {
  readonly events: RecordedEvent[] = [];
  event(_pod: Pod, fieldPath: string | undefined, type: EventType, reason: string, message: string): void {
    this.events.push({ fieldPath, type, reason, message });
  }
  messages(reason?: string): string[] {
    return this.events.filter((e) => reason === undefined || e.reason === reason).map((e) => e.message);
  }
}

export function makePod(opts: {
  uid?: string;
  containers: Container[];
  initContainers?: Container[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid: opts.uid ?? 'uid-1' },
    spec: {
      containers: opts.containers,
      ...(opts.initContainers ? { initContainers: opts.initContainers } : {}),
      restartPolicy: opts.restartPolicy ?? 'Always',
    },
  };
}

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function running(name: string, id: string, startedAtMs: number): ContainerStatus {
  return {
    name,
    containerID: `fake://${id}`,
    image: 'busybox',
    imageID: '',
    ready: false,
    restartCount: 0,
    started: false,
    state: { running: { startedAt: rfc3339(startedAtMs) } },
  };
}

export function terminated(name: string, id: string, exitCode: number): ContainerStatus {
  return {
    name,
    containerID: `fake://${id}`,
    image: 'busybox',
    imageID: '',
    ready: false,
    restartCount: 0,
    started: false,
    state: { terminated: { exitCode, startedAt: rfc3339(0), finishedAt: rfc3339(0) } },
  };
}

export function waiting(name: string): ContainerStatus {
  return {
    name,
    image: 'busybox',
    imageID: '',
    ready: false,
    restartCount: 0,
    started: false,
    state: { waiting: { reason: 'ContainerCreating' } },
  };
}

export function podStatus(
  containerStatuses: ContainerStatus[],
  initContainerStatuses?: ContainerStatus[],
): PodStatus {
  return {
    phase: 'Running',
    podIP: '127.0.0.1',
    containerStatuses,
    ...(initContainerStatuses ? { initContainerStatuses } : {}),
  };
}
