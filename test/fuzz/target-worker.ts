// The fuzz targets, in a worker thread so that a hang (a busy loop) or a crash in them is seen by
// the driver instead of stopping it: the manifest pipeline of `nodelet run` (loadPods: decode,
// strict fields, defaults, validation) and an API server on a loopback port.
import { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { loadPods } from '../../src/api/load.ts';
import type { ExecStreams, NodeStreams } from '../../src/apiserver/node-streams.ts';
import { startTestServer } from '../../src/apiserver/test-server.ts';

export type ToWorker = { type: 'decode'; id: number; bytes: Uint8Array } | { type: 'memory'; id: number };

export type FromWorker =
  | { type: 'ready'; url: string }
  | { type: 'decoded'; id: number; ok: true; pods: number }
  | { type: 'decoded'; id: number; ok: false; name: string; message: string; stack: string }
  | { type: 'memory'; id: number; rss: number; heapUsed: number };

const port = parentPort;
if (!port) throw new Error('target-worker runs as a worker thread');

/** Log and exec that answer at once, so the streaming endpoints can be reached too. */
const nodeStreams: NodeStreams = {
  logs() {
    return Promise.resolve(Readable.from([Buffer.from('a log line\n')]));
  },
  exec() {
    const stdout = new PassThrough();
    stdout.end('out\n');
    const session: ExecStreams = {
      stdin: new PassThrough(),
      stdout,
      stderr: null,
      resize() {},
      exit: Promise.resolve(0),
      kill() {},
    };
    return Promise.resolve(session);
  },
};

const server = await startTestServer({ nodeStreams });
let uid = 0;

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'memory') {
    const m = process.memoryUsage();
    port.postMessage({ type: 'memory', id: msg.id, rss: m.rss, heapUsed: m.heapUsed } satisfies FromWorker);
    return;
  }
  loadPods(['-'], {
    stdin: Readable.from([Buffer.from(msg.bytes)]),
    now: Date.UTC(2026, 0, 1),
    uid: () => `uid-${++uid}`,
    nameSuffix: () => 'abcde',
  }).then(
    (r) =>
      port.postMessage({ type: 'decoded', id: msg.id, ok: true, pods: r.pods.length } satisfies FromWorker),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      port.postMessage({
        type: 'decoded',
        id: msg.id,
        ok: false,
        name: err.name,
        message: err.message.slice(0, 2000),
        stack: err.stack?.slice(0, 4000) ?? '',
      } satisfies FromWorker);
    },
  );
});

port.postMessage({ type: 'ready', url: server.url } satisfies FromWorker);
