// Beyond Kubernetes: the recent runs of every probe (time, outcome, duration, output tail) so
// `describe` and the `run` stream can say why a pod is not Ready, and a per-probe summary written
// as pod annotations. The summary changes only when a probe's outcome changes, so steady probing
// does not turn every run into a status write.
import type { ProbeKind } from './probe-spec.ts';
import type { RunOutcome } from './prober.ts';
import { tail } from './handler-outcome.ts';

export interface ProbeRun {
  podUid: string;
  containerName: string;
  containerId: string;
  kind: ProbeKind;
  /** Start of the run, ms since the epoch. */
  at: number;
  durationMs: number;
  outcome: RunOutcome;
  /** Output tail, or `HTTP 503: <body tail>` for httpGet probes. */
  output: string;
}

export const HISTORY_PER_PROBE = 10;
/** How many removed pods keep their history for a later describe. */
export const RETAINED_PODS = 64;
export const ANNOTATION_PREFIX = 'probe.nodelet.dev/';
const ANNOTATION_MESSAGE_MAX = 512;

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * `probe.nodelet.dev/<container>.<kind>`. An annotation key's name part is at most 63 characters,
 * so a very long container name is cut to keep the key valid.
 */
export function annotationKey(containerName: string, kind: ProbeKind): string {
  const room = 63 - kind.length - 1;
  return `${ANNOTATION_PREFIX}${containerName.slice(0, room)}.${kind}`;
}

/** `failure at 2026-01-01T00:00:05Z after 3ms: HTTP probe failed with statuscode: 404` */
export function annotationValue(run: ProbeRun, message: string): string {
  const head = `${run.outcome} at ${rfc3339(run.at)} after ${run.durationMs}ms`;
  const text = message.trim();
  return run.outcome === 'success' || text === '' ? head : `${head}: ${tail(text, ANNOTATION_MESSAGE_MAX)}`;
}

interface PodRecord {
  runs: Map<string, ProbeRun[]>;
  summary: Map<string, { outcome: RunOutcome; value: string; annotation: string }>;
}

export class ProbeHistory {
  private readonly pods = new Map<string, PodRecord>();
  private readonly retained: string[] = [];

  /** Records a run; returns whether the pod's annotations changed. */
  record(run: ProbeRun, message: string): boolean {
    let rec = this.pods.get(run.podUid);
    if (!rec) {
      rec = { runs: new Map(), summary: new Map() };
      this.pods.set(run.podUid, rec);
    }
    const key = `${run.containerName}.${run.kind}`;
    const ring = rec.runs.get(key) ?? [];
    ring.push(run);
    if (ring.length > HISTORY_PER_PROBE) ring.splice(0, ring.length - HISTORY_PER_PROBE);
    rec.runs.set(key, ring);
    const prior = rec.summary.get(key);
    if (prior?.outcome === run.outcome) return false;
    rec.summary.set(key, {
      outcome: run.outcome,
      value: annotationValue(run, message),
      annotation: annotationKey(run.containerName, run.kind),
    });
    return true;
  }

  runs(uid: string): ProbeRun[] {
    const rec = this.pods.get(uid);
    if (!rec) return [];
    return [...rec.runs.values()].flat().sort((a, b) => a.at - b.at);
  }

  annotations(uid: string): Record<string, string> {
    const out: Record<string, string> = {};
    const rec = this.pods.get(uid);
    if (!rec) return out;
    for (const s of rec.summary.values()) out[s.annotation] = s.value;
    return out;
  }

  /** The pod is gone from the node: keep its record for a while, then forget it. */
  retire(uid: string): void {
    if (!this.pods.has(uid) || this.retained.includes(uid)) return;
    this.retained.push(uid);
    while (this.retained.length > RETAINED_PODS) {
      const old = this.retained.shift();
      if (old !== undefined) this.pods.delete(old);
    }
  }

  /** The pod was added again (same UID): it is live, not retired. */
  revive(uid: string): void {
    const i = this.retained.indexOf(uid);
    if (i >= 0) this.retained.splice(i, 1);
  }
}
