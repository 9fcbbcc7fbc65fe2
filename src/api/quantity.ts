// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource, v0.32): parsing with the
// same grammar and error messages, exact comparison, and the canonical string the API server
// writes back (so `cpu: 0.5` reads back as `500m`, `memory: 1024Mi` as `1Gi`).
//
// A value is held exactly as unscaled × 10^scale with a bigint, rounded up to nano units like
// ParseQuantity does, so comparisons never suffer from floating point.

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

const splitREString = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

export const ERR_FORMAT_WRONG = `quantities must match the regular expression '${splitREString}'`;
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

export class QuantityError extends Error {
  override name = 'QuantityError';
}

const decimalSuffixes: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const decimalByExponent = new Map(Object.entries(decimalSuffixes).map(([s, e]) => [e, s]));
const binaryByExponent = new Map(Object.entries(binarySuffixes).map(([s, e]) => [e, s]));

const maxInt64 = (1n << 63n) - 1n;
const nanoScale = -9;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

export class Quantity {
  /** The value is unscaled × 10^scale. */
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
  /** The input string when ParseQuantity keeps it as the printed form. */
  readonly #original: string | undefined;

  constructor(unscaled: bigint, scale: number, format: QuantityFormat, original?: string) {
    this.unscaled = unscaled;
    this.scale = scale;
    this.format = format;
    this.#original = original;
  }

  isZero(): boolean {
    return this.unscaled === 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.unscaled === 0n ? 0 : this.unscaled < 0n ? -1 : 1;
  }

  /** -1, 0 or 1 as Quantity.Cmp. */
  cmp(other: Quantity): -1 | 0 | 1 {
    const s = Math.min(this.scale, other.scale);
    const a = this.unscaled * pow10(this.scale - s);
    const b = other.unscaled * pow10(other.scale - s);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  add(other: Quantity): Quantity {
    const s = Math.min(this.scale, other.scale);
    const sum = this.unscaled * pow10(this.scale - s) + other.unscaled * pow10(other.scale - s);
    return new Quantity(sum, s, this.format);
  }

  /** The value in milli-units, rounded up (Quantity.MilliValue). */
  milliValue(): bigint {
    return this.scaledValue(-3);
  }

  /** The value in whole units, rounded up (Quantity.Value). */
  value(): bigint {
    return this.scaledValue(0);
  }

  /** The value as a JS number (approximate for huge values); useful for runtimes. */
  toNumber(): number {
    return Number(this.unscaled) * 10 ** this.scale;
  }

  private scaledValue(target: number): bigint {
    if (this.scale >= target) return this.unscaled * pow10(this.scale - target);
    const div = pow10(target - this.scale);
    const q = this.unscaled / div;
    const r = this.unscaled % div;
    // Round away from zero, as inf.RoundUp does.
    if (r === 0n) return q;
    return this.unscaled > 0n ? q + 1n : q - 1n;
  }

  /** The canonical form the API server prints (Quantity.String / CanonicalizeBytes). */
  toString(): string {
    if (this.#original !== undefined) return this.#original;
    if (this.unscaled === 0n) return '0';
    let format = this.format;
    if (format === 'BinarySI') {
      // Small values and fractions print as DecimalSI so that nothing is rounded away.
      const abs = this.unscaled < 0n ? -this.unscaled : this.unscaled;
      const small =
        this.cmp(new Quantity(-1024n, 0, 'DecimalSI')) > 0 &&
        this.cmp(new Quantity(1024n, 0, 'DecimalSI')) < 0;
      if (small || (this.scale < 0 && abs % pow10(-this.scale) !== 0n)) format = 'DecimalSI';
    }
    if (format === 'BinarySI') {
      let value = this.scale >= 0 ? this.unscaled * pow10(this.scale) : this.unscaled / pow10(-this.scale);
      let exp = 0;
      while (value !== 0n && value % 1024n === 0n && exp < 60) {
        value /= 1024n;
        exp += 10;
      }
      return `${value.toString()}${binaryByExponent.get(exp) ?? ''}`;
    }
    // Decimal: move factors of ten into the exponent, then make it a multiple of three.
    let amount = this.unscaled;
    let exponent = this.scale;
    while (amount % 10n === 0n) {
      amount /= 10n;
      exponent += 1;
    }
    while (((exponent % 3) + 3) % 3 !== 0) {
      amount *= 10n;
      exponent -= 1;
    }
    if (format === 'DecimalExponent') {
      return exponent === 0 ? amount.toString() : `${amount.toString()}e${exponent}`;
    }
    return `${amount.toString()}${decimalByExponent.get(exponent) ?? ''}`;
  }

  toJSON(): string {
    return this.toString();
  }
}

interface Parts {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

// The scanner of parseQuantityString, quirks included (leading zeros dropped from the
// numerator, "1." accepted, a suffix made of the letters eEinumkKMGTP).
function splitQuantity(str: string): Parts {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (str[0] === '-') {
    positive = false;
    pos++;
  } else if (str[0] === '+') {
    pos++;
  }
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { positive, value: str, num, denom: '', suffix: '' };
  pos = i;
  if (num.length === 0) num = '0';
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    let j = pos;
    while (j < end && isDigit(str[j])) j++;
    denom = str.slice(pos, j);
    if (j >= end) return { positive, value: str, num, denom, suffix: '' };
    pos = j;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  let k = pos;
  while (k < end && 'eEinumkKMGTP'.includes(str[k] ?? '')) k++;
  if (k >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = k;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  let m = pos;
  while (m < end && isDigit(str[m])) m++;
  if (m >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  throw new QuantityError(ERR_FORMAT_WRONG);
}

function interpretSuffix(suffix: string): { base: 2 | 10; exponent: number; format: QuantityFormat } {
  const dec = decimalSuffixes[suffix];
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = binarySuffixes[suffix];
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const rest = suffix.slice(1);
    if (/^[+-]?\d+$/.test(rest)) return { base: 10, exponent: Number(rest), format: 'DecimalExponent' };
  }
  throw new QuantityError(ERR_SUFFIX);
}

/** resource.ParseQuantity. Throws QuantityError with the API server's message. */
export function parseQuantity(str: string): Quantity {
  if (str.length === 0) throw new QuantityError(ERR_FORMAT_WRONG);
  if (str === '0') return new Quantity(0n, 0, 'DecimalSI', str);
  const { positive, value, num, denom, suffix } = splitQuantity(str);
  const { base, exponent, format } = interpretSuffix(suffix);

  // The int64 fast path decides whether the input string is kept as the printed form.
  let precision: number;
  let scale: number;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    scale = 0;
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= nanoScale) {
      const shifted = num + denom;
      if (!/^\d+$/.test(shifted)) throw new QuantityError(ERR_NUMERIC);
      const v = BigInt(shifted);
      const result = v * mantissa;
      if (result <= maxInt64) {
        const signed = positive ? result : -result;
        let keep = false;
        if (format === 'BinarySI') keep = exponent % 10 === 0 && (v & 7n) !== 0n;
        else keep = scale % 3 === 0 && !shifted.endsWith('000') && !shifted.startsWith('0');
        return new Quantity(signed, scale, format, keep ? str : undefined);
      }
    }
  }

  // The arbitrary-precision path: value × base^exponent, rounded up to nano units.
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value);
  if (m === null || `${m[2] ?? ''}${m[3] ?? ''}`.length === 0) throw new QuantityError(ERR_NUMERIC);
  const digits = `${m[2] ?? ''}${m[3] ?? ''}`;
  let unscaled = BigInt(digits);
  let decScale = -(m[3] ?? '').length;
  if (base === 10) decScale += exponent;
  else unscaled *= 1n << BigInt(exponent);
  if (decScale < nanoScale) {
    const div = pow10(nanoScale - decScale);
    const q = unscaled / div;
    unscaled = unscaled % div === 0n ? q : q + 1n;
    decScale = nanoScale;
  }
  let fmt = format;
  const q = new Quantity(unscaled, decScale, fmt);
  if (fmt === 'BinarySI' && q.cmp(new Quantity(1n, 0, 'DecimalSI')) < 0 && !q.isZero()) fmt = 'DecimalSI';
  return new Quantity(positive ? unscaled : -unscaled, decScale, fmt);
}

/**
 * Parses a quantity as it arrives in JSON: a string, or a bare number (Quantity.UnmarshalJSON
 * accepts both). Anything else is the "must match the regular expression" error.
 */
export function quantityFromJSON(value: unknown): Quantity {
  if (typeof value === 'string') return parseQuantity(value.trim());
  if (typeof value === 'number' && Number.isFinite(value)) return parseQuantity(numberToJSON(value));
  throw new QuantityError(ERR_FORMAT_WRONG);
}

/** A number as encoding/json prints a float64 (what a YAML number becomes on its way to JSON). */
export function numberToJSON(n: number): string {
  const abs = Math.abs(n);
  // encoding/json switches to exponent form outside [1e-6, 1e21); JS prints that form the same way.
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return n.toExponential();
  return String(n);
}

/** True if s is a well-formed quantity. */
export function isQuantity(s: string): boolean {
  try {
    parseQuantity(s);
    return true;
  } catch {
    return false;
  }
}
