// The durable Store for `nodelet server`: one SQLite file through node:sqlite (no native addon).
// Objects are read from memory and written through to SQLite before a write returns, so an
// acknowledged write survives a crash or SIGKILL (WAL with synchronous=FULL fsyncs every commit).
// The resourceVersion counter is stored too, so versions keep increasing across restarts.
import { statSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { ObjectKey, StoredObject } from './store.ts';
import {
  VersionedStore,
  type InitialState,
  type Persistence,
  type VersionedStoreOptions,
} from './versioned-store.ts';

const SCHEMA_VERSION = 1;

/**
 * The store cannot be opened: damaged, not a store, held by another nodelet, on a read-only or
 * full disk. The message is one line naming the file and the cause; the file is left untouched.
 */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

/**
 * A write did not reach the disk because it is full. Nothing was changed: the write is not
 * acknowledged, the objects in memory are as before, and the store works again once there is room.
 */
export class StoreFullError extends Error {
  override name = 'StoreFullError';
}

/** SQLite's primary result code of a node:sqlite error (its extended code's low byte). */
function sqliteCode(err: unknown): number | undefined {
  const code = (err as { errcode?: unknown }).errcode;
  return typeof code === 'number' ? code & 0xff : undefined;
}

const SQLITE_BUSY = 5;
const SQLITE_READONLY = 8;
const SQLITE_IOERR = 10;
const SQLITE_CORRUPT = 11;
const SQLITE_FULL = 13;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

const LEFT_AS_IT_IS = 'it is left as it is (move it away to start with an empty store)';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function openError(file: string, err: unknown): StoreOpenError {
  if (err instanceof StoreOpenError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = sqliteCode(err);
  let text: string;
  if (code === SQLITE_BUSY || /database is locked/.test(message))
    text = `${file} is in use by another process (is another nodelet running on this data directory?)`;
  else if (code === SQLITE_NOTADB) text = `${file} is not a nodelet store (${message}); ${LEFT_AS_IT_IS}`;
  else if (code === SQLITE_CORRUPT || err instanceof SyntaxError)
    text = `${file} is damaged (${message}); ${LEFT_AS_IT_IS}`;
  else if (code === SQLITE_FULL) text = `${file}: the disk is full (${message})`;
  else if (code === SQLITE_READONLY) text = `${file} cannot be written (${message}): is the disk read-only?`;
  else if (code === SQLITE_CANTOPEN && isDirectory(file)) text = `${file} is a directory, not a store file`;
  else if (code === SQLITE_CANTOPEN)
    text = `${file} cannot be opened (${message}): is its directory writable, and the disk not read-only?`;
  else if (code === SQLITE_IOERR) text = `${file}: I/O error (${message})`;
  else text = `${file}: ${message}`;
  return new StoreOpenError(text, { cause: err });
}

class SqlitePersistence implements Persistence {
  private readonly db: DatabaseSync;
  private readonly putStmt: StatementSync;
  private readonly removeStmt: StatementSync;
  private readonly rvStmt: StatementSync;

  private readonly file: string;

  constructor(db: DatabaseSync, file: string) {
    this.db = db;
    this.file = file;
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
      // A failed COMMIT (a full disk) may have ended the transaction already; a second error
      // from ROLLBACK would hide the first.
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      if (sqliteCode(err) === SQLITE_FULL) {
        throw new StoreFullError(
          `the store's disk is full: ${this.file}: ${(err as Error).message}; the write was not made`,
          { cause: err },
        );
      }
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
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(file);
    } catch (err) {
      throw openError(file, err);
    }
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
        throw new StoreOpenError(
          `${file}: store schema ${schema.value} is not supported (expected ${SCHEMA_VERSION}); ${LEFT_AS_IT_IS}`,
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
        object: parseRow(r),
      }));
      return new SqliteStore(
        file,
        new SqlitePersistence(db, file),
        { rv: Number(meta.value), objects },
        options,
      );
    } catch (err) {
      db.close();
      throw openError(file, err);
    }
  }
}

function parseRow(r: { resource: string; namespace: string; name: string; data: string }): StoredObject {
  try {
    return JSON.parse(r.data) as StoredObject;
  } catch (err) {
    throw new SyntaxError(
      `the stored object ${r.resource}/${r.namespace}/${r.name} is not JSON: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
