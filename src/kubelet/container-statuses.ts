// From what the runtime reports to the API's containerStatuses (reference §1.3, §1.4): the newest
// instance gives state, the one before gives lastState; a failed start from the reason cache turns
// the state into Waiting with the error's name.
import type { ContainerState, ContainerStatus, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerStatus as RuntimeContainer } from '../runtime/runtime.ts';
import type { SpecContainer } from './pod-util.ts';
import { rfc3339 } from './pod-util.ts';

export interface StartFailure {
  reason: string;
  message: string;
}

export interface StatusContext {
  pod: Pod;
  runtimeName: string;
  /** Instances of each container name, newest first. */
  instances: (name: string) => RuntimeContainer[];
  previous: (name: string) => ContainerStatus | undefined;
  reasonCache: (name: string) => StartFailure | undefined;
  shouldRestart: (sc: SpecContainer) => boolean;
  /** Termination message (file or log fallback) for an exited instance. */
  terminationMessage: (c: RuntimeContainer, sc: SpecContainer) => string | undefined;
  hasInitContainers: boolean;
  deleting: boolean;
}

const UNKNOWN_MESSAGE_DELETED =
  'The container could not be located when the pod was deleted.  The container used to be Running';

export function runtimeState(c: RuntimeContainer, message: string | undefined): ContainerState {
  switch (c.state) {
    case 'running':
      return { running: { startedAt: rfc3339(c.startedAt ?? c.createdAt) } };
    case 'exited': {
      const msg = [c.message, message].filter((x) => x).join(': ');
      return {
        terminated: {
          exitCode: c.exitCode ?? 0,
          ...(c.reason ? { reason: c.reason } : {}),
          ...(msg ? { message: msg } : {}),
          startedAt: rfc3339(c.startedAt ?? c.createdAt),
          finishedAt: rfc3339(c.finishedAt ?? c.startedAt ?? c.createdAt),
          containerID: '',
        },
      };
    }
    default:
      return { waiting: {} };
  }
}

export function containerStatus(ctx: StatusContext, sc: SpecContainer): ContainerStatus {
  const name = sc.container.name;
  const old = ctx.previous(name);
  const defaultReason = ctx.hasInitContainers ? 'PodInitializing' : 'ContainerCreating';
  const [newest, second] = ctx.instances(name);
  let status: ContainerStatus;
  if (!newest) {
    if (old?.state?.terminated) {
      status = structuredClone(old);
    } else {
      status = {
        name,
        image: sc.container.image ?? '',
        imageID: '',
        ready: false,
        started: false,
        restartCount: old?.restartCount ?? 0,
        state: { waiting: { reason: defaultReason } },
        lastState: old?.lastState ?? {},
      };
      // A container that was Running and is now gone from the runtime. As the kubelet: only when no
      // lastState is known already, and the synthetic record has no times (null in the API).
      if (old?.state?.running && !old.lastState?.terminated) {
        status.lastState = {
          terminated: { exitCode: 137, reason: 'ContainerStatusUnknown', message: UNKNOWN_MESSAGE_DELETED, startedAt: null as unknown as string, finishedAt: null as unknown as string },
        };
        if (!ctx.deleting) status.restartCount = (old.restartCount ?? 0) + 1;
      }
    }
  } else {
    const id = `${ctx.runtimeName}://${newest.id}`;
    const state = runtimeState(newest, newest.state === 'exited' ? ctx.terminationMessage(newest, sc) : undefined);
    if (state.terminated) state.terminated.containerID = id;
    let lastState: ContainerState = {};
    if (second) {
      lastState = runtimeState(second, second.state === 'exited' ? ctx.terminationMessage(second, sc) : undefined);
      if (lastState.terminated) lastState.terminated.containerID = `${ctx.runtimeName}://${second.id}`;
    }
    status = {
      name,
      image: newest.image || (sc.container.image ?? ''),
      imageID: newest.imageRef,
      containerID: id,
      ready: false,
      started: false,
      restartCount: newest.attempt,
      state,
      lastState,
    };
  }

  // "Will be restarted" overlay: the last start attempt failed and the container is due a restart.
  const failure = ctx.reasonCache(name);
  if (failure && ctx.shouldRestart(sc)) {
    const initDone = sc.kind === 'init' && status.state?.terminated?.exitCode === 0;
    if (!initDone) {
      if (status.state?.terminated) status.lastState = { terminated: status.state.terminated };
      status.state = { waiting: { reason: failure.reason, message: failure.message } };
    }
  }
  return status;
}
