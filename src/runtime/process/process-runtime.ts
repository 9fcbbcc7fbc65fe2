// The process runtime: every container is a plain host process (no isolation, no image), started
// and watched the way containerd + runc start and watch a container, so the kubelet above sees the
// same states, exit codes, log files and error texts it would see from the CRI.
//
// Layout under root (see README.md):
//   sandboxes.json, containers.json          records: snapshots, with .log journals of changes
//   pods/<podUid>/containers/<name>/          a container's default working directory
//   pods/<podUid>/containers/<name>/<attempt>/<terminationMessagePath>
//   logs/<namespace>_<podName>_<podUid>/<name>/<attempt>.log   CRI-format log (as /var/log/pods)
import { containerStatusOf, sandboxStatusOf } from '../record-status.ts';
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { Clock, Timer } from '../../util/clock.ts';
import { CriLogFile, removeLogFiles, type CriLineWriter } from '../cri-log.ts';
import {
  exitReason,
  NotFoundError,
  RuntimeError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerState,
  type ContainerStatus,
  type ExecResult,
  type ExecSession,
  type ExecStreamOptions,
  type ExecSyncOptions,
  type KeyValue,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type RuntimeEvent,
} from '../runtime.ts';
import { ConmonShim, conmonPid, findConmon, readExitFile, reopenConmonLog } from './conmon-shim.ts';
import { DEFAULT_PATH, execFailure, lookPath, startFailure } from './exec-path.ts';
import {
  exitCodeOf,
  killProcsWithEnv,
  killProcsWithEnvAsync,
  killProcsWithEnvSoon,
  killTree,
  signalGroup,
} from './process-group.ts';
import { isLive, procInfo } from './proc-table.ts';
import { RecordJournal } from './state-file.ts';
import { Spawner, type SpawnedCommand } from './spawner.ts';
import { ptyOfScript, scriptArgs, scriptPath } from './tty-exec.ts';

/**
 * Carries the host path of the termination-message file to the process: on the host,
 * /dev/termination-log cannot be the real place. It also marks every process of the container
 * (children inherit it), which is how the runtime finds them all when the container dies.
 */
export const TERMINATION_MESSAGE_ENV = 'NODELET_TERMINATION_MESSAGE_PATH';

/** How long output may keep flowing after the main process died before the log is closed. */
const DRAIN_MS = 2000;
/** How often a process adopted from an earlier run (no pipe, no wait status) is checked for exit. */
const ADOPTED_POLL_MS = 1000;
/** How often conmon is checked for its end once the exit file is there. */
const CONMON_EXIT_POLL_MS = 5;
/** containerd's exit code for a task whose exit status was lost (unknownExitCode). */
const UNKNOWN_EXIT_CODE = 255;

export interface ProcessRuntimeOptions {
  /** Data directory of this runtime. */
  root: string;
  clock: Clock;
  /** The pod IP every sandbox reports (host network); 127.0.0.1 by default. */
  nodeIP?: string;
  /**
   * The supervising parent of each container: 'conmon' (the default where conmon is installed)
   * keeps containers, their logs and their exit codes across a nodelet restart; 'none' makes
   * nodelet the parent (output and exit codes are then lost when nodelet goes).
   */
  shim?: 'conmon' | 'none';
  /**
   * Whether execSync's commands are forked by a small helper process (spawner.ts; the default) or
   * by this process.
   */
  spawner?: boolean;
}

interface SandboxRecord extends PodSandboxStatus {
  hostname: string;
  labels: Record<string, string>;
}

interface ContainerRecord {
  id: string;
  sandboxId: string;
  podUid: string;
  podName: string;
  namespace: string;
  name: string;
  attempt: number;
  image: string;
  command: string[];
  env: KeyValue[];
  workingDir?: string;
  stopSignal?: NodeJS.Signals;
  stdin?: boolean;
  tty?: boolean;
  labels: Record<string, string>;
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  logPath: string;
  /** pods/<uid>/containers/<name>/, shared by the attempts of one container name. */
  dir: string;
  terminationMessageHostPath: string;
  /** The environment and directory the process was started with; exec uses the same. */
  runEnv?: Record<string, string>;
  cwd?: string;
  pid?: number;
  /** /proc start time of pid, so a recycled PID is never taken for the container after a restart. */
  pidStartTime?: number;
  /** Runs under conmon (conmon-shim.ts): its log and exit file outlive nodelet. */
  shimmed?: boolean;
}

interface LiveProcess {
  child: ChildProcess | undefined;
  /** The main process has been waited for; its PID (and so its group ID) may be reused. */
  reaped: boolean;
  exited: Promise<void>;
  poll?: Timer;
  /** The log file nodelet writes for a container it is the parent of (not under conmon). */
  log?: CriLogFile;
}

interface Started {
  child: ChildProcess;
  pid: number;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns and waits until the process exists (or failed to). The exit listener is attached at
 * once, so even an instant exit is seen; later 'error' events (nothing here sends any) are ignored
 * rather than left to crash the process.
 */
function spawnProcess(file: string, args: string[], options: SpawnOptions): Promise<Started> {
  const child = spawn(file, args, options);
  // A write to stdin after the process died fails with EPIPE; that is the process's end, not ours.
  for (const s of [child.stdin, child.stdout, child.stderr]) s?.on('error', () => undefined);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.once('exit', (code, signal) => res({ code, signal }));
  });
  return new Promise((res, rej) => {
    child.once('spawn', () => {
      child.on('error', () => undefined);
      res({ child, pid: child.pid as number, exit });
    });
    child.once('error', rej);
  });
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}

function newId(): string {
  return randomBytes(32).toString('hex');
}

function criState(state: ContainerState): string {
  return `CONTAINER_${state.toUpperCase()}`;
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? 'EIO';
}

/** Wording of a spawn failure as Go's os/exec gives it (`exec: "x": permission denied`). */
function spawnErrorDetail(file: string, e: unknown): string {
  const code = errnoOf(e);
  const text: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    ENOEXEC: 'exec format error',
    E2BIG: 'argument list too long',
  };
  return `exec: ${JSON.stringify(file)}: ${text[code] ?? (e as Error).message}`;
}

export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'process';
  readonly version = '0.1.0';

  private readonly root: string;
  private readonly clock: Clock;
  private readonly nodeIP: string;
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly live = new Map<string, LiveProcess>();
  /** Containers whose start is under way (a second start must fail, not spawn twice). */
  private readonly starting = new Set<string>();
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private closed = false;
  private readonly shim: ConmonShim | undefined;
  /** Forks execSync's commands from a small process (undefined: from this one). */
  private readonly spawner: Spawner | undefined;
  private readonly exitDir: string;
  private exitWatcher: FSWatcher | undefined;
  /** Shimmed containers being followed, by ID: checked on every exit-file change notice. */
  private readonly followers = new Map<string, () => void>();

  constructor(options: ProcessRuntimeOptions) {
    this.root = resolve(options.root);
    this.clock = options.clock;
    this.nodeIP = options.nodeIP ?? '127.0.0.1';
    mkdirSync(join(this.root, 'pods'), { recursive: true });
    mkdirSync(join(this.root, 'logs'), { recursive: true });
    this.sandboxJournal = new RecordJournal(join(this.root, 'sandboxes.json'));
    this.containerJournal = new RecordJournal(join(this.root, 'containers.json'));
    this.exitDir = join(this.root, 'exits');
    mkdirSync(this.exitDir, { recursive: true });
    const conmon = options.shim === 'none' ? undefined : findConmon();
    if (options.shim === 'conmon' && !conmon)
      throw new Error('the process runtime needs conmon, and it is not installed');
    this.shim = conmon ? new ConmonShim(conmon, join(this.root, 'shim')) : undefined;
    this.spawner = options.spawner === false ? undefined : new Spawner();
    try {
      this.exitWatcher = watch(this.exitDir, { persistent: false }, (_event, name) => {
        if (name) this.followers.get(String(name))?.();
      });
      this.exitWatcher.on('error', () => undefined);
    } catch {
      // No change notices: the once-a-second check still sees every exit.
    }
    this.load();
  }

  /** Whether containers run under a supervising parent that outlives nodelet. */
  get supervised(): boolean {
    return this.shim !== undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Persistence

  /** Sandbox records: a snapshot and a journal of changes (state-file.ts). */
  private readonly sandboxJournal: RecordJournal<SandboxRecord>;
  private readonly containerJournal: RecordJournal<ContainerRecord>;

  /** Records changed in memory and not yet written (see persist); '*' = rewrite them all. */
  private readonly unsaved = { sandboxes: new Set<string>(), containers: new Set<string>() };
  /** The save that will write them, once the current turn of the event loop is over. */
  private pendingSave: { done: Promise<void>; settle: (err?: Error) => void } | undefined;

  /**
   * A group commit: every change made in one turn of the event loop (a burst of pod starts, the
   * exits noticed together) is written with one append and one fsync per journal, right after that
   * turn, and only the records that changed are written (not every record, as a whole-file rewrite
   * would: a burst of n pods then cost O(n²) in serialising). The CRI calls that change records
   * resolve only once their change is on disk (saved()), so what the kubelet was told still
   * survives a crash. Without an id, every record of the kind is written again (a compaction).
   */
  private persist(what: 'sandboxes' | 'containers', id?: string): void {
    if (this.closed) return;
    this.unsaved[what].add(id ?? '*');
    if (this.pendingSave) return;
    let settle!: (err?: Error) => void;
    const done = new Promise<void>((res, rej) => {
      settle = (err) => (err === undefined ? res() : rej(err));
    });
    // A failed save is the business of the calls that wait for it (saved()); nobody else.
    done.catch(() => undefined);
    this.pendingSave = { done, settle };
    // Not a timer: "after the I/O callbacks of this turn", so it does not belong to the Clock.
    setImmediate(() => this.save());
  }

  /** Resolves once every change made so far is on disk; rejects when writing it failed. */
  private saved(): Promise<void> {
    return this.pendingSave?.done ?? Promise.resolve();
  }

  /**
   * Answers a read once the changes it would report are on disk (at once when none is waiting),
   * so nothing is reported that a crash could take back; a failed save does not fail the read.
   */
  private afterSave<T>(read: () => T): Promise<T> {
    if (!this.pendingSave) {
      try {
        return Promise.resolve(read());
      } catch (e) {
        return Promise.reject(asError(e));
      }
    }
    return this.pendingSave.done.catch(() => undefined).then(read);
  }

  private save(): void {
    const pending = this.pendingSave;
    this.pendingSave = undefined;
    try {
      this.writeUnsaved();
      pending?.settle();
    } catch (e) {
      pending?.settle(asError(e));
    }
  }

  private writeUnsaved(): void {
    // What fails to write stays unsaved: the next change (or close) writes it again.
    this.commit(this.sandboxJournal, this.unsaved.sandboxes, this.sandboxes);
    this.commit(this.containerJournal, this.unsaved.containers, this.containers);
  }

  private commit<T extends { id: string }>(
    journal: RecordJournal<T>,
    ids: Set<string>,
    records: ReadonlyMap<string, T>,
  ): void {
    if (ids.size === 0) return;
    if (ids.has('*')) journal.compact([...records.values()]);
    else journal.commit(new Map([...ids].map((id) => [id, records.get(id)])), () => [...records.values()]);
    ids.clear();
  }

  /**
   * Reads the records an earlier run left. A container that was running is adopted if its
   * process is still alive (same PID and start time): its exit is then noticed by polling, and
   * its exit code is unknown, since only the parent can wait for it and its output pipes died
   * with the earlier run. One whose process is gone is reported exited with code 255, as
   * containerd reports a task whose exit status was lost.
   */
  private load(): void {
    this.closedSince = true;
    try {
      this.loadRecords();
    } finally {
      this.closedSince = false;
    }
  }

  private loadRecords(): void {
    for (const [id, rec] of this.sandboxJournal.load()) this.sandboxes.set(id, rec);
    for (const [id, rec] of this.containerJournal.load()) this.containers.set(id, rec);
    let changed = false;
    for (const c of this.containers.values()) {
      if (c.state !== 'running') continue;
      if (c.shimmed) {
        // conmon recorded the exit, or is still there to record it.
        const exit = readExitFile(this.exitDir, c.id);
        const containerLive = c.pid !== undefined && isLive(c.pid, c.pidStartTime);
        const conmon = conmonPid(this.shimBundle(c));
        if (exit || containerLive || (conmon !== undefined && isLive(conmon))) {
          this.follow(
            c,
            { child: undefined, reaped: !containerLive, exited: Promise.resolve() },
            () => undefined,
          );
          continue;
        }
      }
      if (c.pid !== undefined && isLive(c.pid, c.pidStartTime)) {
        this.adopt(c);
      } else {
        this.markLost(c);
        changed = true;
      }
    }
    if (changed) this.persist('containers');
  }

  private adopt(c: ContainerRecord): void {
    let resolveExited!: () => void;
    const exited = new Promise<void>((r) => (resolveExited = r));
    const entry: LiveProcess = { child: undefined, reaped: false, exited };
    const check = (): void => {
      if (c.pid !== undefined && isLive(c.pid, c.pidStartTime)) {
        entry.poll = this.clock.setTimer(ADOPTED_POLL_MS, check);
        return;
      }
      entry.reaped = true;
      this.markLost(c);
      this.persist('containers', c.id);
      this.live.delete(c.id);
      resolveExited();
      this.emit({ type: 'ContainerDied', podUid: c.podUid, containerId: c.id });
    };
    entry.poll = this.clock.setTimer(ADOPTED_POLL_MS, check);
    this.live.set(c.id, entry);
  }

  private shimBundle(c: ContainerRecord): string {
    return join(c.dir, `${c.attempt}.shim`);
  }

  /**
   * Follows a container under conmon until its exit file says how it ended. When its main process
   * is gone, the rest of its processes are killed (they die with PID 1 in a real container), which
   * also lets conmon see the end of its output. Checked on exit-file notices and once a second.
   */
  private follow(
    c: ContainerRecord,
    start: LiveProcess,
    onExited: () => void,
    conmonGone?: Promise<void>,
  ): void {
    let resolveExited!: () => void;
    const entry: LiveProcess = { ...start, exited: new Promise<void>((r) => (resolveExited = r)) };
    let killed = false;
    let sweeping = false;
    let done = false;
    let drainFrom: number | undefined;
    // conmon's PID file is written once, before the container runs: read it once.
    let conmon: number | undefined;
    const poll = (): void => check(true);
    const check = (fromPoll = false): void => {
      if (done || sweeping) return;
      entry.poll?.cancel();
      // The once-a-second check of a container whose main process still runs stops there: conmon
      // writes the exit file only once it has waited for that process, and a change to the exit
      // directory (or conmon's end) checks at once. With many containers this is one read each.
      if (fromPoll && !killed && c.pid !== undefined && isLive(c.pid, c.pidStartTime)) {
        entry.poll = this.clock.setTimer(ADOPTED_POLL_MS, poll);
        return;
      }
      conmon ??= conmonPid(this.shimBundle(c));
      const conmonLive = conmon !== undefined && isLive(conmon);
      // Read after conmon's liveness: conmon writes the file before it exits.
      const exit = readExitFile(this.exitDir, c.id);
      const mainLive = c.pid !== undefined && isLive(c.pid, c.pidStartTime);
      if ((exit || !mainLive) && !killed) {
        killed = true;
        entry.reaped = true;
        // The leader is gone: what is left of its group, and whatever carries the mark, dies too.
        if (c.pid !== undefined && !mainLive) signalGroup(c.pid, 'SIGKILL');
        if (!this.closedSince) {
          // One scan of /proc right after this turn serves every exit noticed in it (a burst of
          // exits would otherwise scan once each); the container is not exited before it is done.
          sweeping = true;
          void killProcsWithEnvSoon(this.markerOf(c), c.pidStartTime)
            .catch(() => undefined)
            .then(() => {
              sweeping = false;
              check();
            });
          return;
        }
        killProcsWithEnv(this.markerOf(c), c.pidStartTime);
      }
      // conmon writes the exit file before it has read the pipes to the end and closed the log:
      // the container counts as exited once conmon is gone too (at most DRAIN_MS later), so
      // `kubectl logs` after the exit has all of it.
      if (exit && conmonLive && !this.closedSince) {
        drainFrom ??= this.clock.now();
        if (this.clock.now() - drainFrom < DRAIN_MS) {
          entry.poll = this.clock.setTimer(CONMON_EXIT_POLL_MS, check);
          return;
        }
      }
      if (exit) {
        done = true;
        this.followers.delete(c.id);
        c.state = 'exited';
        c.exitCode = exit.code;
        c.reason = exitReason(exit.code);
        // Noticed at once while nodelet runs; found at start-up, the file's time is the exit's.
        c.finishedAt = this.closedSince ? exit.at : this.clock.now();
        this.live.delete(c.id);
        try {
          this.persist('containers', c.id);
        } catch {
          // The record in memory is right; the file catches up with the next change.
        }
        resolveExited();
        onExited();
        this.emit({ type: 'ContainerDied', podUid: c.podUid, containerId: c.id });
        return;
      }
      if (!mainLive && !conmonLive) {
        // Neither the container nor its conmon is left, and no exit file: the status is lost.
        done = true;
        this.followers.delete(c.id);
        this.markLost(c);
        this.live.delete(c.id);
        this.persist('containers', c.id);
        resolveExited();
        onExited();
        this.emit({ type: 'ContainerDied', podUid: c.podUid, containerId: c.id });
        return;
      }
      entry.poll = this.clock.setTimer(ADOPTED_POLL_MS, poll);
    };
    this.live.set(c.id, entry);
    this.followers.set(c.id, () => check());
    // conmon's end (its sync pipe closing) is the moment the log is complete: check then rather
    // than on the next few-millisecond poll.
    void conmonGone?.then(() => check());
    check();
  }

  /** True during load(): exits found then happened while no nodelet was watching. */
  private closedSince = false;

  private markLost(c: ContainerRecord): void {
    killProcsWithEnv(this.markerOf(c), c.pidStartTime);
    c.state = 'exited';
    c.exitCode = UNKNOWN_EXIT_CODE;
    c.reason = 'Unknown';
    c.message = 'the exit status of the process was lost (started by an earlier nodelet run)';
    c.finishedAt = this.clock.now();
  }

  // ---------------------------------------------------------------------------------------------
  // Sandboxes

  runPodSandbox(config: PodSandboxConfig, signal?: AbortSignal): Promise<PodSandboxStatus> {
    signal?.throwIfAborted();
    const id = newId();
    mkdirSync(this.podDir(config.podUid), { recursive: true });
    const rec: SandboxRecord = {
      id,
      podUid: config.podUid,
      podName: config.podName,
      namespace: config.namespace,
      attempt: config.attempt,
      state: 'ready',
      ips: [this.nodeIP],
      createdAt: this.clock.now(),
      hostname: config.hostname,
      labels: { ...(config.labels ?? {}) },
    };
    this.sandboxes.set(id, rec);
    this.persist('sandboxes', id);
    return this.saved().then(() => sandboxStatus(rec));
  }

  /** Marks the sandbox not ready; its containers are the kubelet's to stop first (CRI: idempotent). */
  stopPodSandbox(sandboxId: string): Promise<void> {
    const rec = this.sandboxes.get(sandboxId);
    if (rec && rec.state !== 'notready') {
      rec.state = 'notready';
      this.persist('sandboxes', rec.id);
    }
    return this.saved();
  }

  /**
   * Removes the sandbox and, as the CRI requires, forcibly its containers. The pod's directories
   * (and its log directory) go once no other sandbox of the pod is left. Idempotent.
   */
  async removePodSandbox(sandboxId: string): Promise<void> {
    const rec = this.sandboxes.get(sandboxId);
    if (!rec) return;
    for (const c of [...this.containers.values()]) {
      if (c.sandboxId === sandboxId) await this.removeContainer(c.id);
    }
    this.sandboxes.delete(sandboxId);
    this.persist('sandboxes', sandboxId);
    await this.saved();
    const others = [...this.sandboxes.values()].some((s) => s.podUid === rec.podUid);
    if (!others) {
      rmSync(this.podDir(rec.podUid), { recursive: true, force: true });
      rmSync(this.podLogDir(rec.namespace, rec.podName, rec.podUid), { recursive: true, force: true });
    }
  }

  listPodSandboxes(podUid?: string): Promise<PodSandboxStatus[]> {
    return this.afterSave(() => {
      const out = [...this.sandboxes.values()].filter((s) => podUid === undefined || s.podUid === podUid);
      return out.map(sandboxStatus);
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Containers

  createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox) {
      return Promise.reject(
        new RuntimeError('CreateContainerError', `failed to get sandbox "${sandboxId}": not found`),
      );
    }
    if (config.command.length === 0 || config.command[0] === '') {
      return Promise.reject(
        new RuntimeError(
          'CreateContainerError',
          `container "${config.name}": the process runtime runs host processes and needs a command; ` +
            `the image's entrypoint is not available`,
        ),
      );
    }
    const id = newId();
    const dir = join(this.podDir(sandbox.podUid), 'containers', config.name);
    const attemptDir = join(dir, String(config.attempt));
    const terminationMessageHostPath = resolve(attemptDir, '.' + sep + config.terminationMessagePath);
    if (!terminationMessageHostPath.startsWith(attemptDir + sep)) {
      return Promise.reject(
        new RuntimeError(
          'CreateContainerError',
          `container "${config.name}": terminationMessagePath ${JSON.stringify(config.terminationMessagePath)} ` +
            'leaves the container directory',
        ),
      );
    }
    try {
      mkdirSync(dirname(terminationMessageHostPath), { recursive: true });
      // As the kubelet: the file exists, empty, before the container starts.
      writeFileSync(terminationMessageHostPath, '');
    } catch (e) {
      return Promise.reject(
        new RuntimeError(
          'CreateContainerError',
          `failed to create termination message file: ${(e as Error).message}`,
        ),
      );
    }
    const rec: ContainerRecord = {
      id,
      sandboxId,
      podUid: sandbox.podUid,
      podName: sandbox.podName,
      namespace: sandbox.namespace,
      name: config.name,
      attempt: config.attempt,
      image: config.image,
      command: [...config.command],
      env: config.env.map((e) => ({ name: e.name, value: e.value })),
      ...(config.workingDir ? { workingDir: config.workingDir } : {}),
      ...(config.stopSignal ? { stopSignal: config.stopSignal } : {}),
      ...(config.stdin ? { stdin: true } : {}),
      ...(config.tty ? { tty: true } : {}),
      labels: { ...config.labels },
      state: 'created',
      createdAt: this.clock.now(),
      logPath: join(
        this.podLogDir(sandbox.namespace, sandbox.podName, sandbox.podUid),
        config.name,
        `${config.attempt}.log`,
      ),
      dir,
      terminationMessageHostPath,
    };
    this.containers.set(id, rec);
    this.persist('containers', id);
    return this.saved().then(() => id);
  }

  async startContainer(containerId: string): Promise<void> {
    const rec = this.record(containerId);
    if (rec.state !== 'created' || this.starting.has(containerId)) {
      throw new RuntimeError(
        'RunContainerError',
        `failed to set starting state for container "${containerId}": container is in ${criState(rec.state)} state`,
      );
    }
    this.starting.add(containerId);
    try {
      await this.start(rec);
      await this.saved();
    } finally {
      this.starting.delete(containerId);
    }
  }

  private async start(rec: ContainerRecord): Promise<void> {
    const sandbox = this.sandboxes.get(rec.sandboxId);
    const env = this.containerEnv(rec, sandbox);
    const cwd = rec.workingDir ?? rec.dir;

    mkdirSync(dirname(rec.logPath), { recursive: true });
    mkdirSync(rec.dir, { recursive: true });
    const log = new CriLogFile(rec.logPath);

    const fail = (detail: string): never => {
      log.close();
      const message = startFailure(detail);
      // containerd leaves a container that could not start exited, code 128, reason StartError.
      rec.state = 'exited';
      rec.exitCode = 128;
      rec.reason = 'StartError';
      rec.message = message;
      rec.finishedAt = this.clock.now();
      this.persist('containers', rec.id);
      this.emit({ type: 'ContainerDied', podUid: rec.podUid, containerId: rec.id });
      throw new RuntimeError('RunContainerError', message);
    };

    if (rec.workingDir) {
      let isDir = false;
      try {
        isDir = statSync(rec.workingDir).isDirectory();
      } catch {
        isDir = false;
      }
      // The host's directories are not the runtime's to create; say so as runc does.
      if (!isDir) {
        return fail(
          `error during container init: chdir to cwd (${JSON.stringify(rec.workingDir)}) set in config.json failed: no such file or directory`,
        );
      }
    }
    const file = rec.command[0] as string;
    const found = lookPath(file, env.PATH, cwd);
    if (!found.ok) return fail(found.error);
    const exe = found.path;

    // A container that reads stdin keeps nodelet as its parent: its stdin pipe is nodelet's.
    if (this.shim && !rec.stdin) {
      log.close();
      let pid: number;
      let conmonGone: Promise<void>;
      try {
        ({ pid, conmonGone } = await this.shim.start({
          id: rec.id,
          bundle: this.shimBundle(rec),
          exitDir: this.exitDir,
          logPath: rec.logPath,
          // execvp inside finds the command on the container's PATH as lookPath did; a command
          // given with a slash is the resolved path itself.
          command: [file.includes('/') ? exe : file, ...rec.command.slice(1)],
          env,
          cwd,
        }));
      } catch (e) {
        return fail((e as Error).message);
      }
      rec.state = 'running';
      rec.startedAt = this.clock.now();
      rec.pid = pid;
      rec.shimmed = true;
      const startTime = procInfo(pid)?.startTime;
      if (startTime !== undefined) rec.pidStartTime = startTime;
      rec.runEnv = env;
      rec.cwd = cwd;
      this.persist('containers', rec.id);
      // Started is told before following the exit file: a command that ends at once must not be
      // reported dead before it was reported started.
      this.emit({ type: 'ContainerStarted', podUid: rec.podUid, containerId: rec.id });
      this.follow(
        rec,
        { child: undefined, reaped: false, exited: Promise.resolve() },
        () => undefined,
        conmonGone,
      );
      return;
    }

    let started: Started;
    try {
      started = await spawnProcess(exe, rec.command.slice(1), {
        argv0: file,
        cwd,
        env,
        detached: true,
        stdio: [rec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
    } catch (e) {
      return fail(spawnErrorDetail(file, e));
    }
    const { child, pid } = started;

    const now = (): number => this.clock.now();
    const out = log.writer('stdout', now);
    const err = log.writer('stderr', now);
    const drained = Promise.all([pump(child.stdout, out), pump(child.stderr, err)]);

    let resolveExited!: () => void;
    const exited = new Promise<void>((r) => (resolveExited = r));
    const entry: LiveProcess = { child, reaped: false, exited, log };
    this.live.set(rec.id, entry);

    rec.state = 'running';
    rec.startedAt = this.clock.now();
    rec.pid = pid;
    const startTime = procInfo(pid)?.startTime;
    if (startTime !== undefined) rec.pidStartTime = startTime;
    rec.runEnv = env;
    rec.cwd = cwd;
    this.persist('containers', rec.id);

    void started.exit.then(({ code, signal }) => {
      entry.reaped = true;
      const finishedAt = this.clock.now();
      // A container's processes die with its PID 1: kill what is left of the group, and any
      // process that left it (a daemon, an exec session) but still carries the container's mark.
      signalGroup(pid, 'SIGKILL');
      const stragglers = killProcsWithEnvAsync(this.markerOf(rec), rec.pidStartTime);
      // Whatever happens while closing the log, a stop waiting for this exit must not hang.
      void this.finishExit(
        rec,
        entry,
        log,
        [out, err],
        stragglers,
        drained,
        exitCodeOf(code, signal),
        finishedAt,
      ).then(resolveExited, resolveExited);
    });
    this.emit({ type: 'ContainerStarted', podUid: rec.podUid, containerId: rec.id });
  }

  private async finishExit(
    rec: ContainerRecord,
    entry: LiveProcess,
    log: CriLogFile,
    writers: CriLineWriter[],
    stragglers: Promise<unknown>,
    drained: Promise<unknown>,
    exitCode: number,
    finishedAt: number,
  ): Promise<void> {
    // Output written just before the exit is still in the pipes: read it to the end before the
    // container counts as exited, so `kubectl logs` after the exit shows all of it.
    const ac = new AbortController();
    await Promise.race([drained, this.clock.sleep(DRAIN_MS, ac.signal).catch(() => undefined)]);
    ac.abort();
    // The container is not exited before all its processes are dead (or at least signalled).
    await stragglers.catch(() => undefined);
    entry.child?.stdout?.destroy();
    entry.child?.stderr?.destroy();
    entry.child?.stdin?.destroy();
    for (const w of writers) w.end();
    log.close();
    rec.state = 'exited';
    rec.exitCode = exitCode;
    rec.reason = exitReason(exitCode);
    rec.finishedAt = finishedAt;
    this.live.delete(rec.id);
    try {
      this.persist('containers', rec.id);
    } catch {
      // The record in memory is right; the file catches up with the next change.
    }
    this.emit({ type: 'ContainerDied', podUid: rec.podUid, containerId: rec.id });
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const rec = this.containers.get(containerId);
    if (!rec) throw new NotFoundError(`container "${containerId}" not found`);
    const entry = this.live.get(containerId);
    if (rec.state !== 'running' || !entry) return;
    // As containerd: the stop signal and a wait only with a positive timeout, then SIGKILL.
    if (timeoutSeconds > 0) {
      this.signalMain(rec, entry, rec.stopSignal ?? 'SIGTERM');
      const ac = new AbortController();
      const done = await Promise.race([
        entry.exited.then(() => true),
        this.clock.sleep(timeoutSeconds * 1000, ac.signal).then(
          () => false,
          () => false,
        ),
      ]);
      ac.abort();
      if (done) return;
    }
    this.signalMain(rec, entry, 'SIGKILL');
    if (entry.child === undefined) killProcsWithEnv(this.markerOf(rec), rec.pidStartTime);
    await entry.exited;
  }

  /** Signals the container's process group while its leader has not been waited for (so the ID is still its own). */
  private signalMain(rec: ContainerRecord, entry: LiveProcess, signal: NodeJS.Signals): void {
    if (entry.reaped || rec.pid === undefined) return;
    if (entry.child === undefined && !isLive(rec.pid, rec.pidStartTime)) return;
    signalGroup(rec.pid, signal);
  }

  /** Removes the container's record, its attempt directory and its log file; a running one is killed first. Idempotent. */
  async removeContainer(containerId: string): Promise<void> {
    const rec = this.containers.get(containerId);
    if (!rec) return;
    if (rec.state === 'running') await this.stopContainer(containerId, 0);
    this.containers.delete(containerId);
    this.persist('containers', containerId);
    await this.saved();
    rmSync(join(rec.dir, String(rec.attempt)), { recursive: true, force: true });
    if (rec.shimmed) {
      rmSync(this.shimBundle(rec), { recursive: true, force: true });
      rmSync(join(this.exitDir, rec.id), { force: true });
    }
    removeLogFiles(rec.logPath);
  }

  listContainers(podUid?: string): Promise<ContainerStatus[]> {
    return this.afterSave(() => {
      const out = [...this.containers.values()].filter((c) => podUid === undefined || c.podUid === podUid);
      return out.map(containerStatus);
    });
  }

  containerStatus(containerId: string): Promise<ContainerStatus> {
    return this.afterSave(() => {
      const rec = this.containers.get(containerId);
      if (!rec) throw new NotFoundError(`container "${containerId}" not found`);
      return containerStatus(rec);
    });
  }

  /**
   * CRI ReopenContainerLog: a container under conmon is told through conmon's control FIFO (conmon
   * writes its log itself); for one nodelet is the parent of, nodelet reopens the file it writes.
   * As CRI-O: an error for a container that is not running.
   */
  async reopenContainerLog(containerId: string): Promise<void> {
    const rec = this.containers.get(containerId);
    if (!rec) throw new NotFoundError(`container "${containerId}" not found`);
    const entry = this.live.get(containerId);
    if (rec.state !== 'running' || !entry) throw new Error(`container ${containerId} is not running`);
    if (rec.shimmed) {
      await reopenConmonLog(this.shimBundle(rec), rec.logPath, (ms) => this.clock.sleep(ms));
      return;
    }
    if (!entry.log) throw new Error(`container ${containerId} has no log file of nodelet's to reopen`);
    entry.log.reopen();
  }

  // ---------------------------------------------------------------------------------------------
  // Exec

  /** Checks the container runs and finds the executable, as containerd does before starting an exec. */
  private prepareExec(
    containerId: string,
    command: string[],
  ): { rec: ContainerRecord; exe: string; env: Record<string, string>; cwd: string } {
    const rec = this.containers.get(containerId);
    if (!rec) throw new NotFoundError(`container "${containerId}" not found`);
    if (rec.state !== 'running' || !this.live.has(containerId)) {
      throw new Error(`failed to exec in container: container is in ${criState(rec.state)} state`);
    }
    const env = { ...(rec.runEnv ?? this.containerEnv(rec, this.sandboxes.get(rec.sandboxId))) };
    const cwd = rec.cwd ?? rec.workingDir ?? rec.dir;
    const file = command[0];
    if (file === undefined) throw new Error(execFailure('exec: "": executable file not found in $PATH'));
    const found = lookPath(file, env.PATH, cwd);
    if (!found.ok) throw new Error(execFailure(found.error));
    return { rec, exe: found.path, env, cwd };
  }

  async execSync(containerId: string, command: string[], options: ExecSyncOptions): Promise<ExecResult> {
    options.signal?.throwIfAborted();
    const { exe, env, cwd } = this.prepareExec(containerId, command);
    const argv0 = command[0] as string;
    let cmd: SpawnedCommand;
    try {
      cmd = await this.spawnShortLived(exe, command.slice(1), {
        argv0,
        cwd,
        env,
        cap: options.maxOutputBytes ?? Infinity,
      });
    } catch (e) {
      throw new Error(execFailure(spawnErrorDetail(argv0, e)));
    }
    const { pid } = cmd;
    let timedOut = false;
    let reaped = false;
    const kill = (): void => {
      if (!reaped) signalGroup(pid, 'SIGKILL');
    };
    const timer =
      options.timeoutMs > 0
        ? this.clock.setTimer(options.timeoutMs, () => ((timedOut = true), kill()))
        : undefined;
    const onAbort = (): void => kill();
    // The abort may have come while the process was being spawned.
    if (options.signal?.aborted) kill();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const { code, signal, stdout, stderr } = await cmd.result;
      reaped = true;
      options.signal?.throwIfAborted();
      return { exitCode: exitCodeOf(code, signal), stdout, stderr, timedOut };
    } finally {
      timer?.cancel();
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Starts a short-lived command (execSync) and captures its output: through the spawner's small
   * process where there is one, else from this process.
   */
  private async spawnShortLived(
    file: string,
    args: string[],
    o: { argv0: string; cwd: string; env: Record<string, string>; cap: number },
  ): Promise<SpawnedCommand> {
    if (this.spawner) return this.spawner.run({ file, args, ...o, drainMs: DRAIN_MS });
    const started = await spawnProcess(file, args, {
      argv0: o.argv0,
      cwd: o.cwd,
      env: o.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { child } = started;
    const stdout = capture(child.stdout, o.cap);
    const stderr = capture(child.stderr, o.cap);
    const result = started.exit.then(async ({ code, signal }) => {
      // Processes the command left in the background may hold its pipes; do not wait for them
      // for ever (containerd's drain_exec_sync_io_timeout).
      const ac = new AbortController();
      await Promise.race([
        Promise.all([stdout.done, stderr.done]),
        this.clock.sleep(DRAIN_MS, ac.signal).catch(() => undefined),
      ]);
      ac.abort();
      child.stdout?.destroy();
      child.stderr?.destroy();
      return { code, signal, stdout: stdout.value(), stderr: stderr.value() };
    });
    return { pid: started.pid, result };
  }

  async exec(containerId: string, command: string[], options: ExecStreamOptions): Promise<ExecSession> {
    const { exe, env, cwd } = this.prepareExec(containerId, command);
    let started: Started;
    try {
      if (options.tty) {
        const script = scriptPath();
        if (!script)
          throw new Error('exec with a TTY needs util-linux `script` on this host, and it is missing');
        env.TERM ??= 'xterm';
        started = await spawnProcess(script, scriptArgs(command, env), {
          cwd,
          env: { ...env, SHELL: '/bin/sh' },
          detached: true,
          stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        });
      } else {
        started = await spawnProcess(exe, command.slice(1), {
          argv0: command[0],
          cwd,
          env,
          detached: true,
          stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        });
      }
    } catch (e) {
      throw new Error(execFailure(spawnErrorDetail(command[0] as string, e)));
    }
    const { child, pid } = started;
    let reaped = false;
    void started.exit.then(() => (reaped = true));
    // The session ends when the command has exited and its output is read to the end.
    const exit = new Promise<number>((res) => {
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) =>
        res(exitCodeOf(code, signal)),
      );
    });

    let stdout: Readable = child.stdout as Readable;
    let stderr: Readable | null = child.stderr;
    if (options.tty) {
      // On a TTY there is one output stream; what `script` itself says goes the same way.
      const merged = new PassThrough();
      let open = 2;
      const endOne = (): void => {
        if (--open === 0) merged.end();
      };
      for (const s of [child.stdout, child.stderr]) {
        s?.on('end', endOne);
        s?.on('error', endOne);
        s?.pipe(merged, { end: false });
      }
      stdout = merged;
      stderr = null;
    }

    const tty = options.tty;
    let wanted: { cols: number; rows: number } | undefined;
    let retries = 0;
    const applySize = (): void => {
      if (!wanted || reaped) return;
      const pty = ptyOfScript(pid);
      if (!pty) {
        // `script` may not have started the command yet: try again shortly, a few times.
        if (retries++ < 40) this.clock.setTimer(25, applySize);
        return;
      }
      const { cols, rows } = wanted;
      const stty = spawn('stty', ['-F', pty, 'cols', String(cols), 'rows', String(rows)], {
        stdio: 'ignore',
      });
      stty.on('error', () => undefined);
    };

    return {
      stdin: child.stdin,
      stdout,
      stderr,
      exit,
      resize(cols: number, rows: number): void {
        if (!tty) return;
        wanted = { cols, rows };
        retries = 0;
        applySize();
      },
      kill(): void {
        if (reaped) return;
        // A TTY command runs in its own session under `script`, outside script's group.
        if (tty) killTree(pid);
        signalGroup(pid, 'SIGKILL');
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Events and shutdown

  watch(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: RuntimeEvent): void {
    if (this.closed) return;
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  /**
   * nodelet is shutting down, not the pods: stops events and record keeping and lets the Node
   * process exit while the containers go on. Their output pipes end with this process, though (a
   * process that writes afterwards gets SIGPIPE); the README says what re-attaching would need.
   */
  close(): Promise<void> {
    // What changed in this last turn is written now: a new runtime on this root reads it back.
    try {
      this.writeUnsaved();
    } catch {
      // As before a crash: the files hold the last change that was written.
    }
    this.closed = true;
    this.spawner?.close();
    this.listeners.clear();
    this.exitWatcher?.close();
    this.followers.clear();
    for (const entry of this.live.values()) {
      entry.poll?.cancel();
      const c = entry.child;
      if (!c) continue;
      c.unref();
      for (const s of [c.stdin, c.stdout, c.stderr])
        (s as unknown as { unref?: () => void } | null)?.unref?.();
    }
    return Promise.resolve();
  }

  /**
   * SIGKILLs every container's processes now, synchronously: the last resort when nodelet itself
   * is going down unexpectedly and must not leave processes behind.
   */
  killAll(): void {
    for (const rec of this.containers.values()) {
      if (rec.state !== 'running') continue;
      const entry = this.live.get(rec.id);
      if (entry) this.signalMain(rec, entry, 'SIGKILL');
      killProcsWithEnv(this.markerOf(rec), rec.pidStartTime);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private record(id: string): ContainerRecord {
    const rec = this.containers.get(id);
    if (!rec) throw new NotFoundError(`container "${id}" not found`);
    return rec;
  }

  private podDir(podUid: string): string {
    return join(this.root, 'pods', podUid);
  }

  private podLogDir(namespace: string, podName: string, podUid: string): string {
    return join(this.root, 'logs', `${namespace}_${podName}_${podUid}`);
  }

  private markerOf(rec: ContainerRecord): string {
    return `${TERMINATION_MESSAGE_ENV}=${rec.terminationMessageHostPath}`;
  }

  /**
   * The process environment: exactly the container's env, plus what a container gets when the
   * spec does not say (PATH — the host's here, as there is no image —, HOSTNAME, HOME), plus the
   * termination-message path.
   */
  private containerEnv(rec: ContainerRecord, sandbox: SandboxRecord | undefined): Record<string, string> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? DEFAULT_PATH,
      HOSTNAME: sandbox?.hostname || rec.podName,
    };
    for (const { name, value } of rec.env) env[name] = value;
    if (env.HOME === undefined) env.HOME = process.getuid?.() === 0 ? '/root' : homedir();
    env[TERMINATION_MESSAGE_ENV] = rec.terminationMessageHostPath;
    return env;
  }
}

function sandboxStatus(s: SandboxRecord): PodSandboxStatus {
  return sandboxStatusOf(s);
}

function containerStatus(c: ContainerRecord): ContainerStatus {
  return containerStatusOf(c, c.image);
}

/** Copies a pipe into a log writer; resolves when the pipe ends (or fails). */
function pump(stream: Readable | null, writer: CriLineWriter): Promise<void> {
  if (!stream) return Promise.resolve();
  return new Promise((res) => {
    stream.on('data', (chunk: Buffer) => writer.write(chunk));
    stream.once('end', () => res());
    stream.once('close', () => res());
    stream.once('error', () => res());
  });
}

/** Collects up to cap bytes of a pipe, reading (and dropping) the rest so the writer never blocks. */
function capture(stream: Readable | null, cap: number): { done: Promise<void>; value: () => Buffer } {
  const parts: Buffer[] = [];
  let size = 0;
  const done = new Promise<void>((res) => {
    if (!stream) return res();
    stream.on('data', (chunk: Buffer) => {
      if (size >= cap) return;
      const take = chunk.subarray(0, Math.min(chunk.length, cap - size));
      parts.push(take);
      size += take.length;
    });
    stream.once('end', () => res());
    stream.once('close', () => res());
    stream.once('error', () => res());
  });
  return { done, value: () => Buffer.concat(parts) };
}
