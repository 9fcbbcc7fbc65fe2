// Lifecycle handlers (reference §4.1, §4.5; gotchas 7, 8, 9): exec with no timeout, httpGet where
// any HTTP status is success, sleep on the injected clock, tcpSocket refused at run time, and the
// kubelet's failure messages (used as the PostStartHookError waiting message, never in events).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LifecycleHandler } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../../testing/fake-clock.ts';
import { CapturingRecorder, execResult, ScriptedRuntime } from '../prober/prober-test-kit.ts';
import { resolvePort, runHandler, type HandlerContext } from './handlers.ts';
import { ctr, makePod } from '../../testing/kubelet-harness.ts';

const pod = makePod('web', { containers: [ctr('app', { ports: [{ name: 'http', containerPort: 8080 }] })] });
const container = pod.spec?.containers[0] ?? ctr('app');
const WHO = 'for Container "app" in Pod "web_default(uid-web)"';

function context(
  runtime = new ScriptedRuntime(),
  clock = new FakeClock(),
): HandlerContext & { recorder: CapturingRecorder } {
  return {
    clock,
    runtime,
    recorder: new CapturingRecorder(),
    podIP: '127.0.0.1',
    kubeVersion: { major: '1', minor: '32' },
  };
}

test('exec: exit 0 is success; the command runs in the container with no timeout', async () => {
  const runtime = new ScriptedRuntime();
  runtime.script = () => execResult(0, 'hello\n');
  const run = await runHandler(
    'postStart',
    pod,
    container,
    'c1',
    { exec: { command: ['echo', 'hello'] } },
    context(runtime),
  );
  assert.equal(run.ok, true);
  assert.equal(run.handler, 'exec');
  assert.equal(run.result, 'exit 0');
  assert.equal(run.output, 'hello\n');
  assert.equal(run.failureMessage, undefined);
  assert.equal(runtime.calls.length, 1);
  assert.equal(runtime.calls[0]?.id, 'c1');
  assert.deepEqual(runtime.calls[0]?.command, ['echo', 'hello']);
  assert.equal(runtime.calls[0]?.options.timeoutMs, 0);
});

test('exec: a non-zero exit fails with the kubelet message (command, CRI error, quoted output)', async () => {
  const runtime = new ScriptedRuntime();
  runtime.script = () => execResult(3, 'out\n', 'bad thing\n');
  const cmd = ['sh', '-c', 'echo out; echo bad thing >&2; exit 3'];
  const run = await runHandler(
    'postStart',
    pod,
    container,
    'c1',
    { exec: { command: cmd } },
    context(runtime),
  );
  assert.equal(run.ok, false);
  assert.equal(run.result, 'exit 3');
  assert.equal(
    run.failureMessage,
    `Exec lifecycle hook ([sh -c echo out; echo bad thing >&2; exit 3]) ${WHO} failed - error: ` +
      `command 'sh -c echo out; echo bad thing >&2; exit 3' exited with 3: bad thing\n, message: "out\\nbad thing\\n"`,
  );
});

test('exec: a runtime error (container gone) fails with an empty message', async () => {
  const runtime = new ScriptedRuntime();
  runtime.script = () => {
    throw new Error('container not running');
  };
  const run = await runHandler(
    'preStop',
    pod,
    container,
    'c1',
    { exec: { command: ['true'] } },
    context(runtime),
  );
  assert.equal(run.ok, false);
  assert.equal(
    run.failureMessage,
    `Exec lifecycle hook ([true]) ${WHO} failed - error: container not running, message: ""`,
  );
});

test('sleep: waits on the injected clock', async () => {
  const clock = new FakeClock(0);
  const ctx = context(undefined, clock);
  let done = false;
  const p = runHandler('preStop', pod, container, 'c1', { sleep: { seconds: 5 } }, ctx).then((r) => {
    done = true;
    return r;
  });
  await clock.advance(4999);
  assert.equal(done, false);
  await clock.advance(1);
  const run = await p;
  assert.equal(run.ok, true);
  assert.equal(run.result, 'slept 5s');
  assert.equal(run.durationMs, 5000);
});

test('sleep: cancelled early fails with "container terminated before sleep hook finished"', async () => {
  const clock = new FakeClock(0);
  const ac = new AbortController();
  const ctx = { ...context(undefined, clock), signal: ac.signal };
  const p = runHandler('postStart', pod, container, 'c1', { sleep: { seconds: 5 } }, ctx);
  await clock.advance(1000);
  ac.abort(new Error('pod is being deleted'));
  const run = await p;
  assert.equal(run.ok, false);
  assert.equal(
    run.failureMessage,
    `Sleep lifecycle hook (5) ${WHO} failed - error: container terminated before sleep hook finished`,
  );
});

test('tcpSocket is accepted by the API but cannot run: "Cannot run handler: invalid handler: …"', async () => {
  const handler: LifecycleHandler = { tcpSocket: { port: 8080 } };
  const run = await runHandler('postStart', pod, container, 'c1', handler, context());
  assert.equal(run.ok, false);
  assert.equal(run.handler, 'invalid');
  assert.match(run.failureMessage ?? '', /^Cannot run handler: invalid handler: /);
});

async function server(
  status: number,
): Promise<{ port: number; requests: http.IncomingMessage[]; close(): Promise<void> }> {
  const requests: http.IncomingMessage[] = [];
  const srv = http.createServer((req, res) => {
    requests.push(req);
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(`status ${status}`);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    requests,
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

test('gotcha 8: httpGet treats any HTTP status as success, sent by the node with kube-lifecycle', async () => {
  for (const status of [200, 404, 500]) {
    const srv = await server(status);
    try {
      const handler: LifecycleHandler = {
        httpGet: { port: srv.port, path: '/hook', httpHeaders: [{ name: 'X-Token', value: 'abc' }] },
      };
      const run = await runHandler('preStop', pod, container, 'c1', handler, context());
      assert.equal(run.ok, true, `status ${status}`);
      assert.equal(run.result, `HTTP ${status}`);
      assert.equal(run.output, `status ${status}`);
      const req = srv.requests[0];
      assert.equal(req?.url, '/hook');
      assert.equal(req?.headers['user-agent'], 'kube-lifecycle/1.32');
      assert.equal(req?.headers['x-token'], 'abc');
      assert.equal(req?.headers.accept, '*/*');
    } finally {
      await srv.close();
    }
  }
});

test('httpGet: a named port is resolved against the container ports; the pod IP is the default host', () => {
  assert.equal(resolvePort('http', container), 8080);
  assert.equal(resolvePort(9000, container), 9000);
  assert.equal(resolvePort('9001', container), 9001);
  assert.throws(() => resolvePort('metrics', container), /^Error: port "metrics" not found$/);
});

test('httpGet: a transport error fails with the kubelet message', async () => {
  const srv = await server(200);
  const port = srv.port;
  await srv.close();
  const run = await runHandler(
    'postStart',
    pod,
    container,
    'c1',
    { httpGet: { port, path: '/x' } },
    context(),
  );
  assert.equal(run.ok, false);
  assert.equal(
    run.failureMessage,
    `HTTP lifecycle hook (/x) ${WHO} failed - error: Get "http://127.0.0.1:${port}/x": dial tcp 127.0.0.1:${port}: connect: connection refused`,
  );
});

test('httpGet: no pod IP and no host fails with "failed to find networking container"', async () => {
  const ctx = { ...context(), podIP: undefined };
  const run = await runHandler('postStart', pod, container, 'c1', { httpGet: { port: 80 } }, ctx);
  assert.equal(run.ok, false);
  assert.match(
    run.failureMessage ?? '',
    /^HTTP lifecycle hook \(\/\) .* failed - error: failed to find networking container/,
  );
});
