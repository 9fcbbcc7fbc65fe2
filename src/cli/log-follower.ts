// Follows containers' CRI-format log files and hands each new line's content on, for the
// `[pod/container]` lines of the `nodelet run` stream.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

interface Followed {
  path: string;
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
    if (!this.files.has(path)) this.files.set(path, { path, offset: 0, partial: '', prefix });
  }

  /** Reads whatever was appended since the last poll. */
  poll(): void {
    for (const f of this.files.values()) {
      let size: number;
      try {
        size = statSync(f.path).size;
      } catch {
        continue;
      }
      if (size <= f.offset) continue;
      const fd = openSync(f.path, 'r');
      try {
        const buf = Buffer.alloc(size - f.offset);
        const n = readSync(fd, buf, 0, buf.length, f.offset);
        f.offset += n;
        const text = f.partial + buf.subarray(0, n).toString('utf8');
        const lines = text.split('\n');
        f.partial = lines.pop() ?? '';
        for (const line of lines) {
          const m = /^\S+ (stdout|stderr) ([FP]) (.*)$/.exec(line);
          if (m) this.out(f.prefix, m[1] ?? 'stdout', m[3] ?? '');
        }
      } finally {
        closeSync(fd);
      }
    }
  }
}
