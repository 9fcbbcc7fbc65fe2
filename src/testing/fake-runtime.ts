// A scripted, in-memory ContainerRuntime for the kubelet's unit tests on the FakeClock. Each
// container name gets a script (how long it runs, its exit code, what it does at the stop signal,
// what exec returns), optionally one per attempt; every call is recorded with the clock time, so a
// test can assert the order and arguments of what the kubelet did.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  exitReason,
  NotFoundError,
  RuntimeError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecResult,
  type ExecSession,
  type ExecStreamOptions,
  type ExecSyncOptions,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type RuntimeEvent,
} from '../runtime/runtime.ts';
import type { Clock, Timer } from '../util/clock.ts';
import { formatRfc3339Nano } from '../runtime/cri-log.ts';
import { constants } from 'node:os';

/** What one exec returns; delayMs makes it take that long on the clock. */
export interface FakeExecResult {
  exitCode: number;
  stdout?: string;
  stderr?: string;
  delayMs?: number;
}

export interface ContainerScript {
  /** Exits by itself this long after start; runs until stopped when unset. */
  exitAfterMs?: number;
  /** Code of that exit (0 by default). */
  exitCode?: number;
  /**
   * What the stop signal does: 'exit' (default) dies of it at once (128 + signal: 143 for
   * SIGTERM); 'ignore' runs on until SIGKILL at the timeout (137); an object exits with that code
   * after afterMs, or is SIGKILLed if the timeout comes first.
   */
  onStop?: 'exit' | 'ignore' | { afterMs: number; exitCode: number };
  /** createContainer throws RuntimeError(kind, message): CreateContainerError by default. */
  createError?: string | { kind: RuntimeError['kind']; message: string };
  /** startContainer throws RuntimeError('RunContainerError', message); the container is StartError, 128. */
  startError?: string;
  /** Answers exec/execSync; a thrown error is the exec error. Default: exit 0, no output. */
  exec?: (command: string[]) => FakeExecResult | Promise<FakeExecResult>;
  /** Lines written to the log file at start (needs the root option). */
  logs?: string[];
  /** Written to the termination-message file when the container exits (needs the root option). */
  terminationMessage?: string;
}

export type FakeCallOp =
  | 'runPodSandbox'
  | 'stopPodSandbox'
  | 'removePodSandbox'
  | 'createContainer'
  | 'startContainer'
  | 'stopContainer'
  | 'removeContainer'
  | 'execSync'
  | 'exec';

export interface FakeCall {
  op: FakeCallOp;
  /** Clock time of the call. */
  at: number;
  podUid?: string;
  sandboxId?: string;
  containerId?: string;
  /** Container name and attempt, for container calls. */
  name?: string;
  attempt?: number;
  timeoutSeconds?: number;
  command?: string[];
}

export interface FakeRuntimeOptions {
  clock: Clock;
  /** When set, log files and termination-message files are really written under it. */
  root?: string;
  nodeIP?: string;
  /** Prepended to every ID, so several fakes behind one RuntimeSet never share an ID. */
  idPrefix?: string;
}

interface FakeContainer {
  status: ContainerStatus;
  config: ContainerConfig;
  script: ContainerScript;
  timer?: Timer;
  exited: Promise<void>;
  resolveExited: () => void;
}

const SIGKILL_EXIT = 128 + constants.signals.SIGKILL;

export class FakeRuntime implements ContainerRuntime {
  readonly name = 'fake';
  readonly version = '0.0.0';
  /** Every call, in order. */
  readonly calls: FakeCall[] = [];
  /** When set, the next runPodSandbox calls fail with this message. */
  sandboxError: string | undefined;

  private readonly clock: Clock;
  private readonly root: string | undefined;
  private readonly nodeIP: string;
  private readonly idPrefix: string;
  private readonly scripts = new Map<string, ContainerScript>();
  private readonly attemptScripts = new Map<string, ContainerScript[]>();
  private readonly sandboxes = new Map<string, PodSandboxStatus>();
  private readonly containers = new Map<string, FakeContainer>();
  private readonly listeners = new Set<(e: RuntimeEvent) => void>();
  private seq = 0;

  constructor(options: FakeRuntimeOptions) {
    this.clock = options.clock;
    this.root = options.root;
    this.nodeIP = options.nodeIP ?? '127.0.0.1';
    this.idPrefix = options.idPrefix ?? '';
  }

  // ---------------------------------------------------------------------------------------------
  // Scripting and inspection

  /** The script of every instance of a container name (unless scriptAttempts says otherwise). */
  script(name: string, script: ContainerScript): this {
    this.scripts.set(name, script);
    return this;
  }

  /** One script per attempt (restartCount); attempts past the list use script(name)'s, or the default. */
  scriptAttempts(name: string, scripts: ContainerScript[]): this {
    this.attemptScripts.set(name, scripts);
    return this;
  }

  /** The ops recorded, optionally for one container name: e.g. ['createContainer', 'startContainer']. */
  ops(name?: string): FakeCallOp[] {
    return this.calls.filter((c) => name === undefined || c.name === name).map((c) => c.op);
  }

  /** Instances of a container name, newest first. */
  instances(name: string, podUid?: string): ContainerStatus[] {
    return [...this.containers.values()]
      .map((c) => c.status)
      .filter((s) => s.name === name && (podUid === undefined || s.podUid === podUid))
      .sort((a, b) => b.attempt - a.attempt || b.createdAt - a.createdAt)
      .map((s) => ({ ...s }));
  }

  /** Makes a running container exit now with the code (a crash, an OOM kill with reason). */
  exit(containerId: string, exitCode: number, reason?: string): void {
    const c = this.containers.get(containerId);
    if (!c || c.status.state !== 'running') return;
    this.finish(c, exitCode, reason);
  }

  // ---------------------------------------------------------------------------------------------
  // ContainerRuntime

  runPodSandbox(config: PodSandboxConfig, signal?: AbortSignal): Promise<PodSandboxStatus> {
    this.record({ op: 'runPodSandbox', podUid: config.podUid });
    signal?.throwIfAborted();
    if (this.sandboxError !== undefined) return Promise.reject(new Error(this.sandboxError));
    const s: PodSandboxStatus = {
      id: this.newId('sandbox'),
      podUid: config.podUid,
      podName: config.podName,
      namespace: config.namespace,
      attempt: config.attempt,
      state: 'ready',
      ips: [this.nodeIP],
      createdAt: this.clock.now(),
    };
    this.sandboxes.set(s.id, s);
    return Promise.resolve({ ...s, ips: [...s.ips] });
  }

  stopPodSandbox(sandboxId: string): Promise<void> {
    const s = this.sandboxes.get(sandboxId);
    this.record({ op: 'stopPodSandbox', sandboxId, ...(s ? { podUid: s.podUid } : {}) });
    if (s) s.state = 'notready';
    return Promise.resolve();
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const s = this.sandboxes.get(sandboxId);
    this.record({ op: 'removePodSandbox', sandboxId, ...(s ? { podUid: s.podUid } : {}) });
    for (const c of [...this.containers.values()]) {
      if (c.status.sandboxId === sandboxId) await this.removeContainer(c.status.id);
    }
    this.sandboxes.delete(sandboxId);
  }

  listPodSandboxes(podUid?: string): Promise<PodSandboxStatus[]> {
    return Promise.resolve(
      [...this.sandboxes.values()]
        .filter((s) => podUid === undefined || s.podUid === podUid)
        .map((s) => ({ ...s, ips: [...s.ips] })),
    );
  }

  createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = this.sandboxes.get(sandboxId);
    this.record({
      op: 'createContainer',
      sandboxId,
      name: config.name,
      attempt: config.attempt,
      command: [...config.command],
      ...(sandbox ? { podUid: sandbox.podUid } : {}),
    });
    if (!sandbox) {
      return Promise.reject(
        new RuntimeError('CreateContainerError', `failed to get sandbox "${sandboxId}": not found`),
      );
    }
    const script = this.scriptFor(config.name, config.attempt);
    if (script.createError !== undefined) {
      const e =
        typeof script.createError === 'string'
          ? { kind: 'CreateContainerError' as const, message: script.createError }
          : script.createError;
      return Promise.reject(new RuntimeError(e.kind, e.message));
    }
    const id = this.newId(config.name);
    const base = this.root ?? '/nonexistent/fake-runtime';
    const status: ContainerStatus = {
      id,
      sandboxId,
      podUid: sandbox.podUid,
      name: config.name,
      attempt: config.attempt,
      state: 'created',
      image: config.image,
      imageRef: config.image,
      labels: { ...config.labels },
      createdAt: this.clock.now(),
      logPath: join(
        base,
        'logs',
        `${sandbox.namespace}_${sandbox.podName}_${sandbox.podUid}`,
        config.name,
        `${config.attempt}.log`,
      ),
      terminationMessageHostPath: join(
        base,
        'pods',
        sandbox.podUid,
        config.name,
        String(config.attempt),
        config.terminationMessagePath,
      ),
    };
    let resolveExited!: () => void;
    const exited = new Promise<void>((r) => (resolveExited = r));
    this.containers.set(id, { status, config, script, exited, resolveExited });
    if (this.root) {
      mkdirSync(dirname(status.terminationMessageHostPath as string), { recursive: true });
      writeFileSync(status.terminationMessageHostPath as string, '');
    }
    return Promise.resolve(id);
  }

  startContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    this.record({ op: 'startContainer', containerId, ...this.who(c) });
    if (!c) return Promise.reject(new NotFoundError(`container "${containerId}" not found`));
    if (c.status.state !== 'created') {
      return Promise.reject(
        new RuntimeError(
          'RunContainerError',
          `container is in CONTAINER_${c.status.state.toUpperCase()} state`,
        ),
      );
    }
    const now = this.clock.now();
    if (c.script.startError !== undefined) {
      Object.assign(c.status, {
        state: 'exited',
        exitCode: 128,
        reason: 'StartError',
        message: c.script.startError,
        finishedAt: now,
      });
      c.resolveExited();
      this.emit({ type: 'ContainerDied', podUid: c.status.podUid, containerId });
      return Promise.reject(new RuntimeError('RunContainerError', c.script.startError));
    }
    c.status.state = 'running';
    c.status.startedAt = now;
    c.status.pid = 10_000 + this.seq;
    this.writeLogs(c);
    if (c.script.exitAfterMs !== undefined) {
      const code = c.script.exitCode ?? 0;
      c.timer = this.clock.setTimer(c.script.exitAfterMs, () => this.finish(c, code));
    }
    this.emit({ type: 'ContainerStarted', podUid: c.status.podUid, containerId });
    return Promise.resolve();
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const c = this.containers.get(containerId);
    this.record({ op: 'stopContainer', containerId, timeoutSeconds, ...this.who(c) });
    if (!c) throw new NotFoundError(`container "${containerId}" not found`);
    if (c.status.state !== 'running') return;
    const signal = c.config.stopSignal ?? 'SIGTERM';
    const onStop = c.script.onStop ?? 'exit';
    const graceMs = Math.max(0, timeoutSeconds) * 1000;
    if (graceMs === 0) {
      this.finish(c, SIGKILL_EXIT);
    } else if (onStop === 'exit') {
      this.finish(c, 128 + constants.signals[signal]);
    } else {
      // Runs on past the signal: it exits by its own script, or SIGKILL comes at the timeout.
      const kill = this.clock.setTimer(graceMs, () => this.finish(c, SIGKILL_EXIT));
      if (typeof onStop === 'object' && onStop.afterMs < graceMs) {
        c.timer?.cancel();
        c.timer = this.clock.setTimer(onStop.afterMs, () => this.finish(c, onStop.exitCode));
      }
      await c.exited;
      kill.cancel();
    }
    await c.exited;
  }

  removeContainer(containerId: string): Promise<void> {
    const c = this.containers.get(containerId);
    this.record({ op: 'removeContainer', containerId, ...this.who(c) });
    if (!c) return Promise.resolve();
    // As the CRI: a running container is killed first.
    if (c.status.state === 'running') this.finish(c, SIGKILL_EXIT);
    this.containers.delete(containerId);
    return Promise.resolve();
  }

  listContainers(podUid?: string): Promise<ContainerStatus[]> {
    return Promise.resolve(
      [...this.containers.values()]
        .map((c) => c.status)
        .filter((s) => podUid === undefined || s.podUid === podUid)
        .map((s) => ({ ...s, labels: { ...s.labels } })),
    );
  }

  containerStatus(containerId: string): Promise<ContainerStatus> {
    const c = this.containers.get(containerId);
    if (!c) return Promise.reject(new NotFoundError(`container "${containerId}" not found`));
    return Promise.resolve({ ...c.status, labels: { ...c.status.labels } });
  }

  async execSync(containerId: string, command: string[], options: ExecSyncOptions): Promise<ExecResult> {
    const c = this.containers.get(containerId);
    this.record({ op: 'execSync', containerId, command: [...command], ...this.who(c) });
    const script = this.execTarget(c, containerId);
    const res = await script(command);
    const delay = res.delayMs ?? 0;
    const timeout = options.timeoutMs > 0 ? options.timeoutMs : Infinity;
    if (delay > 0 || options.signal) {
      // The exec takes its time on the clock; a timeout or an abort ends it first.
      const ac = new AbortController();
      const onAbort = (): void => ac.abort(options.signal?.reason);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        if (options.signal?.aborted) throw options.signal.reason;
        const wait = Math.min(delay, timeout);
        if (wait > 0) await this.clock.sleep(wait, ac.signal);
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
      if (delay > timeout)
        return { exitCode: SIGKILL_EXIT, stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), timedOut: true };
    }
    const cap = options.maxOutputBytes ?? Infinity;
    const out = (s: string | undefined): Buffer => {
      const b = Buffer.from(s ?? '');
      return b.length > cap ? b.subarray(0, cap) : b;
    };
    return { exitCode: res.exitCode, stdout: out(res.stdout), stderr: out(res.stderr), timedOut: false };
  }

  async exec(containerId: string, command: string[], options: ExecStreamOptions): Promise<ExecSession> {
    const c = this.containers.get(containerId);
    this.record({ op: 'exec', containerId, command: [...command], ...this.who(c) });
    const script = this.execTarget(c, containerId);
    const res = await script(command);
    const stdout = new PassThrough();
    const stderr = options.tty ? null : new PassThrough();
    const stdin = options.stdin ? new PassThrough() : null;
    stdin?.resume();
    let killed = false;
    let finish!: (code: number) => void;
    const exit = new Promise<number>((r) => (finish = r));
    const done = (code: number): void => {
      stdout.end(options.tty ? `${res.stdout ?? ''}${res.stderr ?? ''}` : (res.stdout ?? ''));
      stderr?.end(res.stderr ?? '');
      finish(code);
    };
    const timer = this.clock.setTimer(res.delayMs ?? 0, () => !killed && done(res.exitCode));
    return {
      stdin,
      stdout,
      stderr,
      exit,
      resize: () => undefined,
      kill: () => {
        if (killed) return;
        killed = true;
        timer.cancel();
        done(SIGKILL_EXIT);
      },
    };
  }

  watch(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.listeners.clear();
    return Promise.resolve();
  }

  // ---------------------------------------------------------------------------------------------

  private scriptFor(name: string, attempt: number): ContainerScript {
    return this.attemptScripts.get(name)?.[attempt] ?? this.scripts.get(name) ?? {};
  }

  private execTarget(
    c: FakeContainer | undefined,
    containerId: string,
  ): (command: string[]) => FakeExecResult | Promise<FakeExecResult> {
    if (!c) throw new NotFoundError(`container "${containerId}" not found`);
    if (c.status.state !== 'running') {
      throw new Error(
        `failed to exec in container: container is in CONTAINER_${c.status.state.toUpperCase()} state`,
      );
    }
    return c.script.exec ?? (() => ({ exitCode: 0 }));
  }

  private finish(c: FakeContainer, exitCode: number, reason?: string): void {
    if (c.status.state !== 'running') return;
    c.timer?.cancel();
    c.status.state = 'exited';
    c.status.exitCode = exitCode;
    c.status.reason = reason ?? exitReason(exitCode);
    c.status.finishedAt = this.clock.now();
    delete c.status.pid;
    if (this.root && c.script.terminationMessage !== undefined && c.status.terminationMessageHostPath) {
      writeFileSync(c.status.terminationMessageHostPath, c.script.terminationMessage);
    }
    c.resolveExited();
    this.emit({ type: 'ContainerDied', podUid: c.status.podUid, containerId: c.status.id });
  }

  private writeLogs(c: FakeContainer): void {
    if (!this.root) return;
    mkdirSync(dirname(c.status.logPath), { recursive: true });
    const ts = formatRfc3339Nano(this.clock.now());
    const lines = (c.script.logs ?? []).map((l) => `${ts} stdout F ${l}\n`).join('');
    writeFileSync(c.status.logPath, lines, { flag: 'a' });
  }

  private who(c: FakeContainer | undefined): Pick<FakeCall, 'name' | 'attempt' | 'podUid'> {
    return c ? { name: c.status.name, attempt: c.status.attempt, podUid: c.status.podUid } : {};
  }

  private record(call: Omit<FakeCall, 'at'>): void {
    this.calls.push({ ...call, at: this.clock.now() });
  }

  private newId(prefix: string): string {
    return `${this.idPrefix}${prefix}-${++this.seq}`;
  }

  private emit(event: RuntimeEvent): void {
    for (const l of [...this.listeners]) l(event);
  }
}
