// Probe lateness: how long after its scheduled tick each probe run started. As the kubelet's worker,
// nodelet's probe worker ticks on the grid start + k·period of its own start (a Go time.Ticker), so
// every run of one probe should begin at the same offset within the period. The worker's start is
// not published, so the grid's phase is recovered from the runs themselves: the phase that puts the
// runs closest after it (the least total lateness). Each run's lateness is then its distance past
// that phase. This measures lateness beyond the best-served tick of that probe in the window; that
// tick is itself at most a timer's slack late, which this cannot see.

export interface TimedRun {
  /** One probe: pod UID, container and kind. */
  key: string;
  /** Start of the run, ms since the epoch (ProbeRun.at). */
  at: number;
  /** The probe's periodSeconds in ms. */
  periodMs: number;
}

/** ((a mod m) + m) mod m: the offset of a within the period, always in [0, m). */
export function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/** Lateness (ms) of every run of one probe, given the runs' start times and the period. */
export function latenessOnGrid(ats: readonly number[], periodMs: number): number[] {
  if (ats.length === 0) return [];
  if (!(periodMs > 0)) throw new RangeError('period must be positive');
  const residuals = ats.map((a) => mod(a, periodMs));
  let best: number[] = [];
  let bestSum = Number.POSITIVE_INFINITY;
  // The phase is one of the runs' own residuals: the earliest run on the grid is the reference.
  for (const phase of residuals) {
    const late = residuals.map((r) => mod(r - phase, periodMs));
    let sum = 0;
    for (const l of late) sum += l;
    if (sum < bestSum) {
      bestSum = sum;
      best = late;
    }
  }
  return best;
}

/**
 * Lateness of every run, probe by probe, without each probe's reference run (late by 0 by
 * construction, it would pull the median down). A probe seen running once says nothing about its
 * grid: left out.
 */
export function probeLateness(runs: readonly TimedRun[]): number[] {
  const byKey = new Map<string, { ats: number[]; periodMs: number }>();
  for (const r of runs) {
    const g = byKey.get(r.key);
    if (g) g.ats.push(r.at);
    else byKey.set(r.key, { ats: [r.at], periodMs: r.periodMs });
  }
  const out: number[] = [];
  for (const { ats, periodMs } of byKey.values()) {
    if (ats.length < 2) continue;
    const late = latenessOnGrid(ats, periodMs);
    late.splice(late.indexOf(0), 1);
    out.push(...late);
  }
  return out;
}
