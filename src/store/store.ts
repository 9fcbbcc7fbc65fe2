import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

// The Store: Kubernetes objects keyed by resource, namespace and name, each write stamped with a
// new resourceVersion, watchable from a resourceVersion. MemoryStore backs `nodelet run`; the
// SQLite store backs `nodelet server`.

export interface StoredObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface ObjectKey {
  /** Plural lower-case resource, e.g. "pods", "events", "nodes", "namespaces". */
  resource: string;
  /** Empty string for cluster-scoped objects. */
  namespace: string;
  name: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface WatchEvent<T extends StoredObject = StoredObject> {
  type: WatchEventType;
  object: T;
  /** For MODIFIED: the object before this change (lets a filtered watch see objects leave it). */
  previous?: T;
}

export interface ListOptions {
  namespace?: string;
}

export interface ListResult<T extends StoredObject = StoredObject> {
  items: T[];
  /** The store's resourceVersion at the time of the list. */
  resourceVersion: string;
}

export interface WatchOptions {
  namespace?: string;
  /** Deliver every change after this resourceVersion; omitted = from now. */
  resourceVersion?: string;
  signal?: AbortSignal;
  /**
   * Deliver the stored (frozen) objects themselves instead of a copy per listener: for readers
   * that only encode or inspect them, such as the API's watch streams.
   */
  shared?: boolean;
}

export class ConflictError extends Error {
  readonly key: ObjectKey;
  constructor(key: ObjectKey, message: string) {
    super(message);
    this.key = key;
    this.name = 'ConflictError';
  }
}

export class AlreadyExistsError extends Error {
  readonly key: ObjectKey;
  constructor(key: ObjectKey) {
    super(`${key.resource} "${key.name}" already exists`);
    this.key = key;
    this.name = 'AlreadyExistsError';
  }
}

export class NotFoundError extends Error {
  readonly key: ObjectKey;
  constructor(key: ObjectKey) {
    super(`${key.resource} "${key.name}" not found`);
    this.key = key;
    this.name = 'NotFoundError';
  }
}

/** The requested resourceVersion is older than the store keeps history for (HTTP 410). */
export class GoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoneError';
  }
}

export interface Store {
  get<T extends StoredObject>(key: ObjectKey): T | undefined;
  list<T extends StoredObject>(resource: string, options?: ListOptions): ListResult<T>;
  /**
   * As list, but the stored objects themselves, frozen, not copies: for readers that only encode
   * or inspect them (the API's list and watch answers). A stored object is never changed in place,
   * so one seen twice is the same version.
   */
  listShared<T extends StoredObject>(resource: string, options?: ListOptions): ListResult<T>;
  /** Stores a new object; sets metadata.resourceVersion. Throws AlreadyExistsError. */
  create<T extends StoredObject>(key: ObjectKey, object: T): T;
  /**
   * Replaces an object. When object.metadata.resourceVersion is set it must match the stored one
   * (ConflictError otherwise). Throws NotFoundError.
   */
  update<T extends StoredObject>(key: ObjectKey, object: T): T;
  /** Removes an object, returning it with a new resourceVersion. Throws NotFoundError. */
  delete<T extends StoredObject>(
    key: ObjectKey,
    preconditions?: { uid?: string; resourceVersion?: string },
  ): T;
  /** Calls listener for every change to resource after options.resourceVersion; returns an unsubscribe. */
  watch<T extends StoredObject>(
    resource: string,
    options: WatchOptions,
    listener: (event: WatchEvent<T>) => void,
  ): () => void;
  /** The newest resourceVersion handed out. */
  currentResourceVersion(): string;
  close(): void;
}
