// What a runtime reports of its own records: copies, so callers never hold a runtime's live state.
// Shared by the process and oci runtimes.
import type { ContainerStatus, PodSandboxStatus } from './runtime.ts';

export function sandboxStatusOf(s: PodSandboxStatus): PodSandboxStatus {
  return {
    id: s.id,
    podUid: s.podUid,
    podName: s.podName,
    namespace: s.namespace,
    attempt: s.attempt,
    state: s.state,
    ips: [...s.ips],
    createdAt: s.createdAt,
  };
}

export type ContainerRecordFields = Omit<ContainerStatus, 'imageRef' | 'terminationMessageHostPath'> & {
  terminationMessageHostPath: string;
};

export function containerStatusOf(c: ContainerRecordFields, imageRef: string): ContainerStatus {
  return {
    id: c.id,
    sandboxId: c.sandboxId,
    podUid: c.podUid,
    name: c.name,
    attempt: c.attempt,
    state: c.state,
    image: c.image,
    imageRef,
    labels: { ...c.labels },
    createdAt: c.createdAt,
    ...(c.startedAt !== undefined ? { startedAt: c.startedAt } : {}),
    ...(c.finishedAt !== undefined ? { finishedAt: c.finishedAt } : {}),
    ...(c.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
    ...(c.reason !== undefined ? { reason: c.reason } : {}),
    ...(c.message !== undefined ? { message: c.message } : {}),
    logPath: c.logPath,
    terminationMessageHostPath: c.terminationMessageHostPath,
    ...(c.pid !== undefined && c.state === 'running' ? { pid: c.pid } : {}),
  };
}
