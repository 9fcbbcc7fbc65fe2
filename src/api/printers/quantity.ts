// Resource quantities the way apimachinery's resource.Quantity reads and prints them, which is
// what kubectl describe shows under Limits/Requests ("500m", "1Gi", "2k"; "0.5" prints as "500m",
// "1024Mi" as "1Gi", "1.5Gi" as "1536Mi").
//
// Rules matched (api/resource/quantity.go):
// - Suffixes: decimal n u m "" k M G T P E, binary Ki Mi Gi Ti Pi Ei, exponent e<N>/E<N>.
// - Values are kept to nano precision; anything finer is rounded up (away from zero).
// - A string already in canonical shape is printed back verbatim (Go caches it): decimal forms
//   whose scale is a multiple of 3, without a leading zero or a "000" tail, and binary forms with a
//   whole number whose low three bits are not all zero.
// - Otherwise the canonical form is printed: binary quantities stay binary when they are whole and
//   at least 1024 in magnitude, using the largest power of 1024 that divides them; everything else
//   is decimal with the exponent lowered to a multiple of 3.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9, exact. */
  nanos: bigint;
  format: QuantityFormat;
  /** The string Go would print back unchanged, when it keeps the original. */
  cached?: string;
}

export class QuantityParseError extends Error {
  override name = 'QuantityParseError';
}

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const DECIMAL_BY_EXPONENT = new Map([...DECIMAL_SUFFIXES].map(([s, e]) => [e, s]));
const BINARY_BY_EXPONENT = new Map([...BINARY_SUFFIXES].map(([s, e]) => [e, s]));

const MAX_INT64 = (1n << 63n) - 1n;

interface Parts {
  positive: boolean;
  num: string;
  denom: string;
  suffix: string;
}

/** Go's parseQuantityString: sign, numerator without leading zeros, fraction digits, suffix. */
function splitQuantity(str: string): Parts {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/s.exec(str);
  const [, sign = '', digits = '', denom = '', suffix = ''] = m ?? [];
  const num = digits.replace(/^0+/, '');
  return { positive: sign !== '-', num: num === '' ? '0' : num, denom, suffix };
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** n × 10^shift, rounded away from zero when shift is negative. */
function shiftRoundedUp(n: bigint, shift: number): bigint {
  if (shift >= 0) return n * pow10(shift);
  const divisor = pow10(-shift);
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let q = abs / divisor;
  if (abs % divisor !== 0n) q += 1n;
  return negative ? -q : q;
}

/** The nanos of n × 10^exponent10, rounded up to the nano as ParseQuantity does. */
function toNanosRoundedUp(n: bigint, exponent10: number): bigint {
  return shiftRoundedUp(n, exponent10 + 9);
}

export function parseQuantity(str: string): Quantity {
  const bad = (): QuantityParseError =>
    new QuantityParseError(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  if (str.length === 0) throw bad();
  if (str === '0') return { nanos: 0n, format: 'DecimalSI', cached: str };
  const { positive, num, denom, suffix } = splitQuantity(str);

  let format: QuantityFormat;
  let base: 2 | 10;
  let exponent: number;
  const binary = BINARY_SUFFIXES.get(suffix);
  const decimal = DECIMAL_SUFFIXES.get(suffix);
  if (binary !== undefined) {
    format = 'BinarySI';
    base = 2;
    exponent = binary;
  } else if (decimal !== undefined) {
    format = 'DecimalSI';
    base = 10;
    exponent = decimal;
  } else {
    const e = /^[eE]([+-]?\d+)$/.exec(suffix);
    if (e?.[1] === undefined) throw new QuantityParseError("unable to parse quantity's suffix");
    format = 'DecimalExponent';
    base = 10;
    exponent = Number(e[1]);
  }

  const shifted = num + denom;
  const mantissa = BigInt(shifted) * (positive ? 1n : -1n);

  // Go's int64 fast path, which also decides whether the original string is kept.
  let cached: string | undefined;
  const precision =
    base === 10
      ? 18 - (num.length + denom.length)
      : exponent >= 0 && denom.length === 0
        ? 15 - num.length - Math.trunc((exponent * 3) / 10) - 1
        : -1;
  if (precision >= 0) {
    const scale = (base === 10 ? exponent : 0) - denom.length;
    const value = BigInt(shifted);
    const product = base === 2 ? value << BigInt(exponent) : value;
    if (scale >= -9 && value <= MAX_INT64 && product <= MAX_INT64) {
      if (base === 2) {
        if (exponent % 10 === 0 && (value & 7n) !== 0n) cached = str;
      } else if (scale % 3 === 0 && !shifted.endsWith('000') && !shifted.startsWith('0')) {
        cached = str;
      }
    }
  }

  let nanos: bigint;
  if (base === 10) {
    nanos = toNanosRoundedUp(mantissa, exponent - denom.length);
  } else {
    nanos = toNanosRoundedUp(mantissa * (1n << BigInt(exponent)), -denom.length);
    // A binary quantity strictly between 0 and 1 is shown in decimal, to avoid rounding.
    const abs = nanos < 0n ? -nanos : nanos;
    if (cached === undefined && abs > 0n && abs < 1_000_000_000n) format = 'DecimalSI';
  }
  const q: Quantity = { nanos, format };
  if (cached !== undefined) q.cached = cached;
  return q;
}

function stripFactors(value: bigint, factor: bigint): [bigint, number] {
  let times = 0;
  if (value === 0n) return [value, 0];
  while (value % factor === 0n) {
    value /= factor;
    times++;
  }
  return [value, times];
}

/** Quantity.String(): the kept original, or the canonical form. */
export function formatQuantity(q: Quantity): string {
  if (q.cached !== undefined) return q.cached;
  if (q.nanos === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small = q.nanos > -1024n * 1_000_000_000n && q.nanos < 1024n * 1_000_000_000n;
    if (small || q.nanos % 1_000_000_000n !== 0n) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    const [amount, times] = stripFactors(q.nanos / 1_000_000_000n, 1024n);
    return `${amount}${BINARY_BY_EXPONENT.get(times * 10) ?? ''}`;
  }
  let [amount, exponent] = stripFactors(q.nanos, 10n);
  exponent -= 9;
  while (exponent % 3 !== 0) {
    amount *= 10n;
    exponent--;
  }
  if (format === 'DecimalExponent') return exponent === 0 ? `${amount}` : `${amount}e${exponent}`;
  // Go finds no suffix outside n…E and then prints the bare number.
  return `${amount}${DECIMAL_BY_EXPONENT.get(exponent) ?? ''}`;
}

/** Parses and prints back, as describe does with every quantity it shows. */
export function canonicalQuantity(str: string): string {
  try {
    return formatQuantity(parseQuantity(str));
  } catch {
    return str;
  }
}

/** Quantity.ScaledValue(scale): ceil(value / 10^scale), e.g. scale -3 for MilliValue. */
export function scaledValue(q: Quantity, scale: number): bigint {
  return shiftRoundedUp(q.nanos, -9 - scale);
}
