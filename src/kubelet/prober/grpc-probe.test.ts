// grpc probes against a real @grpc/grpc-js server implementing grpc.health.v1.Health.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { FakeClock } from '../../testing/fake-clock.ts';
import { realClock } from '../../util/clock.ts';
import {
  HEALTH_CHECK_METHOD,
  decodeHealthCheckRequest,
  decodeHealthCheckResponse,
  encodeHealthCheckRequest,
  encodeHealthCheckResponse,
  grpcProbe,
} from './grpc-probe.ts';

const UA = 'kube-probe/1.32';

const healthService: grpc.ServiceDefinition = {
  Check: {
    path: HEALTH_CHECK_METHOD,
    requestStream: false,
    responseStream: false,
    requestSerialize: encodeHealthCheckRequest,
    requestDeserialize: decodeHealthCheckRequest,
    responseSerialize: encodeHealthCheckResponse,
    responseDeserialize: decodeHealthCheckResponse,
  },
};

interface HealthServer {
  port: number;
  statuses: Map<string, number>;
  /** When set, calls are held and never answered. */
  hang: boolean;
  calls: Array<{ service: string; userAgent: string }>;
  close(): Promise<void>;
}

async function startServer(withHealth = true): Promise<HealthServer> {
  const server = new grpc.Server();
  const hs: HealthServer = {
    port: 0,
    statuses: new Map([['', 1]]),
    hang: false,
    calls: [],
    close: () =>
      new Promise<void>((r) => {
        server.forceShutdown();
        r();
      }),
  };
  if (withHealth) {
    server.addService(healthService, {
      Check: (
        call: grpc.ServerUnaryCall<{ service: string }, { status: number }>,
        cb: grpc.sendUnaryData<{ status: number }>,
      ) => {
        hs.calls.push({
          service: call.request.service,
          userAgent: String(call.metadata.get('user-agent')[0] ?? ''),
        });
        if (hs.hang) return;
        const status = hs.statuses.get(call.request.service);
        if (status === undefined) cb({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
        else cb(null, { status });
      },
    });
  }
  hs.port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
  return hs;
}

function probe(port: number, service = '', timeoutMs = 5000): ReturnType<typeof grpcProbe> {
  return grpcProbe({ clock: realClock, host: '127.0.0.1', port, service, timeoutMs, userAgent: UA });
}

test('the Health messages encode and decode', () => {
  assert.deepEqual(encodeHealthCheckRequest({ service: '' }), Buffer.alloc(0));
  assert.deepEqual(decodeHealthCheckRequest(encodeHealthCheckRequest({ service: 'a.b' })), {
    service: 'a.b',
  });
  assert.deepEqual(decodeHealthCheckResponse(encodeHealthCheckResponse({ status: 2 })), { status: 2 });
  assert.deepEqual(decodeHealthCheckResponse(Buffer.alloc(0)), { status: 0 });
  assert.deepEqual(decodeHealthCheckResponse(Buffer.from([0x08, 0x01, 0x12, 0x01, 0x41])), { status: 1 });
});

test('SERVING is success; the service name and the kube-probe user agent are sent', async () => {
  const s = await startServer();
  s.statuses.set('db', 1);
  try {
    assert.deepEqual(await probe(s.port), { result: 'success', output: 'service healthy' });
    assert.deepEqual(await probe(s.port, 'db'), { result: 'success', output: 'service healthy' });
    assert.deepEqual(
      s.calls.map((c) => c.service),
      ['', 'db'],
    );
    assert.match(s.calls[0]?.userAgent ?? '', /^kube-probe\/1\.32/);
  } finally {
    await s.close();
  }
});

test('other statuses and rpc errors fail with the kubelet text', async () => {
  const s = await startServer();
  s.statuses.set('', 2);
  s.statuses.set('odd', 3);
  try {
    assert.deepEqual(await probe(s.port), {
      result: 'failure',
      output: 'service unhealthy (responded with "NOT_SERVING")',
    });
    assert.equal((await probe(s.port, 'odd')).output, 'service unhealthy (responded with "SERVICE_UNKNOWN")');
    assert.deepEqual(await probe(s.port, 'missing'), {
      result: 'failure',
      output: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service',
    });
  } finally {
    await s.close();
  }
});

test('a server without the health service', async () => {
  const s = await startServer(false);
  try {
    const out = await probe(s.port);
    assert.equal(out.result, 'failure');
    assert.match(
      out.output,
      /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): /,
    );
  } finally {
    await s.close();
  }
});

test('an rpc that does not answer in time (fake clock)', async () => {
  const s = await startServer();
  s.hang = true;
  const clock = new FakeClock();
  try {
    const pending = grpcProbe({
      clock,
      host: '127.0.0.1',
      port: s.port,
      service: '',
      timeoutMs: 1000,
      userAgent: UA,
    });
    for (let i = 0; i < 1000 && s.calls.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(s.calls.length, 1, 'the call reached the server');
    await clock.advance(1000);
    assert.deepEqual(await pending, {
      result: 'failure',
      output: 'timeout: health rpc did not complete within 1s',
    });
  } finally {
    await s.close();
  }
});

test('no server: the connect timeout text (fake clock)', async () => {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const clock = new FakeClock();
  const pending = grpcProbe({ clock, host: '127.0.0.1', port, service: '', timeoutMs: 2000, userAgent: UA });
  await clock.advance(2000);
  assert.deepEqual(await pending, {
    result: 'failure',
    output: `timeout: failed to connect service "127.0.0.1:${port}" within 2s: context deadline exceeded`,
  });
});
