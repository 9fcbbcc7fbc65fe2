// What the per-pod parts of the kubelet share: the node's dependencies plus this pod's caches.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerRuntime } from '../runtime/runtime.ts';
import type { Clock } from '../util/clock.ts';
import type { CrashLoopBackoff } from './backoff.ts';
import type { StartFailure } from './container-statuses.ts';
import type { EventRecorder } from './event-recorder.ts';
import type { ImageManager } from './image-manager.ts';
import type { HookJournal } from './lifecycle/hook-journal.ts';
import type { HookRun } from './lifecycle/hook-run.ts';
import type { ObjectSource } from './ports.ts';

export interface KubeletVersion {
  major: string;
  minor: string;
}

export interface NodeDeps {
  nodeName: string;
  hostIP: string;
  clock: Clock;
  runtime: ContainerRuntime;
  recorder: EventRecorder;
  backoff: CrashLoopBackoff;
  images: ImageManager;
  kubeVersion: KubeletVersion;
  random: () => number;
  /** ConfigMaps, Secrets and Services for container environments; without it none exist. */
  objects?: ObjectSource;
}

export interface NodeDeps {
  /** Where postStart progress is kept across a nodelet restart (lifecycle/hook-journal.ts). */
  hookJournal?: HookJournal;
}

export interface PodContext extends NodeDeps {
  pod: () => Pod;
  podIP: () => string | undefined;
  reasonCache: Map<string, StartFailure>;
  /** Called for every hook run (the stream) and kept for the pod's annotations. */
  hookRan: (run: HookRun) => void;
}
