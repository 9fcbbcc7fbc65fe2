// tcpSocket probes against a real loopback listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { FakeClock } from '../../testing/fake-clock.ts';
import { realClock } from '../../util/clock.ts';
import { tcpProbe } from './tcp-probe.ts';

async function listen(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    n++;
    sockets.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    accepted: () => n,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

test('an accepted connection is success', async () => {
  const l = await listen();
  try {
    const out = await tcpProbe({ clock: realClock, host: '127.0.0.1', port: l.port, timeoutMs: 5000 });
    assert.deepEqual(out, { result: 'success', output: '' });
  } finally {
    await l.close();
  }
});

test('connection refused is a failure with the dial error', async () => {
  const l = await listen();
  const port = l.port;
  await l.close();
  const out = await tcpProbe({ clock: realClock, host: '127.0.0.1', port, timeoutMs: 5000 });
  assert.equal(out.result, 'failure');
  assert.equal(out.output, `dial tcp 127.0.0.1:${port}: connect: connection refused`);
});

test('a dial that never completes times out on the clock: i/o timeout', async () => {
  const clock = new FakeClock();
  const sockets: net.Socket[] = [];
  const pending = tcpProbe({
    clock,
    host: '10.0.0.5',
    port: 81,
    timeoutMs: 1000,
    // A socket that is never connected stands in for a blackholed SYN.
    connect: () => {
      const s = new net.Socket();
      sockets.push(s);
      return s;
    },
  });
  await clock.advance(1000);
  const out = await pending;
  assert.deepEqual(out, { result: 'failure', output: 'dial tcp 10.0.0.5:81: i/o timeout' });
  assert.equal(sockets[0]?.destroyed, true);
});

test('IPv6 addresses are bracketed as Go joins them', async () => {
  const clock = new FakeClock();
  const pending = tcpProbe({
    clock,
    host: 'fd00::5',
    port: 81,
    timeoutMs: 1000,
    connect: () => new net.Socket(),
  });
  await clock.advance(1000);
  assert.equal((await pending).output, 'dial tcp [fd00::5]:81: i/o timeout');
});
