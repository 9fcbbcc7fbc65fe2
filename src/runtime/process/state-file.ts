// Durable JSON state for the process runtime: written whole to a temporary file, flushed, then
// renamed over the old one, so a crash leaves either the previous or the new content, never half.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export function readJsonFile<T>(path: string, fallback: T): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw e;
  }
  return JSON.parse(text) as T;
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
