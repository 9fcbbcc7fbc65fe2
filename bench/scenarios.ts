// The start-up and deletion scenarios, written against PodApi so they run the same way in the
// kubelet's process (in-process store) and against the HTTPS API.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { now, PodTracker, type PodApi } from './pod-api.ts';
import { withDeadline } from './deadline.ts';
import { benchPod, SLEEP_COMMAND } from './pods.ts';

export const NAMESPACE = 'default';
const WAIT_MS = 60_000;

export interface StartupTimes {
  /** create request → first watch event with phase Running, per pod (ms). */
  running: number[];
  /** create request → first watch event with the Ready condition True (pods with a probe). */
  ready: number[];
}

export interface StartupOptions {
  count: number;
  mode: 'sequential' | 'burst';
  /** An exec readiness probe: Ready then needs one probe run. */
  readiness: boolean;
  /** Name prefix, unique per scenario of the run. */
  prefix: string;
  run: string;
  /** The container's command; SLEEP_COMMAND when not given. */
  command?: string[];
}

async function withTracker<T>(api: PodApi, fn: (t: PodTracker) => Promise<T>): Promise<T> {
  const tracker = new PodTracker();
  const stop = await api.watch(tracker.onEvent);
  try {
    return await fn(tracker);
  } finally {
    stop();
  }
}

function podsFor(opts: StartupOptions): Pod[] {
  return Array.from({ length: opts.count }, (_, i) =>
    benchPod({
      name: `${opts.prefix}-${i}`,
      run: opts.run,
      command: opts.command ?? SLEEP_COMMAND,
      execReadiness: opts.readiness,
      // The deletion rows use the same pods: sleep exits at once on SIGTERM.
      terminationGracePeriodSeconds: 30,
    }),
  );
}

/** Deletes the pods and waits until every object is gone (not timed). */
export async function deleteAll(api: PodApi, tracker: PodTracker, names: string[]): Promise<void> {
  await Promise.all(names.map((n) => api.delete(NAMESPACE, n)));
  await Promise.all(names.map((n) => tracker.until(NAMESPACE, n, 'gone', WAIT_MS)));
}

export async function startup(api: PodApi, opts: StartupOptions): Promise<StartupTimes> {
  const pods = podsFor(opts);
  const names = pods.map((p) => p.metadata?.name ?? '');
  return withTracker(api, async (tracker) => {
    const running: number[] = [];
    const ready: number[] = [];
    const measure = async (pod: Pod, t0: number, created: Promise<void>): Promise<void> => {
      const name = pod.metadata?.name ?? '';
      await created;
      const tr = await tracker.until(NAMESPACE, name, 'running', WAIT_MS);
      running.push(tr - t0);
      if (opts.readiness) ready.push((await tracker.until(NAMESPACE, name, 'ready', WAIT_MS)) - t0);
    };
    if (opts.mode === 'sequential') {
      for (const pod of pods) {
        const t0 = now();
        await measure(pod, t0, api.create(pod));
      }
    } else {
      const all: Promise<void>[] = [];
      for (const pod of pods) {
        const t0 = now();
        all.push(measure(pod, t0, api.create(pod)));
      }
      await Promise.all(all);
    }
    await deleteAll(api, tracker, names);
    return { running, ready };
  });
}

/**
 * delete request → object gone, one pod at a time, for pods whose container exits at once on
 * SIGTERM: the graceful deletion protocol end to end (deletionTimestamp, the kubelet's kill, the
 * final status, the kubelet's delete with grace 0).
 */
export async function deletion(
  api: PodApi,
  count: number,
  run: string,
  prefix: string,
  command?: string[],
): Promise<number[]> {
  const pods = podsFor({
    count,
    mode: 'burst',
    readiness: false,
    prefix,
    run,
    ...(command ? { command } : {}),
  });
  return withTracker(api, async (tracker) => {
    await Promise.all(pods.map((p) => api.create(p)));
    const names = pods.map((p) => p.metadata?.name ?? '');
    await Promise.all(names.map((n) => tracker.until(NAMESPACE, n, 'running', WAIT_MS)));
    const out: number[] = [];
    for (const n of names) {
      const t0 = now();
      await api.delete(NAMESPACE, n);
      out.push((await tracker.until(NAMESPACE, n, 'gone', WAIT_MS)) - t0);
    }
    return out;
  });
}

/** A list or watch sample not answered within this long is left out (and the run goes on). */
const SAMPLE_TIMEOUT_MS = 10_000;
/** After this many unanswered samples in a row the node is taken as not answering: stop asking. */
const GIVE_UP_AFTER = 3;

/** `list pods` in the namespace, one after the other, timed from request to the full answer. */
export async function listLatency(
  api: PodApi,
  count: number,
  gapMs: number,
  budgetMs = 60_000,
): Promise<number[]> {
  const out: number[] = [];
  let missed = 0;
  const end = now() + budgetMs;
  for (let i = 0; i < count && missed < GIVE_UP_AFTER && now() < end; i++) {
    const t0 = now();
    if (!(await withDeadline(api.list(NAMESPACE), SAMPLE_TIMEOUT_MS))) {
      missed++;
      continue;
    }
    missed = 0;
    out.push(now() - t0);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return out;
}

/**
 * Watch delivery: a label write on one of the pods, timed from the write request to the watch
 * event carrying it. Over HTTPS this bounds delivery from above (the write's own round trip is
 * inside it).
 */
export async function watchLatency(
  api: PodApi,
  names: string[],
  count: number,
  gapMs: number,
  budgetMs = 60_000,
): Promise<number[]> {
  const out: number[] = [];
  const pending = new Map<string, { t0: number; resolve: () => void }>();
  const stop = await api.watch((type, pod) => {
    if (type !== 'MODIFIED') return;
    const mark = pod.metadata?.labels?.['bench.nodelet.dev/mark'];
    if (mark === undefined) return;
    const p = pending.get(mark);
    if (!p) return;
    // A watch client decodes what it receives; the in-process path hands over objects, so encode once.
    JSON.stringify(pod);
    out.push(now() - p.t0);
    pending.delete(mark);
    p.resolve();
  });
  let missed = 0;
  const end = now() + budgetMs;
  try {
    for (let i = 0; i < count && missed < GIVE_UP_AFTER && now() < end; i++) {
      const name = names[i % names.length] as string;
      const mark = `m${i}-${Date.now().toString(36)}`;
      const seen = new Promise<void>((resolve) => pending.set(mark, { t0: now(), resolve }));
      const answered = await withDeadline(
        api.label(NAMESPACE, name, 'bench.nodelet.dev/mark', mark).then(() => seen),
        SAMPLE_TIMEOUT_MS,
      );
      missed = answered ? 0 : missed + 1;
      pending.delete(mark);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  } finally {
    stop();
  }
  return out;
}
