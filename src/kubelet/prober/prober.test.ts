// One probe round: result mapping and the events the kubelet records for each answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { realClock } from '../../util/clock.ts';
import { compileProbe } from './probe-spec.ts';
import { probeOnce, type ProberContext } from './prober.ts';
import { CapturingRecorder, ScriptedRuntime, makePod, podStatus, running } from './prober-test-kit.ts';

async function withServer(handler: http.RequestListener, fn: (port: number) => Promise<void>): Promise<void> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

function ctx(): ProberContext & { recorder: CapturingRecorder } {
  return {
    clock: realClock,
    runtime: new ScriptedRuntime(),
    recorder: new CapturingRecorder(),
    userAgent: 'kube-probe/1.32',
  };
}

const pod = makePod({ containers: [{ name: 'app' }] });
const target = {
  pod,
  status: podStatus([running('app', 'c1', 0)]),
  container: { name: 'app' },
  containerId: 'fake://c1',
};

test('an off-host redirect is a warning: Success plus ProbeWarning', async () => {
  await withServer(
    (req, res) => {
      res.writeHead(302, { Location: `http://localhost:${req.socket.localPort}/x` });
      res.end('moved');
    },
    async (port) => {
      const c = ctx();
      const round = await probeOnce(
        c,
        compileProbe('liveness', { httpGet: { port } }),
        target,
        new AbortController().signal,
      );
      assert.equal(round.result, 'Success');
      assert.equal(round.outcome, 'warning');
      assert.deepEqual(c.recorder.events, [
        {
          fieldPath: 'spec.containers{app}',
          type: 'Warning',
          reason: 'ProbeWarning',
          message: 'Liveness probe warning: Probe terminated redirects, Response body: moved',
        },
      ]);
    },
  );
});

test('a 503 is a Failure with the Unhealthy text; the run detail keeps the body', async () => {
  await withServer(
    (_req, res) => {
      res.statusCode = 503;
      res.end('draining');
    },
    async (port) => {
      const c = ctx();
      const round = await probeOnce(
        c,
        compileProbe('readiness', { httpGet: { port, path: '/ready' } }),
        target,
        new AbortController().signal,
      );
      assert.deepEqual(round, {
        result: 'Failure',
        discarded: false,
        outcome: 'failure',
        message: 'HTTP probe failed with statuscode: 503',
        detail: 'HTTP 503: draining',
      });
      assert.deepEqual(c.recorder.messages('Unhealthy'), [
        'Readiness probe failed: HTTP probe failed with statuscode: 503',
      ]);
    },
  );
});

test('a probe without a handler errors with the kubelet text', async () => {
  const c = ctx();
  const round = await probeOnce(c, compileProbe('startup', {}), target, new AbortController().signal);
  assert.equal(round.discarded, true);
  assert.deepEqual(c.recorder.messages(), [
    'Startup probe errored and resulted in unknown state: missing probe handler for web_default(uid-1):app',
  ]);
});

test('a stopped worker records no event', async () => {
  const c = ctx();
  const ac = new AbortController();
  ac.abort();
  await probeOnce(c, compileProbe('startup', {}), target, ac.signal);
  assert.deepEqual(c.recorder.events, []);
});
