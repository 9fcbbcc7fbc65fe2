// Builds the node's container runtime from the CLI's choice: host processes, or real containers
// (runc under conmon) with their image store under the data dir.
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { RegistryOptions } from '../runtime/image/image-manager.ts';
import { chooseRuntime, ociRoot, type RuntimeName } from '../runtime/oci/node-config.ts';
import { OciRuntime } from '../runtime/oci/oci-runtime.ts';
import { ProcessRuntime } from '../runtime/process/process-runtime.ts';
import type { ContainerRuntime } from '../runtime/runtime.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';

export interface NodeRuntime {
  runtime: ContainerRuntime;
  name: RuntimeName;
  /** SIGKILLs every container of this runtime (a second Ctrl-C, an unexpected exit). */
  killAll(): Promise<void>;
  /** Synchronous last resort on process exit (process runtime only). */
  killAllSync(): void;
}

export interface RuntimeChoice {
  /** `process`, `oci`, or undefined for the node's default. */
  flag: string | undefined;
  /** Where the runtime keeps its state (process) or the data dir (oci keeps `<dir>/oci`). */
  processRoot: string;
  dataDir: string;
  registries: RegistryOptions;
  clock: Clock;
  /** Where pods, ConfigMaps and Secrets are read from (volumes, limits, security context). */
  store: Store;
}

/**
 * The runtime a node uses when none is asked for. Host processes: images cannot be pulled without
 * a registry, and the process runtime runs every example as written; `--runtime oci` opts in.
 */
export const DEFAULT_RUNTIME: RuntimeName = 'process';

export function resolveRuntimeName(flag: string | undefined): { name: RuntimeName; reason: string } {
  return chooseRuntime(flag ?? DEFAULT_RUNTIME);
}

export function createNodeRuntime(choice: RuntimeChoice): NodeRuntime {
  const { name } = resolveRuntimeName(choice.flag);
  if (name === 'process') {
    const runtime = new ProcessRuntime({ root: choice.processRoot, clock: choice.clock });
    return {
      runtime,
      name,
      killAll: () => {
        runtime.killAll();
        return Promise.resolve();
      },
      killAllSync: () => runtime.killAll(),
    };
  }
  const store = choice.store;
  const runtime = new OciRuntime({
    root: ociRoot(choice.dataDir),
    clock: choice.clock,
    registries: choice.registries,
    pods: (uid, namespace, podName) => {
      const pod = store.get<Pod>({ resource: 'pods', namespace, name: podName });
      return pod && (!uid || pod.metadata?.uid === uid) ? pod : undefined;
    },
    objects: {
      configMap: (namespace, n) => store.get<ConfigMap>({ resource: 'configmaps', namespace, name: n }),
      secret: (namespace, n) => store.get<Secret>({ resource: 'secrets', namespace, name: n }),
    },
    pullOnCreate: false,
  });
  return {
    runtime,
    name,
    killAll: async () => {
      const all = await runtime.listContainers();
      await Promise.all(
        all
          .filter((c) => c.state === 'running')
          .map((c) => runtime.stopContainer(c.id, 0).catch(() => undefined)),
      );
    },
    killAllSync: () => undefined,
  };
}
