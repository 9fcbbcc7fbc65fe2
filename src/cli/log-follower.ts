// Follows containers' CRI-format log files and hands each new line's content on, for the
// `[pod/container]` lines of the `nodelet run` stream. A log rotated away (renamed, a new file at
// the path, as the log manager does) is read to its end first, then the new file from its start.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

interface Followed {
  path: string;
  fd: number | undefined;
  ino: number;
  offset: number;
  partial: string;
  prefix: string;
}

export class LogFollower {
  private readonly files = new Map<string, Followed>();
  private readonly out: (prefix: string, stream: string, line: string) => void;

  constructor(out: (prefix: string, stream: string, line: string) => void) {
    this.out = out;
  }

  follow(path: string, prefix: string): void {
    if (!this.files.has(path))
      this.files.set(path, { path, fd: undefined, ino: -1, offset: 0, partial: '', prefix });
  }

  /** Reads whatever was appended since the last poll. */
  poll(): void {
    for (const f of this.files.values()) {
      let ino: number;
      try {
        ino = statSync(f.path).ino;
      } catch {
        if (f.fd !== undefined) this.drain(f);
        continue;
      }
      if (f.fd !== undefined && ino !== f.ino) {
        this.drain(f);
        closeSync(f.fd);
        f.fd = undefined;
      }
      if (f.fd === undefined) {
        try {
          f.fd = openSync(f.path, 'r');
        } catch {
          continue;
        }
        f.ino = fstatSync(f.fd).ino;
        f.offset = 0;
        f.partial = '';
      }
      this.drain(f);
    }
  }

  /** Closes every file followed. */
  close(): void {
    for (const f of this.files.values()) if (f.fd !== undefined) closeSync(f.fd);
    this.files.clear();
  }

  private drain(f: Followed): void {
    if (f.fd === undefined) return;
    const size = fstatSync(f.fd).size;
    if (size < f.offset) f.offset = 0; // truncated in place
    if (size <= f.offset) return;
    const buf = Buffer.alloc(size - f.offset);
    const n = readSync(f.fd, buf, 0, buf.length, f.offset);
    f.offset += n;
    const text = f.partial + buf.subarray(0, n).toString('utf8');
    const lines = text.split('\n');
    f.partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^\S+ (stdout|stderr) ([FP]) (.*)$/.exec(line);
      if (m) this.out(f.prefix, m[1] ?? 'stdout', m[3] ?? '');
    }
  }
}
