// Forwarding of names outside the cluster zone to the host's resolvers, as CoreDNS's
// `forward . /etc/resolv.conf`: the query goes out as the client sent it, to one upstream after
// the other, each with a deadline; no answer from any of them is SERVFAIL to the client, soon,
// never a hang. An upstream that is this server itself is never used (CoreDNS's `loop` guard).
import { createSocket } from 'node:dgram';
import { connect, isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import type { Clock } from '../util/clock.ts';

export interface UpstreamServer {
  host: string;
  port: number;
}

/** How long one upstream has to answer, and how long a query may take in all. */
export const UPSTREAM_TIMEOUT_MS = 1500;
export const FORWARD_BUDGET_MS = 2500;

/**
 * The nameservers of a resolv.conf, less those that would send a query back to this server.
 * A loopback resolver of the host (systemd-resolved) is kept: this server does not listen there.
 */
export function upstreamsFromResolvConf(text: string, self: UpstreamServer[]): UpstreamServer[] {
  const out: UpstreamServer[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    const host = m?.[1]?.replace(/%.*$/, '');
    if (!host || isIP(host) === 0) continue;
    if (self.some((s) => s.host === host && s.port === 53)) continue;
    out.push({ host, port: 53 });
  }
  return out;
}

export function readUpstreams(self: UpstreamServer[], path = '/etc/resolv.conf'): UpstreamServer[] {
  try {
    return upstreamsFromResolvConf(readFileSync(path, 'utf8'), self);
  } catch {
    return [];
  }
}

function udpExchange(
  server: UpstreamServer,
  query: Buffer,
  clock: Clock,
  ms: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    let done = false;
    const finish = (b: Buffer | undefined): void => {
      if (done) return;
      done = true;
      timer.cancel();
      sock.close();
      resolve(b);
    };
    const timer = clock.setTimer(ms, () => finish(undefined));
    // An ICMP unreachable shows as an error: the next upstream is tried at once.
    sock.on('error', () => finish(undefined));
    sock.on('message', (msg) => {
      if (msg.length >= 12 && msg.readUInt16BE(0) === id) finish(msg);
    });
    sock.send(query, server.port, server.host, (e) => {
      if (e) finish(undefined);
    });
  });
}

function tcpExchange(
  server: UpstreamServer,
  query: Buffer,
  clock: Clock,
  ms: number,
): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = connect({ host: server.host, port: server.port });
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (b: Buffer | undefined): void => {
      if (done) return;
      done = true;
      timer.cancel();
      sock.destroy();
      resolve(b);
    };
    const timer = clock.setTimer(ms, () => finish(undefined));
    sock.on('error', () => finish(undefined));
    sock.on('close', () => finish(undefined));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0))
        finish(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
}

export class Upstream {
  private readonly servers: () => UpstreamServer[];
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly budgetMs: number;

  constructor(o: { servers: () => UpstreamServer[]; clock: Clock; timeoutMs?: number; budgetMs?: number }) {
    this.servers = o.servers;
    this.clock = o.clock;
    this.timeoutMs = o.timeoutMs ?? UPSTREAM_TIMEOUT_MS;
    this.budgetMs = o.budgetMs ?? FORWARD_BUDGET_MS;
  }

  /**
   * The upstream's raw answer to the raw query, or undefined when none answered in time; over
   * the transport the client used.
   */
  async exchange(query: Buffer, tcp: boolean): Promise<Buffer | undefined> {
    const start = this.clock.now();
    for (const server of this.servers()) {
      const left = this.budgetMs - (this.clock.now() - start);
      if (left <= 0) break;
      const ms = Math.min(this.timeoutMs, left);
      // A truncated UDP answer is passed on as it is: the client asks again over TCP.
      const answer = tcp
        ? await tcpExchange(server, query, this.clock, ms)
        : await udpExchange(server, query, this.clock, ms);
      if (answer) return answer;
    }
    return undefined;
  }
}
