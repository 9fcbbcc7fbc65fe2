// What the API server's JSON decoder says about an object before any validation runs:
// unknown fields (strict field validation) and values of the wrong JSON type.
//
// The API server decodes request bodies with sigs.k8s.io/json into the Go structs of
// k8s.io/api. Two kinds of problems come out of that step:
//  - strict errors, reported only with fieldValidation=Strict (kubectl's default) or as warnings
//    with Warn: `unknown field "spec.containers[0].imagePullPolcy"`, `duplicate field "…"`;
//  - decoding errors, always fatal (400 BadRequest), worded by encoding/json:
//    `json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32`,
//    or by a type's own decoder (quantities, int-or-string, times).
// The field layout comes from ./schema/types.generated.ts (see scripts/generate-api-schema.ts).
import { goQuote } from './field-errors.ts';
import { ERR_FORMAT_WRONG, QuantityError, quantityFromJSON, numberToJSON } from './quantity.ts';
import { kindStructs, structs as generatedStructs } from './schema/types.generated.ts';

// Fields newer than the generated 1.32 schema that nodelet supports: `lifecycle.stopSignal`
// (Kubernetes 1.33+, ContainerStopSignals).
const structs: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  ...generatedStructs,
  Lifecycle: { ...generatedStructs.Lifecycle, stopSignal: 'string|v1.Signal' },
};

/** A problem found while decoding, with the API field path it concerns (for line numbers). */
export interface DecodeProblem {
  /** API field path, `spec.containers[0].ports[0].containerPort`. */
  path: string;
  /** The decoder's message, without the "Pod in version …" wrapper. */
  message: string;
  /**
   * True when the Go decoder stops at this error (errors from a type's own UnmarshalJSON);
   * otherwise it records the error and goes on, reporting the first one at the end.
   */
  fatal: boolean;
}

/** Kinds with a known field layout. */
export function hasSchema(kind: string): boolean {
  return kindStructs[kind] !== undefined;
}

/** An unknown field: as the strict decoder prints it, and as an API field path for lines. */
export interface UnknownField {
  /** `spec.containers[0].imagePullPolcy`, as in `unknown field "…"`. */
  strictPath: string;
  /** The API field path (map keys in brackets), for DecodedObject.lineOf. */
  path: string;
}

interface Walk {
  unknown: UnknownField[];
  problems: DecodeProblem[];
}

interface Context {
  /** Go struct whose field is being decoded, for "Go struct field X.path". */
  struct: string;
  /** JSON field names from the root, without indices or map keys (encoding/json's FieldStack). */
  fieldStack: string[];
  /** API field path with indices and keys, `metadata.labels[app]` (for line lookup). */
  path: string;
  /** The same path as sigs.k8s.io/json's strict field stack prints it, `metadata.labels.app`. */
  strictPath: string;
}

function splitType(t: string): { base: string; go: string | undefined } {
  const bar = t.indexOf('|');
  return bar < 0 ? { base: t, go: undefined } : { base: t.slice(0, bar), go: t.slice(bar + 1) };
}

/** The Go type name reflect prints for a field type descriptor. */
function goTypeName(t: string): string {
  const { base, go } = splitType(t);
  if (go !== undefined) return go;
  if (base.startsWith('[]')) return `[]${goTypeName(base.slice(2))}`;
  if (base.startsWith('map:')) return `map[string]${goTypeName(base.slice(4))}`;
  if (base.startsWith('@')) return `v1.${base.slice(1)}`;
  switch (base) {
    case 'time':
      return 'v1.Time';
    case 'microtime':
      return 'v1.MicroTime';
    case 'quantity':
      return 'resource.Quantity';
    case 'intstr':
      return 'intstr.IntOrString';
    case 'bytes':
      return '[]uint8';
    case 'any':
      return 'interface {}';
    default:
      return base;
  }
}

/** How encoding/json describes a JSON value in "cannot unmarshal <value>". */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return v === null ? 'null' : 'object';
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function joinPath(path: string, key: string): string {
  return path.length > 0 ? `${path}.${key}` : key;
}

const intRanges: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function typeError(w: Walk, ctx: Context, value: string, goType: string): void {
  const where =
    ctx.fieldStack.length > 0 ? `Go struct field ${ctx.struct}.${ctx.fieldStack.join('.')}` : 'Go value';
  w.problems.push({
    path: ctx.path,
    message: `json: cannot unmarshal ${value} into ${where} of type ${goType}`,
    fatal: false,
  });
}

function fatal(w: Walk, ctx: Context, message: string): void {
  w.problems.push({ path: ctx.path, message, fatal: true });
}

/**
 * time.Parse(time.RFC3339 or metav1's RFC3339Micro, value) failures, worded as Go's ParseError:
 * `parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"`.
 */
function parseTimeError(value: string, micro: boolean): string | undefined {
  const layout = micro ? '2006-01-02T15:04:05.000000Z07:00' : '2006-01-02T15:04:05Z07:00';
  const prefix = `parsing time ${goQuote(value)}`;
  const elems: { elem: string; digits?: number; max?: number; min?: number; what?: string }[] = [
    { elem: '2006', digits: 4 },
    { elem: '-' },
    { elem: '01', digits: 2, min: 1, max: 12, what: 'month' },
    { elem: '-' },
    { elem: '02', digits: 2, min: 1, max: 31, what: 'day' },
    { elem: 'T' },
    { elem: '15', digits: 2, max: 23, what: 'hour' },
    { elem: ':' },
    { elem: '04', digits: 2, max: 59, what: 'minute' },
    { elem: ':' },
    { elem: '05', digits: 2, max: 59, what: 'second' },
  ];
  let rest = value;
  for (const e of elems) {
    const cannot = `${prefix} as ${goQuote(layout)}: cannot parse ${goQuote(rest)} as ${goQuote(e.elem)}`;
    if (e.digits === undefined) {
      if (!rest.startsWith(e.elem)) return cannot;
      rest = rest.slice(e.elem.length);
      continue;
    }
    const digits = rest.slice(0, e.digits);
    if (!new RegExp(`^\\d{${e.digits}}$`).test(digits)) return cannot;
    const n = Number(digits);
    if ((e.max !== undefined && n > e.max) || (e.min !== undefined && n < e.min))
      return `${prefix}: ${e.what ?? ''} out of range`;
    rest = rest.slice(e.digits);
  }
  if (micro) {
    if (!/^\.\d{6}/.test(rest))
      return `${prefix} as ${goQuote(layout)}: cannot parse ${goQuote(rest)} as ".000000"`;
    rest = rest.slice(7);
  } else if (/^[.,]\d/.test(rest)) {
    // A fraction after the seconds is accepted even though the layout has none.
    rest = rest.replace(/^[.,]\d+/, '');
  }
  if (!/^(Z|[+-]\d{2}:\d{2})/.test(rest))
    return `${prefix} as ${goQuote(layout)}: cannot parse ${goQuote(rest)} as "Z07:00"`;
  rest = rest.slice(rest.startsWith('Z') ? 1 : 6);
  if (rest.length > 0) return `${prefix}: extra text: ${goQuote(rest)}`;
  return undefined;
}

function checkValue(w: Walk, ctx: Context, t: string, v: unknown): void {
  // null decodes to the zero value for every Go type.
  if (v === null) return;
  const { base } = splitType(t);
  const goType = goTypeName(t);
  if (base.startsWith('[]')) {
    if (!Array.isArray(v)) {
      typeError(w, ctx, jsonKind(v), goType);
      return;
    }
    const elem = base.slice(2);
    v.forEach((item, i) =>
      checkValue(w, { ...ctx, path: `${ctx.path}[${i}]`, strictPath: `${ctx.strictPath}[${i}]` }, elem, item),
    );
    return;
  }
  if (base.startsWith('map:')) {
    if (!isObject(v)) {
      typeError(w, ctx, jsonKind(v), goType);
      return;
    }
    const elem = base.slice(4);
    for (const [k, item] of Object.entries(v)) {
      checkValue(
        w,
        { ...ctx, path: `${ctx.path}[${k}]`, strictPath: joinPath(ctx.strictPath, k) },
        elem,
        item,
      );
    }
    return;
  }
  if (base.startsWith('@')) {
    if (!isObject(v)) {
      typeError(w, ctx, jsonKind(v), goType);
      return;
    }
    walkStruct(w, base.slice(1), v, ctx);
    return;
  }
  switch (base) {
    case 'string':
      if (typeof v !== 'string') typeError(w, ctx, jsonKind(v), goType);
      return;
    case 'bool':
      if (typeof v !== 'boolean') typeError(w, ctx, jsonKind(v), goType);
      return;
    case 'float64':
      if (typeof v !== 'number') typeError(w, ctx, jsonKind(v), goType);
      return;
    case 'int32':
    case 'int64': {
      if (typeof v !== 'number') {
        typeError(w, ctx, jsonKind(v), goType);
        return;
      }
      const [lo, hi] = intRanges[base] ?? [0, 0];
      // A fraction or an overflow is "number <literal>" (strconv.ParseInt failed on the literal).
      if (!Number.isInteger(v) || v < lo || v > hi) typeError(w, ctx, `number ${numberToJSON(v)}`, goType);
      return;
    }
    case 'quantity':
      try {
        quantityFromJSON(v);
      } catch (e) {
        fatal(w, ctx, e instanceof QuantityError ? e.message : ERR_FORMAT_WRONG);
      }
      return;
    case 'intstr':
      // IntOrString.UnmarshalJSON: a JSON string is the string form, anything else must be an int32.
      if (typeof v === 'string') return;
      if (typeof v === 'number') {
        if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
          fatal(w, ctx, `json: cannot unmarshal number ${numberToJSON(v)} into Go value of type int32`);
        }
        return;
      }
      fatal(w, ctx, `json: cannot unmarshal ${jsonKind(v)} into Go value of type int32`);
      return;
    case 'time':
    case 'microtime': {
      // metav1.Time/MicroTime decode a JSON string, then parse it as RFC 3339.
      if (typeof v !== 'string') {
        fatal(w, ctx, `json: cannot unmarshal ${jsonKind(v)} into Go value of type string`);
        return;
      }
      const bad = parseTimeError(v, base === 'microtime');
      if (bad !== undefined) fatal(w, ctx, bad);
      return;
    }
    case 'bytes': {
      if (typeof v !== 'string') {
        typeError(w, ctx, jsonKind(v), goType);
        return;
      }
      const bad = base64Error(v);
      if (bad !== undefined)
        w.problems.push({
          path: ctx.path,
          message: `illegal base64 data at input byte ${bad}`,
          fatal: false,
        });
      return;
    }
    default:
      return; // 'any'
  }
}

/** The offset Go's base64.StdEncoding reports for corrupt input, or undefined when valid. */
function base64Error(s: string): number | undefined {
  const alphabet = /[A-Za-z0-9+/]/;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c === '\r' || c === '\n') continue;
    if (c === '=') break;
    if (!alphabet.test(c)) return i;
  }
  const dataLen = s.slice(0, i).replace(/[\r\n]/g, '').length;
  const padding = s.slice(i).replace(/[\r\n]/g, '');
  if (padding.length === 0) return dataLen % 4 === 0 ? undefined : s.length;
  if (
    !/^=+$/.test(padding) ||
    (dataLen + padding.length) % 4 !== 0 ||
    padding.length > 2 ||
    dataLen % 4 < 2
  ) {
    return i;
  }
  return undefined;
}

function walkStruct(w: Walk, struct: string, obj: Record<string, unknown>, ctx: Context): void {
  const fields = Object.hasOwn(structs, struct) ? structs[struct] : undefined;
  if (fields === undefined) return;
  for (const [key, value] of Object.entries(obj)) {
    // Own fields only: a JSON key `constructor` or `__proto__` is an unknown field, not Object's.
    const t = Object.hasOwn(fields, key) ? fields[key] : undefined;
    const path = joinPath(ctx.path, key);
    const strictPath = joinPath(ctx.strictPath, key);
    if (t === undefined) {
      w.unknown.push({ strictPath, path });
      continue;
    }
    checkValue(w, { struct, fieldStack: [...ctx.fieldStack, key], path, strictPath }, t, value);
  }
}

function walk(object: Record<string, unknown>, kind: string): Walk {
  const w: Walk = { unknown: [], problems: [] };
  const root = kindStructs[kind];
  if (root !== undefined)
    walkStruct(w, root, object, { struct: root, fieldStack: [], path: '', strictPath: '' });
  return w;
}

/**
 * Every field of the object that the kind's Go struct does not have, by path
 * (`spec.containers[0].imagePullPolcy`), in document order. Fields under an unknown field are not
 * looked at, as the decoder skips them. Empty for kinds without a schema.
 */
export function unknownFields(object: Record<string, unknown>, kind: string): string[] {
  return walk(object, kind).unknown.map((u) => u.strictPath);
}

/** unknownFields with the API field path of each, to find its line. */
export function unknownFieldsWithPaths(object: Record<string, unknown>, kind: string): UnknownField[] {
  return walk(object, kind).unknown;
}

/** Every JSON type problem in the object, in document order. */
export function typeProblems(object: Record<string, unknown>, kind: string): DecodeProblem[] {
  return walk(object, kind).problems;
}

/**
 * The one decoding error the API server reports: the first error that stops the decoder, or
 * else the first one it recorded. Undefined when the object decodes.
 */
export function decodeError(object: Record<string, unknown>, kind: string): DecodeProblem | undefined {
  const problems = typeProblems(object, kind);
  return problems.find((p) => p.fatal) ?? problems[0];
}

/** Strict decoding problems as the decoder words them, unknown then duplicate fields. */
export function strictProblems(unknown: readonly string[], duplicates: readonly string[] = []): string[] {
  return [
    ...unknown.map((p) => `unknown field ${JSON.stringify(p)}`),
    ...duplicates.map((p) => `duplicate field ${JSON.stringify(p)}`),
  ];
}

/** `strict decoding error: unknown field "spec.foo", unknown field "foo"` (runtime.strictDecodingError). */
export function strictDecodingMessage(problems: readonly string[]): string {
  return `strict decoding error: ${problems.join(', ')}`;
}

/**
 * The API server's wrapper around any decoding failure of a request body
 * (apiserver handlers' transformDecodeError), e.g.
 * `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"`.
 */
export function cannotBeHandledMessage(kind: string, version: string, message: string): string {
  return `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${message}`;
}
