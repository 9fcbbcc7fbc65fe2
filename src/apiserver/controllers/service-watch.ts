// What the endpoints, EndpointSlice and mirroring controllers share: watching the store, turning
// events into "sync this Service" keys, and retrying a failed sync later (the controllers' rate
// limited work queue, reduced to one retry timer per key). Syncs run synchronously inside the
// watch callback: the store delivers events one after another, so no two syncs ever overlap.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Store, StoredObject, WatchEvent } from '../../store/store.ts';
import type { Clock, Timer } from '../../util/clock.ts';

export const SYNC_RETRY_MS = 1_000;

export interface ControllerOptions {
  store: Store;
  clock: Clock;
  /** Produces the UID of created objects (random by default). */
  uid?: () => string;
  /** Called with a sync's error (it is retried after SYNC_RETRY_MS). */
  onError?: (key: string, err: unknown) => void;
}

export function nsName(o: StoredObject): { namespace: string; name: string } {
  return { namespace: o.metadata?.namespace ?? '', name: o.metadata?.name ?? '' };
}

/** A keyed work runner: sync(key) now; on failure again after SYNC_RETRY_MS (newest wins). */
export class SyncRunner {
  private readonly clock: Clock;
  private readonly sync: (namespace: string, name: string) => void;
  private readonly onError: ((key: string, err: unknown) => void) | undefined;
  private readonly retries = new Map<string, Timer>();
  private readonly unsubscribe: (() => void)[] = [];
  private stopped = false;

  constructor(
    clock: Clock,
    sync: (namespace: string, name: string) => void,
    onError?: (key: string, err: unknown) => void,
  ) {
    this.clock = clock;
    this.sync = sync;
    this.onError = onError;
  }

  run(namespace: string, name: string): void {
    if (this.stopped) return;
    const key = `${namespace}/${name}`;
    this.retries.get(key)?.cancel();
    this.retries.delete(key);
    try {
      this.sync(namespace, name);
    } catch (err) {
      this.onError?.(key, err);
      this.retries.set(
        key,
        this.clock.setTimer(SYNC_RETRY_MS, () => {
          this.retries.delete(key);
          this.run(namespace, name);
        }),
      );
    }
  }

  /**
   * Watches resource from rv, calling handler for every change but bookmarks. The handler gets
   * the store's own frozen objects (a controller reads them and writes new ones).
   */
  watch<T extends StoredObject>(
    store: Store,
    resource: string,
    rv: string,
    handler: (e: WatchEvent<T>) => void,
  ): void {
    this.unsubscribe.push(
      store.watch<T>(resource, { resourceVersion: rv, shared: true }, (e) => {
        if (e.type !== 'BOOKMARK' && !this.stopped) handler(e);
      }),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.unsubscribe.splice(0)) u();
    for (const t of this.retries.values()) t.cancel();
    this.retries.clear();
  }
}

/**
 * A lister over the watch: the objects of one resource by namespace and name, kept from the events
 * the controller receives (its own copies), so a sync reads pods and Services without copying the
 * store's. It may lag the store while events are still queued; the queued events sync again.
 */
export class ObjectCache<T extends StoredObject> {
  private readonly byNs = new Map<string, Map<string, T>>();

  seed(items: readonly T[]): void {
    for (const o of items) this.set(o);
  }

  apply(e: WatchEvent<T>): void {
    if (e.type === 'DELETED') {
      const { namespace, name } = nsName(e.object);
      this.byNs.get(namespace)?.delete(name);
    } else if (e.type !== 'BOOKMARK') this.set(e.object);
  }

  get(namespace: string, name: string): T | undefined {
    return this.byNs.get(namespace)?.get(name);
  }

  list(namespace: string): T[] {
    return [...(this.byNs.get(namespace)?.values() ?? [])];
  }

  all(): T[] {
    return [...this.byNs.values()].flatMap((m) => [...m.values()]);
  }

  private set(o: T): void {
    const { namespace, name } = nsName(o);
    let m = this.byNs.get(namespace);
    if (!m) this.byNs.set(namespace, (m = new Map<string, T>()));
    m.set(name, o);
  }
}

/**
 * The pod fields endpoints are made of (podEndpointsChanged and the label comparison of the
 * controllers' updatePod): a status write that changes none of them syncs nothing.
 */
export function podEndpointFingerprint(pod: Pod): string {
  const s = pod.status;
  return JSON.stringify([
    pod.metadata?.labels ?? {},
    pod.metadata?.deletionTimestamp ?? '',
    pod.spec?.nodeName ?? '',
    pod.spec?.hostname ?? '',
    pod.spec?.subdomain ?? '',
    s?.phase ?? '',
    s?.podIP ?? '',
    s?.podIPs ?? [],
    s?.conditions?.find((c) => c.type === 'Ready') ?? null,
    [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].map((c) => [
      c.ports ?? [],
      c.restartPolicy ?? '',
    ]),
  ]);
}
