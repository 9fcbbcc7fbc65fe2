// The kubelet's container log manager (pkg/kubelet/logs/container_log_manager.go): every
// containerLogMonitorInterval (10 s) it looks at each running container's log, and one at or over
// containerLogMaxSize (10Mi) is rotated:
//   1. of the files already rotated out of it (`<log>.*`), temporaries (`.tmp`) and plain files
//      that also exist compressed are removed (what a rotation cut short left behind);
//   2. the oldest are removed until at most containerLogMaxFiles - 2 remain (the live file and
//      the one about to be rotated make up the rest);
//   3. the live file is renamed to `<log>.<YYYYMMDD-hhmmss>` (left uncompressed, so a reader that
//      has it open can finish) and the runtime is asked to reopen the log (CRI ReopenContainerLog),
//      which creates a new file at the path. If the reopen fails the rename is undone, so the next
//      round tries again;
//   4. the older rotated files still uncompressed are gzipped (`<f>.gz`, via `<f>.gz.tmp`). The
//      kubelet compresses before step 3; here the live file is cut first (see rotateLog).
// A log that is missing is reopened (the runtime recreates it). Only running containers are
// looked at: a stopped one writes nothing more. Rotated files go with the container (the runtime
// removes `<log>.*` with it, as ContainerLogManager.Clean).
//
// Between two checks a container can write past the limit: the bound on disk is
// maxFiles × (maxSize + what it writes in one interval), as on a real node.
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { ContainerRuntime } from '../runtime/runtime.ts';
import type { Clock, Timer } from '../util/clock.ts';

/** containerLogMaxSize's default: 10Mi. */
export const DEFAULT_CONTAINER_LOG_MAX_SIZE = 10 * 1024 * 1024;
/** containerLogMaxFiles's default. */
export const DEFAULT_CONTAINER_LOG_MAX_FILES = 5;
/** containerLogMonitorInterval's default. */
export const CONTAINER_LOG_MONITOR_INTERVAL_MS = 10_000;

const COMPRESS_SUFFIX = '.gz';
const TMP_SUFFIX = '.tmp';

export interface LogRotationPolicy {
  /** Bytes at which a log is rotated; negative turns rotation off (as the kubelet). */
  maxSize: number;
  /** Files kept per container log, the live one included; at least 2. */
  maxFiles: number;
}

export interface ContainerLogManagerOptions extends Partial<LogRotationPolicy> {
  runtime: ContainerRuntime;
  clock: Clock;
  monitorIntervalMs?: number;
  /** Told about a container whose log could not be rotated (the kubelet logs it and goes on). */
  onError?: (containerId: string, error: Error) => void;
}

/** Checks a policy as NewContainerLogManager does; throws with the kubelet's wording. */
export function validateLogRotationPolicy(policy: LogRotationPolicy): void {
  if (!Number.isInteger(policy.maxFiles) || policy.maxFiles <= 1) {
    throw new Error(`invalid MaxFiles ${policy.maxFiles}, must be > 1`);
  }
  if (!Number.isFinite(policy.maxSize)) throw new Error('invalid max log size');
}

/** `<log>.<YYYYMMDD-hhmmss>` of an instant (Go layout 20060102-150405; UTC here, local time in the kubelet). */
export function rotatedName(log: string, ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-02T03:04:05.678Z
  return `${log}.${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

/** Files rotated out of a log (`<log>.*`), sorted by name (oldest first: the timestamps sort). */
async function rotatedFiles(log: string): Promise<string[]> {
  const dir = dirname(log);
  const prefix = `${basename(log)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix))
    .sort()
    .map((n) => join(dir, n));
}

/** The kubelet's isInUse: temporaries and plain files that also exist compressed are leftovers. */
function inUse(file: string, all: string[]): boolean {
  if (file.endsWith(TMP_SUFFIX)) return false;
  if (file.endsWith(COMPRESS_SUFFIX)) return true;
  return !all.includes(file + COMPRESS_SUFFIX);
}

/** Every file of a container's log that is in use, oldest first, the live one last (GetAllLogs). */
export async function allLogs(log: string): Promise<string[]> {
  const rotated = await rotatedFiles(log);
  return [...rotated.filter((f) => inUse(f, rotated)), log];
}

async function compress(file: string): Promise<void> {
  const tmp = file + COMPRESS_SUFFIX + TMP_SUFFIX;
  const { mode } = await stat(file);
  try {
    await pipeline(createReadStream(file), createGzip(), createWriteStream(tmp, { mode }));
    await rename(tmp, file + COMPRESS_SUFFIX);
  } finally {
    await rm(tmp, { force: true });
  }
  await rm(file, { force: true });
}

export class ContainerLogManager {
  readonly policy: LogRotationPolicy;
  private readonly runtime: ContainerRuntime;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly onError: (containerId: string, error: Error) => void;
  private timer: Timer | undefined;
  private round: Promise<void> | undefined;
  private stopped = false;

  constructor(opts: ContainerLogManagerOptions) {
    this.policy = {
      maxSize: opts.maxSize ?? DEFAULT_CONTAINER_LOG_MAX_SIZE,
      maxFiles: opts.maxFiles ?? DEFAULT_CONTAINER_LOG_MAX_FILES,
    };
    validateLogRotationPolicy(this.policy);
    this.runtime = opts.runtime;
    this.clock = opts.clock;
    this.intervalMs = opts.monitorIntervalMs ?? CONTAINER_LOG_MONITOR_INTERVAL_MS;
    this.onError = opts.onError ?? (() => undefined);
  }

  /** Whether rotation does anything: a negative maxSize, or a runtime that cannot reopen logs, turn it off. */
  get enabled(): boolean {
    return this.policy.maxSize >= 0 && typeof this.runtime.reopenContainerLog === 'function';
  }

  /** Starts the periodic check (wait.Forever: the next round is timed from the end of the last). */
  start(): void {
    if (!this.enabled || this.stopped) return;
    const tick = (): void => {
      this.round = this.rotateLogs().finally(() => {
        this.round = undefined;
        if (!this.stopped) this.timer = this.clock.setTimer(this.intervalMs, tick);
      });
    };
    this.timer = this.clock.setTimer(this.intervalMs, tick);
  }

  /** Resolves once no round is under way (tests on the fake clock: the file work is real I/O). */
  async idle(): Promise<void> {
    while (this.round) await this.round;
  }

  /** Stops checking; resolves once a round under way has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.round;
  }

  /** One rotation sequence over every running container (rotateLogs + processContainer). */
  async rotateLogs(): Promise<void> {
    if (!this.enabled) return;
    const containers = await this.runtime.listContainers().catch(() => []);
    for (const c of containers) {
      if (c.state !== 'running' || this.stopped) continue;
      try {
        await this.processContainer(c.id);
      } catch (e) {
        this.onError(c.id, e as Error);
      }
    }
  }

  private async processContainer(id: string): Promise<void> {
    const status = await this.runtime.containerStatus(id);
    const log = status.logPath;
    let size: number;
    try {
      size = (await stat(log)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // The log went missing: have the runtime create it again.
      await this.reopen(id);
      size = (await stat(log)).size;
    }
    if (size < this.policy.maxSize) return;
    await this.rotateLog(id, log);
  }

  private async reopen(id: string): Promise<void> {
    if (!this.runtime.reopenContainerLog) throw new Error('the runtime cannot reopen container logs');
    await this.runtime.reopenContainerLog(id);
  }

  private async rotateLog(id: string, log: string): Promise<void> {
    let files = await rotatedFiles(log);
    // Leftovers of a rotation that was cut short.
    for (const f of files.filter((f) => !inUse(f, files))) await rm(f, { force: true });
    files = files.filter((f) => inUse(f, files));
    // Oldest first, so an ongoing `kubectl logs` of a newer file is not broken.
    const keep = Math.max(0, this.policy.maxFiles - 2);
    while (files.length > keep) {
      const oldest = files.shift();
      if (oldest) await rm(oldest, { force: true });
    }
    // The live file, renamed and left uncompressed so a reader can finish it. Unlike the kubelet,
    // this comes before compressing the older files: compressing hundreds of MiB takes seconds,
    // during which a fast writer's live file would keep growing past the limit.
    const rotated = rotatedName(log, this.clock.now());
    await rename(log, rotated);
    try {
      await this.reopen(id);
    } catch (e) {
      // Put it back, so the next round tries again (the kubelet does the same).
      await rename(rotated, log).catch(() => undefined);
      throw new Error(`failed to reopen container log ${JSON.stringify(id)}: ${(e as Error).message}`);
    }
    for (const f of files) if (!f.endsWith(COMPRESS_SUFFIX)) await compress(f);
  }
}
