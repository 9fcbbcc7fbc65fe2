// CPU time and resident memory of a process, read from /proc by another process so that the
// measurement costs the measured process nothing.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuTimes {
  /** User and system time in clock ticks (utime, stime). */
  utime: number;
  stime: number;
  /** Of waited-for children (cutime, cstime): the probes' and containers' own processes. */
  cutime: number;
  cstime: number;
  /** The parent's PID (field 4). */
  ppid: number;
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
  return { utime: num(14), stime: num(15), cutime: num(16), cstime: num(17), ppid: num(4) };
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

/** What runs as part of a nodelet process besides itself: its spawner of probe and hook commands. */
const HELPER = 'spawner-child.ts';

/**
 * The nodelet process together with its helper processes (children whose command line names
 * spawner-child.ts): their own CPU is nodelet's, and what they waited for (the exec probes and
 * hooks they forked) counts as children's CPU, as it would if nodelet had forked them itself.
 */
export function sampleNode(pid: number): ProcSample {
  const total = sample(pid);
  for (const helper of helperPids(pid)) {
    try {
      const h = sample(helper);
      total.cpuMicros += h.cpuMicros;
      total.childCpuMicros += h.childCpuMicros;
      total.rssBytes += h.rssBytes;
    } catch {
      // gone between the scan and the read
    }
  }
  return total;
}

function helperPids(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (parseStat(readFileSync(`/proc/${name}/stat`, 'utf8')).ppid !== parent) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(HELPER)) out.push(Number(name));
    } catch {
      // a process that ended meanwhile
    }
  }
  return out;
}
