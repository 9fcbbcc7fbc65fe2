// httpGet probes, as the kubelet's prober sends them (pkg/probe/http/http.go, request.go): a GET
// with User-Agent kube-probe/<major>.<minor> and Accept */*, no keep-alive, no compression, no proxy,
// TLS verification off, one timeout for the whole exchange, 200–399 is success, the body read capped
// at 10 KiB, redirects followed only on the same host (at most 10), an off-host redirect answered as
// a Warning. Errors are worded as Go's net/http words them, since that text lands in events.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import type { Container } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../../util/clock.ts';
import { goDialError, goReadError } from './go-errors.ts';
import { tail, type HandlerOutcome } from './handler-outcome.ts';
import {
  goQuote,
  joinHostPort,
  resolveContainerPort,
  type HttpHeader,
  type ProbeHandler,
} from './probe-spec.ts';

/** maxRespBodyLength in pkg/probe/http/http.go. */
export const MAX_HTTP_BODY = 10 * 1024;
/** Go's http.Client default redirect limit, kept by the kubelet's RedirectChecker. */
export const MAX_REDIRECTS = 10;
/** How much of a body the run history keeps. */
const DETAIL_BODY_TAIL = 256;

export interface HttpProbeTarget {
  scheme: 'http' | 'https';
  /** The URL host (may be empty when the pod has no IP yet, as the kubelet would send it). */
  host: string;
  port: number;
  /** Path plus query, starting with `/`. */
  path: string;
  headers: HttpHeader[];
}

/**
 * Builds the target of an httpGet probe or hook (NewRequestForHTTPGetAction): host defaults to the
 * pod IP, named ports resolve against the container's ports. Throws on an unresolvable port — an
 * error, not a failure.
 */
export function httpTarget(
  handler: Extract<ProbeHandler, { type: 'httpGet' }>,
  container: Container,
  podIP: string | undefined,
): HttpProbeTarget {
  const port = resolveContainerPort(handler.port, container);
  const path = handler.path.startsWith('/') ? handler.path : '/' + handler.path;
  return { scheme: handler.scheme, host: handler.host ?? podIP ?? '', port, path, headers: handler.headers };
}

export function targetUrl(t: { scheme: string; host: string; port: number; path: string }): string {
  return `${t.scheme}://${joinHostPort(t.host, t.port)}${t.path}`;
}

/** Go's textproto.CanonicalMIMEHeaderKey: `x-custom-header` → `X-Custom-Header`. */
export function canonicalHeaderKey(name: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/**
 * The request headers: the probe's own, then User-Agent and Accept defaults as the kubelet adds
 * them (an explicitly empty Accept removes it; an empty User-Agent sends none, as Go does).
 * Returns the Host override separately: Go sends a `Host` entry as the request's Host.
 */
export function probeHeaders(
  headers: HttpHeader[],
  userAgent: string,
): { headers: Map<string, string[]>; host: string | undefined } {
  const out = new Map<string, string[]>();
  for (const h of headers) {
    const key = canonicalHeaderKey(h.name);
    const list = out.get(key) ?? [];
    list.push(h.value);
    out.set(key, list);
  }
  if (!out.has('User-Agent')) out.set('User-Agent', [userAgent]);
  const accept = out.get('Accept');
  if (!accept) out.set('Accept', ['*/*']);
  else if ((accept[0] ?? '') === '') out.delete('Accept');
  const ua = out.get('User-Agent');
  if (ua && (ua[0] ?? '') === '') out.delete('User-Agent');
  const hostList = out.get('Host');
  out.delete('Host');
  const host = hostList && hostList[0] !== '' ? hostList[0] : undefined;
  return { headers: out, host };
}

export interface HttpProbeOptions {
  clock: Clock;
  target: HttpProbeTarget;
  timeoutMs: number;
  userAgent: string;
  signal?: AbortSignal;
}

interface Exchange {
  status: number;
  location: string | undefined;
  body: string;
}

class ExchangeError extends Error {
  /** Errors that Go returns from client.Do (a Failure with text) vs. from reading the body (an error). */
  readonly phase: 'request' | 'body';
  constructor(message: string, phase: 'request' | 'body') {
    super(message);
    this.phase = phase;
  }
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

export async function httpProbe(opts: HttpProbeOptions): Promise<HandlerOutcome> {
  const { headers, host: hostOverride } = probeHeaders(opts.target.headers, opts.userAgent);
  const first = opts.target;
  const firstUrl = targetUrl(first);
  const deadline = new AbortController();
  const onAbort = (): void => deadline.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // One timeout for the whole exchange, redirects and body included (http.Client.Timeout).
  const timer = opts.clock.setTimer(opts.timeoutMs, () => deadline.abort(TIMEOUT));
  let url = new URL(firstUrl.replace('://:', '://localhost:'));
  let urlText = firstUrl;
  let hostHeader = hostOverride;
  try {
    for (let redirects = 0; ; redirects++) {
      let ex: Exchange;
      try {
        ex = await exchange(url, headers, hostHeader, deadline.signal);
      } catch (err) {
        if (err instanceof ExchangeError && err.phase === 'body') {
          return { result: 'failure', output: '', error: new Error(err.message) };
        }
        const msg = err instanceof Error ? err.message : String(err);
        // Convert errors into failures to catch timeouts (http.go DoHTTPProbe).
        return { result: 'failure', output: `Get ${goQuote(urlText)}: ${msg}` };
      }
      const loc = ex.location;
      if (REDIRECT_CODES.has(ex.status) && loc !== undefined && loc !== '') {
        let next: URL;
        try {
          next = new URL(loc, url);
        } catch {
          const output = `Get ${goQuote(urlText)}: failed to parse Location header ${goQuote(loc)}`;
          return { result: 'failure', output };
        }
        // Not followed to another host: the 3xx itself is the answer (followNonLocalRedirects=false).
        if (next.hostname === new URL(firstUrl.replace('://:', '://localhost:')).hostname) {
          // Go's checker sees the requests made so far: the tenth redirect is refused.
          if (redirects + 1 >= MAX_REDIRECTS) {
            return { result: 'failure', output: `Get ${goQuote(urlText)}: stopped after 10 redirects` };
          }
          // A custom Host survives only a relative redirect (Go's net/http, issue 22233).
          if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(loc) || loc.startsWith('//')) hostHeader = undefined;
          url = next;
          urlText = next.href;
          continue;
        }
      }
      return outcome(ex);
    }
  } finally {
    timer.cancel();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

const TIMEOUT = new Error('probe timeout');

function outcome(ex: Exchange): HandlerOutcome {
  const detail = `HTTP ${ex.status}` + (ex.body ? `: ${tail(ex.body.trim(), DETAIL_BODY_TAIL)}` : '');
  if (ex.status >= 200 && ex.status < 400) {
    if (ex.status >= 300) {
      return { result: 'warning', output: `Probe terminated redirects, Response body: ${ex.body}`, detail };
    }
    return { result: 'success', output: ex.body, detail };
  }
  return { result: 'failure', output: `HTTP probe failed with statuscode: ${ex.status}`, detail };
}

function exchange(
  url: URL,
  headers: Map<string, string[]>,
  hostHeader: string | undefined,
  signal: AbortSignal,
): Promise<Exchange> {
  return new Promise<Exchange>((resolve, reject) => {
    const secure = url.protocol === 'https:';
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    const addr = joinHostPort(hostname, port);
    const outHeaders: Record<string, string | string[]> = { Host: hostHeader ?? url.host };
    for (const [k, v] of headers) outHeaders[k] = v.length === 1 ? (v[0] ?? '') : v;
    let connected = false;
    let local = '';
    let phase: 'request' | 'body' = 'request';
    let settled = false;
    const fail = (err: ExchangeError): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      reject(err);
    };
    const options: https.RequestOptions = {
      host: hostname,
      port,
      path: url.pathname + url.search,
      method: 'GET',
      headers: outHeaders,
      agent: false,
      setHost: false,
      timeout: undefined,
    };
    if (secure) {
      options.rejectUnauthorized = false;
      if (isIP(hostname) === 0) options.servername = hostname;
    }
    let req: http.ClientRequest;
    try {
      req = (secure ? https : http).request(options);
    } catch (err) {
      fail(new ExchangeError(err instanceof Error ? err.message : String(err), 'request'));
      return;
    }
    const onAbort = (): void => {
      const reason: unknown = signal.reason;
      const msg =
        reason === TIMEOUT
          ? phase === 'request'
            ? 'context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
            : 'context deadline exceeded (Client.Timeout or context cancellation while reading body)'
          : 'context canceled';
      fail(new ExchangeError(msg, phase));
      req.destroy();
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (socket: Socket) => {
      const mark = (): void => {
        connected = true;
        local = joinHostPort(socket.localAddress ?? '', socket.localPort ?? 0);
      };
      socket.once('connect', mark);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      fail(new ExchangeError(transportError(err, connected, hostname, addr, local), phase));
    });
    req.on('response', (res: http.IncomingMessage) => {
      phase = 'body';
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        const body = Buffer.concat(chunks).subarray(0, MAX_HTTP_BODY).toString('utf8');
        const loc = res.headers.location;
        resolve({ status: res.statusCode ?? 0, location: loc, body });
        res.destroy();
        req.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        // Longer bodies are truncated silently; the rest is never read.
        if (size >= MAX_HTTP_BODY) done();
      });
      res.on('end', done);
      res.on('error', (err: NodeJS.ErrnoException) => {
        // A body cut short reads as Go's io.ErrUnexpectedEOF.
        const msg = err.message === 'aborted' ? 'unexpected EOF' : goReadError(err, local, addr);
        fail(new ExchangeError(msg, 'body'));
      });
    });
    req.end();
  });
}

function transportError(
  err: NodeJS.ErrnoException,
  connected: boolean,
  host: string,
  addr: string,
  local: string,
): string {
  const code = err.code ?? '';
  // An HTTPS request answered in plain HTTP: Go's transport recognises the reply.
  if (
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
    /wrong version number/.test(err.message)
  ) {
    return 'http: server gave HTTP response to HTTPS client';
  }
  if (!connected) return goDialError(err, host, addr);
  // The server closed the connection without answering.
  if (err.message === 'socket hang up') return 'EOF';
  if (code === 'ECONNRESET' || code === 'EPIPE') return goReadError(err, local, addr);
  if (code.startsWith('HPE_'))
    return `net/http: HTTP/1.x transport connection broken: malformed HTTP response`;
  return err.message;
}
