// Durations as Kubernetes prints and reads them.
//
// - goDuration: Go's time.Duration.String() — what the kubelet puts in messages
//   ("back-off 5m0s restarting failed container", "Successfully pulled image … in 1.387s").
// - humanDuration / shortHumanDuration: apimachinery's pkg/util/duration, i.e. kubectl's AGE,
//   "5s (x3 over 2m)" in describe, and the "N (Xs ago)" suffix of RESTARTS.
// - parseDuration: Go's time.ParseDuration, for CLI flags written the way kubectl users write them.
//
// All functions take and return milliseconds; fractions of a millisecond are kept where Go keeps
// nanoseconds.

const NS_PER_MS = 1_000_000n;
const NS_PER_US = 1_000n;
const NS_PER_S = 1_000_000_000n;
const NS_PER_MIN = 60n * NS_PER_S;
const NS_PER_H = 60n * NS_PER_MIN;

/** Milliseconds (possibly fractional) to whole nanoseconds, as a Go time.Duration would hold them. */
function msToNs(ms: number): bigint {
  if (!Number.isFinite(ms)) throw new RangeError(`not a finite duration: ${ms}`);
  return BigInt(Math.round(ms * 1_000_000));
}

/** "<int>.<frac>" with trailing zeros of the fraction removed, as Go's fmtFrac does. */
function withFraction(value: bigint, unit: bigint, digits: number): string {
  const whole = value / unit;
  const frac = value % unit;
  if (frac === 0n) return whole.toString();
  const fracText = frac.toString().padStart(digits, '0').replace(/0+$/, '');
  return `${whole}.${fracText}`;
}

/**
 * Go's time.Duration.String(): "0s", "300ms", "1.387s", "10s", "5m0s", "1m30s", "2h0m0s", "1.5µs".
 * Durations under one second use the largest fitting unit of ns, µs, ms; longer ones are h/m/s
 * with the leading zero units left out and seconds carrying up to nine fractional digits.
 */
export function goDuration(ms: number): string {
  let ns = msToNs(ms);
  if (ns === 0n) return '0s';
  const negative = ns < 0n;
  if (negative) ns = -ns;
  const sign = negative ? '-' : '';
  if (ns < NS_PER_S) {
    if (ns < NS_PER_US) return `${sign}${ns}ns`;
    if (ns < NS_PER_MS) return `${sign}${withFraction(ns, NS_PER_US, 3)}µs`;
    return `${sign}${withFraction(ns, NS_PER_MS, 6)}ms`;
  }
  const hours = ns / NS_PER_H;
  const minutes = (ns % NS_PER_H) / NS_PER_MIN;
  const seconds = withFraction(ns % NS_PER_MIN, NS_PER_S, 9);
  if (hours > 0n) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** Go's int(d.Seconds()): float seconds truncated toward zero. */
function truncatedSeconds(ms: number): number {
  return Math.trunc(ms / 1000);
}

/**
 * apimachinery's duration.HumanDuration (kubectl AGE), about 2–3 significant figures:
 * under 2m "Ns"; under 10m "MmSs" (or "Mm" on a whole minute); under 3h "Mm"; under 8h "HhMm"
 * (or "Hh"); under 48h "Hh"; under 8d "DdHh" (or "Dd"); under 2y "Dd"; under 8y "YyDd" (or "Yy");
 * then "Yy". Clock skew of up to one second in the future reads as "0s"; more is "<invalid>".
 * A year is 365 days, as there.
 */
export function humanDuration(ms: number): string {
  const seconds = truncatedSeconds(ms);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const days = Math.trunc(hours / 24);
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const years = Math.trunc(hours / 24 / 365);
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/**
 * apimachinery's duration.ShortHumanDuration: one unit only — "Ns" under a minute, then "Mm",
 * "Hh", "Dd" and "Yy", with the same tolerance for one second of skew.
 */
export function shortHumanDuration(ms: number): string {
  const seconds = truncatedSeconds(ms);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)}y`;
}

const UNIT_NS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', NS_PER_US],
  ['µs', NS_PER_US], // U+00B5 micro sign
  ['μs', NS_PER_US], // U+03BC Greek small letter mu
  ['ms', NS_PER_MS],
  ['s', NS_PER_S],
  ['m', NS_PER_MIN],
  ['h', NS_PER_H],
]);

const MAX_DURATION_NS = (1n << 63n) - 1n;

/** Thrown for text that Go's time.ParseDuration rejects; the message is Go's. */
export class DurationParseError extends Error {
  override name = 'DurationParseError';
}

/**
 * Go's time.ParseDuration: a signed sequence of decimal numbers, each with an optional fraction
 * and a unit ("300ms", "-1.5h", "2h45m", "1m30s"); "0" needs no unit. Returns milliseconds.
 */
export function parseDuration(text: string): number {
  const quoted = JSON.stringify(text);
  const invalid = (): DurationParseError => new DurationParseError(`time: invalid duration ${quoted}`);
  let s = text;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let totalNs = 0n;
  while (s !== '') {
    // The number: digits, optionally "." and more digits; at least one digit overall.
    const num = /^(\d*)(?:\.(\d*))?/.exec(s);
    const whole = num?.[1] ?? '';
    const frac = num?.[2] ?? '';
    if (num === null || (whole === '' && frac === '')) throw invalid();
    s = s.slice(num[0].length);
    const unitMatch = /^[^\d.]*/.exec(s);
    const unitText = unitMatch?.[0] ?? '';
    if (unitText === '') throw new DurationParseError(`time: missing unit in duration ${quoted}`);
    const unit = UNIT_NS.get(unitText);
    if (unit === undefined) {
      throw new DurationParseError(`time: unknown unit ${JSON.stringify(unitText)} in duration ${quoted}`);
    }
    s = s.slice(unitText.length);
    let ns = BigInt(whole === '' ? '0' : whole) * unit;
    if (frac !== '') {
      // Go keeps the fraction exactly up to nanoseconds and truncates the rest.
      ns += (BigInt(frac) * unit) / 10n ** BigInt(frac.length);
    }
    totalNs += ns;
    if (totalNs > MAX_DURATION_NS + (negative ? 1n : 0n)) throw invalid();
  }
  const ms = Number(totalNs) / 1_000_000;
  return negative ? -ms : ms;
}
