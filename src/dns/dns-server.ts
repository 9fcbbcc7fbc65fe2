// nodelet's cluster DNS server: one UDP and one TCP listener on the same address and port, the
// cluster zone answered from the store (records.ts), the reverse zone for cluster addresses, and
// everything else forwarded to the host's resolvers (upstream.ts) — the shape of the kubeadm
// CoreDNS Corefile (`kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough
// in-addr.arpa ip6.arpa }`, `forward . /etc/resolv.conf`). Messages are dns-packet's.
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket, isIP } from 'node:net';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';
import { ClusterRecords, type LookupResult, type Rcode } from './records.ts';
import { Upstream, type UpstreamServer } from './upstream.ts';

const RCODES = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type AnyRcode = keyof typeof RCODES;

/** Without EDNS a UDP answer is at most 512 bytes (RFC 1035 §4.2.1); with it, what the client says. */
const CLASSIC_UDP_SIZE = 512;
/** The EDNS buffer size this server advertises (the DNS flag day 2020 value). */
const EDNS_UDP_SIZE = 1232;
/** A TCP client that sends nothing for this long is closed. */
const TCP_IDLE_MS = 10_000;

export interface DnsServerOptions {
  store: Store;
  clock: Clock;
  host: string;
  /** 53 in a node; a test binds 0 (a free port). */
  port: number;
  zone?: string;
  ttl?: number;
  /** The cluster DNS Service's address, answered as ns.dns.ZONE. */
  dnsIP?: string;
  /** Where names outside the cluster go; read at each query (resolv.conf may change). */
  upstreams: () => UpstreamServer[];
  upstreamTimeoutMs?: number;
  forwardBudgetMs?: number;
  log?: (line: string) => void;
}

interface Decoded extends DecodedPacket {
  opcode?: string;
}

function header(query: Decoded, rcode: AnyRcode, authoritative: boolean): number {
  let flags = RCODES[rcode] | dnsPacket.RECURSION_AVAILABLE;
  if (query.flag_rd) flags |= dnsPacket.RECURSION_DESIRED;
  if (query.flag_cd) flags |= dnsPacket.CHECKING_DISABLED;
  if (authoritative) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  return flags;
}

function optOf(p: Packet): Extract<Answer, { type: 'OPT' }> | undefined {
  return p.additionals?.find((a): a is Extract<Answer, { type: 'OPT' }> => a.type === 'OPT');
}

/** A response that is at most maxSize bytes: additionals go first, then answers from the end (TC set). */
export function fitResponse(response: Packet, maxSize: number): Buffer {
  let encoded = dnsPacket.encode(response);
  if (encoded.length <= maxSize) return encoded;
  const opt = optOf(response);
  const trimmed: Packet = {
    ...response,
    flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE,
    additionals: opt ? [opt] : [],
    authorities: [],
  };
  const answers = [...(response.answers ?? [])];
  for (;;) {
    encoded = dnsPacket.encode({ ...trimmed, answers });
    if (encoded.length <= maxSize || answers.length === 0) return encoded;
    answers.pop();
  }
}

export class DnsServer {
  readonly records: ClusterRecords;
  private readonly o: DnsServerOptions;
  private readonly upstream: Upstream;
  private udp: Socket | undefined;
  private tcp: Server | undefined;
  private readonly connections = new Set<TcpSocket>();
  private boundPort = 0;

  constructor(o: DnsServerOptions) {
    this.o = o;
    this.records = new ClusterRecords({
      store: o.store,
      ...(o.zone !== undefined ? { zone: o.zone } : {}),
      ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
      ...(o.dnsIP !== undefined ? { dnsIP: o.dnsIP } : {}),
      serial: () => Math.floor(o.clock.now() / 1000),
    });
    this.upstream = new Upstream({
      clock: o.clock,
      // Never forward to ourselves: a resolv.conf naming this address would loop.
      servers: () => o.upstreams().filter((u) => !(u.host === o.host && u.port === this.boundPort)),
      ...(o.upstreamTimeoutMs !== undefined ? { timeoutMs: o.upstreamTimeoutMs } : {}),
      ...(o.forwardBudgetMs !== undefined ? { budgetMs: o.forwardBudgetMs } : {}),
    });
  }

  get port(): number {
    return this.boundPort;
  }

  /** Binds UDP and TCP on the same port (the TCP port follows UDP's when port 0 picks one). */
  async start(): Promise<{ host: string; port: number }> {
    const family = isIP(this.o.host) === 6 ? 'udp6' : 'udp4';
    const udp = createSocket({ type: family });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(this.o.port, this.o.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    this.udp = udp;
    this.boundPort = udp.address().port;
    udp.on('error', (e) => this.o.log?.(`dns: udp: ${e.message}`));
    udp.on('message', (msg, rinfo) => {
      void this.answer(msg, false).then((out) => {
        if (out) udp.send(out, rinfo.port, rinfo.address);
      });
    });
    const tcp = createServer((sock) => this.serveTcp(sock));
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(this.boundPort, this.o.host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      udp.close();
      this.udp = undefined;
      throw e;
    }
    this.tcp = tcp;
    return { host: this.o.host, port: this.boundPort };
  }

  async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    if (udp) await new Promise<void>((r) => udp.close(() => r()));
    if (tcp) await new Promise<void>((r) => tcp.close(() => r()));
  }

  private serveTcp(sock: TcpSocket): void {
    this.connections.add(sock);
    sock.setTimeout(TCP_IDLE_MS, () => sock.destroy());
    sock.on('close', () => this.connections.delete(sock));
    sock.on('error', () => sock.destroy());
    let buf = Buffer.alloc(0);
    // Answers go back in the order asked: one query at a time per connection.
    let chain: Promise<void> = Promise.resolve();
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        chain = chain.then(async () => {
          const out = await this.answer(Buffer.from(msg), true);
          if (!out || sock.destroyed) return;
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          sock.write(Buffer.concat([len, out]));
        });
      }
    });
  }

  /** The response bytes for one query message (undefined: not a message to answer). */
  async answer(msg: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    let query: Decoded;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      // Not a DNS message: FORMERR if the header at least is there, else nothing.
      if (msg.length < 12 || (msg.readUInt16BE(2) & 0x8000) !== 0) return undefined;
      const flags = RCODES.FORMERR | dnsPacket.RECURSION_AVAILABLE;
      return dnsPacket.encode({ type: 'response', id: msg.readUInt16BE(0), flags, questions: [] });
    }
    if (query.type === 'response') return undefined;
    const reqOpt = optOf(query);
    const maxSize = tcp ? 65535 : Math.max(CLASSIC_UDP_SIZE, reqOpt?.udpPayloadSize ?? CLASSIC_UDP_SIZE);
    const respond = (
      rcode: AnyRcode,
      result: Omit<LookupResult, 'rcode'> | undefined,
      aa: boolean,
    ): Buffer => {
      const additionals: Answer[] = [...(result?.additionals ?? [])];
      if (reqOpt) {
        additionals.push({
          name: '.',
          type: 'OPT',
          udpPayloadSize: EDNS_UDP_SIZE,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        });
      }
      const response: Packet = {
        type: 'response',
        id: query.id ?? 0,
        flags: header(query, rcode, aa),
        questions: query.questions ?? [],
        answers: result?.answers ?? [],
        authorities: result?.authorities ?? [],
        additionals,
      };
      return fitResponse(response, maxSize);
    };
    if (query.opcode !== undefined && query.opcode !== 'QUERY') return respond('NOTIMP', undefined, false);
    const q: Question | undefined = query.questions?.[0];
    if (!q || (query.questions?.length ?? 0) !== 1) return respond('FORMERR', undefined, false);
    let result: LookupResult | undefined;
    try {
      result = this.records.lookup(q);
    } catch (e) {
      this.o.log?.(`dns: lookup ${q.name} ${q.type}: ${(e as Error).message}`);
      return respond('SERVFAIL', undefined, false);
    }
    if (result) return respond(result.rcode satisfies Rcode, result, true);
    const forwarded = await this.upstream.exchange(msg, tcp).catch(() => undefined);
    if (forwarded) return forwarded;
    return respond('SERVFAIL', undefined, false);
  }
}
