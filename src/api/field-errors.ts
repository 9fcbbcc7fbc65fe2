// Field-level validation errors with exactly the wording of the Kubernetes API server
// (k8s.io/apimachinery/pkg/util/validation/field, v0.32: errors.go and path.go).
//
// The text matters: kubectl prints `details.causes[].field + ": " + message`, users search for
// these strings, and nodelet promises the same answers as a real cluster.

/** apimachinery's field.ErrorType values; they double as metav1.StatusCause reasons. */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

const typeText: Record<FieldErrorType, string> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** Marks a bad value that must not be printed (apimachinery's omitValue). */
export const OMIT_VALUE: unique symbol = Symbol('omitValue');

/** A bad value as the Go validator would hold it: string, number, boolean, nil or a structure. */
export type BadValue = unknown;

/**
 * A bad value that Go prints through its String() method, unquoted (metav1.Time prints as
 * `2025-01-02 03:04:05 +0000 UTC`).
 */
export class StringerValue {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** A path to a field, printed as `spec.containers[0].name` or `metadata.labels[app]` (field.Path). */
export class FieldPath {
  readonly #name: string;
  readonly #index: string;
  readonly #parent: FieldPath | undefined;

  private constructor(name: string, index: string, parent: FieldPath | undefined) {
    this.#name = name;
    this.#index = index;
    this.#parent = parent;
  }

  /** field.NewPath(name, more...). */
  static of(name: string, ...more: string[]): FieldPath {
    let p = new FieldPath(name, '', undefined);
    for (const m of more) p = p.child(m);
    return p;
  }

  child(name: string, ...more: string[]): FieldPath {
    let p = new FieldPath(name, '', this);
    for (const m of more) p = p.child(m);
    return p;
  }

  index(i: number): FieldPath {
    return new FieldPath('', String(i), this);
  }

  key(k: string): FieldPath {
    return new FieldPath('', k, this);
  }

  toString(): string {
    const elems: FieldPath[] = [];
    let p: FieldPath | undefined = this.#parent;
    elems.push(this);
    while (p !== undefined) {
      elems.unshift(p);
      p = p.#parent;
    }
    let out = '';
    for (const e of elems) {
      if (e.#parent !== undefined && e.#name.length > 0) out += '.';
      // A nameless element is a subscript — even a nameless root, which prints as `[]`.
      out += e.#name.length > 0 ? e.#name : `[${e.#index}]`;
    }
    return out;
  }
}

/** One validation failure: apimachinery's field.Error. */
export class FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly badValue: BadValue;
  readonly detail: string;

  constructor(type: FieldErrorType, field: FieldPath | string, badValue: BadValue, detail: string) {
    this.type = type;
    this.field = typeof field === 'string' ? field : field.toString();
    this.badValue = badValue;
    this.detail = detail;
  }

  /** The message without the field (ErrorBody); what a StatusCause carries as `message`. */
  body(): string {
    let s: string;
    switch (this.type) {
      // These never print their value (errors.go: Required/Forbidden/TooLong/Internal).
      case 'FieldValueRequired':
      case 'FieldValueForbidden':
      case 'FieldValueTooLong':
      case 'InternalError':
        s = typeText[this.type];
        break;
      default:
        s =
          this.badValue === OMIT_VALUE
            ? typeText[this.type]
            : `${typeText[this.type]}: ${formatBadValue(this.badValue)}`;
    }
    if (this.detail.length > 0) s += `: ${this.detail}`;
    return s;
  }

  /** `field: body`, the Error() string of field.Error. */
  toString(): string {
    return `${this.field}: ${this.body()}`;
  }
}

// Constructors named after apimachinery's helpers (field.Required, field.Invalid, …).

export function required(path: FieldPath, detail = ''): FieldError {
  return new FieldError('FieldValueRequired', path, '', detail);
}

export function invalid(path: FieldPath, value: BadValue, detail: string): FieldError {
  return new FieldError('FieldValueInvalid', path, value, detail);
}

export function typeInvalid(path: FieldPath, value: BadValue, detail: string): FieldError {
  return new FieldError('FieldValueTypeInvalid', path, value, detail);
}

export function duplicate(path: FieldPath, value: BadValue): FieldError {
  return new FieldError('FieldValueDuplicate', path, value, '');
}

export function notFound(path: FieldPath, value: BadValue): FieldError {
  return new FieldError('FieldValueNotFound', path, value, '');
}

/** field.NotSupported: `Unsupported value: "x": supported values: "a", "b"`. */
export function notSupported(path: FieldPath, value: BadValue, validValues: readonly string[]): FieldError {
  const detail = validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(', ')}` : '';
  return new FieldError('FieldValueNotSupported', path, value, detail);
}

export function forbidden(path: FieldPath, detail: string): FieldError {
  return new FieldError('FieldValueForbidden', path, '', detail);
}

/** field.TooLong as of 1.32: the value is never printed, only the limit. */
export function tooLong(path: FieldPath, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} bytes` : 'value is too long';
  return new FieldError('FieldValueTooLong', path, '<value omitted>', detail);
}

export function tooMany(path: FieldPath, actual: number, max: number): FieldError {
  const detail = max >= 0 ? `must have at most ${max} items` : 'has too many items';
  return new FieldError('FieldValueTooMany', path, actual >= 0 ? actual : OMIT_VALUE, detail);
}

export function internalError(path: FieldPath, message: string): FieldError {
  return new FieldError('InternalError', path, undefined, message);
}

/**
 * Prints a bad value the way ErrorBody does: strings with Go's %q, numbers and booleans with %v,
 * nil as the quoted string "null", anything else as JSON (1.32 prints Go syntax with %#v for
 * structs, which has no JS equivalent; later releases print JSON, which is what we do).
 */
export function formatBadValue(value: BadValue): string {
  if (value === null || value === undefined) return goQuote('null');
  if (value instanceof StringerValue) return value.text;
  switch (typeof value) {
    case 'string':
      return goQuote(value);
    case 'number':
      return goNumber(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return String(value);
    default: {
      try {
        return JSON.stringify(value) ?? Object.prototype.toString.call(value);
      } catch {
        return Object.prototype.toString.call(value);
      }
    }
  }
}

/** Go's %v for a number: integers plainly, floats as strconv 'g' with two-digit exponents. */
export function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [mant, e] = n.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${mant}e${sign}${digits}`;
  }
  return String(n);
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** strconv.Quote: Go's double-quoted string literal with Go's escapes. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (printable.test(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

/**
 * The text of errors.ToAggregate() for a list: duplicates dropped, one error bare, several
 * as `[a, b]`. This is what follows `Pod "x" is invalid: ` in a 422 Status message.
 */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errors) {
    const m = e.toString();
    if (seen.has(m)) continue;
    seen.add(m);
    msgs.push(m);
  }
  if (msgs.length <= 1) return msgs[0] ?? '';
  return `[${msgs.join(', ')}]`;
}
