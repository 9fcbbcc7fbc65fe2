// HTTP plumbing shared by the handlers: bodies, JSON answers, Status answers, Warning headers and
// the Accept header's content negotiation (Table, PartialObjectMetadata or the plain object).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, type Status } from './status.ts';

/** As the API server's limit for a request body (3 MiB, apiserver MaxRequestBodyBytes). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new ApiError({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'the request is too large',
        reason: 'RequestEntityTooLarge',
        code: 413,
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
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
  const text = options.pretty ? `${JSON.stringify(body, null, 2)}\n` : `${JSON.stringify(body)}\n`;
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

export function sendStatus(res: ServerResponse, status: Status): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status.code, status);
}

/** `Warning: 299 - "<text>"` headers, one per warning, as the API server sends them (RFC 7234 §5.5). */
export function setWarnings(res: ServerResponse, warnings: readonly string[]): void {
  if (warnings.length === 0) return;
  res.setHeader(
    'Warning',
    warnings.map((w) => `299 - "${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`),
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
