// The kubelet's ports (PodSource, StatusWriter, EventSink, ObjectSource) over a local Store: how
// `nodelet run` and `nodelet server` feed their kubelet.
import type { ConfigMap, Event, Pod, PodStatus, Secret, Service } from 'kubernetes-types/core/v1.js';
import type { EventSink, ObjectSource, PodChange, PodSource, StatusWriter } from '../kubelet/ports.ts';
import { NotFoundError, type Store } from '../store/store.ts';

function keyOf(pod: Pod): { resource: string; namespace: string; name: string } {
  return {
    resource: 'pods',
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '',
  };
}

function withoutResourceVersion<T extends Pod | Event>(o: T): T {
  const { resourceVersion: _rv, ...metadata } = o.metadata ?? {};
  return { ...o, metadata };
}

/** Pods bound to nodeName, from the store: the current ones first, then every change. */
export class StorePodSource implements PodSource {
  private readonly store: Store;
  private readonly nodeName: string;

  constructor(store: Store, nodeName: string) {
    this.store = store;
    this.nodeName = nodeName;
  }

  watchPods(handler: (change: PodChange, pod: Pod) => void): () => void {
    const mine = (p: Pod): boolean => p.spec?.nodeName === this.nodeName;
    const listed = this.store.list<Pod>('pods');
    for (const p of listed.items) if (mine(p)) handler('ADDED', p);
    return this.store.watch<Pod>('pods', { resourceVersion: listed.resourceVersion }, (e) => {
      if (e.type === 'BOOKMARK' || !mine(e.object)) return;
      handler(e.type, e.object);
    });
  }
}

export class StoreStatusWriter implements StatusWriter {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  updateStatus(pod: Pod, status: PodStatus, annotations?: Record<string, string | null>): Promise<void> {
    const key = keyOf(pod);
    const current = this.store.get<Pod>(key);
    if (!current || current.metadata?.uid !== pod.metadata?.uid) return Promise.resolve();
    const next: Pod = { ...current, status: { ...status } };
    if (annotations && Object.keys(annotations).length) {
      const merged: Record<string, string> = { ...(current.metadata?.annotations ?? {}) };
      for (const [k, v] of Object.entries(annotations)) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      next.metadata = { ...current.metadata, annotations: merged };
    }
    // The status manager writes without a resourceVersion precondition (it patches).
    this.store.update(key, withoutResourceVersion(next));
    return Promise.resolve();
  }

  deletePod(pod: Pod): Promise<void> {
    try {
      this.store.delete(keyOf(pod), pod.metadata?.uid ? { uid: pod.metadata.uid } : undefined);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    return Promise.resolve();
  }
}

export class StoreEventSink implements EventSink {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  writeEvent(event: Event): void {
    const key = {
      resource: 'events',
      namespace: event.metadata?.namespace ?? 'default',
      name: event.metadata?.name ?? '',
    };
    const existing = this.store.get<Event>(key);
    if (existing) {
      const next: Event = { ...event, metadata: { ...(existing.metadata ?? {}), ...event.metadata } };
      this.store.update(key, withoutResourceVersion(next));
    } else {
      this.store.create(key, {
        ...event,
        metadata: {
          ...event.metadata,
          uid: crypto.randomUUID(),
          creationTimestamp: event.firstTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      });
    }
  }
}

/** ConfigMaps, Secrets and Services straight from the store (always current, as a synced informer). */
export class StoreObjectSource implements ObjectSource {
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  configMap(namespace: string, name: string): ConfigMap | undefined {
    return this.store.get<ConfigMap>({ resource: 'configmaps', namespace, name });
  }

  secret(namespace: string, name: string): Secret | undefined {
    return this.store.get<Secret>({ resource: 'secrets', namespace, name });
  }

  services(namespace: string): Service[] {
    return this.store.list<Service>('services', { namespace }).items;
  }
}
