// The harness's arithmetic: percentiles, summaries and ratios to the floor. Every figure the bench
// prints goes through here, so these are the functions the unit tests pin down.

export interface Summary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The nearest-rank percentile: the smallest sample such that at least p % of the samples are at
 * or below it (so p100 is the maximum and every result is a value that was measured). NaN for no
 * samples.
 */
export function percentile(samples: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) {
    const nan = Number.NaN;
    return { count: 0, min: nan, p50: nan, p90: nan, p99: nan, max: nan, mean: nan };
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    count: sorted.length,
    min: sorted[0] as number,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: sorted[sorted.length - 1] as number,
    mean: sum / sorted.length,
  };
}

/**
 * nodelet ÷ floor. Undefined when either side is missing or the floor is not a positive number,
 * so a ratio is never printed against a floor that was not measured.
 */
export function ratio(value: number | undefined, floor: number | undefined): number | undefined {
  if (value === undefined || floor === undefined) return undefined;
  if (!Number.isFinite(value) || !Number.isFinite(floor) || floor <= 0) return undefined;
  return value / floor;
}

/** What nodelet adds on top of the floor (value − floor), never below zero; undefined when unknown. */
export function overhead(value: number | undefined, floor: number | undefined): number | undefined {
  if (value === undefined || floor === undefined) return undefined;
  if (!Number.isFinite(value) || !Number.isFinite(floor)) return undefined;
  return Math.max(0, value - floor);
}

/** CPU time (µs, as process.cpuUsage and /proc report it after conversion) per wall second, as a share of one core. */
export function coreShare(cpuMicros: number, wallMs: number): number {
  if (!(wallMs > 0)) return Number.NaN;
  return cpuMicros / 1000 / wallMs;
}
