// generateAPIPodStatus: the whole pod status computed from the runtime's view (never guessed),
// with the kubelet's post-processing: sticky terminal phase, whole-second timestamps, sorted
// containerStatuses, terminated-message budget (reference §1).
import type { ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus as RuntimeContainer } from '../runtime/runtime.ts';
import { podConditions } from './conditions.ts';
import { containerStatus, type StartFailure } from './container-statuses.ts';
import { getPhase, type PodPhase } from './phase.ts';
import { initContainers, regularContainers, rfc3339, type SpecContainer } from './pod-util.ts';
import { allInstancesOf, instancesOf, sandboxReady, type RuntimePod } from './runtime-view.ts';

export interface StatusInputs {
  pod: Pod;
  view: RuntimePod;
  previous: PodStatus | undefined;
  runtimeName: string;
  hostIP: string;
  now: number;
  podIsTerminal: boolean;
  reasonCache: (name: string) => StartFailure | undefined;
  shouldRestart: (sc: SpecContainer) => boolean;
  terminationMessage: (c: RuntimeContainer, sc: SpecContainer) => string | undefined;
  /** Sets started/ready (the prober's UpdatePodStatus); defaults apply when absent. */
  setProbeState: (pod: Pod, status: PodStatus) => void;
}

export function isTerminalPhase(phase: string | undefined): phase is 'Succeeded' | 'Failed' {
  return phase === 'Succeeded' || phase === 'Failed';
}

/** started/ready without probe workers: started iff running; ready iff running (regular, sidecar) or exited 0 (init). */
export function defaultProbeState(pod: Pod, status: PodStatus): void {
  const sidecars = new Set(initContainers(pod).filter((c) => c.kind === 'sidecar').map((c) => c.container.name));
  for (const s of status.initContainerStatuses ?? []) {
    if (sidecars.has(s.name)) {
      s.started = !!s.state?.running;
      s.ready = !!s.state?.running;
    } else {
      s.started = false;
      s.ready = s.state?.terminated?.exitCode === 0;
    }
  }
  for (const s of status.containerStatuses ?? []) {
    s.started = !!s.state?.running;
    s.ready = !!s.state?.running;
  }
}

const MAX_POD_TERMINATION_MESSAGE = 12288;

export function generatePodStatus(inp: StatusInputs): PodStatus {
  const { pod, view } = inp;
  const prev = inp.previous;
  const hasInit = (pod.spec?.initContainers ?? []).length > 0;
  const ctx = {
    pod,
    runtimeName: inp.runtimeName,
    instances: (name: string) => allInstancesOf(view, name),
    reasonCache: inp.reasonCache,
    shouldRestart: inp.shouldRestart,
    terminationMessage: inp.terminationMessage,
    hasInitContainers: hasInit,
    deleting: !!pod.metadata?.deletionTimestamp,
  };
  const prevOf = (list: ContainerStatus[] | undefined) => (name: string) => list?.find((s) => s.name === name);
  const initStatuses = initContainers(pod).map((sc) =>
    containerStatus({ ...ctx, previous: prevOf(prev?.initContainerStatuses) }, sc),
  );
  const statuses = regularContainers(pod).map((sc) =>
    containerStatus({ ...ctx, previous: prevOf(prev?.containerStatuses) }, sc),
  );

  const status: PodStatus = { initContainerStatuses: initStatuses, containerStatuses: statuses };
  inp.setProbeState(pod, status);

  const podHasInitialized = regularContainers(pod).some((sc) => instancesOf(view, sc.container.name).length > 0);
  let phase: PodPhase = getPhase({
    pod,
    initStatuses,
    statuses,
    podIsTerminal: inp.podIsTerminal,
    podHasInitialized,
  });
  let reason: string | undefined;
  let message: string | undefined;
  // Terminal is sticky; an unchanged phase keeps its reason and message.
  if (isTerminalPhase(prev?.phase) && !isTerminalPhase(phase)) phase = prev.phase;
  if (prev?.phase === phase) {
    reason = prev.reason;
    message = prev.message;
  }

  const now = rfc3339(inp.now);
  const ips = view.sandbox?.ips ?? [];
  const conditions = podConditions({
    pod,
    phase,
    initStatuses,
    statuses,
    sandboxReady: sandboxReady(view),
    previous: prev?.conditions ?? [],
    now,
  });

  // Each terminated message gets an equal share of the pod's budget.
  const budget = Math.floor(MAX_POD_TERMINATION_MESSAGE / Math.max(1, initStatuses.length + statuses.length));
  for (const s of [...initStatuses, ...statuses]) {
    for (const st of [s.state, s.lastState]) {
      const t = st?.terminated;
      if (t?.message && t.message.length > budget) t.message = t.message.slice(0, budget);
    }
  }

  const out: PodStatus = {
    phase,
    conditions,
    hostIP: inp.hostIP,
    hostIPs: [{ ip: inp.hostIP }],
    ...(ips[0] ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : prev?.podIP ? { podIP: prev.podIP, podIPs: prev.podIPs ?? [] } : {}),
    startTime: prev?.startTime ?? now,
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: [...statuses].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
  return out;
}

const UNKNOWN_TERMINATED = {
  exitCode: 137,
  reason: 'ContainerStatusUnknown',
  message: 'The container could not be located when the pod was terminated',
};

/** TerminatePod's safety net for the final status (reference §1.2). */
export function terminatePodStatus(pod: Pod, status: PodStatus): PodStatus {
  const s = structuredClone(status);
  const initialized = (s.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (initialized) {
    for (const c of s.containerStatuses ?? []) {
      if (!c.state?.terminated) {
        c.state = { terminated: { ...UNKNOWN_TERMINATED } };
        c.ready = false;
        c.started = false;
      }
    }
  }
  const inits = s.initContainerStatuses ?? [];
  // The trailing run of never-started init containers is left alone; the first is always included.
  let last = inits.length - 1;
  while (last > 0 && inits[last]?.state?.waiting && !inits[last]?.lastState?.terminated) last--;
  for (let i = 0; i <= last && i < inits.length; i++) {
    const c = inits[i];
    if (c && !c.state?.terminated) {
      c.state = { terminated: { ...UNKNOWN_TERMINATED } };
      c.ready = false;
      c.started = false;
    }
  }
  if (s.phase === 'Pending' || s.phase === 'Running') s.phase = 'Failed';
  void pod;
  return s;
}
