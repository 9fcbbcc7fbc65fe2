// One resource's view of the Store: keys from namespace and name, objects converted between the
// served version and the stored one (events.k8s.io/v1 Events are stored as core/v1 Events, as the
// API server stores both in one place), and store errors turned into Status errors.
import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  type ObjectKey,
  type Store,
  type StoredObject,
  type WatchEvent,
  type WatchOptions,
} from '../store/store.ts';
import type { ApiObject } from './meta.ts';
import { groupResource, type ResourceDef } from './resources.ts';
import { alreadyExists, conflict, notFound, type GroupResource } from './status.ts';

/** Store errors as Status errors naming the API resource. */
export function fromStoreError(err: unknown, gr: GroupResource, name: string): unknown {
  if (err instanceof NotFoundError) return notFound(gr, name);
  if (err instanceof AlreadyExistsError) return alreadyExists(gr, name);
  if (err instanceof ConflictError) {
    return conflict(gr, name, err.message.replace(/^Operation cannot be fulfilled on [^:]*: /, ''));
  }
  return err;
}

export class ResourceStorage {
  readonly store: Store;
  readonly def: ResourceDef;

  constructor(store: Store, def: ResourceDef) {
    this.store = store;
    this.def = def;
  }

  key(namespace: string, name: string): ObjectKey {
    return { resource: this.def.storage, namespace: this.def.namespaced ? namespace : '', name };
  }

  private out(o: StoredObject): ApiObject {
    return this.def.fromStorage ? this.def.fromStorage(o as ApiObject) : (o as ApiObject);
  }

  private in(o: ApiObject): ApiObject {
    return this.def.toStorage ? this.def.toStorage(o) : o;
  }

  private attempt<T>(name: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw fromStoreError(err, groupResource(this.def), name);
    }
  }

  get(namespace: string, name: string): ApiObject | undefined {
    const o = this.store.get(this.key(namespace, name));
    return o ? this.out(o) : undefined;
  }

  list(namespace: string): { items: ApiObject[]; resourceVersion: string } {
    const listed = this.store.list(this.def.storage, namespace ? { namespace } : {});
    return { items: listed.items.map((o) => this.out(o)), resourceVersion: listed.resourceVersion };
  }

  /** The stored objects themselves, frozen (Store.listShared): for answers that only encode them. */
  listShared(namespace: string): { items: readonly ApiObject[]; resourceVersion: string } {
    const listed = this.store.listShared(this.def.storage, namespace ? { namespace } : {});
    return { items: listed.items.map((o) => this.out(o)), resourceVersion: listed.resourceVersion };
  }

  create(namespace: string, name: string, obj: ApiObject): ApiObject {
    return this.attempt(name, () => this.out(this.store.create(this.key(namespace, name), this.in(obj))));
  }

  update(namespace: string, name: string, obj: ApiObject): ApiObject {
    return this.attempt(name, () => this.out(this.store.update(this.key(namespace, name), this.in(obj))));
  }

  delete(
    namespace: string,
    name: string,
    preconditions: { uid?: string; resourceVersion?: string } = {},
  ): ApiObject {
    return this.attempt(name, () => this.out(this.store.delete(this.key(namespace, name), preconditions)));
  }

  watch(options: WatchOptions, listener: (e: WatchEvent<ApiObject>) => void): () => void {
    return this.store.watch(this.def.storage, options, (e) => {
      listener({
        type: e.type,
        object: this.out(e.object),
        ...(e.previous ? { previous: this.out(e.previous) } : {}),
      });
    });
  }
}
