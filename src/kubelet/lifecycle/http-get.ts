// The kubelet's HTTP GET for lifecycle hooks (reference §4.5): sent by the node itself, TLS
// verification off, redirects followed only to the same host (max 10), body drained up to 10 KiB.
import http from 'node:http';
import https from 'node:https';

export interface HttpGetRequest {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  path: string;
  headers: { name: string; value: string }[];
  userAgent: string;
  signal?: AbortSignal;
  /** Whole-exchange timeout in ms; 0 = none (hooks). */
  timeoutMs?: number;
}

export interface HttpGetResponse {
  status: number;
  body: string;
  url: string;
  /** A redirect to another host that was not followed. */
  offHostRedirect?: boolean;
}

const MAX_BODY = 10 * 1024;
const MAX_REDIRECTS = 10;

export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function requestUrl(r: Pick<HttpGetRequest, 'scheme' | 'host' | 'port' | 'path'>): string {
  const path = r.path.startsWith('/') ? r.path : `/${r.path}`;
  return `${r.scheme}://${hostPort(r.host, r.port)}${path}`;
}

/** Go's net error wording for a Node socket error, e.g. `dial tcp 127.0.0.1:81: connect: connection refused`. */
export function goDialError(err: NodeJS.ErrnoException, addr: string): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `dial tcp: lookup ${addr.replace(/:\d+$/, '')}: no such host`;
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return 'http: server gave HTTP response to HTTPS client';
    default:
      return err.message;
  }
}

export async function httpGet(req: HttpGetRequest): Promise<HttpGetResponse> {
  let url = requestUrl(req);
  for (let hop = 0; ; hop++) {
    const res = await once(url, req);
    if (res.status >= 300 && res.status < 400 && res.location) {
      const next = new URL(res.location, url);
      if (next.hostname !== new URL(url).hostname) {
        return { status: res.status, body: res.body, url, offHostRedirect: true };
      }
      if (hop + 1 >= MAX_REDIRECTS) throw new Error(`Get "${next.href}": stopped after 10 redirects`);
      url = next.href;
      continue;
    }
    return { status: res.status, body: res.body, url };
  }
}

function once(url: string, req: HttpGetRequest): Promise<{ status: number; body: string; location?: string }> {
  const u = new URL(url);
  const headers: Record<string, string> = { 'User-Agent': req.userAgent, Accept: '*/*', Connection: 'close' };
  let hostHeader: string | undefined;
  for (const h of req.headers) {
    if (h.name.toLowerCase() === 'host') hostHeader = h.value;
    else if (h.name.toLowerCase() === 'accept' && h.value === '') delete headers.Accept;
    else headers[h.name] = h.value;
  }
  if (hostHeader) headers.Host = hostHeader;
  const addr = hostPort(u.hostname.replace(/^\[|\]$/g, ''), Number(u.port || (u.protocol === 'https:' ? 443 : 80)));
  return new Promise((resolve, reject) => {
    const mod = u.protocol === 'https:' ? https : http;
    const r = mod.request(
      u,
      {
        method: 'GET',
        headers,
        agent: false,
        ...(u.protocol === 'https:' ? { rejectUnauthorized: false } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      },
      (res) => {
        let size = 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (size < MAX_BODY) chunks.push(c.subarray(0, MAX_BODY - size));
          size += c.length;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ...(res.headers.location ? { location: res.headers.location } : {}),
          }),
        );
        res.on('error', (e) => reject(new Error(`Get "${url}": ${goDialError(e, addr)}`)));
      },
    );
    if (req.timeoutMs) {
      r.setTimeout(req.timeoutMs, () =>
        r.destroy(new Error(`Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`)),
      );
    }
    r.on('error', (e: NodeJS.ErrnoException) => {
      if (e.message.startsWith('Get "')) reject(e);
      else if (e.name === 'AbortError') reject(new Error(`Get "${url}": context canceled`));
      else reject(new Error(`Get "${url}": ${goDialError(e, addr)}`));
    });
    r.end();
  });
}
