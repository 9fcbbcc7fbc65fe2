// Finding every process a bench node left behind. Containers are not necessarily children of the
// nodelet process: the process runtime runs them under conmon, which detaches (as a shim does so
// that workloads outlive a kubelet restart). What they all carry is the node's own temporary
// directory, in their command line (conmon's paths) or their environment (the runtime's marker).
import { readdirSync, readFileSync } from 'node:fs';

/** Whether a process's /proc cmdline or environ (NUL-separated) mentions marker. */
export function mentions(cmdline: string, environ: string, marker: string): boolean {
  return cmdline.includes(marker) || environ.includes(marker);
}

function read(path: string): string {
  try {
    return readFileSync(path, 'latin1');
  } catch {
    return '';
  }
}

/** PIDs of live processes, other than this one, that mention marker. */
export function processesMentioning(marker: string): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (mentions(read(`/proc/${pid}/cmdline`), read(`/proc/${pid}/environ`), marker)) out.push(pid);
  }
  return out;
}

/** SIGKILLs them, shims and containers alike, repeating while new ones turn up (a shim may respawn). */
export function killProcessesMentioning(marker: string, passes = 3): number {
  const seen = new Set<number>();
  for (let i = 0; i < passes; i++) {
    const fresh = processesMentioning(marker).filter((p) => !seen.has(p));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      seen.add(pid);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  return seen.size;
}
