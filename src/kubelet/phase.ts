// getPhase: the pod phase from its container statuses, as the kubelet computes it (1.32+ rules,
// reference §1.2). Sidecar exit codes never count; a terminal phase is decided only when asked.
import type { ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import { initContainers, regularContainers, restartPolicy } from './pod-util.ts';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

export interface PhaseInputs {
  pod: Pod;
  initStatuses: ContainerStatus[];
  statuses: ContainerStatus[];
  /** True only in the termination rounds. */
  podIsTerminal: boolean;
  /** 1.32+: the runtime reports a regular container in the current sandbox. */
  podHasInitialized: boolean;
}

export function getPhase(inp: PhaseInputs): PodPhase {
  const byName = (list: ContainerStatus[], name: string): ContainerStatus | undefined =>
    list.find((s) => s.name === name);
  let pendingRegularInit = 0;
  let failedInit = 0;
  let pendingSidecar = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  let unknown = 0;

  for (const { container, kind } of initContainers(inp.pod)) {
    const s = byName(inp.initStatuses, container.name);
    if (kind === 'init') {
      if (!s) pendingRegularInit++;
      else if (s.state?.running) pendingRegularInit++;
      else if (s.state?.terminated) {
        if (s.state.terminated.exitCode !== 0) failedInit++;
      } else if (s.state?.waiting) {
        const last = s.lastState?.terminated;
        if (last) {
          if (last.exitCode !== 0) failedInit++;
        } else pendingRegularInit++;
      } else pendingRegularInit++;
    } else {
      if (!s) unknown++;
      else if (s.state?.running) {
        running++;
        if (s.started !== true) pendingSidecar++;
      } else if (s.state?.terminated) {
        // ignored
      } else if (s.state?.waiting) {
        if (!s.lastState?.terminated) {
          pendingSidecar++;
          waiting++;
        }
      } else {
        pendingSidecar++;
        unknown++;
      }
    }
  }

  for (const { container } of regularContainers(inp.pod)) {
    const s = byName(inp.statuses, container.name);
    if (!s) unknown++;
    else if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }

  const policy = restartPolicy(inp.pod);
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingRegularInit > 0 || (pendingSidecar > 0 && !inp.podHasInitialized)) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (inp.podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}
