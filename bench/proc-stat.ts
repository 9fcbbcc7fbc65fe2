// CPU time and resident memory of a process, read from /proc by another process so that the
// measurement costs the measured process nothing.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface CpuTimes {
  /** User and system time in clock ticks (utime, stime). */
  utime: number;
  stime: number;
  /** Of waited-for children (cutime, cstime): the probes' and containers' own processes. */
  cutime: number;
  cstime: number;
}

/**
 * Parses /proc/PID/stat. The command name (field 2) is in parentheses and may itself hold spaces
 * and parentheses, so the fields are counted from the last ')'.
 */
export function parseStat(text: string): CpuTimes {
  const close = text.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/PID/stat line');
  // After ')': field 3 (state) is at index 0, so field n is at index n − 3.
  const f = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const num = (field: number): number => {
    const v = Number(f[field - 3]);
    if (!Number.isFinite(v)) throw new Error(`field ${field} of /proc/PID/stat is not a number`);
    return v;
  };
  return { utime: num(14), stime: num(15), cutime: num(16), cstime: num(17) };
}

/** VmRSS from /proc/PID/status, in bytes. */
export function parseRss(statusText: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(statusText);
  if (!m) throw new Error('no VmRSS in /proc/PID/status');
  return Number(m[1]) * 1024;
}

let ticks: number | undefined;

/** Clock ticks per second (sysconf(_SC_CLK_TCK)); 100 on Linux unless getconf says otherwise. */
export function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

export interface ProcSample {
  /** User + system CPU of the process itself, in µs. */
  cpuMicros: number;
  /** Of its waited-for children, in µs. */
  childCpuMicros: number;
  rssBytes: number;
}

export function sample(pid: number): ProcSample {
  const t = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const us = 1e6 / clockTicks();
  return {
    cpuMicros: (t.utime + t.stime) * us,
    childCpuMicros: (t.cutime + t.cstime) * us,
    rssBytes: parseRss(readFileSync(`/proc/${pid}/status`, 'utf8')),
  };
}
