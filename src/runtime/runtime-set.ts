// One ContainerRuntime over several: each pod sandbox runs on the runtime its RunPodSandbox
// request's runtimeHandler names (`process`, `oci`), the node's default for an empty handler, as a
// CRI runtime (containerd, CRI-O) picks one of its configured handlers. Containers, exec and logs
// go to the runtime that holds their sandbox. Runtimes other than the default are created on first
// use, or at once when an earlier run left sandboxes in their state (so they are re-adopted).
import type { ImageService } from './image/image-service.ts';
import {
  NotFoundError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerStatus,
  type ExecResult,
  type ExecSession,
  type ExecStreamOptions,
  type ExecSyncOptions,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type RuntimeEvent,
} from './runtime.ts';

/** A runtime handler the set can create. */
export interface RuntimeHandler {
  /** The handler's name, as a RuntimeClass's `handler` names it. */
  name: string;
  /** Why this machine cannot run it (a sentence naming what to install), or undefined. */
  unavailable(): string | undefined;
  create(): ContainerRuntime;
  /** Whether an earlier run left sandboxes or containers of this handler behind. */
  hasState?(): boolean;
}

export interface RuntimeSetOptions {
  /** The handler an empty runtimeHandler means (the node's default runtime). */
  defaultHandler: string;
  handlers: readonly RuntimeHandler[];
}

/**
 * RunPodSandbox with a handler that is not configured. containerd's wording (`failed to get
 * sandbox runtime: no runtime for "x" is configured`), which the kubelet puts in its
 * FailedCreatePodSandBox event.
 */
export class UnknownRuntimeHandlerError extends Error {
  override name = 'UnknownRuntimeHandlerError';
  readonly handler: string;
  constructor(handler: string) {
    super(`failed to get sandbox runtime: no runtime for ${JSON.stringify(handler)} is configured`);
    this.handler = handler;
  }
}

/** A configured handler this machine cannot run (its reason names what to install). */
export class RuntimeUnavailableError extends Error {
  override name = 'RuntimeUnavailableError';
  readonly handler: string;
  constructor(handler: string, reason: string) {
    super(`failed to get sandbox runtime ${JSON.stringify(handler)}: ${reason}`);
    this.handler = handler;
  }
}

export class RuntimeSet implements ContainerRuntime {
  private readonly defs = new Map<string, RuntimeHandler>();
  private readonly live = new Map<string, ContainerRuntime>();
  private readonly sandboxHandler = new Map<string, string>();
  private readonly containerHandler = new Map<string, string>();
  /** Callbacks waiting for a handler's runtime to be created. */
  private readonly waiting = new Map<string, ((rt: ContainerRuntime) => void)[]>();
  /** Each watcher and its subscriptions, one per runtime created so far. */
  private readonly watchers = new Set<{ listener: (event: RuntimeEvent) => void; subs: (() => void)[] }>();
  private readonly defaultName: string;
  private readonly primary: ContainerRuntime;
  /** The default runtime's images (what a caller without a pod at hand sees). */
  readonly images?: ImageService;

  constructor(options: RuntimeSetOptions) {
    for (const h of options.handlers) this.defs.set(h.name, h);
    this.defaultName = options.defaultHandler;
    if (!this.defs.has(this.defaultName)) throw new UnknownRuntimeHandlerError(this.defaultName);
    this.primary = this.runtimeFor(this.defaultName);
    if (this.primary.images) this.images = this.primary.images;
    // Re-adoption: a runtime whose state holds sandboxes from an earlier run is created now, so
    // its containers are listed (and kept or killed) before any pod asks for it.
    for (const h of options.handlers) {
      if (h.name === this.defaultName || h.unavailable() !== undefined) continue;
      if (h.hasState?.()) this.runtimeFor(h.name);
    }
  }

  /** The default runtime's name, for the node's containerRuntimeVersion. */
  get name(): string {
    return this.primary.name;
  }

  get version(): string {
    return this.primary.version;
  }

  /** The handler an empty runtimeHandler means. */
  get defaultHandler(): string {
    return this.defaultName;
  }

  /** Handler names the set knows, the default first. */
  get handlerNames(): string[] {
    return [this.defaultName, ...[...this.defs.keys()].filter((n) => n !== this.defaultName)];
  }

  /** Why a handler cannot run here, or undefined when it can (or is unknown: see runtimeFor). */
  unavailable(handler: string): string | undefined {
    return this.live.has(handler) ? undefined : this.defs.get(handler)?.unavailable();
  }

  /** The runtimes created so far, by handler. */
  created(): [string, ContainerRuntime][] {
    return [...this.live];
  }

  /**
   * Calls `cb` with the handler's runtime once it exists: at once when it was created already,
   * else when the first pod (or re-adoption) creates it. Node components that only serve one
   * runtime's pods (the service proxy and cluster DNS for pods with their own network) start then.
   */
  whenCreated(handler: string, cb: (rt: ContainerRuntime) => void): void {
    const rt = this.live.get(handler);
    if (rt) {
      cb(rt);
      return;
    }
    this.waiting.set(handler, [...(this.waiting.get(handler) ?? []), cb]);
  }

  /** The runtime of a handler ('' for the default), created on first use. */
  runtimeFor(handler: string): ContainerRuntime {
    const name = handler || this.defaultName;
    const existing = this.live.get(name);
    if (existing) return existing;
    const def = this.defs.get(name);
    if (!def) throw new UnknownRuntimeHandlerError(name);
    const why = def.unavailable();
    if (why !== undefined) throw new RuntimeUnavailableError(name, why);
    const rt = def.create();
    this.live.set(name, rt);
    for (const w of this.watchers) w.subs.push(rt.watch(w.listener));
    const waiting = this.waiting.get(name) ?? [];
    this.waiting.delete(name);
    for (const cb of waiting) cb(rt);
    return rt;
  }

  imagesFor(handler: string): ImageService | undefined {
    try {
      return this.runtimeFor(handler).images;
    } catch {
      return undefined;
    }
  }

  private async findSandbox(id: string): Promise<[string, ContainerRuntime]> {
    const known = this.sandboxHandler.get(id);
    const rt = known !== undefined ? this.live.get(known) : undefined;
    if (known !== undefined && rt) return [known, rt];
    await this.listPodSandboxes();
    const again = this.sandboxHandler.get(id);
    const found = again !== undefined ? this.live.get(again) : undefined;
    if (again === undefined || !found) throw new NotFoundError(`pod sandbox "${id}" not found`);
    return [again, found];
  }

  private async findContainer(id: string): Promise<ContainerRuntime> {
    const known = this.containerHandler.get(id);
    const rt = known !== undefined ? this.live.get(known) : undefined;
    if (rt) return rt;
    await this.listContainers();
    const again = this.containerHandler.get(id);
    const found = again !== undefined ? this.live.get(again) : undefined;
    if (!found) throw new NotFoundError(`container "${id}" not found`);
    return found;
  }

  async runPodSandbox(config: PodSandboxConfig, signal?: AbortSignal): Promise<PodSandboxStatus> {
    const handler = config.runtimeHandler || this.defaultName;
    const rt = this.runtimeFor(handler);
    const status = await rt.runPodSandbox(config, signal);
    this.sandboxHandler.set(status.id, handler);
    return { ...status, runtimeHandler: handler };
  }

  async stopPodSandbox(sandboxId: string): Promise<void> {
    const [, rt] = await this.findSandbox(sandboxId);
    await rt.stopPodSandbox(sandboxId);
  }

  async removePodSandbox(sandboxId: string): Promise<void> {
    const [, rt] = await this.findSandbox(sandboxId);
    await rt.removePodSandbox(sandboxId);
    this.sandboxHandler.delete(sandboxId);
  }

  async listPodSandboxes(podUid?: string): Promise<PodSandboxStatus[]> {
    const lists = await Promise.all(
      this.created().map(async ([handler, rt]) =>
        (await rt.listPodSandboxes(podUid)).map((s) => {
          this.sandboxHandler.set(s.id, handler);
          return { ...s, runtimeHandler: handler };
        }),
      ),
    );
    return lists.flat();
  }

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const [handler, rt] = await this.findSandbox(sandboxId);
    const id = await rt.createContainer(sandboxId, config);
    this.containerHandler.set(id, handler);
    return id;
  }

  async startContainer(containerId: string): Promise<void> {
    await (await this.findContainer(containerId)).startContainer(containerId);
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    await (await this.findContainer(containerId)).stopContainer(containerId, timeoutSeconds);
  }

  async removeContainer(containerId: string): Promise<void> {
    await (await this.findContainer(containerId)).removeContainer(containerId);
    this.containerHandler.delete(containerId);
  }

  async listContainers(podUid?: string): Promise<ContainerStatus[]> {
    const lists = await Promise.all(
      this.created().map(async ([handler, rt]) => {
        const list = await rt.listContainers(podUid);
        for (const c of list) this.containerHandler.set(c.id, handler);
        return list;
      }),
    );
    return lists.flat();
  }

  async containerStatus(containerId: string): Promise<ContainerStatus> {
    return (await this.findContainer(containerId)).containerStatus(containerId);
  }

  async execSync(containerId: string, command: string[], options: ExecSyncOptions): Promise<ExecResult> {
    return (await this.findContainer(containerId)).execSync(containerId, command, options);
  }

  async exec(containerId: string, command: string[], options: ExecStreamOptions): Promise<ExecSession> {
    return (await this.findContainer(containerId)).exec(containerId, command, options);
  }

  async reopenContainerLog(containerId: string): Promise<void> {
    const rt = await this.findContainer(containerId);
    // Said plainly, so a log manager that renamed the file knows the container did not follow.
    if (!rt.reopenContainerLog) throw new Error(`the ${rt.name} runtime cannot reopen container logs`);
    await rt.reopenContainerLog(containerId);
  }

  watch(listener: (event: RuntimeEvent) => void): () => void {
    const w = { listener, subs: this.created().map(([, rt]) => rt.watch(listener)) };
    this.watchers.add(w);
    return () => {
      this.watchers.delete(w);
      for (const u of w.subs.splice(0)) u();
    };
  }

  async close(): Promise<void> {
    for (const w of this.watchers) for (const u of w.subs.splice(0)) u();
    this.watchers.clear();
    await Promise.all(this.created().map(([, rt]) => rt.close()));
  }
}
