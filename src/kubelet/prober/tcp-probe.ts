// tcpSocket probes (pkg/probe/tcp/tcp.go): success is a TCP connection established within the
// timeout, closed at once; a failed dial is a Failure whose text is Go's dial error.
import net from 'node:net';
import type { Clock } from '../../util/clock.ts';
import { goDialError, goDialTimeout } from './go-errors.ts';
import type { HandlerOutcome } from './handler-outcome.ts';
import { joinHostPort } from './probe-spec.ts';

export interface TcpProbeOptions {
  clock: Clock;
  host: string;
  port: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Opens the socket; net.connect unless a test needs a dial that never answers. */
  connect?: (opts: net.NetConnectOpts) => net.Socket;
}

export function tcpProbe(opts: TcpProbeOptions): Promise<HandlerOutcome> {
  const addr = joinHostPort(opts.host, opts.port);
  // Go dials the local system for an empty host.
  const host = opts.host === '' ? 'localhost' : opts.host;
  const connect = opts.connect ?? ((o: net.NetConnectOpts) => net.connect(o));
  return new Promise<HandlerOutcome>((resolve) => {
    let settled = false;
    const finish = (o: HandlerOutcome): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      opts.signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(o);
    };
    const onAbort = (): void =>
      finish({ result: 'unknown', output: '', error: new Error('context canceled') });
    const timer = opts.clock.setTimer(opts.timeoutMs, () =>
      finish({ result: 'failure', output: goDialTimeout(addr) }),
    );
    const socket = connect({ host, port: opts.port });
    socket.once('connect', () => finish({ result: 'success', output: '' }));
    socket.once('error', (err) => finish({ result: 'failure', output: goDialError(err, opts.host, addr) }));
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}
