// Reading manifests the way kubectl reads `-f`: files, directories, stdin and URLs; multi-document
// YAML (YAML 1.1 rules, as sigs.k8s.io/yaml over go-yaml v2) or JSON; `kind: List` expanded.
// Every object remembers where it came from, so any API field path can be turned back into a
// line of the user's file.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  parseDocument,
  type Document,
  type Node as YamlNode,
  type ParseOptions,
  type DocumentOptions,
  type SchemaOptions,
  type ToJSOptions,
  type YAMLError,
} from 'yaml';

/** One Kubernetes object read from a manifest. */
export interface DecodedObject {
  object: Record<string, unknown>;
  /** File path, URL, or `STDIN`, as kubectl names sources. */
  source: string;
  /** Position among the objects read from this source (0-based, after List expansion). */
  index: number;
  /** 1-based number of the YAML document in the source. */
  document: number;
  /** Position inside a List document, when the object was a List item. */
  item?: number;
  /**
   * Keys given twice in the document (the last one wins, as in kubectl): `strictPath` as strict
   * decoding names it (`spec.containers[0].image`), `path` as an API field path for lineOf.
   */
  duplicateFields: { strictPath: string; path: string }[];
  /** 1-based line of an API field path (`spec.containers[0].name`), or of its nearest parent present. */
  lineOf(fieldPath: string): number | undefined;
}

/** A manifest that cannot be read or parsed; the message names the source (and line when known). */
export class ManifestError extends Error {
  override name = 'ManifestError';
  readonly source: string;
  readonly line: number | undefined;

  constructor(message: string, source: string, line?: number) {
    super(message);
    this.source = source;
    this.line = line;
  }
}

const yamlOptions: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  // go-yaml v2 keeps the last of duplicate keys; we keep it too and report the duplicate ourselves.
  uniqueKeys: false,
  merge: true,
  prettyErrors: false,
  // Warnings of the parser (unknown directives, collection keys) would go to process warnings, a
  // line on stderr per hostile manifest; what matters is reported as an error instead.
  logLevel: 'error',
  // go-yaml v2 leaves timestamps and sexagesimal numbers (1:30) as strings when decoding into
  // interface{}, which is what kubectl does; drop those YAML 1.1 tags.
  customTags: (tags) =>
    tags.filter((t) => {
      const tag = typeof t === 'object' && 'tag' in t ? t.tag : '';
      const format = typeof t === 'object' && 'format' in t ? t.format : undefined;
      return tag !== 'tag:yaml.org,2002:timestamp' && format !== 'TIME';
    }),
};
const toJSOptions: ToJSOptions = { maxAliasCount: 100 };

// ---------------------------------------------------------------------------------------------
// Error wording

/**
 * Turns a parse error of the yaml package into go-yaml v2's words and line convention, as kubectl
 * prints them: `error converting YAML to JSON: yaml: line 7: mapping values are not allowed in
 * this context`. go-yaml counts scanner errors from 1 but parser errors from 0 (its well-known
 * off-by-one), and omits the line when that count is 0.
 */
function goYamlError(err: YAMLError, text: string, lc: LineCounter): { message: string; line: number } {
  const start = err.pos[0];
  const line = lc.linePos(start).line;
  const scanner = (msg: string, at = line): { message: string; line: number } => ({
    message: `yaml: line ${at}: ${msg}`,
    line: at,
  });
  const parser = (msg: string, at = line): { message: string; line: number } => ({
    message: at - 1 > 0 ? `yaml: line ${at - 1}: ${msg}` : `yaml: ${msg}`,
    line: at,
  });
  switch (err.code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY': {
      // go-yaml stops at the ':' of the value that may not start here.
      const colon = /:(?=[ \t\r\n]|$)/g;
      colon.lastIndex = start;
      const m = colon.exec(text);
      const at = m === null ? line : lc.linePos(m.index).line;
      return scanner('mapping values are not allowed in this context', at);
    }
    case 'TAB_AS_INDENT':
    case 'BAD_SCALAR_START':
      return scanner('found character that cannot start any token');
    case 'MISSING_CHAR':
      if (/quote/i.test(err.message)) return scanner('found unexpected end of stream');
      if (/\]/.test(err.message)) return parser("did not find expected ',' or ']'");
      if (/\}/.test(err.message)) return parser("did not find expected ',' or '}'");
      return parser('did not find expected key');
    case 'BAD_DQ_ESCAPE':
      return scanner('found unknown escape character while parsing a quoted scalar');
    case 'KEY_OVER_1024_CHARS':
      return scanner("could not find expected ':'");
    case 'BAD_INDENT': {
      if (/Flow sequence/.test(err.message)) return parser("did not find expected ',' or ']'");
      if (/Flow map/.test(err.message)) return parser("did not find expected ',' or '}'");
      if (/sequence/i.test(err.message)) return parser("did not find expected '-' indicator");
      return parser('did not find expected key');
    }
    case 'UNEXPECTED_TOKEN': {
      // Inside a block sequence go-yaml wants another '-'; inside a mapping, another key.
      const lineStart = text.lastIndexOf('\n', start - 1) + 1;
      const before = text.slice(0, lineStart).split('\n').reverse();
      const previous = before.find((l) => l.trim().length > 0 && !l.trim().startsWith('#')) ?? '';
      const col = start - lineStart;
      const prevIndent = previous.length - previous.trimStart().length;
      if (previous.trimStart().startsWith('-') && prevIndent === col) {
        return parser("did not find expected '-' indicator");
      }
      return parser('did not find expected key');
    }
    default: {
      const msg = err.message.split('\n')[0] ?? err.message;
      return scanner(msg.charAt(0).toLowerCase() + msg.slice(1));
    }
  }
}

/** JSON the way Go's encoding/json writes a map[string]interface{}: sorted keys, HTML-safe. */
export function goJSON(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (typeof v === 'object' && v !== null) {
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return (JSON.stringify(sort(value)) ?? 'null')
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

// ---------------------------------------------------------------------------------------------
// Field paths ↔ YAML nodes

type PathSegment = { name: string } | { index: number } | { key: string };

/** Splits `spec.containers[0].env[1].name` or `metadata.labels[app.kubernetes.io/name]`. */
export function parseFieldPath(path: string): PathSegment[] {
  const segs: PathSegment[] = [];
  let i = 0;
  let name = '';
  const flush = (): void => {
    if (name.length > 0) segs.push({ name });
    name = '';
  };
  while (i < path.length) {
    const c = path[i] ?? '';
    if (c === '.') {
      flush();
      i++;
    } else if (c === '[') {
      flush();
      const end = path.indexOf(']', i);
      const inner = end < 0 ? path.slice(i + 1) : path.slice(i + 1, end);
      segs.push(/^\d+$/.test(inner) ? { index: Number(inner) } : { key: inner });
      i = end < 0 ? path.length : end + 1;
    } else {
      name += c;
      i++;
    }
  }
  flush();
  return segs;
}

function scalarKey(node: unknown): string | undefined {
  if (isScalar(node)) return String(node.value);
  return undefined;
}

function makeLineOf(
  root: YamlNode | null | undefined,
  lc: LineCounter | undefined,
): (path: string) => number | undefined {
  return (fieldPath: string): number | undefined => {
    if (root === null || root === undefined || lc === undefined) return undefined;
    const lineAt = (n: { range?: [number, number, number] | null | undefined }): number | undefined =>
      n.range ? lc.linePos(n.range[0]).line : undefined;
    let node: unknown = root;
    let line = lineAt(root);
    for (const seg of parseFieldPath(fieldPath)) {
      if ('index' in seg) {
        if (!isSeq(node)) break;
        const item = node.items[seg.index] as YamlNode | undefined;
        if (item === undefined) break;
        line = lineAt(item) ?? line;
        node = item;
        continue;
      }
      const want = 'name' in seg ? seg.name : seg.key;
      if (!isMap(node)) break;
      // The last of duplicate keys is the one that counts, as in go-yaml.
      const pair = node.items.findLast((p) => isPair(p) && scalarKey(p.key) === want);
      if (pair === undefined) break;
      line = (isScalar(pair.key) ? lineAt(pair.key) : undefined) ?? line;
      node = pair.value;
    }
    return line;
  };
}

type Duplicate = DecodedObject['duplicateFields'][number];

/** Keys given twice, with sigs.k8s.io/json's strict path (`a.b[0].c`) and the API path. */
function findDuplicates(node: unknown, out: Duplicate[], strictPath = '', path = ''): void {
  const dot = (base: string, k: string): string => (base.length > 0 ? `${base}.${k}` : k);
  if (isMap(node)) {
    const seen = new Set<string>();
    for (const p of node.items) {
      const k = scalarKey(p.key);
      if (k === undefined) continue;
      const next = { strictPath: dot(strictPath, k), path: dot(path, k) };
      if (seen.has(k)) out.push(next);
      seen.add(k);
      findDuplicates(p.value, out, next.strictPath, next.path);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => findDuplicates(item, out, `${strictPath}[${i}]`, `${path}[${i}]`));
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

function isListKind(obj: Record<string, unknown>): boolean {
  return typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items);
}

function plainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function goKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/**
 * Nesting a manifest may have. Go's decoders stop at 10000 levels (encoding/json's "exceeded max
 * depth", go-yaml's limit); no real object nests like that, and the recursive walks over objects
 * (sorting for messages, schema and validation) would run out of stack first, so the limit here
 * is lower.
 */
export const MAX_NESTING = 1000;

/**
 * The deepest nesting of `[` and `{` outside double-quoted strings: exact for JSON, and for YAML
 * flow collections (block YAML cannot nest deep within the body limit: each level costs a column).
 */
export function nestingDepth(body: Uint8Array): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return max;
}

/** How deep a decoded value nests, measured without recursion so no depth can overflow it. */
export function valueDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, d] = top;
    if (typeof v !== 'object' || v === null) continue;
    if (d + 1 > max) max = d + 1;
    if (max > MAX_NESTING) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** Expands one decoded document into objects (a List into its items). */
function objectsOf(
  value: unknown,
  source: string,
  document: number,
  root: YamlNode | null | undefined,
  lc: LineCounter | undefined,
  firstIndex: number,
): DecodedObject[] {
  if (value === null || value === undefined) return [];
  if (valueDepth(value) > MAX_NESTING) {
    throw new ManifestError(
      `error parsing ${source}: error converting YAML to JSON: json: exceeded max depth of ${MAX_NESTING}`,
      source,
    );
  }
  if (!plainObject(value)) {
    throw new ManifestError(
      `unable to decode ${JSON.stringify(source)}: json: cannot unmarshal ${goKind(value)} into Go value of type map[string]interface {}`,
      source,
    );
  }
  if (isListKind(value)) {
    const items = value.items as unknown[];
    const out: DecodedObject[] = [];
    const itemsNode = isMap(root) ? root.items.find((p) => scalarKey(p.key) === 'items')?.value : undefined;
    items.forEach((item, i) => {
      const node = isSeq(itemsNode) ? (itemsNode.items[i] as YamlNode | undefined) : undefined;
      if (!plainObject(item)) {
        throw new ManifestError(
          `unable to decode ${JSON.stringify(source)}: json: cannot unmarshal ${goKind(item)} into Go value of type map[string]interface {}`,
          source,
        );
      }
      const duplicateFields: Duplicate[] = [];
      findDuplicates(node, duplicateFields);
      out.push({
        object: item,
        source,
        index: firstIndex + out.length,
        document,
        item: i,
        duplicateFields,
        lineOf: makeLineOf(node, lc),
      });
    });
    return out;
  }
  const duplicateFields: Duplicate[] = [];
  findDuplicates(root, duplicateFields);
  return [
    { object: value, source, index: firstIndex, document, duplicateFields, lineOf: makeLineOf(root, lc) },
  ];
}

/** Where a JSON.parse error happened, as a 1-based line. */
function jsonErrorLine(text: string, err: Error): number | undefined {
  const line = /line (\d+) column/.exec(err.message);
  if (line?.[1] !== undefined) return Number(line[1]);
  const pos = /position (\d+)/.exec(err.message);
  if (pos?.[1] !== undefined) return text.slice(0, Number(pos[1])).split('\n').length;
  return undefined;
}

/**
 * Decodes the text of one manifest source into objects. YAML is read with YAML 1.1 rules (yes/no/on/off
 * are booleans, 0644 is octal, as kubectl reads it); text starting with `{` is JSON. Empty documents
 * are skipped and `*List` kinds are expanded into their items.
 */
export function decodeManifests(text: string, source: string): DecodedObject[] {
  // Refused before parsing: the parsers' time grows with the nesting, and nothing real nests so deep.
  if (nestingDepth(Buffer.from(text)) > MAX_NESTING) {
    throw new ManifestError(
      `error parsing ${source}: error converting YAML to JSON: json: exceeded max depth of ${MAX_NESTING}`,
      source,
    );
  }
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) return decodeJSON(text, source);

  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { ...yamlOptions, lineCounter: lc });
  const list: Document.Parsed[] = Array.isArray(docs) ? docs : [];
  const out: DecodedObject[] = [];
  list.forEach((doc, i) => {
    const err = doc.errors[0];
    if (err !== undefined) {
      const { message, line } = goYamlError(err, text, lc);
      throw new ManifestError(
        `error parsing ${source}: error converting YAML to JSON: ${message}`,
        source,
        line,
      );
    }
    let value: unknown;
    try {
      value = doc.toJS(toJSOptions);
    } catch (e) {
      const msg = (e as Error).message;
      const alias = /Unresolved alias[^:]*: (.*)$/.exec(msg);
      const text2 = alias ? `yaml: unknown anchor '${alias[1] ?? ''}' referenced` : `yaml: ${msg}`;
      throw new ManifestError(`error parsing ${source}: error converting YAML to JSON: ${text2}`, source);
    }
    out.push(...objectsOf(value, source, i + 1, doc.contents, lc, out.length));
  });
  return out;
}

function decodeJSON(text: string, source: string): DecodedObject[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const err = e as Error;
    const line = jsonErrorLine(text, err);
    throw new ManifestError(`error parsing ${source}: ${err.message}`, source, line);
  }
  // The YAML parser reads JSON too; it only serves to find lines again.
  const lc = new LineCounter();
  const doc = parseDocument(text, { ...yamlOptions, version: '1.2', lineCounter: lc });
  const root = doc.errors.length === 0 ? doc.contents : undefined;
  return objectsOf(value, source, 1, root, doc.errors.length === 0 ? lc : undefined, 0);
}

// ---------------------------------------------------------------------------------------------
// Reading sources

export interface ReadOptions {
  stdin?: NodeJS.ReadableStream;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}

/** kubectl -f DIR reads these extensions, in name order, without recursing. */
const manifestExtensions = ['.json', '.yaml', '.yml'];

async function readStream(stream: NodeJS.ReadableStream, signal?: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  signal?.throwIfAborted();
  for await (const chunk of stream) {
    signal?.throwIfAborted();
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readURL(url: string, options: ReadOptions): Promise<string> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, options.signal ? { signal: options.signal } : {});
  } catch (e) {
    if (options.signal?.aborted) throw e;
    throw new ManifestError(`unable to read URL ${JSON.stringify(url)}: ${(e as Error).message}`, url);
  }
  if (res.status < 200 || res.status > 299) {
    // kubectl's wording (cli-runtime resource/visitor.go readHttpWithRetries).
    const statusText = res.statusText.length > 0 ? `${res.status} ${res.statusText}` : String(res.status);
    throw new ManifestError(
      `unable to read URL ${JSON.stringify(url)}, server reported ${statusText}, status code=${res.status}`,
      url,
    );
  }
  return res.text();
}

/**
 * Reads every input (a file, a directory, `-` for stdin, or an http(s) URL) and decodes it.
 * Objects come back in input order.
 */
export async function readManifests(
  inputs: readonly string[],
  options: ReadOptions = {},
): Promise<DecodedObject[]> {
  const out: DecodedObject[] = [];
  for (const input of inputs) {
    options.signal?.throwIfAborted();
    if (input === '-') {
      if (options.stdin === undefined)
        throw new ManifestError('no standard input to read manifests from', 'STDIN');
      out.push(...decodeManifests(await readStream(options.stdin, options.signal), 'STDIN'));
      continue;
    }
    if (/^https?:\/\//i.test(input)) {
      out.push(...decodeManifests(await readURL(input, options), input));
      continue;
    }
    let info;
    try {
      info = await stat(input);
    } catch {
      throw new ManifestError(`the path ${JSON.stringify(input)} does not exist`, input);
    }
    if (info.isDirectory()) {
      const names = (await readdir(input))
        .filter((n) => manifestExtensions.some((ext) => n.endsWith(ext)))
        .sort();
      for (const name of names) {
        const path = join(input, name);
        if (!(await stat(path)).isFile()) continue;
        out.push(...decodeManifests(await readFile(path, 'utf8'), path));
      }
      continue;
    }
    out.push(...decodeManifests(await readFile(input, 'utf8'), input));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Kinds

/** The group/version/kind nodelet handles; written `Pod` (core v1) or `apps/v1/Deployment`. */
function parseSupported(s: string): { apiVersion: string; kind: string } {
  const slash = s.lastIndexOf('/');
  return slash < 0
    ? { apiVersion: 'v1', kind: s }
    : { apiVersion: s.slice(0, slash), kind: s.slice(slash + 1) };
}

function where(o: DecodedObject): string {
  return o.item === undefined ? `document ${o.document}` : `document ${o.document} item ${o.item + 1}`;
}

/**
 * Checks that every object has apiVersion and kind (in kubectl's words when they are missing) and
 * is one of the supported kinds. Throws a ManifestError for the first object that is not.
 */
export function requireKind(objects: readonly DecodedObject[], supported: readonly string[]): void {
  const wanted = supported.map(parseSupported);
  for (const o of objects) {
    const { apiVersion, kind } = o.object;
    // The unstructured decoder checks the kind first, then the version, and quotes the JSON.
    if (typeof kind !== 'string' || kind.length === 0) {
      throw new ManifestError(
        `unable to decode ${JSON.stringify(o.source)}: Object 'Kind' is missing in '${goJSON(o.object)}'`,
        o.source,
        o.lineOf(''),
      );
    }
    if (typeof apiVersion !== 'string' || apiVersion.length === 0) {
      throw new ManifestError(
        `unable to decode ${JSON.stringify(o.source)}: Object 'apiVersion' is missing in '${goJSON(o.object)}'`,
        o.source,
        o.lineOf(''),
      );
    }
    if (!wanted.some((w) => w.apiVersion === apiVersion && w.kind === kind)) {
      const list = wanted.map((w) => `${w.kind} (${w.apiVersion})`).join(', ');
      throw new ManifestError(
        `${o.source}: ${where(o)}: kind ${JSON.stringify(kind)} (${apiVersion}) is not supported by nodelet; supported kinds: ${list}`,
        o.source,
        o.lineOf('kind'),
      );
    }
  }
}
