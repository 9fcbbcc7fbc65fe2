// What the runtime reports for one pod, grouped the way the kubelet reasons about it (the PLEG's
// relist view): the newest sandbox, and each container name's instances newest first.
import type { ContainerRuntime, ContainerStatus, PodSandboxStatus } from '../runtime/runtime.ts';

export interface RuntimePod {
  sandboxes: PodSandboxStatus[];
  /** The newest sandbox, if any. */
  sandbox: PodSandboxStatus | undefined;
  containers: ContainerStatus[];
}

export async function observePod(runtime: ContainerRuntime, uid: string): Promise<RuntimePod> {
  const [sandboxes, containers] = await Promise.all([runtime.listPodSandboxes(uid), runtime.listContainers(uid)]);
  sandboxes.sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
  return { sandboxes, sandbox: sandboxes[0], containers };
}

/** Instances of a container name in the current sandbox, newest first. */
export function instancesOf(view: RuntimePod, name: string): ContainerStatus[] {
  const sandboxId = view.sandbox?.id;
  return view.containers
    .filter((c) => c.name === name && (sandboxId === undefined || c.sandboxId === sandboxId))
    .sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
}

/**
 * Instances of a container name in any of the pod's sandboxes, newest first: what the kubelet's
 * GetPodStatus reports, so statuses and restart counts carry on across a sandbox re-creation.
 */
export function allInstancesOf(view: RuntimePod, name: string): ContainerStatus[] {
  return view.containers
    .filter((c) => c.name === name)
    .sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt);
}

export function newestOf(view: RuntimePod, name: string): ContainerStatus | undefined {
  return instancesOf(view, name)[0];
}

export function sandboxReady(view: RuntimePod): boolean {
  return view.sandbox?.state === 'ready' && view.sandboxes.filter((s) => s.state === 'ready').length === 1;
}
