// The kubelet's only doors to the rest of nodelet. The same kubelet can be fed by the local store
// (`nodelet run`, `nodelet server`) or, later, by a remote API server (agent mode).
import type { ConfigMap, Event, Pod, PodStatus, Secret, Service } from 'kubernetes-types/core/v1.js';

export type PodChange = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface PodSource {
  /**
   * Calls handler once for every pod bound to this node (ADDED), then for every change.
   * DELETED means the object is gone from the API (e.g. force deletion).
   */
  watchPods(handler: (change: PodChange, pod: Pod) => void): () => void;
}

export interface StatusWriter {
  /** Writes the pod's status (the status subresource). Annotations are merged when given. */
  updateStatus(pod: Pod, status: PodStatus, annotations?: Record<string, string | null>): Promise<void>;
  /** Removes the terminated pod's object (grace 0, UID precondition), as the status manager does. */
  deletePod(pod: Pod): Promise<void>;
}

export interface EventSink {
  /** Creates or replaces (same metadata.name) an Event object. */
  writeEvent(event: Event): void;
}

/**
 * The API objects a container's environment is made of, as the kubelet's ConfigMap and Secret
 * managers and its Service lister give them: undefined when the object does not exist.
 */
export interface ObjectSource {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** Every Service of the namespace. */
  services(namespace: string): Service[];
}
