// GET …/pods/{name}/exec over WebSocket with the v5.channel.k8s.io (or v4) subprotocol, as the
// kubelet's streaming server speaks it (client-go tools/remotecommand, apimachinery
// util/remotecommand): binary frames with a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 the
// final Status, 4 resize; v5 adds 255 "close this channel" from the client. Validation happens
// before the upgrade, so kubectl shows a Status error instead of a broken stream.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerServices } from './context.ts';
import { checkRunning, resolveContainer } from './container-checks.ts';
import type { ExecStreams } from './node-streams.ts';
import { badRequest, notFound, type Status } from './status.ts';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

export interface ExecRequest {
  pod: Pod;
  container: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

const truthy = (q: URLSearchParams, name: string): boolean => {
  const v = q.get(name);
  return v === 'true' || v === '1';
};

/** Checks an exec request the way the API server and kubelet do before upgrading. */
export function validateExec(
  services: ServerServices,
  namespace: string,
  name: string,
  query: URLSearchParams,
): ExecRequest {
  const pod = services.store.get<Pod>({ resource: 'pods', namespace, name });
  if (!pod) throw notFound({ group: '', resource: 'pods' }, name);
  const container = resolveContainer(pod, query.get('container'));
  const command = query.getAll('command');
  if (command.length === 0) throw badRequest('you must specify at least 1 command');
  const req: ExecRequest = {
    pod,
    container,
    command,
    stdin: truthy(query, 'stdin'),
    stdout: truthy(query, 'stdout'),
    stderr: truthy(query, 'stderr'),
    tty: truthy(query, 'tty'),
  };
  if (!req.stdin && !req.stdout && !req.stderr)
    throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  checkRunning(pod, container);
  if (!services.nodeStreams) throw badRequest(`pod "${name}" is not running on a node that serves exec`);
  return req;
}

export function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export function supportsProtocol(req: IncomingMessage): boolean {
  return offeredProtocols(req).some((p) => PROTOCOLS.includes(p));
}

export class ExecServer {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
  });
  private readonly services: ServerServices;

  constructor(services: ServerServices) {
    this.services = services;
  }

  /** Upgrades the (already validated) request and runs the session. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, exec: ExecRequest): void {
    // A broken client frame (bad opcode, unmasked, oversized, invalid UTF-8) makes ws close the
    // connection with the matching code (1002, 1009, 1007) and emit 'error'; with no listener
    // that error would bring the whole process down.
    socket.on('error', () => undefined);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => undefined);
      void this.run(ws, exec);
    });
  }

  close(): void {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private async run(ws: WebSocket, exec: ExecRequest): Promise<void> {
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const send = (channel: number, data: Buffer | string): void => {
      if (ws.readyState !== ws.OPEN) return;
      const payload = typeof data === 'string' ? Buffer.from(data) : data;
      ws.send(Buffer.concat([Buffer.from([channel]), payload]), { binary: true });
    };
    const finish = (status: Status | Record<string, unknown>): void => {
      send(ERROR, JSON.stringify(status));
      if (ws.readyState === ws.OPEN) ws.close(1000);
    };
    let session: ExecStreams;
    const pendingInput: Buffer[] = [];
    let stdinClosedEarly = false;
    const earlyListener = (data: Buffer): void => {
      if (data[0] === STDIN) pendingInput.push(data.subarray(1));
      if (data[0] === CLOSE && data[1] === STDIN && v5) stdinClosedEarly = true;
    };
    ws.on('message', earlyListener);
    try {
      const streams = this.services.nodeStreams;
      if (!streams) throw new Error('no node serves exec');
      session = await streams.exec(exec.pod, exec.container, exec.command, {
        stdin: exec.stdin,
        tty: exec.tty,
      });
    } catch (err) {
      finish({ metadata: {}, status: 'Failure', reason: 'InternalError', message: (err as Error).message });
      return;
    }
    ws.off('message', earlyListener);
    // The client may be gone already (it closed while the command was starting).
    if (ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) {
      session.kill();
      return;
    }
    const stdin = session.stdin;
    // Writing to a command that has ended is EPIPE on its stdin; the session ends on its own.
    stdin?.on('error', () => undefined);
    if (stdin) {
      for (const b of pendingInput) stdin.write(b);
      if (stdinClosedEarly) stdin.end();
    }
    ws.on('message', (data: Buffer) => {
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === STDIN) stdin?.write(payload);
      else if (channel === RESIZE) {
        try {
          const size = JSON.parse(payload.toString('utf8')) as { Width?: number; Height?: number };
          if (size.Width && size.Height) session.resize(size.Width, size.Height);
        } catch {
          // a malformed resize is ignored, as the kubelet does
        }
      } else if (channel === CLOSE && v5 && payload[0] === STDIN) stdin?.end();
    });
    ws.on('close', () => session.kill());

    const ended = (s: NodeJS.ReadableStream | null, channel: number): Promise<void> =>
      new Promise((resolve) => {
        if (!s) return resolve();
        s.on('data', (d: Buffer | string) => {
          if ((channel === STDOUT && exec.stdout) || (channel === STDERR && (exec.stderr || exec.tty))) {
            send(exec.tty ? STDOUT : channel, typeof d === 'string' ? Buffer.from(d) : d);
          }
        });
        s.on('end', resolve);
        s.on('close', resolve);
        s.on('error', () => resolve());
      });
    const output = Promise.all([ended(session.stdout, STDOUT), ended(session.stderr, STDERR)]);
    let code: number;
    try {
      code = await session.exit;
    } catch (err) {
      finish({ metadata: {}, status: 'Failure', reason: 'InternalError', message: (err as Error).message });
      return;
    }
    // Deliver what the command wrote before its exit status (bounded: a background child may hold the pipe).
    await Promise.race([output, this.services.clock.sleep(2000)]);
    if (code === 0) {
      finish({ metadata: {}, status: 'Success' });
    } else {
      finish({
        metadata: {},
        status: 'Failure',
        reason: 'NonZeroExitCode',
        message: `command terminated with non-zero exit code: error executing command [${exec.command.join(' ')}], exit code ${code}`,
        details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
      });
    }
  }
}
