// The kubelet's RuntimeClass manager (pkg/kubelet/runtimeclass): a pod's spec.runtimeClassName
// resolves to the CRI runtime handler its sandbox is created with. No class name means the empty
// handler (the node's default runtime); a class that does not exist is a NotFound error, which the
// kubelet reports as FailedCreatePodSandBox and retries, the pod staying in ContainerCreating.
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';

/** The kubelet's door to RuntimeClass objects (node.k8s.io/v1, cluster-scoped). */
export interface RuntimeClassSource {
  runtimeClass(name: string): RuntimeClass | undefined;
}

/** The lister's NotFound: `runtimeclass.node.k8s.io "x" not found`. */
export class RuntimeClassNotFoundError extends Error {
  override name = 'RuntimeClassNotFoundError';
  constructor(className: string) {
    super(`runtimeclass.node.k8s.io ${JSON.stringify(className)} not found`);
  }
}

/**
 * LookupRuntimeHandler: '' for no class (or no source: the kubelet without a RuntimeClass
 * manager passes the empty handler for every pod), else the class's handler.
 */
export function lookupRuntimeHandler(
  source: RuntimeClassSource | undefined,
  runtimeClassName: string | undefined,
): string {
  if (!source || !runtimeClassName) return '';
  const rc = source.runtimeClass(runtimeClassName);
  if (!rc) throw new RuntimeClassNotFoundError(runtimeClassName);
  return rc.handler;
}
