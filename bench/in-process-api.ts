// The PodApi over the store the kubelet reads, in the kubelet's own process: what the API server's
// handlers do for these verbs (uid and creationTimestamp on create, the one-node scheduler's
// binding, graceful deletion by setting deletionTimestamp), without HTTP in between.
import { randomUUID } from 'node:crypto';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createBoundPod } from '../src/cli/scheduler.ts';
import type { EventSink } from '../src/kubelet/ports.ts';
import type { Store } from '../src/store/store.ts';
import type { Clock } from '../src/util/clock.ts';
import type { PodApi, PodEventType } from './pod-api.ts';

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export class InProcessPodApi implements PodApi {
  readonly path = 'in-process store + kubelet (no HTTP)';
  private readonly store: Store;
  private readonly sink: EventSink;
  private readonly nodeName: string;
  private readonly clock: Clock;

  constructor(store: Store, sink: EventSink, nodeName: string, clock: Clock) {
    this.store = store;
    this.sink = sink;
    this.nodeName = nodeName;
    this.clock = clock;
  }

  create(pod: Pod): Promise<void> {
    const withMeta: Pod = {
      ...pod,
      metadata: { ...pod.metadata, uid: randomUUID(), creationTimestamp: rfc3339(this.clock.now()) },
    };
    createBoundPod(this.store, this.sink, withMeta, this.nodeName, this.clock);
    return Promise.resolve();
  }

  /** As the API server's graceful delete: deletionTimestamp = now + grace; the kubelet removes the object. */
  delete(namespace: string, name: string): Promise<void> {
    const key = { resource: 'pods', namespace, name };
    const pod = this.store.get<Pod>(key);
    if (!pod) return Promise.reject(new Error(`pods "${name}" not found`));
    if (pod.metadata?.deletionTimestamp) return Promise.resolve();
    const grace = pod.spec?.terminationGracePeriodSeconds ?? 30;
    const { resourceVersion: _rv, ...metadata } = pod.metadata ?? {};
    this.store.update(key, {
      ...pod,
      metadata: {
        ...metadata,
        deletionTimestamp: rfc3339(this.clock.now() + grace * 1000),
        deletionGracePeriodSeconds: grace,
      },
    });
    return Promise.resolve();
  }

  list(namespace: string): Promise<number> {
    // What a list handler costs before encoding: the store's list, then the JSON a client receives.
    const result = this.store.list<Pod>('pods', { namespace });
    const body = JSON.stringify({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: result.resourceVersion },
      items: result.items,
    });
    return Promise.resolve(body.length > 0 ? result.items.length : 0);
  }

  label(namespace: string, name: string, key: string, value: string): Promise<void> {
    const k = { resource: 'pods', namespace, name };
    const pod = this.store.get<Pod>(k);
    if (!pod) return Promise.reject(new Error(`pods "${name}" not found`));
    const { resourceVersion: _rv, ...metadata } = pod.metadata ?? {};
    this.store.update(k, { ...pod, metadata: { ...metadata, labels: { ...metadata.labels, [key]: value } } });
    return Promise.resolve();
  }

  watch(handler: (type: PodEventType, pod: Pod) => void): Promise<() => void> {
    const stop = this.store.watch<Pod>('pods', {}, (e) => {
      if (e.type !== 'BOOKMARK') handler(e.type, e.object);
    });
    return Promise.resolve(stop);
  }
}
