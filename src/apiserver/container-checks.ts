// Which container a log or exec request means, and whether it can be served, with the messages
// the API server (pod strategy LogLocation/ExecLocation) and the kubelet
// (validateContainerLogStatus) answer: kubectl prints them as `Error from server (BadRequest): …`.
import type { Container, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { badRequest } from './status.ts';

const names = (cs: readonly Container[] | undefined): string => (cs ?? []).map((c) => c.name).join(' ');

/** The container named by the request, defaulted when the pod has exactly one. */
export function resolveContainer(pod: Pod, requested: string | null): string {
  const spec = pod.spec;
  const podName = pod.metadata?.name ?? '';
  if (!requested) {
    if (spec?.containers.length === 1) return spec.containers[0]?.name ?? '';
    let msg = `a container name must be specified for pod ${podName}, choose one of: [${names(spec?.containers)}]`;
    if (spec?.initContainers?.length)
      msg += ` or one of the init containers: [${names(spec.initContainers)}]`;
    if (spec?.ephemeralContainers?.length) {
      msg += ` or one of the ephemeral containers: [${(spec.ephemeralContainers ?? []).map((c) => c.name).join(' ')}]`;
    }
    throw badRequest(msg);
  }
  const all = [
    ...(spec?.containers ?? []),
    ...(spec?.initContainers ?? []),
    ...(spec?.ephemeralContainers ?? []),
  ];
  if (!all.some((c) => c.name === requested))
    throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  return requested;
}

export function containerStatus(pod: Pod, container: string): ContainerStatus | undefined {
  const s = pod.status;
  return [
    ...(s?.containerStatuses ?? []),
    ...(s?.initContainerStatuses ?? []),
    ...(s?.ephemeralContainerStatuses ?? []),
  ].find((c) => c.name === container);
}

/**
 * The kubelet's check before serving logs: which instance's log exists. `previous` in the answer
 * means the instance before the newest one; containerId names the instance meant.
 */
export function logInstance(
  pod: Pod,
  container: string,
  previous: boolean,
): { previous: boolean; containerId: string } {
  const podName = pod.metadata?.name ?? '';
  const status = containerStatus(pod, container);
  const last = status?.lastState?.terminated;
  if (previous) {
    if (!last?.containerID)
      throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    // While waiting to restart, the last terminated instance is also the newest one.
    const waiting = !status?.state?.running && !status?.state?.terminated;
    return { previous: !waiting, containerId: last.containerID };
  }
  const state = status?.state;
  if (state?.running) return { previous: false, containerId: status?.containerID ?? '' };
  if (state?.terminated) {
    if (!state.terminated.containerID && !status?.containerID) {
      throw badRequest(`container "${container}" in pod "${podName}" is terminated`);
    }
    return { previous: false, containerId: state.terminated.containerID ?? status?.containerID ?? '' };
  }
  // Waiting (e.g. CrashLoopBackOff): the last terminated instance's log is the newest there is.
  if (last?.containerID) return { previous: false, containerId: last.containerID };
  const reason = state?.waiting?.reason ?? 'ContainerCreating';
  throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${reason}`);
}

/** The kubelet's check before exec: the container must be running. */
export function checkRunning(pod: Pod, container: string): void {
  const status = containerStatus(pod, container);
  if (!status?.state?.running)
    throw badRequest(`unable to upgrade connection: container not found ("${container}")`);
}
