// Node's socket errors worded as Go's net package words them, since the kubelet puts Go error text
// into probe events (`dial tcp 10.0.0.5:8080: connect: connection refused`).

const CONNECT_ERRNO: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENETUNREACH: 'network is unreachable',
  EHOSTUNREACH: 'no route to host',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ECONNRESET: 'connection reset by peer',
  ETIMEDOUT: 'connection timed out',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

const READ_ERRNO: Record<string, string> = {
  ECONNRESET: 'connection reset by peer',
  EPIPE: 'broken pipe',
  ETIMEDOUT: 'connection timed out',
};

function errno(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failed TCP dial to addr (`host:port`), as Go's net.Dial reports it. */
export function goDialError(err: unknown, host: string, addr: string): string {
  const code = errno(err);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return `dial tcp: lookup ${host}: no such host`;
  }
  const text = code ? CONNECT_ERRNO[code] : undefined;
  if (text) return `dial tcp ${addr}: connect: ${text}`;
  return `dial tcp ${addr}: ${err instanceof Error ? err.message : String(err)}`;
}

/** The dial timeout text (`dial tcp 10.0.0.5:81: i/o timeout`). */
export function goDialTimeout(addr: string): string {
  return `dial tcp ${addr}: i/o timeout`;
}

/** An error on an established connection, as Go's net package words a failed read. */
export function goReadError(err: unknown, local: string, remote: string): string {
  const code = errno(err);
  const text = code ? READ_ERRNO[code] : undefined;
  if (text) return `read tcp ${local}->${remote}: read: ${text}`;
  return err instanceof Error ? err.message : String(err);
}
