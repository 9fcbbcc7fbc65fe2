// Forks the process runtime's short-lived commands (exec probes, exec hooks: execSync) from a
// small long-lived child process (spawner-child.ts) instead of from nodelet itself. A fork's cost
// grows with the size of the process that forks — from a nodelet of a few hundred MB it was
// 40–48 % of the CPU profile at 1,000 probed pods — and it blocks the event loop while it runs.
// Timeouts and aborts stay with the caller, which signals the command's process group itself.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface SpawnerRequest {
  id: number;
  file: string;
  args: string[];
  argv0: string;
  cwd: string;
  env: Record<string, string>;
  /** Bytes kept of stdout and of stderr. */
  cap: number;
  /** How long to wait for the pipes after the exit (processes left in the background). */
  drainMs: number;
}

export type SpawnerReply =
  | { op: 'spawned'; id: number; pid: number }
  | { op: 'failed'; id: number; code: string; message: string }
  | {
      op: 'exit';
      id: number;
      code: number | null;
      signal: NodeJS.Signals | null;
      stdout: Uint8Array;
      stderr: Uint8Array;
    };

export interface SpawnedCommand {
  pid: number;
  /** The exit and what was captured; rejects when the spawner died before telling it. */
  result: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: Buffer }>;
}

interface Pending {
  spawned: (pid: number) => void;
  failed: (e: Error) => void;
  exit: (r: { code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: Buffer }) => void;
  lost: (e: Error) => void;
}

/** A spawn failure as spawn's own error: `code` is the errno name (ENOENT, EACCES, …). */
function spawnError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class Spawner {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  /** Starts the command; resolves once it runs (rejects as spawn would when it cannot). */
  run(req: Omit<SpawnerRequest, 'id'>): Promise<SpawnedCommand> {
    if (this.closed) return Promise.reject(new Error('the spawner is closed'));
    const child = this.ensureChild();
    const id = this.nextId++;
    return new Promise<SpawnedCommand>((resolveStart, rejectStart) => {
      let exitResolve!: Pending['exit'];
      let exitReject!: Pending['lost'];
      const result = new Promise<Awaited<SpawnedCommand['result']>>((res, rej) => {
        exitResolve = res;
        exitReject = rej;
      });
      result.catch(() => undefined);
      let started = false;
      this.pending.set(id, {
        spawned: (pid) => {
          started = true;
          resolveStart({ pid, result });
        },
        failed: (e) => {
          this.settle(id);
          rejectStart(e);
        },
        exit: (r) => {
          this.settle(id);
          exitResolve(r);
        },
        lost: (e) => {
          this.settle(id);
          if (started) exitReject(e);
          else rejectStart(e);
        },
      });
      child.channel?.ref();
      child.send({ ...req, id } satisfies SpawnerRequest);
    });
  }

  close(): void {
    this.closed = true;
    this.child?.kill('SIGKILL');
    this.child = undefined;
  }

  private settle(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.child?.channel?.unref();
  }

  private ensureChild(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(join(import.meta.dirname, 'spawner-child.ts'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv: [],
    });
    child.on('message', (m: SpawnerReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      if (m.op === 'spawned') p.spawned(m.pid);
      else if (m.op === 'failed') p.failed(spawnError(m.code, m.message));
      else
        p.exit({
          code: m.code,
          signal: m.signal,
          stdout: Buffer.from(m.stdout.buffer, m.stdout.byteOffset, m.stdout.byteLength),
          stderr: Buffer.from(m.stderr.buffer, m.stderr.byteOffset, m.stderr.byteLength),
        });
    });
    const gone = (): void => {
      if (this.child !== child) return;
      this.child = undefined;
      const lost = new Error('the spawner process ended before the command did');
      for (const p of [...this.pending.values()]) p.lost(lost);
    };
    child.once('exit', gone);
    child.once('error', gone);
    child.unref();
    child.channel?.unref();
    this.child = child;
    return child;
  }
}
