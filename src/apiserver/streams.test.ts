import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { WebSocket } from 'ws';
import type { ExecStreams, LogRequest, NodeStreams } from './node-streams.ts';
import { startTestServer, TEST_TOKEN, type TestServer } from './test-server.ts';

const key = { resource: 'pods', namespace: 'default', name: 'app' };
const running = (id: string) => ({
  name: 'c',
  ready: true,
  restartCount: 0,
  image: 'i',
  imageID: '',
  containerID: id,
  state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
});

let lastLog: LogRequest | undefined;
let resized: [number, number][] = [];
const nodeStreams: NodeStreams = {
  logs(_pod, req) {
    lastLog = req;
    if (req.previous) return Promise.resolve(undefined);
    return Promise.resolve(
      (async function* () {
        yield 'first line\n';
        if (req.follow) {
          await new Promise<void>((r) =>
            req.stopFollowing.aborted ? r() : req.stopFollowing.addEventListener('abort', () => r()),
          );
          yield 'last line\n';
        }
      })(),
    );
  },
  exec(_pod, _container, command) {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let code = 0;
    const exit = new Promise<number>((resolve) => {
      if (command[0] === 'cat') {
        stdin.on('data', (d: Buffer) => stdout.write(d));
        stdin.on('end', () => {
          stdout.end();
          stderr.end();
          resolve(0);
        });
      } else {
        code = Number(command[1] ?? 0);
        stderr.end('failing\n');
        stdout.end();
        resolve(code);
      }
    });
    const session: ExecStreams = {
      stdin,
      stdout,
      stderr,
      resize: (cols, rows) => resized.push([cols, rows]),
      exit,
      kill: () => undefined,
    };
    return Promise.resolve(session);
  },
};

let t: TestServer;
before(async () => {
  t = await startTestServer({ nodeStreams });
  t.store.create<Pod>(key, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app', namespace: 'default', uid: 'pu' },
    spec: { nodeName: 'n', containers: [{ name: 'c', image: 'i' }] },
    status: { phase: 'Running', containerStatuses: [running('fake://1')] },
  });
});
after(async () => {
  await t.close();
});

describe('log', () => {
  test('text/plain; follow ends once the container instance stops, after the last lines', async () => {
    const res = await t.request(
      'GET',
      '/api/v1/namespaces/default/pods/app/log?follow=true&timestamps=true&tailLines=5',
    );
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/plain');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    assert.equal(Buffer.from(first.value ?? new Uint8Array()).toString(), 'first line\n');
    assert.equal(lastLog?.timestamps, true);
    assert.equal(lastLog?.tailLines, 5);
    assert.equal(lastLog?.containerId, 'fake://1');
    const pod = t.store.get<Pod>(key)!;
    t.store.update(key, {
      ...pod,
      status: {
        ...pod.status,
        containerStatuses: [
          {
            ...running('fake://1'),
            ready: false,
            state: { terminated: { exitCode: 0, containerID: 'fake://1' } },
          },
        ],
      },
    });
    let rest = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      rest += Buffer.from(value).toString();
    }
    assert.equal(rest, 'last line\n');
    t.store.update(key, {
      ...t.store.get<Pod>(key)!,
      status: { phase: 'Running', containerStatuses: [running('fake://1')] },
    });
  });

  test('limitBytes cuts the output; previous without a terminated instance is 400', async () => {
    const res = await t.request('GET', '/api/v1/namespaces/default/pods/app/log?limitBytes=5');
    assert.equal(await res.text(), 'first');
    const prev = await t.json<{ message: string }>(
      'GET',
      '/api/v1/namespaces/default/pods/app/log?previous=true',
    );
    assert.equal(prev.status, 400);
    assert.equal(prev.body.message, 'previous terminated container "c" in pod "app" not found');
    const bad = await t.json<{ message: string; code: number }>(
      'GET',
      '/api/v1/namespaces/default/pods/app/log?sinceSeconds=0',
    );
    assert.equal(bad.status, 422);
    assert.equal(
      bad.body.message,
      'PodLogOptions "app" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0',
    );
  });
});

interface Frames {
  frames: Buffer[];
  closeCode: number;
}

function exec(query: string, protocols: string[], send: (ws: WebSocket) => void): Promise<Frames> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(
      `ws://127.0.0.1:${t.port}/api/v1/namespaces/default/pods/app/exec?${query}`,
      protocols,
      {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      },
    );
    const frames: Buffer[] = [];
    ws.on('open', () => send(ws));
    ws.on('message', (d: Buffer, isBinary) => {
      assert.equal(isBinary, true, 'every frame is binary');
      frames.push(d);
    });
    ws.on('close', (code) => resolve({ frames, closeCode: code }));
    ws.on('error', reject);
  });
}

describe('exec over WebSocket', () => {
  test('v5: stdin, resize, the stdin close signal, stdout, then the Success status and close 1000', async () => {
    resized = [];
    const r = await exec(
      'command=cat&container=c&stdin=true&stdout=true&stderr=true',
      ['v5.channel.k8s.io'],
      (ws) => {
        ws.send(Buffer.concat([Buffer.from([4]), Buffer.from('{"Width":80,"Height":24}\n')]));
        ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('hello\n')]));
        ws.send(Buffer.from([255, 0]));
      },
    );
    assert.equal(r.closeCode, 1000);
    const byChannel = (ch: number): string =>
      r.frames
        .filter((f) => f[0] === ch)
        .map((f) => f.subarray(1).toString())
        .join('');
    assert.equal(byChannel(1), 'hello\n');
    assert.deepEqual(JSON.parse(byChannel(3)), { metadata: {}, status: 'Success' });
    assert.equal(r.frames[r.frames.length - 1]?.[0], 3, 'the status is the last frame');
    assert.deepEqual(resized, [[80, 24]]);
    assert.ok(!r.frames.some((f) => f[0] === 255));
  });

  test('a non-zero exit: stderr, then NonZeroExitCode with the ExitCode cause', async () => {
    const r = await exec(
      'command=fail&command=7&container=c&stdout=true&stderr=true',
      ['v4.channel.k8s.io', 'v5.channel.k8s.io'],
      () => {},
    );
    const status = JSON.parse(
      r.frames
        .find((f) => f[0] === 3)!
        .subarray(1)
        .toString(),
    ) as Record<string, unknown>;
    assert.deepEqual(status, {
      metadata: {},
      status: 'Failure',
      reason: 'NonZeroExitCode',
      message: 'command terminated with non-zero exit code: error executing command [fail 7], exit code 7',
      details: { causes: [{ reason: 'ExitCode', message: '7' }] },
    });
    assert.equal(
      r.frames
        .find((f) => f[0] === 2)
        ?.subarray(1)
        .toString(),
      'failing\n',
    );
  });

  test('refused before the upgrade: a bad container, no protocol we speak, no token', async () => {
    const refused = (query: string, protocols: string[], headers: Record<string, string>) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(
          `ws://127.0.0.1:${t.port}/api/v1/namespaces/default/pods/app/exec?${query}`,
          protocols,
          { headers },
        );
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
    const auth = { authorization: `Bearer ${TEST_TOKEN}` };
    assert.equal(await refused('command=ls&container=zz&stdout=true', ['v5.channel.k8s.io'], auth), 400);
    assert.equal(await refused('command=ls&container=c&stdout=true', ['channel.k8s.io'], auth), 400);
    assert.equal(await refused('command=ls&container=c&stdout=true', ['v5.channel.k8s.io'], {}), 401);
    assert.equal(await refused('container=c&stdout=true', ['v5.channel.k8s.io'], auth), 400);
  });
});
