// runc and conmon, driven as CRI-O drives them: conmon runs `runc create` for a container and then
// stays as its parent (double-forked away from nodelet), holding stdio, writing the CRI-format log
// (`-l k8s-file:PATH`) and, when the container ends, its exit code to `<exit dir>/<id>`. So a
// container and its log outlive a nodelet restart, and the exit code is never lost.
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface RuncPaths {
  runc: string;
  conmon: string;
  /** runc --root: runc's own state. */
  stateRoot: string;
  exitDir: string;
  socketDir: string;
}

/** Finds a program in the usual places (sbin directories may be missing from PATH). */
export function findProgram(name: string): string | undefined {
  const dirs = [
    ...(process.env.PATH ?? '').split(':'),
    '/usr/local/sbin',
    '/usr/local/bin',
    '/usr/sbin',
    '/usr/bin',
    '/sbin',
    '/bin',
    '/usr/libexec/podman',
  ];
  for (const d of dirs) {
    if (d && existsSync(`${d}/${name}`)) return `${d}/${name}`;
  }
  return undefined;
}

export class Runc {
  readonly paths: RuncPaths;
  constructor(paths: RuncPaths) {
    this.paths = paths;
  }

  private async run(args: string[]): Promise<string> {
    try {
      const { stdout } = await execFileP(this.paths.runc, ['--root', this.paths.stateRoot, ...args], {
        maxBuffer: 1 << 22,
      });
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; message: string };
      throw new Error(runcMessage(err.stderr ?? '') || err.message);
    }
  }

  /**
   * Starts conmon, which runs `runc create`; resolves with the container's PID once it is created
   * (conmon's sync pipe: `{"data": pid}`, or a negative value and the runtime's message).
   */
  async create(id: string, bundle: string, logPath: string, opts: { tty?: boolean } = {}): Promise<number> {
    const args = [
      '--api-version',
      '1',
      '-c',
      id,
      '-u',
      id,
      '-n',
      id,
      '-r',
      this.paths.runc,
      '-b',
      bundle,
      '-p',
      `${bundle}/pidfile`,
      '-P',
      `${bundle}/conmon.pid`,
      '--exit-dir',
      this.paths.exitDir,
      '--socket-dir-path',
      this.paths.socketDir,
      '-l',
      `k8s-file:${logPath}`,
      '--log-level',
      'error',
      '--runtime-arg',
      '--root',
      '--runtime-arg',
      this.paths.stateRoot,
      ...(opts.tty ? ['-t'] : []),
    ];
    // conmon writes its `oom` marker into its working directory: keep it in the bundle.
    const child = spawn(this.paths.conmon, args, {
      cwd: bundle,
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3' },
    });
    const sync = child.stdio[3] as Readable;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const message = await new Promise<{ data?: number; message?: string }>((res, rej) => {
      let buf = '';
      const done = (v: { data?: number; message?: string }): void => {
        sync.removeAllListeners('data');
        res(v);
      };
      sync.on('data', (d: Buffer) => {
        buf += d.toString();
        const nl = buf.indexOf('\n');
        const text = nl >= 0 ? buf.slice(0, nl) : buf;
        try {
          done(JSON.parse(text) as { data?: number; message?: string });
        } catch {
          // an incomplete message: wait for more
        }
      });
      sync.once('end', () =>
        done({ data: -1, message: stderr.trim() || buf.trim() || 'conmon exited without reporting' }),
      );
      child.once('error', rej);
    });
    // The pipe stays ours to drain: conmon may report again on it, and must not get SIGPIPE.
    sync.on('data', () => undefined);
    sync.on('error', () => undefined);
    child.unref();
    (sync as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
    if (typeof message.data !== 'number' || message.data <= 0) {
      throw new Error(runcMessage(message.message ?? '') || 'container create failed');
    }
    return message.data;
  }

  start(id: string): Promise<string> {
    return this.run(['start', id]);
  }

  kill(id: string, signal: string, all = false): Promise<string> {
    return this.run(['kill', ...(all ? ['--all'] : []), id, signal.replace(/^SIG/, '')]);
  }

  delete(id: string): Promise<string> {
    return this.run(['delete', '--force', id]);
  }

  async state(id: string): Promise<{ status: string; pid: number } | undefined> {
    try {
      return JSON.parse(await this.run(['state', id])) as { status: string; pid: number };
    } catch {
      return undefined;
    }
  }

  /** Runs a detached container without conmon (the sandbox's pause process). */
  async runDetached(id: string, bundle: string): Promise<number> {
    // The container inherits runc's stdio: no pipes (they would stay open), errors to a log file.
    const log = `${bundle}/runc.log`;
    const child = spawn(
      this.paths.runc,
      [
        '--root',
        this.paths.stateRoot,
        '--log',
        log,
        '--log-format',
        'json',
        'run',
        '--detach',
        '--bundle',
        bundle,
        '--pid-file',
        `${bundle}/pidfile`,
        id,
      ],
      { stdio: 'ignore' },
    );
    const code = await new Promise<number>((res, rej) => {
      child.once('error', rej);
      child.once('exit', (c) => res(c ?? 1));
    });
    if (code !== 0) {
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      throw new Error(runcMessage(text) || `runc run exited with ${code}`);
    }
    return Number(readFileSync(`${bundle}/pidfile`, 'utf8').trim());
  }

  /** The exit code conmon recorded, if the container has ended. */
  exitCode(id: string): number | undefined {
    const f = `${this.paths.exitDir}/${id}`;
    if (!existsSync(f)) return undefined;
    const text = readFileSync(f, 'utf8').trim();
    // conmon writes the file once the code is known; an empty file is still being written.
    if (text === '') return undefined;
    const n = Number(text);
    return Number.isFinite(n) ? n : 255;
  }
}

/** The useful part of runc's (or conmon's) error text: the msg of its last logrus line. */
export function runcMessage(text: string): string {
  const lines = text.trim().split('\n').filter(Boolean);
  for (const line of lines.reverse()) {
    const m = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
    if (m?.[1]) return m[1].replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    const j = /^\{.*"msg":"((?:[^"\\]|\\.)*)"/.exec(line);
    if (j?.[1]) return JSON.parse(`"${j[1]}"`) as string;
  }
  return lines[0]?.replace(/^\[conmon:\w\]:\s*/, '').trim() ?? '';
}
