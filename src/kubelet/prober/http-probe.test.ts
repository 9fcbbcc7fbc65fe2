// httpGet probes against real loopback servers (HTTP and self-signed HTTPS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../testing/fake-clock.ts';
import { realClock } from '../../util/clock.ts';
import {
  canonicalHeaderKey,
  httpProbe,
  httpTarget,
  probeHeaders,
  type HttpProbeTarget,
} from './http-probe.ts';
import { compileHandler, type HttpHeader } from './probe-spec.ts';

// A throwaway self-signed certificate for 127.0.0.1/localhost (probes never verify it).
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgBsPytDoyGLKXXwRl
QQko0SP2SddW06HUR2p5ViXX+rShRANCAASS8XCKypiNXLCQ78j5Qw5TsDCJ3GVB
CbhaqNOcVEEpu5Rqk17+VjaIRJLPlcI2JOevBOBD/X78/I7T396DZ5Vn
-----END PRIVATE KEY-----
`;
const CERT = `-----BEGIN CERTIFICATE-----
MIIBmjCCAUGgAwIBAgIUXTDwa79wScH2Tzk1f0p0fX+0KrcwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTIwMzE0MjIwMloYDzIxMjYxMTA5
MTQyMjAyWjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAASS8XCKypiNXLCQ78j5Qw5TsDCJ3GVBCbhaqNOcVEEpu5Rqk17+VjaI
RJLPlcI2JOevBOBD/X78/I7T396DZ5Vno28wbTAdBgNVHQ4EFgQUR+WTfEhtKb/6
lC1PJ3AEPvTb2UkwHwYDVR0jBBgwFoAUR+WTfEhtKb/6lC1PJ3AEPvTb2UkwDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDRwAwRAIgS0dEzDj5cGARaeD3kQbALwaHbnd3+i4518j1UslVi2wCIC4T
vKptDny9a+jRwskzIrLLHiGnDTaW3IFcvgFQnIvs
-----END CERTIFICATE-----
`;

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface Served {
  port: number;
  requests: http.IncomingMessage[];
  close(): Promise<void>;
}

async function serve(handler: Handler, secure = false): Promise<Served> {
  const requests: http.IncomingMessage[] = [];
  const wrapped: Handler = (req, res) => {
    requests.push(req);
    handler(req, res);
  };
  const server = secure ? https.createServer({ key: KEY, cert: CERT }, wrapped) : http.createServer(wrapped);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function target(
  port: number,
  path = '/healthz',
  headers: HttpHeader[] = [],
  scheme: 'http' | 'https' = 'http',
): HttpProbeTarget {
  return { scheme, host: '127.0.0.1', port, path, headers };
}

const UA = 'kube-probe/1.32';

function probe(t: HttpProbeTarget, timeoutMs = 5000): ReturnType<typeof httpProbe> {
  return httpProbe({ clock: realClock, target: t, timeoutMs, userAgent: UA });
}

test('200 is success; the request carries the kubelet headers and no keep-alive or compression', async () => {
  const s = await serve((_req, res) => res.end('ok'));
  try {
    const out = await probe(target(s.port));
    assert.equal(out.result, 'success');
    assert.equal(out.output, 'ok');
    assert.equal(out.detail, 'HTTP 200: ok');
    const req = s.requests[0];
    assert.equal(req?.url, '/healthz');
    assert.equal(req?.method, 'GET');
    assert.equal(req?.headers['user-agent'], 'kube-probe/1.32');
    assert.equal(req?.headers.accept, '*/*');
    assert.equal(req?.headers.host, `127.0.0.1:${s.port}`);
    assert.equal(req?.headers.connection, 'close');
    assert.equal(req?.headers['accept-encoding'], undefined);
  } finally {
    await s.close();
  }
});

test('httpHeaders: canonical names, repeated values, Host override, User-Agent override, empty Accept removes it', async () => {
  const s = await serve((_req, res) => res.end());
  try {
    const out = await probe(
      target(s.port, '/x?y=1', [
        { name: 'x-custom', value: 'a' },
        { name: 'X-Custom', value: 'b' },
        { name: 'host', value: 'example.test' },
        { name: 'User-Agent', value: 'mine' },
        { name: 'Accept', value: '' },
      ]),
    );
    assert.equal(out.result, 'success');
    const req = s.requests[0];
    assert.equal(req?.url, '/x?y=1');
    assert.equal(req?.headers.host, 'example.test');
    assert.equal(req?.headers['user-agent'], 'mine');
    assert.equal(req?.headers.accept, undefined);
    assert.deepEqual(
      req?.rawHeaders.filter((_v, i, a) => a[i - 1] === 'X-Custom'),
      ['a', 'b'],
    );
  } finally {
    await s.close();
  }
});

test('status codes: 404 and 503 fail with the kubelet text; 3xx without a redirect is a warning', async () => {
  let code = 404;
  const s = await serve((_req, res) => {
    res.statusCode = code;
    res.end('nope');
  });
  try {
    let out = await probe(target(s.port));
    assert.equal(out.result, 'failure');
    assert.equal(out.output, 'HTTP probe failed with statuscode: 404');
    assert.equal(out.detail, 'HTTP 404: nope');
    code = 503;
    out = await probe(target(s.port));
    assert.equal(out.output, 'HTTP probe failed with statuscode: 503');
    code = 399;
    out = await probe(target(s.port));
    assert.equal(out.result, 'warning');
    assert.equal(out.output, 'Probe terminated redirects, Response body: nope');
    code = 302; // no Location: not followed
    out = await probe(target(s.port));
    assert.equal(out.result, 'warning');
    code = 204;
    out = await probe(target(s.port));
    assert.equal(out.result, 'success');
    assert.equal(out.detail, 'HTTP 204');
  } finally {
    await s.close();
  }
});

test('redirects on the same host are followed (with a custom Host kept for relative ones)', async () => {
  const s = await serve((req, res) => {
    if (req.url === '/old') {
      res.writeHead(301, { Location: '/new' });
      res.end();
      return;
    }
    res.end(`at ${req.url}`);
  });
  try {
    const out = await probe(target(s.port, '/old', [{ name: 'Host', value: 'app.test' }]));
    assert.equal(out.result, 'success');
    assert.equal(out.output, 'at /new');
    assert.deepEqual(
      s.requests.map((r) => [r.url, r.headers.host]),
      [
        ['/old', 'app.test'],
        ['/new', 'app.test'],
      ],
    );
  } finally {
    await s.close();
  }
});

test('the tenth redirect stops the probe', async () => {
  const s = await serve((req, res) => {
    const n = Number((req.url ?? '/r0').slice(2));
    res.writeHead(302, { Location: `/r${n + 1}` });
    res.end();
  });
  try {
    const out = await probe(target(s.port, '/r0'));
    assert.equal(out.result, 'failure');
    assert.equal(out.output, `Get "http://127.0.0.1:${s.port}/r9": stopped after 10 redirects`);
    assert.equal(s.requests.length, 10);
  } finally {
    await s.close();
  }
});

test('a redirect to another host is not followed: a warning with the body', async () => {
  const s = await serve((_req, res) => {
    res.writeHead(302, { Location: `http://localhost:${(_req.socket.localPort ?? 0) + 0}/elsewhere` });
    res.end('moved');
  });
  try {
    const out = await probe(target(s.port));
    assert.equal(out.result, 'warning');
    assert.equal(out.output, 'Probe terminated redirects, Response body: moved');
    assert.equal(s.requests.length, 1);
  } finally {
    await s.close();
  }
});

test('the body read is capped at 10 KiB', async () => {
  const s = await serve((_req, res) => res.end('x'.repeat(50 * 1024)));
  try {
    const out = await probe(target(s.port));
    assert.equal(out.result, 'success');
    assert.equal(out.output.length, 10 * 1024);
  } finally {
    await s.close();
  }
});

test('connection refused is worded as Go words it', async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const out = await probe(target(port));
  assert.equal(out.result, 'failure');
  assert.equal(
    out.output,
    `Get "http://127.0.0.1:${port}/healthz": dial tcp 127.0.0.1:${port}: connect: connection refused`,
  );
});

test('a server that closes without answering reads as EOF', async () => {
  const s = await serve((req) => req.socket.destroy());
  try {
    const out = await probe(target(s.port));
    assert.equal(out.result, 'failure');
    assert.equal(out.output, `Get "http://127.0.0.1:${s.port}/healthz": EOF`);
  } finally {
    await s.close();
  }
});

test('timeout while awaiting headers is a failure (fake clock)', async () => {
  let arrived!: () => void;
  const gotRequest = new Promise<void>((r) => (arrived = r));
  const s = await serve(() => arrived());
  const clock = new FakeClock();
  try {
    const pending = httpProbe({ clock, target: target(s.port), timeoutMs: 1000, userAgent: UA });
    await gotRequest;
    await clock.advance(999);
    let settled = false;
    void pending.then(() => (settled = true));
    await clock.advance(0);
    assert.equal(settled, false, 'not before the timeout');
    await clock.advance(1);
    const out = await pending;
    assert.equal(out.result, 'failure');
    assert.equal(
      out.output,
      `Get "http://127.0.0.1:${s.port}/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
    );
  } finally {
    await s.close();
  }
});

test('timeout while reading the body is an error (discarded by the worker)', async () => {
  let flushed!: () => void;
  const wrote = new Promise<void>((r) => (flushed = r));
  const s = await serve((_req, res) => {
    res.writeHead(200);
    res.write('partial', () => flushed());
  });
  const clock = new FakeClock();
  try {
    const pending = httpProbe({ clock, target: target(s.port), timeoutMs: 1000, userAgent: UA });
    await wrote;
    // Let the response headers reach the client before the deadline falls.
    await new Promise((r) => setTimeout(r, 200));
    await clock.advance(1000);
    const out = await pending;
    assert.equal(out.result, 'failure');
    assert.equal(
      out.error?.message,
      'context deadline exceeded (Client.Timeout or context cancellation while reading body)',
    );
  } finally {
    await s.close();
  }
});

test('https with a self-signed certificate succeeds (verification is off)', async () => {
  const s = await serve((_req, res) => res.end('secure'), true);
  try {
    const out = await probe(target(s.port, '/', [], 'https'));
    assert.equal(out.result, 'success');
    assert.equal(out.output, 'secure');
  } finally {
    await s.close();
  }
});

test('https against a plain HTTP server: Go transport text', async () => {
  const s = await serve((_req, res) => res.end('plain'));
  try {
    const out = await probe(target(s.port, '/', [], 'https'));
    assert.equal(out.result, 'failure');
    assert.equal(
      out.output,
      `Get "https://127.0.0.1:${s.port}/": http: server gave HTTP response to HTTPS client`,
    );
  } finally {
    await s.close();
  }
});

test('httpTarget: pod IP default, named ports, path defaults; probeHeaders defaults', () => {
  const handler = compileHandler({ httpGet: { port: 'web', path: 'ready' } });
  assert.equal(handler.type, 'httpGet');
  if (handler.type !== 'httpGet') return;
  const t = httpTarget(handler, { name: 'app', ports: [{ name: 'web', containerPort: 8080 }] }, '10.0.0.5');
  assert.deepEqual(t, { scheme: 'http', host: '10.0.0.5', port: 8080, path: '/ready', headers: [] });
  const d = compileHandler({ httpGet: { port: 80, scheme: 'HTTPS', host: 'h' } });
  assert.equal(d.type === 'httpGet' && d.path, '/');
  assert.equal(d.type === 'httpGet' && d.scheme, 'https');
  assert.throws(
    () => httpTarget(handler, { name: 'app' }, '10.0.0.5'),
    /strconv.Atoi: parsing "web": invalid syntax/,
  );
  assert.equal(canonicalHeaderKey('x-forwarded-for'), 'X-Forwarded-For');
  assert.equal(canonicalHeaderKey('ACCEPT'), 'Accept');
  const { headers, host } = probeHeaders([], UA);
  assert.deepEqual(
    [...headers],
    [
      ['User-Agent', [UA]],
      ['Accept', ['*/*']],
    ],
  );
  assert.equal(host, undefined);
});
