// The apiserver's narrow door into the node for the streaming subresources (`log`, `exec`), as the
// real API server proxies them to the kubelet. `nodelet server` implements it over the Kubelet
// and the runtime's log reader; the apiserver never imports kubelet/ or runtime/.
import type { Pod } from 'kubernetes-types/core/v1.js';

export interface LogRequest {
  container: string;
  /** The instance before the newest one (false: the newest, running or not). */
  previous: boolean;
  /** The runtime ID of the instance meant (`<runtime>://<id>`), when the pod status knows it. */
  containerId: string;
  follow: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** Only lines at or after this time (ms since the epoch); from sinceSeconds or sinceTime. */
  sinceMs?: number;
  limitBytes?: number;
  /** Aborts the stream at once (the client went away). */
  signal: AbortSignal;
  /**
   * For follow: aborted when the container instance has terminated or the pod is gone. The
   * stream then delivers what is left in the log and ends, as the kubelet's follow does.
   */
  stopFollowing: AbortSignal;
}

/** A streaming exec session, the shape of the runtime's ExecSession. */
export interface ExecStreams {
  stdin: NodeJS.WritableStream | null;
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream | null;
  resize(cols: number, rows: number): void;
  /** Resolves with the exit code when the command ends. */
  exit: Promise<number>;
  kill(): void;
}

export interface NodeStreams {
  /**
   * The container's log as a byte stream, or undefined when that instance has no log (e.g. no
   * previous instance).
   */
  logs(pod: Pod, request: LogRequest): Promise<AsyncIterable<Uint8Array | string> | undefined>;
  /** Starts a command in the running container. Rejects when it cannot be started. */
  exec(
    pod: Pod,
    container: string,
    command: string[],
    options: { stdin: boolean; tty: boolean },
  ): Promise<ExecStreams>;
}
