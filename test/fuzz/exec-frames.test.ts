// Broken WebSocket frames on the exec endpoint: bad opcodes, oversized and truncated frames,
// unmasked client frames, a connection closed mid-stream. Each time the connection is closed, the
// server stays up, and the exec'd process (a real one here) is killed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { ExecStreams, NodeStreams } from '../../src/apiserver/node-streams.ts';
import { Rng } from './prng.ts';
import { startTestServer, TEST_TOKEN, type TestServer } from '../../src/apiserver/test-server.ts';

/** Every process exec started, to see that each one is gone at the end of its session. */
const children: ChildProcess[] = [];

const nodeStreams: NodeStreams = {
  logs: () => Promise.resolve(undefined),
  exec(_pod, _container, command) {
    // A command that would run for a minute unless the session kills it.
    const child = spawn(command[0] ?? 'sleep', command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    const exit = new Promise<number>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 137 : 0))),
    );
    const session: ExecStreams = {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      resize: () => undefined,
      exit,
      kill: () => void child.kill('SIGKILL'),
    };
    return Promise.resolve(session);
  },
};

let t: TestServer;
before(async () => {
  t = await startTestServer({ nodeStreams });
  t.store.create<Pod>(
    { resource: 'pods', namespace: 'default', name: 'app' },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'app', namespace: 'default', uid: 'pu' },
      spec: { nodeName: 'n', containers: [{ name: 'c', image: 'i' }] },
      status: {
        phase: 'Running',
        containerStatuses: [
          {
            name: 'c',
            ready: true,
            restartCount: 0,
            image: 'i',
            imageID: '',
            containerID: 'fake://1',
            state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
          },
        ],
      },
    },
  );
});
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await t.close();
});

/** A WebSocket handshake on a raw socket; resolves once the server answered 101. */
function handshake(
  command = ['sleep', '60'],
): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(t.port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let upgraded = false;
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined); // resets are expected here
    socket.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (!upgraded) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = data.subarray(0, end).toString('latin1');
        if (!head.startsWith('HTTP/1.1 101')) {
          reject(new Error(`no upgrade: ${head}`));
          return;
        }
        upgraded = true;
        data = data.subarray(end + 4);
        resolve({ socket, received: () => data, closed });
      }
    });
    const query = command.map((c) => `command=${encodeURIComponent(c)}`).join('&');
    socket.write(
      `GET /api/v1/namespaces/default/pods/app/exec?${query}&stdin=true&stdout=true&stderr=true HTTP/1.1\r\n` +
        'Host: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n' +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
        `Sec-WebSocket-Protocol: v5.channel.k8s.io\r\nAuthorization: Bearer ${TEST_TOKEN}\r\n\r\n`,
    );
  });
}

/** A client frame: FIN + opcode, masked unless told otherwise, with the given payload length field. */
function frame(
  opcode: number,
  payload: Buffer,
  opts: { mask?: boolean; fin?: boolean; rsv?: number; declared?: bigint } = {},
): Buffer {
  const mask = opts.mask ?? true;
  const first = ((opts.fin ?? true) ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode;
  const len = opts.declared ?? BigInt(payload.length);
  let header: Buffer;
  if (len < 126n) header = Buffer.from([first, (mask ? 0x80 : 0) | Number(len)]);
  else if (len < 65536n) {
    header = Buffer.alloc(4);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 126;
    header.writeUInt16BE(Number(len), 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = first;
    header[1] = (mask ? 0x80 : 0) | 127;
    header.writeBigUInt64BE(len, 2);
  }
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ (key[i % 4] ?? 0)));
  return Buffer.concat([header, key, masked]);
}

async function gone(child: ChildProcess, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (child.exitCode === null && child.signalCode === null) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const stdin = (text: string): Buffer => Buffer.concat([Buffer.from([0]), Buffer.from(text)]);

const cases: { name: string; send: (s: Socket) => void; closeCode?: number }[] = [
  { name: 'a reserved opcode', send: (s) => s.write(frame(0x3, stdin('x'))), closeCode: 1002 },
  {
    name: 'an unmasked client frame',
    send: (s) => s.write(frame(0x2, stdin('x'), { mask: false })),
    closeCode: 1002,
  },
  {
    name: 'RSV1 set without an extension',
    send: (s) => s.write(frame(0x2, stdin('x'), { rsv: 4 })),
    closeCode: 1002,
  },
  {
    name: 'a fragmented control frame',
    send: (s) => s.write(frame(0x9, Buffer.from('p'), { fin: false })),
    closeCode: 1002,
  },
  {
    name: 'a continuation with nothing to continue',
    send: (s) => s.write(frame(0x0, stdin('x'))),
    closeCode: 1002,
  },
  {
    name: 'a frame declaring 2^62 bytes',
    send: (s) => s.write(frame(0x2, Buffer.alloc(0), { declared: 2n ** 62n })),
    closeCode: 1009,
  },
  {
    name: 'invalid UTF-8 in a text frame',
    send: (s) => s.write(frame(0x1, Buffer.from([0xff, 0xfe]))),
    closeCode: 1007,
  },
  {
    name: 'a close frame with a reserved code',
    send: (s) => s.write(frame(0x8, Buffer.from([0x03, 0xe7]))),
    closeCode: 1002,
  },
  {
    name: 'a frame truncated by the end of the connection',
    send: (s) => {
      s.write(frame(0x2, stdin('x'.repeat(1000))).subarray(0, 20));
      s.end();
    },
  },
  {
    name: 'the connection dropped mid-stream',
    send: (s) => {
      s.write(frame(0x2, stdin('hello\n')));
      s.destroy();
    },
  },
  { name: 'the connection dropped right after the upgrade', send: (s) => s.destroy() },
  {
    name: 'an empty binary frame and a channel byte past 255 data',
    send: (s) => {
      s.write(frame(0x2, Buffer.alloc(0)));
      s.write(frame(0x2, Buffer.from([4, 0x7b])));
      s.write(frame(0x2, Buffer.from([255])));
      s.write(frame(0x2, Buffer.from([9, 1, 2, 3])));
      s.destroy();
    },
  },
];

describe('exec: broken WebSocket frames', () => {
  for (const c of cases) {
    test(`${c.name}: the connection is closed, the process killed, the server still answers`, async () => {
      const before = children.length;
      const { socket, received, closed } = await handshake();
      // The session's process exists once exec ran (right after the upgrade).
      const deadline = Date.now() + 5000;
      while (children.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const child = children[before];
      assert.ok(child, 'exec started no process');
      c.send(socket);
      if (!socket.destroyed) await within(closed, 5000, 'the server closing the connection');
      if (c.closeCode !== undefined) {
        // The server's close frame: opcode 8, then the status code.
        const data = received();
        const at = data.findIndex(
          (b, i) =>
            (b & 0x0f) === 0x8 &&
            (b & 0x80) !== 0 &&
            i + 3 < data.length &&
            data.readUInt16BE(i + 2) === c.closeCode,
        );
        assert.ok(
          at >= 0,
          `no close frame with code ${c.closeCode} in ${data.toString('hex').slice(0, 200)}`,
        );
      }
      assert.ok(await gone(child), 'the exec’d process is still running');
      const v = await t.request('GET', '/version');
      assert.equal(v.status, 200);
      await v.arrayBuffer();
    });
  }
});

/** Seeded random frame sequences: any header bits, lengths, masks, garbage between frames. */
function randomFrames(rng: Rng): Buffer[] {
  const out: Buffer[] = [];
  for (let n = 1 + rng.int(6); n > 0; n--) {
    const r = rng.int(4);
    if (r === 0) out.push(rng.bytes(1 + rng.int(64)));
    else {
      const payload = Buffer.concat([
        Buffer.from([rng.pick([0, 1, 2, 3, 4, 255, rng.int(256)])]),
        rng.bytes(rng.int(300)),
      ]);
      const declared = rng.chance(0.2)
        ? BigInt(rng.pick([125, 126, 65535, 65536, 2 ** 31, 2 ** 40]))
        : undefined;
      out.push(
        frame(rng.int(16), payload, {
          mask: rng.chance(0.85),
          fin: rng.chance(0.8),
          rsv: rng.chance(0.1) ? rng.int(8) : 0,
          ...(declared !== undefined ? { declared } : {}),
        }),
      );
    }
  }
  return out;
}

describe('exec: random frames (seeded)', () => {
  const SEED = 4242;
  test('40 random frame sequences: every connection ends, every process is killed, the server answers', async () => {
    for (let i = 0; i < 40; i++) {
      const rng = Rng.forCase(SEED, i);
      const before = children.length;
      const { socket, closed } = await handshake();
      const deadline = Date.now() + 5000;
      while (children.length === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const child = children[before];
      assert.ok(child, `case ${i}: exec started no process`);
      for (const f of randomFrames(rng)) if (!socket.destroyed) socket.write(f);
      // Frames that were valid leave the session open: the client then goes away.
      await new Promise((r) => setTimeout(r, 50));
      if (!socket.destroyed) socket.end();
      await within(closed, 5000, `case ${i} (seed ${SEED}): the connection closing`);
      assert.ok(await gone(child), `case ${i} (seed ${SEED}): the exec’d process is still running`);
    }
    const v = await t.request('GET', '/version');
    assert.equal(v.status, 200);
    await v.arrayBuffer();
  });
});
