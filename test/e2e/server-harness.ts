// Starts `nodelet server` as a user would (bin/nodelet.js on the project's Node) on a free port with
// a temporary data directory, and runs the real kubectl against the kubeconfig it writes.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const KUBECTL = '/usr/bin/kubectl';
export const hasKubectl = existsSync(KUBECTL);

const BIN = new URL('../../bin/nodelet.js', import.meta.url).pathname;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export class ServerUnderTest {
  readonly dir: string;
  readonly dataDir: string;
  readonly cacheDir: string;
  private child: ChildProcess | undefined;
  private output = '';
  url = '';
  /** Everything the server printed, for failure messages. */
  get log(): string {
    return this.output;
  }

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'nodelet-e2e-'));
    this.dataDir = join(this.dir, 'data');
    this.cacheDir = join(this.dir, 'kube-cache');
  }

  get kubeconfig(): string {
    return join(this.dataDir, 'kubeconfig');
  }

  /** Starts the server and waits until it prints where it serves. */
  async start(extraArgs: string[] = []): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'server',
        '--data-dir',
        this.dataDir,
        '--listen',
        '127.0.0.1:0',
        '--node-name',
        'e2e-node',
        ...extraArgs,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        this.output += d.toString();
        const m = /serving the Kubernetes API at (\S+)/.exec(this.output);
        if (m?.[1] && this.output.includes('export KUBECONFIG=')) {
          this.url = m[1];
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
      child.once('exit', (code) => reject(new Error(`nodelet server exited with ${code}:\n${this.output}`)));
    });
  }

  /** SIGTERM; resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill(signal);
    this.child = undefined;
    return exited;
  }

  kubectl(
    args: string[],
    options: { input?: string; env?: Record<string, string>; timeoutMs?: number } = {},
  ): Promise<Result> {
    return new Promise((resolve) => {
      const child = execFile(
        KUBECTL,
        args,
        {
          env: {
            ...process.env,
            KUBECONFIG: this.kubeconfig,
            KUBECACHEDIR: this.cacheDir,
            ...(options.env ?? {}),
          },
          timeout: options.timeoutMs ?? 60_000,
          maxBuffer: 16 * 1024 * 1024,
        },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
      else child.stdin?.end();
    });
  }

  /** kubectl that must succeed; returns stdout. */
  async ok(args: string[], options: { input?: string } = {}): Promise<string> {
    const r = await this.kubectl(args, options);
    if (r.code !== 0)
      throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stdout}${r.stderr}`);
    return r.stdout;
  }

  /** Polls until fn returns a value (not undefined) or the time is up. */
  async until<T>(
    what: string,
    fn: () => T | undefined | Promise<T | undefined>,
    timeoutMs = 30_000,
  ): Promise<T> {
    const end = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      try {
        const v = await fn();
        if (v !== undefined) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > end)
        throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** PIDs of processes started for this server's pods (their environment names its data dir). */
  podProcesses(): number[] {
    const out: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(this.dataDir)) out.push(Number(entry));
      } catch {
        // gone, or not ours to read
      }
    }
    return out;
  }

  /** Deletes what runs, stops the server, and makes sure no pod process outlives the test. */
  async cleanup(): Promise<void> {
    if (this.child) await this.kubectl(['delete', 'pods', '--all', '--grace-period=1', '--timeout=20s']);
    await this.stop('SIGTERM');
    for (const pid of this.podProcesses()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
