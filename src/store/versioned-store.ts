// The Store contract implemented once: objects in a map keyed by resource/namespace/name, a single
// resourceVersion counter across all resources (as etcd's revision), a bounded per-resource history
// of changes for watches that resume from a resourceVersion, and ordered fan-out to watchers.
// MemoryStore uses it as is; SqliteStore adds write-through persistence through the Persistence hook.
import {
  ConflictError,
  AlreadyExistsError,
  GoneError,
  NotFoundError,
  type ListOptions,
  type ListResult,
  type ObjectKey,
  type Store,
  type StoredObject,
  type WatchEvent,
  type WatchOptions,
} from './store.ts';

/** Where a write goes before it becomes visible; throwing aborts the write. */
export interface Persistence {
  put(key: ObjectKey, rv: number, object: StoredObject): void;
  remove(key: ObjectKey, rv: number): void;
  close(): void;
}

export interface VersionedStoreOptions {
  /** Changes kept per resource for watches resuming from a resourceVersion (default 1000). */
  historyLimit?: number;
}

/** What a store starts from: its resourceVersion counter and its objects. */
export interface InitialState {
  rv: number;
  objects: { key: ObjectKey; rv: number; object: StoredObject }[];
}

interface Change {
  rv: number;
  namespace: string;
  event: WatchEvent;
}

interface Watcher {
  resource: string;
  namespace: string | undefined;
  listener: (event: WatchEvent) => void;
  active: boolean;
  shared: boolean;
}

function keyString(key: ObjectKey): string {
  return `${key.resource}\u0000${key.namespace}\u0000${key.name}`;
}

/** As the API server words an update whose resourceVersion is stale. */
export function conflictMessage(key: ObjectKey, detail: string): string {
  return `Operation cannot be fulfilled on ${key.resource} "${key.name}": ${detail}`;
}

export const STALE_OBJECT_DETAIL =
  'the object has been modified; please apply your changes to the latest version and try again';

export class VersionedStore implements Store {
  private readonly objects = new Map<string, { key: ObjectKey; rv: number; object: StoredObject }>();
  private readonly history = new Map<string, Change[]>();
  /** Per resource: the newest resourceVersion whose change is no longer in history. */
  private readonly compactedAt = new Map<string, number>();
  private readonly watchers = new Set<Watcher>();
  private readonly historyLimit: number;
  private readonly startRv: number;
  private rv: number;
  private closed = false;
  // Deliveries are queued and drained in order, so a listener that writes to the store while being
  // notified cannot make other listeners see a newer change before an older one.
  private readonly queue: { watcher: Watcher; event: WatchEvent }[] = [];
  private draining = false;

  private readonly persistence: Persistence | undefined;

  protected constructor(
    persistence: Persistence | undefined,
    initial: InitialState,
    options: VersionedStoreOptions = {},
  ) {
    this.persistence = persistence;
    this.historyLimit = Math.max(1, options.historyLimit ?? 1000);
    this.rv = initial.rv;
    // History starts empty: nothing before the current revision can be replayed (a restarted
    // API server answers such watches with 410 Gone and clients re-list, as after etcd compaction).
    this.startRv = initial.rv;
    for (const o of initial.objects)
      this.objects.set(keyString(o.key), { ...o, object: deepFreeze(o.object) });
  }

  get<T extends StoredObject>(key: ObjectKey): T | undefined {
    const entry = this.objects.get(keyString(key));
    return entry ? (structuredClone(entry.object) as T) : undefined;
  }

  list<T extends StoredObject>(resource: string, options: ListOptions = {}): ListResult<T> {
    const listed = this.listShared(resource, options);
    return {
      items: listed.items.map((o) => structuredClone(o) as T),
      resourceVersion: listed.resourceVersion,
    };
  }

  listShared<T extends StoredObject>(resource: string, options: ListOptions = {}): ListResult<T> {
    const items: { key: ObjectKey; object: StoredObject }[] = [];
    for (const e of this.objects.values()) {
      if (e.key.resource !== resource) continue;
      if (options.namespace !== undefined && e.key.namespace !== options.namespace) continue;
      items.push(e);
    }
    // Storage-key order (namespace, then name), as etcd lists.
    items.sort((a, b) => cmp(a.key.namespace, b.key.namespace) || cmp(a.key.name, b.key.name));
    return { items: items.map((e) => e.object as T), resourceVersion: String(this.rv) };
  }

  create<T extends StoredObject>(key: ObjectKey, object: T): T {
    this.assertOpen();
    if (this.objects.has(keyString(key))) throw new AlreadyExistsError(key);
    return this.write(key, object, 'ADDED');
  }

  update<T extends StoredObject>(key: ObjectKey, object: T): T {
    this.assertOpen();
    const current = this.objects.get(keyString(key));
    if (!current) throw new NotFoundError(key);
    const wanted = object.metadata?.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== String(current.rv)) {
      throw new ConflictError(key, conflictMessage(key, STALE_OBJECT_DETAIL));
    }
    return this.write(key, object, 'MODIFIED', current.object);
  }

  delete<T extends StoredObject>(
    key: ObjectKey,
    preconditions: { uid?: string; resourceVersion?: string } = {},
  ): T {
    this.assertOpen();
    const current = this.objects.get(keyString(key));
    if (!current) throw new NotFoundError(key);
    // Precondition wording as apimachinery's storage.Preconditions.Check.
    const uid = current.object.metadata?.uid;
    if (preconditions.uid !== undefined && preconditions.uid !== uid) {
      throw new ConflictError(
        key,
        conflictMessage(
          key,
          `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${uid ?? ''}`,
        ),
      );
    }
    if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== String(current.rv)) {
      throw new ConflictError(
        key,
        conflictMessage(
          key,
          `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${current.rv}`,
        ),
      );
    }
    const rv = this.rv + 1;
    this.persistence?.remove(key, rv);
    this.rv = rv;
    this.objects.delete(keyString(key));
    // The DELETED object carries a new resourceVersion so informers can resume after it.
    const gone = withRv(current.object, rv);
    this.record(key, rv, { type: 'DELETED', object: gone });
    return structuredClone(gone) as T;
  }

  watch<T extends StoredObject>(
    resource: string,
    options: WatchOptions,
    listener: (event: WatchEvent<T>) => void,
  ): () => void {
    this.assertOpen();
    const watcher: Watcher = {
      resource,
      namespace: options.namespace,
      listener: listener as (event: WatchEvent) => void,
      active: true,
      shared: options.shared === true,
    };
    const stop = (): void => {
      watcher.active = false;
      this.watchers.delete(watcher);
      options.signal?.removeEventListener('abort', stop);
    };
    if (options.signal?.aborted) return stop;
    if (options.resourceVersion !== undefined && options.resourceVersion !== '') {
      const from = parseRv(options.resourceVersion);
      const compacted = this.compactedAt.get(resource) ?? this.startRv;
      if (from < compacted) {
        // As the watch cache: "too old resource version: <requested> (<oldest available>)".
        throw new GoneError(`too old resource version: ${from} (${compacted})`);
      }
      for (const change of this.history.get(resource) ?? []) {
        if (change.rv > from && matches(watcher, change.namespace)) {
          this.queue.push({ watcher, event: change.event });
        }
      }
    }
    this.watchers.add(watcher);
    options.signal?.addEventListener('abort', stop, { once: true });
    this.drain();
    return stop;
  }

  currentResourceVersion(): string {
    return String(this.rv);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.watchers.clear();
    this.persistence?.close();
  }

  private write<T extends StoredObject>(
    key: ObjectKey,
    object: T,
    type: 'ADDED' | 'MODIFIED',
    previous?: StoredObject,
  ): T {
    const rv = this.rv + 1;
    const stored = withRv(object, rv);
    this.persistence?.put(key, rv, stored);
    this.rv = rv;
    this.objects.set(keyString(key), { key: { ...key }, rv, object: stored });
    this.record(key, rv, previous ? { type, object: stored, previous } : { type, object: stored });
    return structuredClone(stored);
  }

  private record(key: ObjectKey, rv: number, event: WatchEvent): void {
    let changes = this.history.get(key.resource);
    if (!changes) {
      changes = [];
      this.history.set(key.resource, changes);
    }
    changes.push({ rv, namespace: key.namespace, event });
    if (changes.length > this.historyLimit) {
      const dropped = changes.splice(0, changes.length - this.historyLimit);
      this.compactedAt.set(key.resource, dropped[dropped.length - 1]?.rv ?? this.startRv);
    }
    for (const w of this.watchers) {
      if (w.resource === key.resource && matches(w, key.namespace)) this.queue.push({ watcher: w, event });
    }
    this.drain();
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        if (!next.watcher.active) continue;
        if (next.watcher.shared) {
          next.watcher.listener(next.event);
          continue;
        }
        // Each listener gets its own copy: what one does to its object never leaks to another.
        const { type, object, previous } = next.event;
        next.watcher.listener(
          previous
            ? { type, object: structuredClone(object), previous: structuredClone(previous) }
            : { type, object: structuredClone(object) },
        );
      }
    } finally {
      this.draining = false;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

function matches(w: Watcher, namespace: string): boolean {
  return w.namespace === undefined || w.namespace === namespace;
}

/** A frozen copy of object carrying resourceVersion rv: what the store keeps and hands out shared. */
function withRv<T extends StoredObject>(object: T, rv: number): T {
  const copy = structuredClone(object);
  copy.metadata = { ...(copy.metadata ?? {}), resourceVersion: String(rv) };
  return deepFreeze(copy);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function parseRv(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new InvalidResourceVersionError(text);
  }
  return n;
}

/** A resourceVersion that is not one this store hands out (the API server answers 400). */
export class InvalidResourceVersionError extends Error {
  constructor(rv: string) {
    super(`Invalid value: "${rv}": strconv.ParseUint: parsing "${rv}": invalid syntax`);
    this.name = 'InvalidResourceVersionError';
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
