// The postStart journal: what a restarted nodelet needs so a postStart hook is neither run twice
// nor forgotten. The kubelet keeps nothing of the kind (after a kubelet restart a hook that was
// running is simply forgotten, and delivery is "at least once" in the docs); Nomad's task runner
// persists hook state for the same reason.
//
// One entry per container instance (its runtime ID), written to disk (fsynced) at each step:
//   pending  — the container was created and is being started; its hook has not begun.
//   running  — the hook is about to run (written before the handler starts).
//   done     — the handler returned; the entry holds its HookRun.
//   settled  — the kubelet acted on the outcome (a failed hook's container killed).
// What the next start does with a running container instance it finds (container-start.ts,
// recoverPostStart):
//   pending  — the hook never began: it is run now, once.
//   running  — the hook was under way when nodelet died. It is NOT run again: its effects may
//              have happened (an exec hook's process is not nodelet's child under a shim and may
//              even have finished after nodelet died), and running it twice is what exactly-once
//              forbids. Its outcome is unknown, so the container is not killed for it either: the
//              run is recorded as interrupted, with a Warning event. So "exactly once" means: at
//              most once started, and never silently lost — every hook ends as succeeded, failed
//              or interrupted, on record.
//   done     — the recorded outcome is acted on as if nodelet had never stopped: a failure kills
//              the container (FailedPostStartHook), a success is only recorded.
//   settled  — nothing to do.
// Entries of containers that no longer exist are dropped by the kubelet's housekeeping.
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { HookRun } from './hook-run.ts';

export type HookJournalState = 'pending' | 'running' | 'done' | 'settled';

export interface HookJournalEntry {
  containerId: string;
  podUid: string;
  container: string;
  state: HookJournalState;
  /** When the entry reached its state, ms since the epoch. */
  at: number;
  /** The handler's outcome, from `done` on. */
  run?: HookRun;
}

export interface HookJournal {
  get(containerId: string): HookJournalEntry | undefined;
  /** Durable once it returns. */
  put(entry: HookJournalEntry): void;
  /**
   * Drops the entries of containers not in the set, among those written before `before` (an entry
   * written after the containers were listed may be of a container the list could not show yet).
   */
  retain(containerIds: Set<string>, before: number): void;
}

/** For `nodelet run` and tests: nothing survives the process, and nothing needs to. */
export class MemoryHookJournal implements HookJournal {
  private readonly entries = new Map<string, HookJournalEntry>();
  get(containerId: string): HookJournalEntry | undefined {
    const e = this.entries.get(containerId);
    return e && structuredClone(e);
  }
  put(entry: HookJournalEntry): void {
    this.entries.set(entry.containerId, structuredClone(entry));
  }
  retain(containerIds: Set<string>, before: number): void {
    for (const [id, e] of this.entries) if (!containerIds.has(id) && e.at < before) this.entries.delete(id);
  }
}

const SAFE_ID = /^[A-Za-z0-9._-]+$/;

/**
 * One small JSON file per container under `dir`, replaced atomically (temp file, fsync, rename,
 * fsync of the directory), so after a crash each entry is its old or its new state, never torn.
 */
export class FileHookJournal implements HookJournal {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Temporaries of a write cut short.
    for (const n of readdirSync(dir)) if (n.endsWith('.tmp')) rmSync(join(dir, n), { force: true });
  }

  private file(containerId: string): string {
    if (!SAFE_ID.test(containerId)) throw new Error(`invalid container ID ${JSON.stringify(containerId)}`);
    return join(this.dir, `${containerId}.json`);
  }

  get(containerId: string): HookJournalEntry | undefined {
    try {
      return JSON.parse(readFileSync(this.file(containerId), 'utf8')) as HookJournalEntry;
    } catch {
      return undefined;
    }
  }

  put(entry: HookJournalEntry): void {
    const f = this.file(entry.containerId);
    const tmp = `${f}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(entry));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, f);
    const dfd = openSync(this.dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  }

  retain(containerIds: Set<string>, before: number): void {
    for (const n of readdirSync(this.dir)) {
      if (!n.endsWith('.json')) continue;
      const id = n.slice(0, -5);
      if (containerIds.has(id)) continue;
      const e = this.get(id);
      if (!e || e.at < before) rmSync(join(this.dir, n), { force: true });
    }
  }
}
