// HTTP plumbing shared by the handlers: bodies, JSON answers, Status answers, Warning headers and
// the Accept header's content negotiation (Table, PartialObjectMetadata or the plain object).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_NESTING, nestingDepth } from '../api/decode.ts';
import { ApiError, badRequest, type Status } from './status.ts';

/** As the API server's limit for a request body (3 MiB, apiserver MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** As apimachinery's NewRequestEntityTooLargeError for the handlers' limitedReadBody. */
export function requestEntityTooLarge(limit: number): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `Request entity too large: limit is ${limit}`,
    reason: 'RequestEntityTooLarge',
    code: 413,
  });
}

/**
 * The request body, at most limit bytes. A Content-Length over the limit is refused before a byte
 * is read; a chunked body is refused as soon as it passes the limit, so no more than the limit is
 * ever buffered (the rest is never read: the server closes that connection after answering).
 */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw requestEntityTooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw requestEntityTooLarge(limit);
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  if (nestingDepth(body) > MAX_NESTING) throw badRequest(`json: exceeded max depth of ${MAX_NESTING}`);
  return body;
}

/**
 * Parsing DeleteOptions, the checks the API server's typed decoding makes: a field of the wrong
 * JSON type is a 400 with encoding/json's words instead of an exception deeper down.
 */
export function deleteOptionsBody(parsed: unknown): Record<string, unknown> {
  const fail = (field: string, got: unknown, want: string): never => {
    const kind = Array.isArray(got)
      ? 'array'
      : got === null
        ? 'null'
        : typeof got === 'boolean'
          ? 'bool'
          : typeof got;
    throw badRequest(
      `error decoding DeleteOptions: json: cannot unmarshal ${kind} into Go struct field DeleteOptions.${field} of type ${want}`,
    );
  };
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    fail('', parsed, 'v1.DeleteOptions');
  const o = parsed as Record<string, unknown>;
  const grace = o.gracePeriodSeconds;
  if (grace !== undefined && grace !== null && !(typeof grace === 'number' && Number.isSafeInteger(grace)))
    fail('gracePeriodSeconds', grace, 'int64');
  if (
    o.propagationPolicy !== undefined &&
    o.propagationPolicy !== null &&
    typeof o.propagationPolicy !== 'string'
  )
    fail('propagationPolicy', o.propagationPolicy, 'v1.DeletionPropagation');
  if (o.dryRun !== undefined && o.dryRun !== null) {
    if (!Array.isArray(o.dryRun)) fail('dryRun', o.dryRun, '[]string');
    for (const v of o.dryRun as unknown[]) if (typeof v !== 'string') fail('dryRun', v, 'string');
  }
  const pre = o.preconditions;
  if (pre !== undefined && pre !== null) {
    if (typeof pre !== 'object' || Array.isArray(pre)) fail('preconditions', pre, 'v1.Preconditions');
    for (const k of ['uid', 'resourceVersion']) {
      const v = (pre as Record<string, unknown>)[k];
      if (v !== undefined && v !== null && typeof v !== 'string') fail(`preconditions.${k}`, v, 'string');
    }
  }
  // JSON null means "not set", as encoding/json leaves a pointer nil.
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
}

/** Parses a JSON body; a syntax error is a 400 as the server's decoder reports it. */
export function parseJsonBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') throw badRequest("Object 'Kind' is missing in ''");
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

export function sendJson(
  res: ServerResponse,
  code: number,
  body: unknown,
  options: { pretty?: boolean } = {},
): void {
  sendJsonText(
    res,
    code,
    options.pretty ? `${JSON.stringify(body, null, 2)}\n` : `${JSON.stringify(body)}\n`,
  );
}

/** A JSON answer already encoded; its UTF-8 bytes are made once, for the length and the body. */
export function sendJsonText(res: ServerResponse, code: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': bytes.length,
    'Cache-Control': 'no-cache, private',
  });
  res.end(bytes);
}

export function sendStatus(res: ServerResponse, status: Status): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status.code, status);
}

/** As the API server's warning recorder (filters/warning.go): total and per-item limits, in runes. */
const WARNINGS_TOTAL_RUNES = 4 * 1024;
const WARNING_ITEM_RUNES = 256;

/**
 * `Warning: 299 - "<text>"` headers, one per warning, as the API server sends them (RFC 7234 §5.5),
 * with its recorder's rules: duplicates dropped, warnings with control characters dropped (a
 * header cannot carry them), and past 4096 runes in all each one cut to 256 runes and no more
 * added once 4096 are written. Without the limits an object with thousands of unknown fields gives
 * headers no client reads (Node's limit is 16 KiB). Text goes out as its UTF-8 bytes.
 */
export function setWarnings(res: ServerResponse, warnings: readonly string[]): void {
  // eslint-disable-next-line no-control-regex
  const texts = [...new Set(warnings)].filter((w) => w !== '' && !/[\u0000-\u001f\u007f-\u009f]/.test(w));
  if (texts.length === 0) return;
  const runes = (t: string): number => [...t].length;
  let total = texts.reduce((n, t) => n + runes(t), 0);
  let chosen = texts;
  if (total > WARNINGS_TOTAL_RUNES) {
    chosen = [];
    total = 0;
    for (const t of texts) {
      if (total >= WARNINGS_TOTAL_RUNES) break;
      const cut = [...t].slice(0, WARNING_ITEM_RUNES).join('');
      total += runes(cut);
      chosen.push(cut);
    }
  }
  res.setHeader(
    'Warning',
    chosen.map((w) => {
      const quoted = w.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
      return `299 - "${Buffer.from(quoted, 'utf8').toString('latin1')}"`;
    }),
  );
}

export type ResponseShape = 'object' | 'table' | 'partial';

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim().toLowerCase()] = kv.slice(i + 1).trim();
    }
    return { type: type.toLowerCase(), params: p };
  });
}

/**
 * What the client asked for, in its order of preference: a meta.k8s.io Table (`kubectl get`),
 * PartialObjectMetadata, or the object itself. Protobuf is never offered; clients that ask for it
 * also accept JSON.
 */
export function negotiate(accept: string | undefined): ResponseShape {
  for (const m of parseAccept(accept)) {
    const as = m.params.as;
    const isMeta = m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1');
    if (as === 'Table' && isMeta) return 'table';
    if ((as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') && isMeta) return 'partial';
    if (
      as === undefined &&
      (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*')
    ) {
      return 'object';
    }
  }
  return 'object';
}

/** `?pretty=true`, or a browser/curl-ish client, as the server's pretty-printing heuristic. */
export function wantsPretty(req: IncomingMessage, query: URLSearchParams): boolean {
  const p = query.get('pretty');
  if (p !== null) return p === 'true' || p === '1';
  const ua = req.headers['user-agent'] ?? '';
  return /^(curl|Wget|Mozilla)/.test(ua);
}

export function boolParam(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1';
}

/** An integer query parameter; a malformed one is a 400 as the server's query decoder says it. */
export function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v))
    throw badRequest(
      `invalid value for ${name}: ${JSON.stringify(v)}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`,
    );
  return Number(v);
}

/**
 * `metadata` must be an object (ObjectMeta), as the typed decoder requires; a string or list there
 * would otherwise be spread into an object with one key per character or element (a 1 MB string
 * took the server half a minute and a gigabyte).
 */
export function requireObjectMeta(obj: { metadata?: unknown }, kind: string, version: string): void {
  const md = obj.metadata;
  if (md === undefined || md === null || (typeof md === 'object' && !Array.isArray(md))) return;
  const got = Array.isArray(md) ? 'array' : typeof md === 'boolean' ? 'bool' : typeof md;
  throw badRequest(
    `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: json: cannot unmarshal ${got} into Go struct field ${kind}.metadata of type v1.ObjectMeta`,
  );
}
