// An ApiServer on a loopback port over plain HTTP with a MemoryStore, for the apiserver's tests.
import type { AddressInfo } from 'node:net';
import { MemoryStore } from '../store/memory-store.ts';
import type { Store } from '../store/store.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import type { Clock } from '../util/clock.ts';
import { ensureSystemNamespaces } from './bootstrap.ts';
import type { NodeStreams } from './node-streams.ts';
import { ApiServer } from './server.ts';

export const TEST_TOKEN = 'test-token';

export interface TestServer {
  server: ApiServer;
  store: Store;
  clock: Clock;
  url: string;
  port: number;
  /** fetch against the server with the bearer token (unless headers.authorization is given). */
  request(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  json<T = Record<string, unknown>>(
    method: string,
    path: string,
    init?: { body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: T; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestServer(
  options: { clock?: Clock; nodeStreams?: NodeStreams; bookmarkIntervalMs?: number; store?: Store } = {},
): Promise<TestServer> {
  const clock = options.clock ?? new FakeClock();
  const store = options.store ?? new MemoryStore();
  ensureSystemNamespaces(store, clock);
  let n = 0;
  const server = new ApiServer({
    store,
    clock,
    token: TEST_TOKEN,
    uid: () => `uid-${++n}`,
    ...(options.nodeStreams ? { nodeStreams: options.nodeStreams } : {}),
    ...(options.bookmarkIntervalMs ? { bookmarkIntervalMs: options.bookmarkIntervalMs } : {}),
  });
  const address: AddressInfo = await server.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${address.port}`;
  const request: TestServer['request'] = (method, path, init = {}) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${TEST_TOKEN}`,
      ...(init.headers ?? {}),
    };
    let body: string | undefined;
    if (init.body !== undefined) {
      body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    return fetch(url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  };
  return {
    server,
    store,
    clock,
    url,
    port: address.port,
    request,
    async json(method, path, init) {
      const res = await request(method, path, init);
      const text = await res.text();
      return { status: res.status, body: JSON.parse(text) as never, headers: res.headers };
    },
    async close() {
      await server.close();
      store.close();
    },
  };
}
