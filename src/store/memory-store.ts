// The in-memory Store: backs `nodelet run` and tests. Same contract as the SQLite store; nothing
// survives the process.
import { VersionedStore, type VersionedStoreOptions } from './versioned-store.ts';

export class MemoryStore extends VersionedStore {
  constructor(options: VersionedStoreOptions = {}) {
    super(undefined, { rv: 0, objects: [] }, options);
  }
}
