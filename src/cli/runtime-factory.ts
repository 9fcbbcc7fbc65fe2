// Builds the node's container runtime from the CLI's choice: a RuntimeSet over host processes
// (`process`) and real containers (`oci`: runc under conmon, images under the data dir). The
// flag picks the node's default, which pods without a runtimeClassName get; a pod naming the other
// RuntimeClass runs on the other runtime, created when the first such pod comes (or at start, when
// an earlier run left its sandboxes, so they are re-adopted).
import { join } from 'node:path';
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { RuntimeClassSource } from '../kubelet/runtime-class.ts';
import type { RegistryOptions } from '../runtime/image/image-manager.ts';
import { chooseRuntime, ociRoot, type RuntimeName } from '../runtime/oci/node-config.ts';
import { OciRuntime, ociRuntimeUnavailable } from '../runtime/oci/oci-runtime.ts';
import { readRecords } from '../runtime/process/state-file.ts';
import { ProcessRuntime } from '../runtime/process/process-runtime.ts';
import type { ContainerRuntime } from '../runtime/runtime.ts';
import { RuntimeSet, type RuntimeHandler } from '../runtime/runtime-set.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';

export interface NodeRuntime {
  /** Every runtime of the node behind one ContainerRuntime (the kubelet's). */
  runtime: RuntimeSet;
  /** The node's default runtime (pods without a runtimeClassName). */
  name: RuntimeName;
  /** The start-up line: the default runtime and why, and what the other RuntimeClass gets. */
  startupLine: string;
  /** SIGKILLs every container of every runtime (a second Ctrl-C, an unexpected exit). */
  killAll(): Promise<void>;
  /** Synchronous last resort on process exit (host processes only: conmon holds oci containers). */
  killAllSync(): void;
}

export interface RuntimeChoice {
  /** `process`, `oci`, or undefined for the node's default. */
  flag: string | undefined;
  /** Where the process runtime keeps its state. */
  processRoot: string;
  /** The data dir (the oci runtime keeps `<dir>/oci`). */
  dataDir: string;
  registries: RegistryOptions;
  clock: Clock;
  /** Where pods, ConfigMaps and Secrets are read from (volumes, limits, security context). */
  store: Store;
}

/**
 * The runtime a node uses when none is asked for. Host processes: images cannot be pulled without
 * a registry, and the process runtime runs every example as written; `--runtime oci` opts in, and
 * `runtimeClassName: oci` opts one pod in.
 */
export const DEFAULT_RUNTIME: RuntimeName = 'process';

/** Both runtimes are RuntimeClasses with handler = name (created at server bootstrap and in `nodelet run`). */
export const RUNTIME_HANDLERS: readonly RuntimeName[] = ['process', 'oci'];

const DESCRIPTION: Record<RuntimeName, string> = {
  process: 'host processes',
  oci: 'runc under conmon',
};

export function resolveRuntimeName(flag: string | undefined): { name: RuntimeName; reason: string } {
  if (flag === undefined)
    return {
      name: DEFAULT_RUNTIME,
      reason: `runtime: ${DEFAULT_RUNTIME} (${DESCRIPTION[DEFAULT_RUNTIME]}; the default, --runtime oci for real containers)`,
    };
  return chooseRuntime(flag);
}

/** The built-in RuntimeClass objects (node.k8s.io/v1), one per runtime, handler = name. */
export function builtinRuntimeClasses(now: number, uid: () => string): RuntimeClass[] {
  const created = new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return RUNTIME_HANDLERS.map((name) => ({
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name, uid: uid(), creationTimestamp: created },
    handler: name,
  }));
}

/** The kubelet's RuntimeClass lookups, from the store's cluster-scoped `runtimeclasses`. */
export function storeRuntimeClasses(store: Store): RuntimeClassSource {
  return {
    runtimeClass: (name) => store.get<RuntimeClass>({ resource: 'runtimeclasses', namespace: '', name }),
  };
}

/** An earlier run left sandboxes in this runtime's state: it is created at start to adopt them. */
function hasSandboxes(root: string): boolean {
  try {
    return readRecords<{ id: string }>(join(root, 'sandboxes.json')).length > 0;
  } catch {
    return false;
  }
}

export function createNodeRuntime(choice: RuntimeChoice): NodeRuntime {
  const { name, reason } = resolveRuntimeName(choice.flag);
  const store = choice.store;
  const processes: ProcessRuntime[] = [];
  const containers: OciRuntime[] = [];
  const handlers: RuntimeHandler[] = [
    {
      name: 'process',
      unavailable: () => undefined,
      hasState: () => hasSandboxes(choice.processRoot),
      create: () => {
        const rt = new ProcessRuntime({ root: choice.processRoot, clock: choice.clock });
        processes.push(rt);
        return rt;
      },
    },
    {
      name: 'oci',
      unavailable: () => ociRuntimeUnavailable(),
      hasState: () => hasSandboxes(ociRoot(choice.dataDir)),
      create: () => {
        const rt = new OciRuntime({
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
        containers.push(rt);
        return rt;
      },
    },
  ];
  const runtime = new RuntimeSet({ defaultHandler: name, handlers });
  const others = RUNTIME_HANDLERS.filter((h) => h !== name).map((h) => {
    const why = runtime.unavailable(h);
    return `runtimeClassName ${h}: ${why === undefined ? DESCRIPTION[h] : `unavailable (${why})`}`;
  });
  const stopAll = async (rt: ContainerRuntime): Promise<void> => {
    const all = await rt.listContainers().catch(() => []);
    await Promise.all(
      all.filter((c) => c.state === 'running').map((c) => rt.stopContainer(c.id, 0).catch(() => undefined)),
    );
  };
  return {
    runtime,
    name,
    startupLine: `${reason}; ${others.join('; ')}`,
    killAll: async () => {
      for (const p of processes) p.killAll();
      await Promise.all(containers.map(stopAll));
    },
    killAllSync: () => {
      for (const p of processes) p.killAll();
    },
  };
}
