// Durable JSON state for the process runtime: written whole to a temporary file, flushed, then
// renamed over the old one, so a crash leaves either the previous or the new content, never half.
import {
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';

/** The file's text, or undefined when there is no such file. */
function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export function readJsonFile<T>(path: string, fallback: T): T {
  const text = readTextIfExists(path);
  return text === undefined ? fallback : (JSON.parse(text) as T);
}

export function writeJsonFileAtomic(path: string, value: unknown): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const data = Buffer.from(JSON.stringify(value, null, 1) + '\n');
  const fd = openSync(tmp, 'w', 0o600);
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * A set of records kept as a snapshot (`path`, a JSON array written by writeJsonFileAtomic) and a
 * journal beside it (`path.log`, one JSON line per change: the record, or `{"id", "removed": true}`).
 * A commit appends only what changed and fsyncs once, so its cost follows the change, not the
 * number of records. When the journal has grown past the snapshot (and 256 KiB), the snapshot is
 * rewritten and the journal emptied. A crash between those two steps is harmless: the journal's
 * last word on each record is what the new snapshot holds. A line cut short by a crash is ignored.
 */
export class RecordJournal<T extends { id: string }> {
  private readonly path: string;
  private readonly logPath: string;
  private logBytes = 0;
  private snapshotBytes = 0;

  constructor(path: string) {
    this.path = path;
    this.logPath = `${path}.log`;
  }

  /** The records as the last commit left them. */
  load(): Map<string, T> {
    const out = new Map<string, T>();
    const snapshot = readTextIfExists(this.path) ?? '[]';
    this.snapshotBytes = Buffer.byteLength(snapshot);
    for (const r of JSON.parse(snapshot) as T[]) out.set(r.id, r);
    const text = readTextIfExists(this.logPath) ?? '';
    this.logBytes = Buffer.byteLength(text);
    for (const line of text.split('\n')) {
      if (!line) continue;
      let entry: (T & { removed?: boolean }) | undefined;
      try {
        entry = JSON.parse(line) as T & { removed?: boolean };
      } catch {
        continue; // the tail of a write a crash cut short
      }
      if (entry.removed === true) out.delete(entry.id);
      else out.set(entry.id, entry);
    }
    return out;
  }

  /**
   * Writes the changes (a record, or undefined for one removed) durably; `all` gives every record
   * when the snapshot is rewritten.
   */
  commit(changes: ReadonlyMap<string, T | undefined>, all: () => T[]): void {
    if (changes.size === 0) return;
    if (this.logBytes > Math.max(256 * 1024, this.snapshotBytes)) {
      this.compact(all());
      return;
    }
    let text = '';
    for (const [id, rec] of changes) text += JSON.stringify(rec ?? { id, removed: true }) + '\n';
    const data = Buffer.from(text);
    const fd = openSync(this.logPath, 'a', 0o600);
    try {
      let off = 0;
      while (off < data.length) off += writeSync(fd, data, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.logBytes += data.length;
  }

  /** Rewrites the snapshot with every record and empties the journal. */
  compact(records: T[]): void {
    writeJsonFileAtomic(this.path, records);
    this.snapshotBytes = statSync(this.path).size;
    try {
      unlinkSync(this.logPath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.logBytes = 0;
  }
}

/** The records of a journal as a reader (a test, a tool) sees them, without keeping it open. */
export function readRecords<T extends { id: string }>(path: string): T[] {
  return [...new RecordJournal<T>(path).load().values()];
}
