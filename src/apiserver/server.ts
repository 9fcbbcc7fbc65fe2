// nodelet's Kubernetes API server: HTTPS (or plain HTTP for tests) with bearer-token
// authentication, routing to discovery, OpenAPI, the REST verbs and the streaming subresources.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';
import type { RequestContext, ServerServices } from './context.ts';
import {
  AGGREGATED_CONTENT_TYPE,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiResourceList,
  legacyApiVersions,
  openApiDocument,
  openApiIndex,
  versionInfo,
  wantsAggregated,
} from './discovery.ts';
import { sendJson, sendStatus, setWarnings } from './http-util.ts';
import type { NodeStreams } from './node-streams.ts';
import { ExecServer, supportsProtocol, validateExec } from './pod-exec.ts';
import { handleLog } from './pod-logs.ts';
import { parseResourcePath, type Verb } from './request-info.ts';
import { findResource, groupResource } from './resources.ts';
import { ResourceStorage } from './storage.ts';
import {
  handleCreate,
  handleDelete,
  handleDeleteCollection,
  handleGet,
  handleList,
  handlePatch,
  handleUpdate,
} from './rest.ts';
import {
  ApiError,
  badRequest,
  internalError,
  methodNotAllowed,
  methodNotSupported,
  notFound,
  pathNotFound,
  unauthorized,
  type Status,
} from './status.ts';

export interface ApiServerOptions {
  store: Store;
  clock: Clock;
  /** The bearer token every request must carry. */
  token: string;
  /** PEM serving certificate and key; without them the server speaks plain HTTP (tests only). */
  tls?: { cert: string; key: string };
  nodeStreams?: NodeStreams;
  /** Period of watch bookmarks (default 60 s, as the watch cache's bookmark frequency). */
  bookmarkIntervalMs?: number;
  uid?: () => string;
  /** One line per request (method, path, status, milliseconds). */
  log?: (line: string) => void;
  /**
   * Time a client has to send a whole request, body included (default 60 s, as the API server's
   * --request-timeout); a slow or truncated body is then answered 408 and its connection closed.
   */
  requestTimeoutMs?: number;
}

/** As kube-apiserver's secure serving: MaxHeaderBytes 1 MiB (Node's own default is 16 KiB). */
const MAX_HEADER_BYTES = 1 << 20;

const VERB_FOR_ACTION: Record<Verb, string> = {
  get: 'get',
  list: 'list',
  watch: 'watch',
  create: 'create',
  update: 'update',
  patch: 'patch',
  delete: 'delete',
  deletecollection: 'deletecollection',
};

export class ApiServer {
  readonly server: Server;
  private readonly services: ServerServices;
  private readonly shutdown = new AbortController();
  private readonly token: Buffer;
  private readonly exec: ExecServer;
  private readonly sockets = new Set<Socket>();
  private readonly log: ((line: string) => void) | undefined;

  constructor(options: ApiServerOptions) {
    this.token = Buffer.from(options.token);
    this.log = options.log;
    this.services = {
      store: options.store,
      clock: options.clock,
      uid: options.uid ?? randomUUID,
      nodeStreams: options.nodeStreams,
      bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
      shutdown: this.shutdown.signal,
    };
    this.exec = new ExecServer(this.services);
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.handle(req, res);
    };
    const requestTimeout = options.requestTimeoutMs ?? 60_000;
    const limits = {
      maxHeaderSize: MAX_HEADER_BYTES,
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 32_000),
      // How often Node looks for requests past their deadline.
      connectionsCheckingInterval: Math.max(50, Math.min(requestTimeout / 4, 5_000)),
    };
    this.server = options.tls
      ? createHttpsServer({ ...limits, cert: options.tls.cert, key: options.tls.key }, handler)
      : createHttpServer(limits, handler);
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.handleUpgrade(req, socket, head),
    );
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // TLS handshakes arrive as secureConnection on an https server.
    this.server.on('secureConnection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops serving: ends watches and streams, closes connections. */
  async close(): Promise<void> {
    this.shutdown.abort();
    this.exec.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  private authenticated(req: IncomingMessage): boolean {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(header);
    if (!m?.[1]) return false;
    const given = Buffer.from(m[1].trim());
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const warnings: string[] = [];
    try {
      if (!this.authenticated(req)) throw unauthorized();
      await this.route(req, res, warnings);
    } catch (err) {
      const status = toStatus(err);
      if (status.code >= 500)
        this.log?.(`error: ${req.method} ${req.url}: ${(err as Error).stack ?? String(err)}`);
      try {
        // Warnings go with any answer, errors included (kubectl prints them before the error).
        if (!res.headersSent) setWarnings(res, warnings);
        if (status.code === 413) closeUnread(req, res);
        sendStatus(res, status);
      } catch (sendErr) {
        // Nothing may escape a request: an answer that cannot be written ends its connection.
        this.log?.(`error: ${req.method} ${req.url}: answering: ${String(sendErr)}`);
        res.destroy();
      }
    } finally {
      this.log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, warnings: string[]): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://nodelet.invalid');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const isGet = method === 'GET' || method === 'HEAD';

    if (isGet) {
      switch (path) {
        case '/version':
          return sendJson(res, 200, versionInfo());
        case '/healthz':
        case '/livez':
        case '/readyz':
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('ok');
          return;
        case '/api':
          if (wantsAggregated(req)) return sendAggregated(res, aggregatedDiscovery(true));
          return sendJson(res, 200, legacyApiVersions(req));
        case '/apis':
          if (wantsAggregated(req)) return sendAggregated(res, aggregatedDiscovery(false));
          return sendJson(res, 200, apiGroupList());
        case '/openapi/v3':
          return sendJson(res, 200, openApiIndex());
      }
      if (path.startsWith('/openapi/v3/')) {
        const doc = openApiDocument(path.slice('/openapi/v3/'.length));
        if (doc === undefined) throw pathNotFound();
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'public, immutable' });
        res.end(doc);
        return;
      }
      const parts = path.split('/').filter(Boolean);
      if (parts[0] === 'api' && parts.length === 2) {
        const list = apiResourceList('', parts[1] ?? '');
        if (list === undefined) throw pathNotFound();
        return sendJson(res, 200, list);
      }
      if (parts[0] === 'apis' && parts.length === 2) {
        const group = apiGroup(parts[1] ?? '');
        if (group === undefined) throw pathNotFound();
        return sendJson(res, 200, group);
      }
      if (parts[0] === 'apis' && parts.length === 3) {
        const list = apiResourceList(parts[1] ?? '', parts[2] ?? '');
        if (list === undefined) throw pathNotFound();
        return sendJson(res, 200, list);
      }
    }

    const info = parseResourcePath(method, url.pathname, url.searchParams);
    if (!info) throw pathNotFound();
    const def = findResource(info.group, info.version, info.resource);
    if (!def) throw pathNotFound();
    if (info.namespace && !def.namespaced) throw pathNotFound();
    const ctx: RequestContext = {
      req,
      res,
      url,
      query: url.searchParams,
      info,
      def,
      storage: new ResourceStorage(this.services.store, def),
      services: this.services,
      warnings,
    };

    switch (info.subresource) {
      case '':
        break;
      case 'status':
        if (!def.subresources.some((s) => s.name === 'status') || !info.name) throw pathNotFound();
        if (info.verb === 'get') return handleGet(ctx);
        if (info.verb === 'update') return handleUpdate(ctx);
        if (info.verb === 'patch') return handlePatch(ctx);
        throw methodNotAllowed();
      case 'log':
        if (def.resource !== 'pods') throw pathNotFound();
        if (info.verb !== 'get') throw methodNotAllowed();
        return handleLog(ctx);
      case 'exec':
      case 'attach':
      case 'portforward':
        if (def.resource !== 'pods') throw pathNotFound();
        if (info.subresource === 'exec')
          validateExec(this.services, info.namespace, info.name, url.searchParams);
        // The streaming endpoints only answer upgrade requests.
        throw badRequest('Upgrade request required');
      default:
        throw pathNotFound();
    }

    if (!def.verbs.includes(VERB_FOR_ACTION[info.verb]))
      throw methodNotSupported(groupResource(def), info.verb);
    if (info.namespace === '' && def.namespaced && info.verb !== 'list' && info.verb !== 'watch') {
      throw pathNotFound();
    }
    switch (info.verb) {
      case 'get':
        return handleGet(ctx);
      case 'list':
      case 'watch':
        return handleList(ctx);
      case 'create':
        return handleCreate(ctx);
      case 'update':
        return handleUpdate(ctx);
      case 'patch':
        return handlePatch(ctx);
      case 'delete':
        return handleDelete(ctx);
      case 'deletecollection':
        return handleDeleteCollection(ctx);
    }
  }

  /**
   * Upgrade requests (Node emits `upgrade` for every Connection: Upgrade request, SPDY included):
   * WebSocket exec is served; everything else gets an HTTP Status answer on the raw socket.
   */
  private handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const started = Date.now();
    let code = 101;
    try {
      if (!this.authenticated(req)) throw unauthorized();
      const url = new URL(req.url ?? '/', 'https://nodelet.invalid');
      const info = parseResourcePath('GET', url.pathname, url.searchParams);
      if (!info || info.group !== '' || info.resource !== 'pods' || !info.name) throw pathNotFound();
      if (info.subresource === 'exec') {
        const exec = validateExec(this.services, info.namespace, info.name, url.searchParams);
        const isWebSocket = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
        if (!isWebSocket) {
          throw badRequest(
            'nodelet serves exec over WebSocket (v5.channel.k8s.io) only; SPDY upgrades are not supported',
          );
        }
        if (!supportsProtocol(req)) {
          throw badRequest(
            'unable to upgrade connection: no supported stream protocol was offered (v5.channel.k8s.io, v4.channel.k8s.io)',
          );
        }
        this.exec.upgrade(req, socket, head, exec);
        return;
      }
      if (info.subresource === 'attach' || info.subresource === 'portforward') {
        const pod = this.services.store.get({ resource: 'pods', namespace: info.namespace, name: info.name });
        if (!pod) throw notFound({ group: '', resource: 'pods' }, info.name);
        throw badRequest(`${info.subresource} is not supported by nodelet`);
      }
      throw pathNotFound();
    } catch (err) {
      const status = toStatus(err);
      code = status.code;
      writeRawStatus(socket, status);
    } finally {
      this.log?.(`UPGRADE ${req.url} ${code} ${Date.now() - started}ms`);
    }
  }
}

/**
 * A body refused unread (413) is not read to its end: the connection is closed after the answer.
 * Half-closed first, and the rest discarded for a moment, so the client reads the answer instead
 * of a reset (Go's net/http closes the same way, closeWriteAndWait).
 */
function closeUnread(req: IncomingMessage, res: ServerResponse): void {
  if (req.complete) return;
  // Taken now: once the answer is finished the request lets go of its socket.
  const socket = res.socket ?? req.socket;
  res.setHeader('Connection', 'close');
  if (!socket) return;
  res.once('finish', () => {
    socket.end();
    socket.resume();
    // Plumbing, not domain timing: the socket is gone either way once the client stops.
    setTimeout(() => socket.destroy(), 1000).unref();
  });
}

function toStatus(err: unknown): Status {
  if (err instanceof ApiError) return err.status;
  // decodeURIComponent on a bad percent-escape in the path: the request, not the server, is wrong.
  if (err instanceof URIError) return badRequest(`invalid URI: ${err.message}`).status;
  return internalError(err).status;
}

function sendAggregated(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': AGGREGATED_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const REASON_PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  500: 'Internal Server Error',
};

function writeRawStatus(socket: Duplex, status: Status): void {
  const body = JSON.stringify(status);
  socket.end(
    `HTTP/1.1 ${status.code} ${REASON_PHRASES[status.code] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
