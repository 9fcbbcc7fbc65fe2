import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import type { Answer, Packet, RecordType } from 'dns-packet';
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { MemoryStore } from '../store/memory-store.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { realClock, type Clock } from '../util/clock.ts';
import { DnsServer, fitResponse } from './dns-server.ts';
import type { UpstreamServer } from './upstream.ts';

interface Reply extends Packet {
  rcode?: string;
  flag_tc: boolean;
  flag_aa: boolean;
  flag_rd: boolean;
  flag_ra: boolean;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function store(): MemoryStore {
  const s = new MemoryStore();
  const service: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'myservice', namespace: 'default' },
    spec: { clusterIP: '10.96.12.7', ports: [{ name: 'http', port: 9376, protocol: 'TCP' }] },
  };
  s.create({ resource: 'services', namespace: 'default', name: 'myservice' }, service);
  // A headless Service with 100 ready endpoints: more than 512 bytes of A records.
  s.create(
    { resource: 'services', namespace: 'default', name: 'big' },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'big', namespace: 'default' },
      spec: { clusterIP: 'None' },
    },
  );
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'big-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'big' } },
    addressType: 'IPv4',
    endpoints: Array.from({ length: 100 }, (_, i) => ({
      addresses: [`10.87.1.${i + 1}`],
      conditions: { ready: true },
    })),
  };
  s.create({ resource: 'endpointslices', namespace: 'default', name: 'big-1' }, slice);
  return s;
}

async function startServer(
  o: { upstreams?: UpstreamServer[]; clock?: Clock; timeoutMs?: number } = {},
): Promise<DnsServer> {
  const server = new DnsServer({
    store: store(),
    clock: o.clock ?? realClock,
    host: '127.0.0.1',
    port: 0,
    upstreams: () => o.upstreams ?? [],
    ...(o.timeoutMs !== undefined
      ? { upstreamTimeoutMs: o.timeoutMs, forwardBudgetMs: o.timeoutMs * 2 }
      : {}),
  });
  await server.start();
  cleanups.push(() => server.close());
  return server;
}

let nextId = 1;
function query(name: string, type: RecordType, edns?: number): Buffer {
  const p: Packet = {
    type: 'query',
    id: nextId++ & 0xffff,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type, class: 'IN' }],
  };
  if (edns !== undefined)
    p.additionals = [
      {
        name: '.',
        type: 'OPT',
        udpPayloadSize: edns,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
        options: [],
      },
    ];
  return dnsPacket.encode(p);
}

function udp(port: number, msg: Buffer): Promise<{ raw: Buffer; reply: Reply }> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.on('error', reject);
    sock.on('message', (raw) => {
      sock.close();
      resolve({ raw, reply: dnsPacket.decode(raw) });
    });
    sock.send(msg, port, '127.0.0.1');
  });
}

function tcp(port: number, msgs: Buffer[]): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const replies: Reply[] = [];
    sock.on('error', reject);
    sock.on('connect', () => {
      for (const m of msgs) {
        const len = Buffer.alloc(2);
        len.writeUInt16BE(m.length);
        sock.write(Buffer.concat([len, m]));
      }
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (replies.length === msgs.length) {
        sock.destroy();
        resolve(replies);
      }
    });
  });
}

const datas = (answers: Answer[] | undefined): unknown[] =>
  (answers ?? []).map((a) => ('data' in a ? a.data : a.type));

test('UDP: A for a Service, authoritative, recursion desired echoed and available', async () => {
  const server = await startServer();
  const { reply } = await udp(server.port, query('myservice.default.svc.cluster.local', 'A'));
  assert.equal(reply.rcode, 'NOERROR');
  assert.equal(reply.type, 'response');
  assert.ok(reply.flag_aa && reply.flag_rd && reply.flag_ra);
  assert.deepEqual(datas(reply.answers), ['10.96.12.7']);
  assert.deepEqual(reply.questions, [
    { name: 'myservice.default.svc.cluster.local', type: 'A', class: 'IN' },
  ]);
});

test('UDP: NXDOMAIN with the SOA in authority; AAAA of an existing name is NOERROR and empty', async () => {
  const server = await startServer();
  const nx = (await udp(server.port, query('mydb.default.svc.cluster.local', 'A'))).reply;
  assert.equal(nx.rcode, 'NXDOMAIN');
  assert.equal(nx.answers?.length, 0);
  assert.equal(nx.authorities?.[0]?.type, 'SOA');
  const aaaa = (await udp(server.port, query('myservice.default.svc.cluster.local', 'AAAA'))).reply;
  assert.equal(aaaa.rcode, 'NOERROR');
  assert.equal(aaaa.answers?.length, 0);
  assert.equal(aaaa.authorities?.[0]?.type, 'SOA');
});

test('TCP: several queries on one connection, each answered in order, SRV included', async () => {
  const server = await startServer();
  const replies = await tcp(server.port, [
    query('myservice.default.svc.cluster.local', 'A'),
    query('_http._tcp.myservice.default.svc.cluster.local', 'SRV'),
    query('nothere.default.svc.cluster.local', 'A'),
  ]);
  assert.deepEqual(datas(replies[0]?.answers), ['10.96.12.7']);
  assert.deepEqual(datas(replies[1]?.answers), [
    { priority: 0, weight: 100, port: 9376, target: 'myservice.default.svc.cluster.local' },
  ]);
  assert.equal(replies[2]?.rcode, 'NXDOMAIN');
});

test('UDP: a big answer is cut to 512 bytes with TC set; TCP gives all of it', async () => {
  const server = await startServer();
  const { raw, reply } = await udp(server.port, query('big.default.svc.cluster.local', 'A'));
  assert.ok(raw.length <= 512, `${raw.length} bytes`);
  assert.equal(reply.flag_tc, true);
  assert.ok((reply.answers?.length ?? 0) < 100);
  const [full] = await tcp(server.port, [query('big.default.svc.cluster.local', 'A')]);
  assert.equal(full?.flag_tc, false);
  assert.equal(full?.answers?.length, 100);
});

test('UDP with EDNS: the client’s buffer size is the limit, and an OPT record comes back', async () => {
  const server = await startServer();
  const { raw, reply } = await udp(server.port, query('big.default.svc.cluster.local', 'A', 4096));
  // dns-packet writes names uncompressed: 100 records are more than 4096 bytes, so cut there.
  assert.ok(raw.length > 512 && raw.length <= 4096, `${raw.length} bytes`);
  assert.ok((reply.answers?.length ?? 0) > 11);
  assert.ok(reply.additionals?.some((a) => a.type === 'OPT'));
});

test('fitResponse keeps the OPT record and drops answers from the end', () => {
  const answers: Answer[] = Array.from({ length: 60 }, (_, i) => ({
    name: 'x.cluster.local',
    type: 'A',
    ttl: 5,
    data: `10.0.0.${i}`,
  }));
  const buf = fitResponse(
    { type: 'response', id: 1, questions: [{ name: 'x.cluster.local', type: 'A' }], answers },
    512,
  );
  const p = dnsPacket.decode(buf) as Reply;
  assert.ok(buf.length <= 512);
  assert.equal(p.flag_tc, true);
  assert.deepEqual(datas(p.answers), datas(answers.slice(0, p.answers?.length)));
});

/** A fake upstream on loopback: answers every A query with 192.0.2.1 (or stays silent). */
async function fakeUpstream(silent = false): Promise<{ port: number; seen: string[] }> {
  const sock: Socket = createSocket('udp4');
  const seen: string[] = [];
  sock.on('message', (msg, rinfo) => {
    const q = dnsPacket.decode(msg);
    seen.push(q.questions?.[0]?.name ?? '');
    if (silent) return;
    const reply = dnsPacket.encode({
      type: 'response',
      id: q.id ?? 0,
      flags: dnsPacket.RECURSION_AVAILABLE | dnsPacket.RECURSION_DESIRED,
      questions: q.questions ?? [],
      answers: [{ name: q.questions?.[0]?.name ?? '', type: 'A', ttl: 300, data: '192.0.2.1' }],
    });
    sock.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => sock.close(() => r())));
  return { port: sock.address().port, seen };
}

test('names outside the cluster are forwarded to the upstream and its answer passed back', async () => {
  const up = await fakeUpstream();
  const server = await startServer({ upstreams: [{ host: '127.0.0.1', port: up.port }] });
  const { reply } = await udp(server.port, query('example.com', 'A'));
  assert.equal(reply.rcode, 'NOERROR');
  assert.deepEqual(datas(reply.answers), ['192.0.2.1']);
  assert.deepEqual(up.seen, ['example.com']);
  // cluster names never go upstream
  await udp(server.port, query('nothere.default.svc.cluster.local', 'A'));
  assert.deepEqual(up.seen, ['example.com']);
});

test('no upstream at all: SERVFAIL at once', async () => {
  const server = await startServer({ upstreams: [] });
  const { reply } = await udp(server.port, query('example.com', 'A'));
  assert.equal(reply.rcode, 'SERVFAIL');
});

test('a silent upstream: the next one is tried after its deadline, and SERVFAIL when none answers', async () => {
  const clock = new FakeClock();
  const silent = await fakeUpstream(true);
  const silent2 = await fakeUpstream(true);
  const server = await startServer({
    clock,
    timeoutMs: 1000,
    upstreams: [
      { host: '127.0.0.1', port: silent.port },
      { host: '127.0.0.1', port: silent2.port },
    ],
  });
  let reply: Reply | undefined;
  void udp(server.port, query('example.com', 'A')).then((r) => (reply = r.reply));
  assert.ok(await clock.advanceUntil(() => silent.seen.length === 1, 100, 0));
  await clock.advance(999);
  assert.equal(silent2.seen.length, 0);
  await clock.advance(1);
  assert.ok(await clock.advanceUntil(() => silent2.seen.length === 1, 100, 0));
  await clock.advance(1000);
  assert.ok(await clock.advanceUntil(() => reply !== undefined, 100, 0));
  assert.equal(reply?.rcode, 'SERVFAIL');
});

test('a server never forwards to its own address', async () => {
  let self = 0;
  const server: DnsServer = new DnsServer({
    store: store(),
    clock: realClock,
    host: '127.0.0.1',
    port: 0,
    upstreams: () => [{ host: '127.0.0.1', port: self }],
  });
  self = (await server.start()).port;
  cleanups.push(() => server.close());
  const { reply } = await udp(server.port, query('example.com', 'A'));
  assert.equal(reply.rcode, 'SERVFAIL');
});

test('a message that is not a query gets FORMERR or nothing', async () => {
  const server = await startServer();
  const garbage = Buffer.alloc(14);
  garbage.writeUInt16BE(0x1234, 0);
  garbage.writeUInt16BE(1, 4); // one question that is not there
  const { reply } = await udp(server.port, garbage);
  assert.equal(reply.id, 0x1234);
  assert.equal(reply.rcode, 'FORMERR');
  assert.equal(await server.answer(Buffer.from([1, 2, 3]), false), undefined);
});
