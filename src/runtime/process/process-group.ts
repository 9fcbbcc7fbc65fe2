// Signals and exit codes for host processes that stand in for containers.
import { constants } from 'node:os';
import { listProcs, procsWithEnv, procsWithEnvAsync, procsWithEnvSoon, type ProcInfo } from './proc-table.ts';

/** The number of a signal name (SIGTERM → 15). */
export function signalNumber(signal: NodeJS.Signals): number {
  return constants.signals[signal];
}

/**
 * The exit code a container runtime reports: the process's own code, or 128 + the signal number
 * when a signal ended it (SIGTERM → 143, SIGKILL → 137), as containerd and runc report it.
 */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  if (signal) return 128 + signalNumber(signal);
  return 255;
}

/** Sends a signal to a whole process group; false when that failed (the group is gone: ESRCH). */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  if (!(pgid > 1)) return false; // never -0 (our own group) or -1 (every process)
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Gone already, or not ours to signal.
  }
}

/**
 * SIGKILLs every live process whose environment carries the entry, repeating while new ones turn
 * up (a process may fork between the scan and the kill). This reaches processes that left the
 * main process group (setsid, daemons, exec sessions), the way a container's processes all die
 * with its PID namespace. minStartTime narrows the scan to processes started since the container.
 */
export function killProcsWithEnv(entry: string, minStartTime?: number, maxPasses = 5): number {
  const seen = new Set<number>();
  for (let pass = 0; pass < maxPasses; pass++) {
    if (!killFresh(procsWithEnv(entry, minStartTime), seen)) break;
  }
  return seen.size;
}

/** killProcsWithEnv reading /proc without blocking the event loop. */
export async function killProcsWithEnvAsync(
  entry: string,
  minStartTime?: number,
  maxPasses = 5,
): Promise<number> {
  const seen = new Set<number>();
  for (let pass = 0; pass < maxPasses; pass++) {
    if (!killFresh(await procsWithEnvAsync(entry, minStartTime), seen)) break;
  }
  return seen.size;
}

/**
 * killProcsWithEnv with each pass's scan shared by every caller of the same turn of the event loop
 * (procsWithEnvSoon): for a burst of container exits, one scan of /proc per pass, not one each.
 */
export async function killProcsWithEnvSoon(
  entry: string,
  minStartTime?: number,
  maxPasses = 5,
): Promise<number> {
  const seen = new Set<number>();
  for (let pass = 0; pass < maxPasses; pass++) {
    if (!killFresh(await procsWithEnvSoon(entry, minStartTime), seen)) break;
  }
  return seen.size;
}

function killFresh(found: ProcInfo[], seen: Set<number>): boolean {
  const fresh = found.filter((p) => !seen.has(p.pid));
  for (const p of fresh) {
    seen.add(p.pid);
    signalPid(p.pid, 'SIGKILL');
  }
  return fresh.length > 0;
}

/** SIGKILLs a process and everything below it in the process tree (children found through their ppid). */
export function killTree(rootPid: number): void {
  const procs = listProcs();
  const byParent = new Map<number, number[]>();
  for (const p of procs) {
    const list = byParent.get(p.ppid) ?? [];
    list.push(p.pid);
    byParent.set(p.ppid, list);
  }
  const order: number[] = [];
  const stack = [rootPid];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    order.push(pid);
    stack.push(...(byParent.get(pid) ?? []));
  }
  // Stop the tree first so no member forks or reparents while the rest are killed.
  for (const pid of order) signalPid(pid, 'SIGSTOP');
  for (const pid of order) signalPid(pid, 'SIGKILL');
}
