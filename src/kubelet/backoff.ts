// Crash-loop back-off, as the kubelet keys and advances it (reference §6.2): per pod, container and
// spec hash; 0 s before the first restart, then initial (10 s) doubling to max (300 s); an entry
// expires once the container ran longer than 10 minutes since its last restart.
export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_CRASH_LOOP_BACKOFF: BackoffConfig = { initialMs: 10_000, maxMs: 300_000 };

/** As the kubelet since 1.32: an entry is reset after 600 s of running, whatever the max. */
const RESET_AFTER_MS = 600_000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class CrashLoopBackoff {
  private readonly entries = new Map<string, Entry>();
  private readonly config: BackoffConfig;

  constructor(config: BackoffConfig = DEFAULT_CRASH_LOOP_BACKOFF) {
    this.config = config;
  }

  get initialMs(): number {
    return this.config.initialMs;
  }

  /** Whether a restart is suppressed now for the instance that finished at finishedAt; the current window if so. */
  inBackoff(key: string, finishedAt: number, now: number): number | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (finishedAt - e.lastUpdate > RESET_AFTER_MS) return undefined;
    return now - finishedAt < e.backoffMs ? e.backoffMs : undefined;
  }

  /** Records a restart: a new or expired entry starts at initial; otherwise the window doubles up to max. */
  next(key: string, finishedAt: number, now: number): void {
    const e = this.entries.get(key);
    if (!e || finishedAt - e.lastUpdate > RESET_AFTER_MS) {
      this.entries.set(key, { backoffMs: Math.min(this.config.initialMs, this.config.maxMs), lastUpdate: now });
    } else {
      e.backoffMs = Math.min(e.backoffMs * 2, this.config.maxMs);
      e.lastUpdate = now;
    }
  }

  /** Housekeeping: entries idle longer than 2 × max are dropped. */
  gc(now: number): void {
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.config.maxMs) this.entries.delete(k);
  }

  forgetPod(uid: string): void {
    for (const k of this.entries.keys()) if (k.includes(`_${uid}_`)) this.entries.delete(k);
  }
}

/** `<pod name>_<namespace>_<pod uid>_<container name>_<spec hash>`, as the kubelet's stable key. */
export function backoffKey(podName: string, namespace: string, uid: string, container: string, hash: string): string {
  return `${podName}_${namespace}_${uid}_${container}_${hash}`;
}

/** Parses `--crash-loop-backoff INITIAL[:MAX]` values already converted to ms. */
export function backoffConfig(initialMs?: number, maxMs?: number): BackoffConfig {
  const max = maxMs ?? DEFAULT_CRASH_LOOP_BACKOFF.maxMs;
  const initial = Math.min(initialMs ?? DEFAULT_CRASH_LOOP_BACKOFF.initialMs, max);
  return { initialMs: initial, maxMs: max };
}
