// The pod row of `kubectl get pods`: NAME, READY, STATUS, RESTARTS, AGE and, with -o wide, IP,
// NODE, NOMINATED NODE, READINESS GATES. The values are computed server-side in Kubernetes
// (pkg/printers/internalversion/printers.go printPod, 1.32); this follows it rule for rule.

import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { humanDuration } from '../../util/duration.ts';
import { ageSince, parseTimestamp } from './time-format.ts';

/** pkg/util/node NodeUnreachablePodReason: the node controller's reason for pods on a lost node. */
const NODE_LOST_REASON = 'NodeLost';

export interface PodSummary {
  /** The STATUS column. */
  reason: string;
  /** READY numerator: ready regular containers plus started-and-ready sidecars. */
  readyContainers: number;
  /** READY denominator: regular containers plus restartable init containers (sidecars). */
  totalContainers: number;
  /** The number summed into RESTARTS. */
  restarts: number;
  /** The newest lastState.terminated.finishedAt among the containers that were counted, in ms. */
  lastRestart: number | undefined;
}

function isRestartableInitContainer(container: Container | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

function hasCondition(conditions: readonly PodCondition[] | undefined, type: string): boolean {
  return (conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

function lastTermination(status: ContainerStatus): number | undefined {
  const terminated = status.lastState?.terminated;
  if (terminated === undefined) return undefined;
  return parseTimestamp(terminated.finishedAt);
}

/** Keeps the later of two restart times (Go's `if last.Before(&t) { last = t }` with zero times). */
function later(current: number | undefined, candidate: number | undefined): number | undefined {
  if (candidate === undefined) return current;
  if (current === undefined || current < candidate) return candidate;
  return current;
}

/**
 * Everything printPod derives from a pod's status. Order matters and is kubectl's:
 * 1. STATUS starts as status.reason, else the phase; a PodScheduled condition with reason
 *    SchedulingGated overrides it.
 * 2. Init container statuses are walked in order, summing their restarts: exited 0 is skipped, a
 *    started sidecar is skipped (counted as ready if ready), a terminated one gives Init:<reason>,
 *    Init:Signal:N or Init:ExitCode:N, a waiting one with a reason other than PodInitializing gives
 *    Init:<reason>, anything else Init:<index>/<count>; the walk stops at the first of those.
 * 3. When not initializing — or the Initialized condition is True anyway — the restart count starts
 *    over from the sidecars' restarts only, and the regular container statuses are walked from the
 *    last to the first: a waiting reason, a terminated reason, or Signal:N / ExitCode:N overrides
 *    STATUS (so the first container's state wins); a ready running container counts as ready.
 *    "Completed" with a ready running container left becomes Running (Ready condition True) or
 *    NotReady.
 * 4. A deletionTimestamp makes it Unknown when the reason is NodeLost, otherwise Terminating unless
 *    the phase is already Succeeded or Failed.
 */
export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec;
  const status = pod.status ?? {};
  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = spec?.containers.length ?? 0;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitContainerRestart: number | undefined;

  const phase = status.phase ?? '';
  let reason = status.reason !== undefined && status.reason !== '' ? status.reason : phase;

  for (const condition of status.conditions ?? []) {
    if (condition.type === 'PodScheduled' && condition.reason === 'SchedulingGated')
      reason = 'SchedulingGated';
  }

  const initContainers = new Map<string, Container>();
  for (const container of spec?.initContainers ?? []) {
    initContainers.set(container.name, container);
    if (isRestartableInitContainer(container)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  const initCount = spec?.initContainers?.length ?? 0;
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i];
    if (container === undefined) continue;
    const sidecar = isRestartableInitContainer(initContainers.get(container.name));
    restarts += container.restartCount;
    lastRestart = later(lastRestart, lastTermination(container));
    if (sidecar) {
      restartableInitContainerRestarts += container.restartCount;
      lastRestartableInitContainerRestart = later(
        lastRestartableInitContainerRestart,
        lastTermination(container),
      );
    }
    const terminated = container.state?.terminated;
    const waiting = container.state?.waiting;
    if (terminated !== undefined && terminated.exitCode === 0) continue;
    if (sidecar && container.started === true) {
      if (container.ready) readyContainers++;
      continue;
    }
    if (terminated !== undefined) {
      // Initialization failed.
      if (terminated.reason === undefined || terminated.reason === '') {
        reason =
          terminated.signal !== undefined && terminated.signal !== 0
            ? `Init:Signal:${terminated.signal}`
            : `Init:ExitCode:${terminated.exitCode}`;
      } else {
        reason = `Init:${terminated.reason}`;
      }
    } else if (
      waiting !== undefined &&
      waiting.reason !== undefined &&
      waiting.reason !== '' &&
      waiting.reason !== 'PodInitializing'
    ) {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(status.conditions, 'Initialized')) {
    restarts = restartableInitContainerRestarts;
    lastRestart = lastRestartableInitContainerRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i];
      if (container === undefined) continue;
      restarts += container.restartCount;
      lastRestart = later(lastRestart, lastTermination(container));
      const waiting = container.state?.waiting;
      const terminated = container.state?.terminated;
      if (waiting !== undefined && waiting.reason !== undefined && waiting.reason !== '') {
        reason = waiting.reason;
      } else if (terminated !== undefined && terminated.reason !== undefined && terminated.reason !== '') {
        reason = terminated.reason;
      } else if (terminated !== undefined) {
        reason =
          terminated.signal !== undefined && terminated.signal !== 0
            ? `Signal:${terminated.signal}`
            : `ExitCode:${terminated.exitCode}`;
      } else if (container.ready && container.state?.running !== undefined) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // Back to "Running" if at least one container is still reporting as running.
    if (reason === 'Completed' && hasRunning) {
      reason = hasCondition(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && status.reason === NODE_LOST_REASON) {
    reason = 'Unknown';
  } else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  return { reason, readyContainers, totalContainers, restarts, lastRestart };
}

/** The STATUS column of `kubectl get pods`. */
export function podStatusReason(pod: Pod): string {
  return summarizePod(pod).reason;
}

/** The READY column: "<ready>/<total>", sidecars included in both. */
export function podReadyColumn(pod: Pod): string {
  const s = summarizePod(pod);
  return `${s.readyContainers}/${s.totalContainers}`;
}

function restartsText(summary: PodSummary, now: number): string {
  if (summary.restarts !== 0 && summary.lastRestart !== undefined) {
    return `${summary.restarts} (${humanDuration(now - summary.lastRestart)} ago)`;
  }
  return String(summary.restarts);
}

/** The RESTARTS column: "N", or "N (<age> ago)" after the newest recorded termination. */
export function podRestartsColumn(pod: Pod, now: number): string {
  return restartsText(summarizePod(pod), now);
}

/** The READINESS GATES cell: "<true>/<gates>" or "<none>". */
function readinessGatesText(pod: Pod): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let trueConditions = 0;
  for (const gate of gates) {
    const condition = (pod.status?.conditions ?? []).find((c) => c.type === gate.conditionType);
    if (condition?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

function orNone(value: string | undefined): string {
  return value === undefined || value === '' ? '<none>' : value;
}

export interface PodRowOptions {
  wide?: boolean;
}

/**
 * The cells of one `kubectl get pods` row. Without wide: NAME, READY, STATUS, RESTARTS, AGE; with
 * wide also IP (the first of status.podIPs), NODE, NOMINATED NODE, READINESS GATES.
 */
export function podTableRow(pod: Pod, now: number, options: PodRowOptions = {}): string[] {
  const summary = summarizePod(pod);
  const cells = [
    pod.metadata?.name ?? '',
    `${summary.readyContainers}/${summary.totalContainers}`,
    summary.reason,
    restartsText(summary, now),
    ageSince(now, pod.metadata?.creationTimestamp),
  ];
  if (options.wide === true) {
    cells.push(
      orNone(pod.status?.podIPs?.[0]?.ip),
      orNone(pod.spec?.nodeName),
      orNone(pod.status?.nominatedNodeName),
      readinessGatesText(pod),
    );
  }
  return cells;
}

/**
 * printPod's row conditions: a finished pod's row is marked Completed, which lets clients hide
 * completed rows.
 */
export function podRowConditions(
  pod: Pod,
): Array<{ type: string; status: string; reason: string; message: string }> | undefined {
  switch (pod.status?.phase) {
    case 'Succeeded':
      return [
        {
          type: 'Completed',
          status: 'True',
          reason: 'Succeeded',
          message: 'The pod has completed successfully.',
        },
      ];
    case 'Failed':
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    default:
      return undefined;
  }
}
