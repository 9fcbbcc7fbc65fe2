// Mutations of valid objects and manifest text: wrong types, deleted and duplicated fields, deep
// nesting, huge strings, invalid UTF-8, NUL bytes, YAML alias bombs and numbers out of range.
import type { Rng } from './prng.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

/** Nesting deep enough to overflow a naive recursive walker (10k levels). */
export const DEEP = 10_000;

// JSON.stringify and structuredClone themselves overflow on such values, so objects carry a
// marker that expandDeep turns into the nested text after encoding (JSON text is YAML flow too).
const DEEP_ARRAY = '__deep_array__';
const DEEP_OBJECT = '__deep_object__';

export function deepArrayText(depth = DEEP): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

export function deepObjectText(depth = DEEP): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Replaces the deep-nesting markers of an encoded object by the nesting itself. */
export function expandDeep(text: string): string {
  return text
    .replace(/"?__deep_array__"?/g, () => deepArrayText())
    .replace(/"?__deep_object__"?/g, () => deepObjectText());
}

/** Values that break assumptions: numbers out of range, odd strings, wrong shapes. */
function oddValue(rng: Rng): Json {
  switch (rng.int(24)) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick([
        0,
        -1,
        1.5,
        -0.0001,
        2 ** 31,
        2 ** 31 - 1,
        -(2 ** 31) - 1,
        2 ** 53 + 1,
        2 ** 63,
        1e308,
      ]);
    case 3:
      return rng.pick([
        '',
        ' ',
        '0',
        '-1',
        '1e999',
        'NaN',
        'Infinity',
        '0x10',
        '1Gi',
        '1.5.5',
        '10000000000000000000000Ei',
      ]);
    case 4:
      return 'x'.repeat(rng.pick([64, 254, 256, 1024, 70_000]));
    case 5:
      return 'a\u0000b';
    case 6:
      return '\ud800'; // a lone surrogate
    case 7:
      return '\u202e\ufeff\u2028';
    case 8:
      return [];
    case 9:
      return {};
    case 10:
      return [null];
    case 11:
      return [{}];
    case 12:
      return { '': '' };
    case 13:
      return rng.chance(0.5) ? DEEP_ARRAY : DEEP_OBJECT;
    case 14:
      return 'y'.repeat(1_000_000);
    case 15:
      return Array.from({ length: rng.pick([100, 5000]) }, (_, i) => ({ name: `n${i}`, value: String(i) }));
    case 16:
      return { __proto__: { polluted: true }, constructor: { prototype: 'x' } };
    case 17:
      return rng.pick(['yes', 'no', 'on', 'off', '~', 'null', '0644', '1:30', '2026-01-01']);
    case 18:
      return rng.pick(['../../etc/passwd', '/', 'a/b', 'UPPER', '-leading', 'trailing-', 'a..b', '*']);
    case 19:
      return rng.pick(['$(VAR)', '$$(x)', '$(', '%', '%zz', '\\', '"', "'", '{{', '<script>']);
    case 20:
      return { key: 'k', operator: 'In', values: ['v'] };
    case 21:
      return rng.pick([
        { exec: { command: [] } },
        { httpGet: { port: 'x' } },
        { tcpSocket: {} },
        { grpc: { port: -1 } },
      ]);
    case 22:
      return rng.pick(['Always', 'Never', 'OnFailure', 'IfNotPresent', 'TCP', 'SCTP', 'Bogus']);
    default:
      return rng.int(1 << 20) - (1 << 19);
  }
}

function paths(value: Json, out: Path[] = [], path: Path = [], budget = { n: 4000 }): Path[] {
  if (--budget.n < 0) return out;
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, out, [...path, i], budget));
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, out, [...path, k], budget);
  return out;
}

function getAt(root: Json, path: Path): Json | undefined {
  let v: Json | undefined = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, Json>)[p];
  }
  return v;
}

function setAt(root: Json, path: Path, value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const parent = getAt(root, path.slice(0, -1));
  const last = path[path.length - 1] as string | number;
  if (parent === null || typeof parent !== 'object' || parent === undefined) return root;
  if (Array.isArray(parent) && typeof last === 'number') {
    if (value === undefined) parent.splice(last, 1);
    else parent[last] = value;
  } else if (!Array.isArray(parent)) {
    if (value === undefined) delete parent[last];
    else parent[last] = value;
  }
  return root;
}

/** One to a few structural mutations of a (copied) object. */
export function mutateObject(rng: Rng, original: Json): Json {
  let root = structuredClone(original);
  const rounds = 1 + rng.int(3);
  for (let r = 0; r < rounds; r++) {
    const all = paths(root);
    const path = rng.pick(all);
    const here = getAt(root, path);
    switch (rng.int(7)) {
      case 0: // delete
        root = setAt(root, path, undefined);
        break;
      case 1: // wrong type / odd value
      case 2:
        root = setAt(root, path, oddValue(rng));
        break;
      case 3: // wrap in a list or an object
        root = setAt(root, path, rng.chance(0.5) ? [here ?? null] : { v: here ?? null });
        break;
      case 4: // duplicate an array element or a sibling field
        if (Array.isArray(here) && here.length > 0) here.push(structuredClone(rng.pick(here)));
        else if (here !== null && typeof here === 'object' && here !== undefined) {
          const keys = Object.keys(here);
          if (keys.length > 0) {
            const k = rng.pick(keys);
            (here as Record<string, Json>)[`${k}${rng.pick(['', 'X', '-', '.'])}`] = structuredClone(
              (here as Record<string, Json>)[k] ?? null,
            );
          }
        }
        break;
      case 5: // an unknown field
        if (here !== null && typeof here === 'object' && !Array.isArray(here) && here !== undefined)
          (here as Record<string, Json>)[rng.pick(['bogus', 'Name', 'metadata', 'spec', 'x-y', ''])] =
            oddValue(rng);
        break;
      default: {
        // replace a number or string with one out of range
        if (typeof here === 'number')
          root = setAt(root, path, rng.pick([-here - 1, here * 1e12, 0.5, 1e308]));
        else if (typeof here === 'string')
          root = setAt(
            root,
            path,
            here.repeat(Math.max(1, Math.min(rng.pick([2, 50, 1000]), Math.floor(4e6 / (here.length + 1))))),
          );
        else root = setAt(root, path, oddValue(rng));
      }
    }
  }
  return root;
}

/** YAML text no decoder should expand: billion laughs with anchors and aliases. */
export function aliasBomb(levels = 9, fan = 10): string {
  const lines = [
    'apiVersion: v1',
    'kind: Pod',
    'metadata:',
    '  name: bomb',
    '  annotations:',
    '    a0: &a0 "lol"',
  ];
  lines.push('spec:');
  lines.push('  containers: []');
  lines.push('x:');
  for (let i = 1; i <= levels; i++) {
    lines.push(`  l${i}: &a${i} [${Array.from({ length: fan }, () => `*a${i - 1}`).join(', ')}]`);
  }
  return `${lines.join('\n')}\n`;
}

/** Text-level damage to a manifest: returns bytes (invalid UTF-8 included). */
export function mutateText(rng: Rng, text: string): Buffer {
  let buf = Buffer.from(text, 'utf8');
  const at = (): number => rng.int(buf.length + 1);
  const splice = (pos: number, del: number, insert: Buffer): void => {
    buf = Buffer.concat([buf.subarray(0, pos), insert, buf.subarray(pos + del)]);
  };
  switch (rng.int(14)) {
    case 0:
      return buf.subarray(0, at()); // truncated
    case 1:
      for (let i = rng.int(8) + 1; i > 0 && buf.length > 0; i--) buf[rng.int(buf.length)] = rng.int(256);
      return buf;
    case 2:
      splice(
        at(),
        0,
        Buffer.from(rng.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf]])),
      );
      return buf;
    case 3:
      splice(at(), 0, Buffer.from([0]));
      return buf;
    case 4:
      return Buffer.from(aliasBomb(rng.pick([3, 6, 9, 12]), rng.pick([2, 10])));
    case 5:
      return Buffer.from(rng.chance(0.5) ? deepArrayText() : `a: ${deepObjectText()}`);
    case 6:
      return Buffer.from(
        `a:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 1)}b${i}:`).join('\n')} 1\n`,
      );
    case 7:
      splice(
        at(),
        0,
        Buffer.from(
          rng.pick([
            '\t',
            ': ',
            '- ',
            '? ',
            '{',
            '}',
            '[',
            ']',
            '&a ',
            '*a ',
            '*undefined ',
            '!!binary ',
            '!!python/object:os.system ',
            '!!set ',
            '!!omap ',
            '<<: *a\n',
            '---\n',
            '...\n',
            '%YAML 1.1\n',
            '"',
            "'",
            '|',
            '>',
            '#',
          ]),
        ),
      );
      return buf;
    case 8:
      return Buffer.from(`${text}\n---\n${text}\n---\n- 1\n---\nnull\n---\n"str"\n`);
    case 9:
      return Buffer.from(
        `apiVersion: v1\nkind: List\nitems:\n${rng.pick(['- 1', '- null', '- []', '- {kind: Pod}', '  x: y'])}\n`,
      );
    case 10:
      return Buffer.from(
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${'k'.repeat(rng.pick([1025, 100_000]))}\n`,
      );
    case 11: {
      // a huge number of keys
      const n = rng.pick([1000, 20_000]);
      return Buffer.from(
        `apiVersion: v1\nkind: Pod\nmetadata:\n  name: many\n  labels:\n${Array.from({ length: n }, (_, i) => `    k${i}: v`).join('\n')}\n`,
      );
    }
    case 12:
      return Buffer.from(
        rng.pick([
          '',
          '\ufeff',
          '\n\n',
          '---',
          '{',
          '{"a":',
          'null',
          '[]',
          '""',
          '0',
          '-',
          '*a',
          '&a',
          '? ? ?',
          '{"kind":"Pod","apiVersion":"v1"}',
        ]),
      );
    default: {
      // a line deleted, or repeated (a duplicate key at the same indentation)
      const lines = text.split('\n');
      const i = rng.int(lines.length);
      if (rng.chance(0.5)) lines.splice(i, 1);
      else lines.splice(i, 0, lines[i] ?? '');
      return Buffer.from(lines.join('\n'));
    }
  }
}

export type { Json };
