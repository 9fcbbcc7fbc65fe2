// The harness's side of the nodelet process under test: forks node-agent.ts on the same Node,
// sends it requests and awaits the answers.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AgentRequest, AgentResponse, AgentResults } from './agent-protocol.ts';
import { withDeadline } from './deadline.ts';

const AGENT = fileURLToPath(new URL('./node-agent.ts', import.meta.url));

interface Hello {
  pid: number;
  path: string;
  startedAt: number;
  kubeconfig?: string;
}

export class Agent {
  readonly pid: number;
  /** How pods reach the node in this agent. */
  readonly path: string;
  /** When the node (its kubelet) started, ms since the epoch. */
  readonly startedAt: number;
  /** `nodelet server`'s kubeconfig, in server mode. */
  readonly kubeconfig: string | undefined;
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly exited: Promise<void>;

  private constructor(child: ChildProcess, hello: Hello) {
    this.child = child;
    this.pid = hello.pid;
    this.path = hello.path;
    this.startedAt = hello.startedAt;
    this.kubeconfig = hello.kubeconfig;
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
    child.on('message', (m: AgentResponse) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(m.error));
    });
    child.once('exit', (code, signal) => {
      for (const p of this.pending.values())
        p.reject(new Error(`the nodelet process exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  /** Starts the nodelet process: `nodelet server` (driven over HTTPS) or the in-process composition. */
  static start(mode: 'server' | 'in-process' | 'oci', maxPods = 1_200): Promise<Agent> {
    const child = fork(AGENT, [mode, String(maxPods)], {
      execArgv: [...process.execArgv],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout?.pipe(process.stderr);
    child.stderr?.pipe(process.stderr);
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null): void =>
        reject(new Error(`the nodelet process exited at start (${code})`));
      child.once('exit', onExit);
      child.once('message', (m: AgentResponse) => {
        child.off('exit', onExit);
        if (!m.ok) {
          child.once('exit', () => undefined);
          reject(new Error(m.error));
          return;
        }
        resolve(new Agent(child, m.result as Hello));
      });
    });
  }

  request<R extends AgentRequest>(req: R): Promise<AgentResults[R['op']]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...req, id });
    });
  }

  /** Stops the kubelet, kills the pods' processes and waits for the process to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      // A node too busy to answer still gets stopped: the exit handler kills what it started.
      await withDeadline(this.request({ op: 'shutdown' }), 20_000);
      this.child.disconnect();
      // SIGTERM still runs the agent's exit handler (which kills the pods); SIGKILL is the last resort.
      const term = setTimeout(() => this.child.kill('SIGTERM'), 15_000);
      const kill = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
      await this.exited;
      clearTimeout(term);
      clearTimeout(kill);
    }
  }
}
