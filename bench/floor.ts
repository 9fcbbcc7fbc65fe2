// The machine's floor for the process runtime, measured in the same process and the same run as
// nodelet: bare child_process.spawn of the same command, with no API, store, kubelet or runtime
// bookkeeping in between. nodelet's figures are reported as ratios to these.
import { spawn, type ChildProcess } from 'node:child_process';
import { now } from './pod-api.ts';

function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function start(command: readonly string[]): ChildProcess {
  const [file, ...args] = command;
  // As the process runtime starts a container: its own process group, output piped.
  return spawn(file as string, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export interface FloorTimes {
  /** request → the process exists ('spawn'), per process. */
  running: number[];
  /** request → the process exists and one run of the probe command exited, per process. */
  ready: number[];
}

/**
 * count spawns of command, one after the other (sequential) or all requested at once (burst).
 * With probe, each process is followed by one run of the probe command, as a readiness probe is.
 */
export async function spawnFloor(
  command: readonly string[],
  count: number,
  mode: 'sequential' | 'burst',
  probe?: readonly string[],
): Promise<FloorTimes> {
  const children: ChildProcess[] = [];
  const running: number[] = [];
  const ready: number[] = [];
  const one = async (t0: number, child: ChildProcess): Promise<void> => {
    await spawned(child);
    running.push(now() - t0);
    if (probe) {
      const p = start(probe);
      await exited(p);
      ready.push(now() - t0);
    }
  };
  try {
    if (mode === 'sequential') {
      for (let i = 0; i < count; i++) {
        const t0 = now();
        const child = start(command);
        children.push(child);
        await one(t0, child);
      }
    } else {
      const pending: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        const t0 = now();
        const child = start(command);
        children.push(child);
        pending.push(one(t0, child));
      }
      await Promise.all(pending);
    }
  } finally {
    for (const c of children) killGroup(c, 'SIGKILL');
    await Promise.all(children.map(exited));
  }
  return { running, ready };
}

/** SIGTERM → exit of a running process of command, one at a time: the container's own exit. */
export async function killFloor(command: readonly string[], count: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const child = start(command);
    await spawned(child);
    const gone = exited(child);
    const t0 = now();
    killGroup(child, 'SIGTERM');
    await gone;
    out.push(now() - t0);
  }
  return out;
}
