// The ContainerRuntime interface: CRI-shaped (a sandbox per pod, containers inside it, exec, logs).
// It knows nothing of pod policies: restart decisions, hooks, probes and back-off live in kubelet/.
import type { ImageService } from './image/image-service.ts';

/** Runtime container states, as the CRI reports them. */
export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface KeyValue {
  name: string;
  value: string;
}

/**
 * The pod's resolver configuration (CRI's DNSConfig), computed by the kubelet from dnsPolicy and
 * dnsConfig; a runtime with its own pod network writes it as the pod's /etc/resolv.conf.
 */
export interface DnsConfig {
  servers: string[];
  searches: string[];
  /** resolv.conf options, each `name` or `name:value` (e.g. `ndots:5`). */
  options: string[];
}

export interface PodSandboxConfig {
  podUid: string;
  podName: string;
  namespace: string;
  /** Attempt number of this sandbox for the pod (0 for the first). */
  attempt: number;
  hostname: string;
  labels?: Record<string, string>;
  /** Absent: the runtime keeps the host's resolver (the process runtime always does). */
  dns?: DnsConfig;
  /**
   * CRI's RunPodSandboxRequest.runtime_handler: the RuntimeClass's handler (`process`, `oci`), or
   * empty for the node's default runtime. Single runtimes ignore it; RuntimeSet routes by it.
   */
  runtimeHandler?: string;
}

export interface PodSandboxStatus {
  id: string;
  podUid: string;
  podName: string;
  namespace: string;
  attempt: number;
  state: 'ready' | 'notready';
  /** Pod IP addresses, primary first. The process runtime reports the node's loopback address. */
  ips: string[];
  createdAt: number;
  /** CRI's PodSandbox.runtime_handler: which handler runs it (set by RuntimeSet). */
  runtimeHandler?: string;
}

export interface ContainerConfig {
  /** Container name from the pod spec. */
  name: string;
  /** restartCount this instance will report (0 for the first instance). */
  attempt: number;
  image: string;
  /** Final command line: command + args, already `$(VAR)`-expanded by the kubelet. */
  command: string[];
  env: KeyValue[];
  workingDir?: string;
  /**
   * The container's terminationMessagePath as written in the spec; the runtime decides where it
   * lives on the host and reports that as ContainerStatus.terminationMessageHostPath.
   */
  terminationMessagePath: string;
  /** Signal sent by stopContainer before SIGKILL; defaults to SIGTERM. */
  stopSignal?: NodeJS.Signals;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  /** Labels to find the container again after a restart (pod uid, container name, kind, hash). */
  labels: Record<string, string>;
}

export interface ContainerStatus {
  id: string;
  sandboxId: string;
  podUid: string;
  name: string;
  attempt: number;
  state: ContainerState;
  image: string;
  imageRef: string;
  labels: Record<string, string>;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  /** Runtime reason for a terminated container: Completed, Error, OOMKilled, StartError. */
  reason?: string;
  message?: string;
  /** Where the container's log file lives on the host (CRI log format, one line per record). */
  logPath: string;
  terminationMessageHostPath?: string;
  pid?: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: Buffer;
  stderr: Buffer;
  /** True when the command was killed because timeoutMs elapsed. */
  timedOut: boolean;
}

export interface ExecSyncOptions {
  /** 0 means no timeout (lifecycle hooks); probes pass timeoutSeconds * 1000. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Cap on captured stdout/stderr bytes each (the rest is discarded). */
  maxOutputBytes?: number;
}

/** A streaming exec session (kubectl exec -it). */
export interface ExecSession {
  stdin: NodeJS.WritableStream | null;
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream | null;
  resize(cols: number, rows: number): void;
  /** Resolves with the exit code when the command ends. */
  exit: Promise<number>;
  kill(): void;
}

export interface ExecStreamOptions {
  stdin: boolean;
  tty: boolean;
}

/** Thrown by createContainer / startContainer; the kubelet turns it into a waiting reason. */
export class RuntimeError extends Error {
  readonly kind: 'CreateContainerError' | 'RunContainerError' | 'CreateContainerConfigError';
  constructor(kind: RuntimeError['kind'], message: string) {
    super(message);
    this.name = 'RuntimeError';
    this.kind = kind;
  }
}

export class NotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

export type RuntimeEvent =
  | { type: 'ContainerStarted'; podUid: string; containerId: string }
  | { type: 'ContainerDied'; podUid: string; containerId: string };

export interface ContainerRuntime {
  /** Name used in container IDs: `<name>://<id>`. */
  readonly name: string;
  readonly version: string;
  /**
   * Images, for runtimes that run them (oci): the kubelet's image manager pulls through this with
   * the container's imagePullPolicy before createContainer. Absent for the process runtime.
   */
  readonly images?: ImageService;
  /**
   * The images of one runtime handler's pods (RuntimeSet: the oci runtime's for `oci`, none for
   * `process`); absent on a single runtime, whose `images` serve every pod.
   */
  imagesFor?(handler: string): ImageService | undefined;

  runPodSandbox(config: PodSandboxConfig, signal?: AbortSignal): Promise<PodSandboxStatus>;
  stopPodSandbox(sandboxId: string): Promise<void>;
  removePodSandbox(sandboxId: string): Promise<void>;
  listPodSandboxes(podUid?: string): Promise<PodSandboxStatus[]>;

  createContainer(sandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(containerId: string): Promise<void>;
  /**
   * Sends the container's stop signal, waits up to timeoutSeconds, then SIGKILL; resolves once it
   * has exited. Stopping an exited container is a no-op; an unknown ID throws NotFoundError.
   */
  stopContainer(containerId: string, timeoutSeconds: number): Promise<void>;
  removeContainer(containerId: string): Promise<void>;
  listContainers(podUid?: string): Promise<ContainerStatus[]>;
  containerStatus(containerId: string): Promise<ContainerStatus>;

  execSync(containerId: string, command: string[], options: ExecSyncOptions): Promise<ExecResult>;
  exec(containerId: string, command: string[], options: ExecStreamOptions): Promise<ExecSession>;

  /**
   * CRI ReopenContainerLog: the runtime closes the running container's log file and opens its
   * logPath anew, so that output goes to a new file once the kubelet's log manager has renamed the
   * old one. Throws for a container that is not running (nothing writes its log). A runtime
   * without it gets no log rotation (as the kubelet's stub log manager).
   */
  reopenContainerLog?(containerId: string): Promise<void>;

  /** Subscribes to container start/exit as it happens (the kubelet also relists periodically). */
  watch(listener: (event: RuntimeEvent) => void): () => void;

  /** Leaves workloads running and releases the runtime's own resources (nodelet shutdown). */
  close(): Promise<void>;
}

/** The image-reported reason the CRI gives a terminated container, from its exit code. */
export function exitReason(exitCode: number, oomKilled = false): string {
  if (oomKilled) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}
