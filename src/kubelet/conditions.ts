// Pod conditions the kubelet owns (reference §2): PodReadyToStartContainers, Initialized, Ready,
// ContainersReady, PodScheduled, in the kubelet's order, with its reasons and messages.
import type { ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { PodPhase } from './phase.ts';
import { initContainers, regularContainers } from './pod-util.ts';

const KUBELET_OWNED = new Set([
  'PodScheduled',
  'Ready',
  'Initialized',
  'ContainersReady',
  'PodReadyToStartContainers',
]);

export interface ConditionInputs {
  pod: Pod;
  phase: PodPhase;
  initStatuses: ContainerStatus[];
  statuses: ContainerStatus[];
  sandboxReady: boolean;
  /** Conditions of the previous status, for lastTransitionTime. */
  previous: PodCondition[];
  now: string;
}

type Cond = { type: string; status: 'True' | 'False'; reason?: string; message?: string };

/** Go's %s rendering of a string slice: `[a b]`. */
function goList(names: string[]): string {
  return `[${names.join(' ')}]`;
}

function initializedCondition(inp: ConditionInputs): Cond {
  const inits = initContainers(inp.pod);
  const anyRegularStarted = inp.statuses.some((s) => s.state?.running || s.state?.terminated);
  if (inits.length === 0 || anyRegularStarted) {
    return inp.phase === 'Succeeded'
      ? { type: 'Initialized', status: 'True', reason: 'PodCompleted' }
      : { type: 'Initialized', status: 'True' };
  }
  if (inp.initStatuses.length === 0) {
    return { type: 'Initialized', status: 'False', reason: 'UnknownContainerStatuses' };
  }
  const unknown: string[] = [];
  const incomplete: string[] = [];
  for (const { container, kind } of inits) {
    const s = inp.initStatuses.find((x) => x.name === container.name);
    if (!s) unknown.push(container.name);
    else if (kind === 'sidecar' ? s.started !== true : s.ready !== true) incomplete.push(container.name);
  }
  if (unknown.length === 0 && incomplete.length === 0) {
    return inp.phase === 'Succeeded'
      ? { type: 'Initialized', status: 'True', reason: 'PodCompleted' }
      : { type: 'Initialized', status: 'True' };
  }
  // As GeneratePodInitializedCondition: unknown containers are listed before incomplete ones.
  const parts: string[] = [];
  if (unknown.length) parts.push(`containers with unknown status: ${goList(unknown)}`);
  if (incomplete.length) parts.push(`containers with incomplete status: ${goList(incomplete)}`);
  return { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: parts.join(', ') };
}

function containersReadyCondition(inp: ConditionInputs): Cond {
  if (inp.phase === 'Succeeded') return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  if (inp.phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: 'PodFailed' };
  const unknown: string[] = [];
  const unready: string[] = [];
  const check = (name: string, list: ContainerStatus[]): void => {
    const s = list.find((x) => x.name === name);
    if (!s) unknown.push(name);
    else if (s.ready !== true) unready.push(name);
  };
  // Sidecars (in init order) first, then regular containers in spec order.
  for (const { container, kind } of initContainers(inp.pod)) {
    if (kind === 'sidecar') check(container.name, inp.initStatuses);
  }
  for (const { container } of regularContainers(inp.pod)) check(container.name, inp.statuses);
  if (unknown.length === 0 && unready.length === 0) return { type: 'ContainersReady', status: 'True' };
  const parts: string[] = [];
  if (unknown.length) parts.push(`containers with unknown status: ${goList(unknown)}`);
  if (unready.length) parts.push(`containers with unready status: ${goList(unready)}`);
  return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: parts.join(', ') };
}

function readyCondition(inp: ConditionInputs, containersReady: Cond): Cond {
  if (containersReady.status !== 'True') {
    return {
      type: 'Ready',
      status: containersReady.status,
      ...(containersReady.reason ? { reason: containersReady.reason } : {}),
      ...(containersReady.message ? { message: containersReady.message } : {}),
    };
  }
  const problems: string[] = [];
  for (const gate of inp.pod.spec?.readinessGates ?? []) {
    const c = (inp.pod.status?.conditions ?? []).find((x) => x.type === gate.conditionType);
    if (!c) problems.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True')
      problems.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (problems.length)
    return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: problems.join(', ') };
  return { type: 'Ready', status: 'True' };
}

export function podConditions(inp: ConditionInputs): PodCondition[] {
  const containersReady = containersReadyCondition(inp);
  const ours: Cond[] = [
    { type: 'PodReadyToStartContainers', status: inp.sandboxReady ? 'True' : 'False' },
    initializedCondition(inp),
    readyCondition(inp, containersReady),
    containersReady,
    { type: 'PodScheduled', status: 'True' },
  ];
  const foreign = (inp.pod.status?.conditions ?? []).filter((c) => !KUBELET_OWNED.has(c.type));
  const withTimes = ours.map((c): PodCondition => {
    const prev = inp.previous.find((p) => p.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : inp.now;
    return {
      type: c.type,
      status: c.status,
      lastProbeTime: null as unknown as string,
      lastTransitionTime,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    };
  });
  return [...foreign, ...withTimes];
}
