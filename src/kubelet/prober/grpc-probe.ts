// grpc probes (pkg/probe/grpc/grpc.go): the standard grpc.health.v1.Health/Check over plaintext
// HTTP/2 (@grpc/grpc-js), to the pod IP, with the optional service name; SERVING is success and
// every other answer is a Failure worded as the kubelet words it. The two Health messages are tiny,
// so they are encoded here rather than loaded from a .proto file.
import * as grpc from '@grpc/grpc-js';
import type { Clock } from '../../util/clock.ts';
import type { HandlerOutcome } from './handler-outcome.ts';
import { goDuration, goQuote, joinHostPort } from './probe-spec.ts';

export const HEALTH_CHECK_METHOD = '/grpc.health.v1.Health/Check';

/** grpc.health.v1.HealthCheckResponse.ServingStatus. */
export const SERVING_STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'] as const;

/** Go's codes.Code String() names, used in `rpc error: code = … desc = …`. */
const GO_CODE_NAMES = [
  'OK',
  'Canceled',
  'Unknown',
  'InvalidArgument',
  'DeadlineExceeded',
  'NotFound',
  'AlreadyExists',
  'PermissionDenied',
  'ResourceExhausted',
  'FailedPrecondition',
  'Aborted',
  'OutOfRange',
  'Unimplemented',
  'Internal',
  'Unavailable',
  'DataLoss',
  'Unauthenticated',
];

function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let mul = 1;
  let p = pos;
  for (;;) {
    const b = buf[p];
    if (b === undefined) throw new Error('truncated varint');
    result += (b & 0x7f) * mul;
    p++;
    if ((b & 0x80) === 0) return [result, p];
    mul *= 128;
    if (p - pos > 10) throw new Error('varint too long');
  }
}

/** HealthCheckRequest { string service = 1; } */
export function encodeHealthCheckRequest(msg: { service: string }): Buffer {
  if (msg.service === '') return Buffer.alloc(0);
  const bytes = Buffer.from(msg.service, 'utf8');
  return Buffer.concat([Buffer.from([0x0a, ...varint(bytes.length)]), bytes]);
}

export function decodeHealthCheckRequest(buf: Buffer): { service: string } {
  let service = '';
  forEachField(buf, (field, wire, value) => {
    if (field === 1 && wire === 2 && Buffer.isBuffer(value)) service = value.toString('utf8');
  });
  return { service };
}

/** HealthCheckResponse { ServingStatus status = 1; } */
export function encodeHealthCheckResponse(msg: { status: number }): Buffer {
  if (msg.status === 0) return Buffer.alloc(0);
  return Buffer.from([0x08, ...varint(msg.status)]);
}

export function decodeHealthCheckResponse(buf: Buffer): { status: number } {
  let status = 0;
  forEachField(buf, (field, wire, value) => {
    if (field === 1 && wire === 0 && typeof value === 'number') status = value;
  });
  return { status };
}

function forEachField(buf: Buffer, fn: (field: number, wire: number, value: number | Buffer) => void): void {
  let pos = 0;
  while (pos < buf.length) {
    const [key, p1] = readVarint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    pos = p1;
    if (wire === 0) {
      const [v, p2] = readVarint(buf, pos);
      fn(field, wire, v);
      pos = p2;
    } else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      fn(field, wire, buf.subarray(p2, p2 + len));
      pos = p2 + len;
    } else if (wire === 1) {
      pos += 8;
    } else if (wire === 5) {
      pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
}

export function servingStatusName(status: number): string {
  return SERVING_STATUS[status] ?? String(status);
}

export interface GrpcProbeOptions {
  clock: Clock;
  host: string;
  port: number;
  service: string;
  timeoutMs: number;
  userAgent: string;
  signal?: AbortSignal;
}

export function grpcProbe(opts: GrpcProbeOptions): Promise<HandlerOutcome> {
  const addr = joinHostPort(opts.host, opts.port);
  const within = goDuration(opts.timeoutMs);
  const client = new grpc.Client(addr, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': opts.userAgent,
  });
  return new Promise<HandlerOutcome>((resolve) => {
    let settled = false;
    const finish = (o: HandlerOutcome): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      opts.signal?.removeEventListener('abort', onAbort);
      call.cancel();
      client.close();
      resolve(o);
    };
    // waitForReady matches the kubelet's blocking dial: connection failures are retried until the
    // deadline instead of failing the call at once.
    const call = client.makeUnaryRequest(
      HEALTH_CHECK_METHOD,
      encodeHealthCheckRequest,
      decodeHealthCheckResponse,
      { service: opts.service },
      new grpc.Metadata({ waitForReady: true }),
      {},
      (err, resp) => {
        if (err) {
          finish(rpcFailure(err, within));
          return;
        }
        const status = resp?.status ?? 0;
        if (status !== 1) {
          finish({
            result: 'failure',
            output: `service unhealthy (responded with ${goQuote(servingStatusName(status))})`,
          });
          return;
        }
        finish({ result: 'success', output: 'service healthy' });
      },
    );
    // The deadline runs on the injected clock; the phase it hits decides the kubelet's wording.
    const timer = opts.clock.setTimer(opts.timeoutMs, () => {
      const ready = client.getChannel().getConnectivityState(false) === grpc.connectivityState.READY;
      finish({
        result: 'failure',
        output: ready
          ? `timeout: health rpc did not complete within ${within}`
          : `timeout: failed to connect service ${goQuote(addr)} within ${within}: context deadline exceeded`,
      });
    });
    const onAbort = (): void =>
      finish({ result: 'unknown', output: '', error: new Error('context canceled') });
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function rpcFailure(err: grpc.ServiceError, within: string): HandlerOutcome {
  switch (err.code) {
    case grpc.status.UNIMPLEMENTED:
      return {
        result: 'failure',
        output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${err.details}`,
      };
    case grpc.status.DEADLINE_EXCEEDED:
      return { result: 'failure', output: `timeout: health rpc did not complete within ${within}` };
    default: {
      const name = GO_CODE_NAMES[err.code] ?? `Code(${err.code})`;
      return {
        result: 'failure',
        output: `error: health rpc probe failed: rpc error: code = ${name} desc = ${err.details}`,
      };
    }
  }
}
