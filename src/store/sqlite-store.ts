// The durable Store for `nodelet server`: one SQLite file through node:sqlite (no native addon).
// Objects are read from memory and written through to SQLite before a write returns, so an
// acknowledged write survives a crash or SIGKILL (WAL with synchronous=FULL fsyncs every commit).
// The resourceVersion counter is stored too, so versions keep increasing across restarts.
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { ObjectKey, StoredObject } from './store.ts';
import {
  VersionedStore,
  type InitialState,
  type Persistence,
  type VersionedStoreOptions,
} from './versioned-store.ts';

const SCHEMA_VERSION = 1;

class SqlitePersistence implements Persistence {
  private readonly db: DatabaseSync;
  private readonly putStmt: StatementSync;
  private readonly removeStmt: StatementSync;
  private readonly rvStmt: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.putStmt = db.prepare(
      'INSERT INTO objects (resource, namespace, name, rv, data) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (resource, namespace, name) DO UPDATE SET rv = excluded.rv, data = excluded.data',
    );
    this.removeStmt = db.prepare('DELETE FROM objects WHERE resource = ? AND namespace = ? AND name = ?');
    this.rvStmt = db.prepare("UPDATE meta SET value = ? WHERE key = 'rv'");
  }

  put(key: ObjectKey, rv: number, object: StoredObject): void {
    this.transaction(() => {
      this.putStmt.run(key.resource, key.namespace, key.name, rv, JSON.stringify(object));
      this.rvStmt.run(String(rv));
    });
  }

  remove(key: ObjectKey, rv: number): void {
    this.transaction(() => {
      this.removeStmt.run(key.resource, key.namespace, key.name);
      this.rvStmt.run(String(rv));
    });
  }

  close(): void {
    this.db.close();
  }

  private transaction(fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }
}

export class SqliteStore extends VersionedStore {
  /** The database file this store was opened on. */
  readonly file: string;

  private constructor(
    file: string,
    persistence: Persistence,
    initial: InitialState,
    options: VersionedStoreOptions,
  ) {
    super(persistence, initial, options);
    this.file = file;
  }

  /**
   * Opens (creating if needed) the store in file. The file is locked for this process: a second
   * nodelet on the same data directory fails here instead of running the same pods twice.
   */
  static open(file: string, options: VersionedStoreOptions = {}): SqliteStore {
    const db = new DatabaseSync(file);
    try {
      db.exec('PRAGMA journal_mode = WAL');
      db.exec('PRAGMA synchronous = FULL');
      db.exec('PRAGMA locking_mode = EXCLUSIVE');
      db.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS objects (
          resource TEXT NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL,
          rv INTEGER NOT NULL, data TEXT NOT NULL,
          PRIMARY KEY (resource, namespace, name)
        );
      `);
      // The first write takes the exclusive lock and keeps it until close.
      db.exec('BEGIN IMMEDIATE');
      db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('rv', '0')").run();
      db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
      db.exec('COMMIT');
      const schema = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string };
      if (Number(schema.value) !== SCHEMA_VERSION) {
        throw new Error(
          `${file}: store schema ${schema.value} is not supported (expected ${SCHEMA_VERSION})`,
        );
      }
      const meta = db.prepare("SELECT value FROM meta WHERE key = 'rv'").get() as { value: string };
      const rows = db.prepare('SELECT resource, namespace, name, rv, data FROM objects').all() as {
        resource: string;
        namespace: string;
        name: string;
        rv: number;
        data: string;
      }[];
      const objects = rows.map((r) => ({
        key: { resource: r.resource, namespace: r.namespace, name: r.name },
        rv: r.rv,
        object: JSON.parse(r.data) as StoredObject,
      }));
      return new SqliteStore(file, new SqlitePersistence(db), { rv: Number(meta.value), objects }, options);
    } catch (err) {
      db.close();
      if (err instanceof Error && /database is locked/.test(err.message)) {
        throw new Error(
          `${file} is in use by another process (is another nodelet running on this data directory?)`,
          {
            cause: err,
          },
        );
      }
      throw err;
    }
  }
}
