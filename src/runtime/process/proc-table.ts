// A look at the host's process table through /proc (Linux), to find every process that belongs to
// a container even after it left the main process group (setsid, a TTY session) and to tell a
// live process from a zombie or a recycled PID.
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** One-letter state from /proc/<pid>/stat: R, S, D, Z, T, … */
  state: string;
  /** Start time in clock ticks since boot: with the PID, identifies one process for good. */
  startTime: number;
}

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so fields are taken after the last ')'. */
export function parseStat(text: string): ProcInfo | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const f = text.slice(close + 2).split(' ');
  // Fields after the name: state(3) ppid(4) pgrp(5) session(6) … starttime(22).
  const [state = '?', ppid = '0', pgid = '0', sid = '0'] = f;
  const startTime = Number(f[19] ?? 0);
  return { pid, ppid: Number(ppid), pgid: Number(pgid), sid: Number(sid), state, startTime };
}

export function procInfo(pid: number): ProcInfo | undefined {
  try {
    return parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function listProcs(): ProcInfo[] {
  const out: ProcInfo[] = [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const info = procInfo(Number(name));
    if (info) out.push(info);
  }
  return out;
}

/** True while the process exists and is not a zombie (a zombie has died; only its parent's wait is missing). */
export function isLive(pid: number, startTime?: number): boolean {
  const info = procInfo(pid);
  if (!info || info.state === 'Z' || info.state === 'X') return false;
  return startTime === undefined || info.startTime === startTime;
}

function envHas(env: Buffer, entry: string): boolean {
  const needle = Buffer.from(`${entry}\0`);
  if (env.subarray(0, needle.length).equals(needle)) return true;
  return env.includes(Buffer.concat([Buffer.from([0]), needle]));
}

/** Whether /proc/<pid>/environ holds the entry `name=value` exactly. */
export function hasEnv(pid: number, entry: string): boolean {
  try {
    return envHas(readFileSync(`/proc/${pid}/environ`), entry);
  } catch {
    return false;
  }
}

function candidate(p: ProcInfo, minStartTime: number | undefined): boolean {
  // Kernel threads (children of kthreadd) have no environment; older processes cannot belong.
  if (p.pid === process.pid || p.pid === 2 || p.ppid === 2) return false;
  if (p.state === 'Z' || p.state === 'X') return false;
  return minStartTime === undefined || p.startTime >= minStartTime;
}

/**
 * Live processes whose environment carries the entry: a container's processes, wherever they
 * went. minStartTime (the main process's start time) skips the environ of older processes.
 */
export function procsWithEnv(entry: string, minStartTime?: number): ProcInfo[] {
  return listProcs().filter((p) => candidate(p, minStartTime) && hasEnv(p.pid, entry));
}

/** procsWithEnv without blocking the event loop: /proc is read through the thread pool. */
export async function procsWithEnvAsync(entry: string, minStartTime?: number): Promise<ProcInfo[]> {
  let names: string[];
  try {
    names = (await readdir('/proc')).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const out: ProcInfo[] = [];
  const BATCH = 32;
  for (let i = 0; i < names.length; i += BATCH) {
    await Promise.all(
      names.slice(i, i + BATCH).map(async (name) => {
        try {
          const info = parseStat(await readFile(`/proc/${name}/stat`, 'utf8'));
          if (!info || !candidate(info, minStartTime)) return;
          if (envHas(await readFile(`/proc/${name}/environ`), entry)) out.push(info);
        } catch {
          // Gone meanwhile, or not readable.
        }
      }),
    );
  }
  return out;
}

interface EnvQuery {
  entry: string;
  minStartTime: number | undefined;
  found: ProcInfo[];
}

let queued: { query: EnvQuery; resolve: (found: ProcInfo[]) => void }[] = [];

/**
 * procsWithEnv, answered right after the current turn of the event loop by one scan for every
 * query made in that turn: a burst of container exits, each wanting its stragglers, reads each
 * process's stat and environ once instead of once per container.
 */
export function procsWithEnvSoon(entry: string, minStartTime?: number): Promise<ProcInfo[]> {
  return new Promise((resolve) => {
    queued.push({ query: { entry, minStartTime, found: [] }, resolve });
    if (queued.length === 1) setImmediate(scanQueued);
  });
}

function scanQueued(): void {
  const batch = queued;
  queued = [];
  try {
    scanFor(batch.map((b) => b.query));
  } finally {
    for (const b of batch) b.resolve(b.query.found);
  }
}

function scanFor(queries: EnvQuery[]): void {
  for (const info of listProcs()) {
    const wanting = queries.filter((q) => candidate(info, q.minStartTime));
    if (wanting.length === 0) continue;
    let env: Buffer;
    try {
      env = readFileSync(`/proc/${info.pid}/environ`);
    } catch {
      continue; // gone meanwhile, or not readable
    }
    for (const q of wanting) if (envHas(env, q.entry)) q.found.push(info);
  }
}
