// The terminated state's message (reference §1.4): the termination-message file up to 4096 bytes,
// or with FallbackToLogsOnError and a failed exit, the last 80 log lines capped at 2048 bytes.
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import type { ContainerStatus as RuntimeContainer } from '../runtime/runtime.ts';
import type { SpecContainer } from './pod-util.ts';

const MAX_MESSAGE = 4096;
const MAX_LOG_BYTES = 2048;
const MAX_LOG_LINES = 80;

function readHead(path: string, max: number): string {
  try {
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(max);
      const n = readSync(fd, buf, 0, max, 0);
      return buf.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** The content of the last lines of a CRI-format log file (timestamps and stream tags removed). */
function logTail(path: string): string {
  try {
    const size = statSync(path).size;
    const text = readFileSync(path, 'utf8').slice(Math.max(0, size - 64 * 1024));
    const lines = text.split('\n').filter((l) => l);
    let out = '';
    for (const line of lines.slice(-MAX_LOG_LINES)) {
      const m = /^\S+ (?:stdout|stderr) ([FP]) (.*)$/.exec(line);
      const content = m ? m[2] : line;
      out += m?.[1] === 'P' ? content : `${content}\n`;
    }
    return out.length > MAX_LOG_BYTES ? out.slice(out.length - MAX_LOG_BYTES) : out;
  } catch {
    return '';
  }
}

export class TerminationMessages {
  private readonly cache = new Map<string, string>();

  get(c: RuntimeContainer, sc: SpecContainer): string | undefined {
    if (c.state !== 'exited') return undefined;
    const hit = this.cache.get(c.id);
    if (hit !== undefined) return hit || undefined;
    let msg = c.terminationMessageHostPath ? readHead(c.terminationMessageHostPath, MAX_MESSAGE) : '';
    if (
      !msg &&
      sc.container.terminationMessagePolicy === 'FallbackToLogsOnError' &&
      c.exitCode !== 0 &&
      c.reason !== 'ContainerCannotRun'
    ) {
      msg = logTail(c.logPath);
    }
    this.cache.set(c.id, msg);
    return msg || undefined;
  }

  forget(ids: Iterable<string>): void {
    for (const id of ids) this.cache.delete(id);
  }
}
