// computePodActions: given the spec and the runtime's view, what this sync round must kill and
// start (reference §3, §5.5–5.6, §6.1). Pure: the pod worker carries the actions out.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus as RuntimeContainer } from '../runtime/runtime.ts';
import {
  containerHash,
  initContainers,
  regularContainers,
  restartPolicy,
  type SpecContainer,
} from './pod-util.ts';
import { newestOf, type RuntimePod } from './runtime-view.ts';

export type KillReason = 'liveness' | 'startup' | 'specChanged' | 'unknown' | 'podCompleted' | 'initFailed';

export interface KillAction {
  sc: SpecContainer;
  container: RuntimeContainer;
  message: string;
  reason: KillReason;
}

export interface PodActions {
  kill: KillAction[];
  start: SpecContainer[];
  /** Nothing of the pod should run any more (a Never pod's init failure, all regular containers done). */
  killPod: boolean;
  /** Initialization (regular init containers done, sidecars started) is complete. */
  initialized: boolean;
}

export type ProbeLookup = (kind: 'liveness' | 'startup', containerId: string) => 'Success' | 'Failure' | 'Unknown' | undefined;

export interface ActionInputs {
  pod: Pod;
  view: RuntimePod;
  runtimeName: string;
  probe: ProbeLookup;
}

/** ShouldContainerBeRestarted (reference §6.1); sidecars are always restarted. */
export function shouldRestart(pod: Pod, sc: SpecContainer, newest: RuntimeContainer | undefined): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  if (!newest) return true;
  if (newest.state === 'running') return false;
  if (newest.state === 'unknown' || newest.state === 'created') return true;
  if (sc.kind === 'sidecar') return true;
  const policy = restartPolicy(pod);
  if (policy === 'Never') return false;
  if (policy === 'OnFailure' && newest.exitCode === 0) return false;
  return true;
}

function isInitFailed(c: RuntimeContainer): boolean {
  return c.state === 'unknown' || (c.state === 'exited' && (c.exitCode !== 0 || c.reason === 'OOMKilled'));
}

export function computePodActions(inp: ActionInputs): PodActions {
  const { pod, view } = inp;
  const actions: PodActions = { kill: [], start: [], killPod: false, initialized: true };
  const id = (c: RuntimeContainer): string => `${inp.runtimeName}://${c.id}`;
  const policy = restartPolicy(pod);
  const podHasInitialized = regularContainers(pod).some((sc) => newestOf(view, sc.container.name) !== undefined);
  const probeKill = (sc: SpecContainer, c: RuntimeContainer, prefix: string, suffix: boolean): boolean => {
    for (const kind of ['liveness', 'startup'] as const) {
      if (inp.probe(kind, id(c)) === 'Failure') {
        actions.kill.push({
          sc,
          container: c,
          reason: kind,
          message: `${prefix} ${sc.container.name} failed ${kind} probe${suffix ? ', will be restarted' : ''}`,
        });
        return true;
      }
    }
    return false;
  };

  for (const sc of initContainers(pod)) {
    const c = newestOf(view, sc.container.name);
    if (sc.kind === 'init') {
      if (podHasInitialized) continue; // regular init containers are not re-run once containers exist
      if (c && c.state === 'exited' && !isInitFailed(c)) continue;
      actions.initialized = false;
      if (!c) {
        actions.start.push(sc);
      } else if (c.state === 'running') {
        // wait for it to finish
      } else if (c.state === 'created') {
        // As computeInitContainerActions: its start failed; start it again (nothing to kill).
        actions.start.push(sc);
      } else if (policy === 'Never') {
        // A failed (exited non-zero, OOMKilled or unknown) init container ends a Never pod.
        actions.killPod = true;
      } else if (c.state === 'unknown') {
        actions.kill.push({
          sc,
          container: c,
          reason: 'unknown',
          message: `Init container is in "${c.state}" state, try killing it before restart`,
        });
        actions.start.push(sc);
      } else {
        actions.start.push(sc);
      }
      break;
    }
    // sidecar
    if (c && c.state === 'running') {
      if (probeKill(sc, c, 'Init container', false)) {
        actions.start.push(sc);
        // Restarting it: before initialization completed, nothing after it starts this round.
        if (!podHasInitialized) {
          actions.initialized = false;
          break;
        }
        continue;
      }
      // A sidecar with a startup probe is started only once the probe succeeded; without a result
      // yet the kubelet waits for it (computeInitContainerActions).
      if (!podHasInitialized && sc.container.startupProbe && inp.probe('startup', id(c)) !== 'Success') {
        actions.initialized = false;
        break;
      }
      continue;
    }
    if (c && c.state === 'unknown') {
      actions.kill.push({
        sc,
        container: c,
        reason: 'unknown',
        message: `Init container is in "${c.state}" state, try killing it before restart`,
      });
    }
    actions.start.push(sc);
    if (!podHasInitialized) {
      actions.initialized = false;
      break;
    }
  }
  if (!actions.initialized) return actions;

  let keep = 0;
  for (const sc of regularContainers(pod)) {
    const c = newestOf(view, sc.container.name);
    if (c && c.state === 'running') {
      // As computePodActions: a spec change is checked before the probes and restarts the container
      // whatever the policy, so its Killing message always says it will be restarted.
      if (c.labels['io.kubernetes.container.hash'] && c.labels['io.kubernetes.container.hash'] !== containerHash(sc.container)) {
        actions.kill.push({ sc, container: c, reason: 'specChanged', message: `Container ${sc.container.name} definition changed, will be restarted` });
        actions.start.push(sc);
        keep++;
        continue;
      }
      if (probeKill(sc, c, 'Container', policy !== 'Never')) {
        if (policy !== 'Never') {
          actions.start.push(sc);
          keep++;
        }
        continue;
      }
      keep++;
      continue;
    }
    if (shouldRestart(pod, sc, c)) {
      // As computePodActions: an unknown container might still run; kill it before restarting.
      if (c?.state === 'unknown') {
        actions.kill.push({
          sc,
          container: c,
          reason: 'unknown',
          message: `Container is in "${c.state}" state, try killing it before restart`,
        });
      }
      actions.start.push(sc);
      keep++;
    }
  }
  if (keep === 0) {
    // Nothing regular runs or will run: stop what is left (sidecars) so the pod can complete.
    actions.killPod = true;
    actions.start = [];
  }
  return actions;
}
