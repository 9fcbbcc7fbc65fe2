// The oci runtime: real Linux containers from OCI images, the parts a Kubernetes node uses — an
// overlayfs root per container over layers unpacked once, runc under conmon, a pause process per
// pod holding its network (CNI bridge), IPC and UTS namespaces, cgroups for limits, volumes as bind
// mounts. It keeps records the way the process runtime does, so the kubelet above sees the same
// states, exit codes, log files and error texts it would see from containerd or CRI-O.
//
// Layout under root (see README.md):
//   images/                         the image store (blobs, unpacked layers, images.json)
//   sandboxes.json, containers.json records, rewritten atomically on every change
//   runc/, exits/, sockets/         runc's state, conmon's exit files and attach sockets
//   pause/rootfs/                   the pause container's root (catatonit)
//   sandboxes/<id>/                 the pause container's bundle
//   containers/<id>/                a container's bundle: config.json, rootfs (overlay), upper, work
//   pods/<uid>/                     etc-hosts, etc-hostname, resolv.conf, volumes/, containers/<name>/<attempt>/termination-log
//   logs/<ns>_<pod>_<uid>/<name>/<attempt>.log   CRI-format log written by conmon
import { containerStatusOf, sandboxStatusOf } from '../record-status.ts';
import { removeLogFiles } from '../cri-log.ts';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  watch,
  writeFileSync,
  type FSWatcher,
} from 'node:fs';
import { constants as osConstants, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { promisify } from 'node:util';
import type { Clock, Timer } from '../../util/clock.ts';
import { ImageManager, imageRefOf, type RegistryOptions } from '../image/image-manager.ts';
import { ImageError } from '../image/image-service.ts';
import { formatReference, parseReference } from '../image/reference.ts';
import { reopenConmonLog } from '../process/conmon-shim.ts';
import { execFailure } from '../process/exec-path.ts';
import { readJsonFile, writeJsonFileAtomic } from '../process/state-file.ts';
import { scriptArgs, scriptPath, ptyOfScript } from '../process/tty-exec.ts';
import {
  exitReason,
  NotFoundError,
  RuntimeError,
  type ContainerConfig,
  type ContainerRuntime,
  type ContainerState,
  type ContainerStatus,
  type ExecResult,
  type ExecSession,
  type ExecStreamOptions,
  type ExecSyncOptions,
  type PodSandboxConfig,
  type PodSandboxStatus,
  type RuntimeEvent,
} from '../runtime.ts';
import {
  cniAvailable,
  DEFAULT_BRIDGE,
  DEFAULT_CNI_PATH,
  DEFAULT_POD_SUBNET,
  setUpPodNetwork,
  tearDownPodNetwork,
  type CniOptions,
} from './cni.ts';
import { buildSpec, SpecConfigError, type OciMount, type OciSpec } from './oci-spec.ts';
import { hostsFile, resolvConf, resolvConfFromDns, writePodFiles } from './pod-files.ts';
import { findProgram, Runc, runcMessage } from './runc.ts';
import {
  cleanUpVolumes,
  prepareVolume,
  VolumeError,
  volumeMounts,
  type ObjectSource,
  type PreparedVolume,
} from './volumes.ts';

const execFileP = promisify(execFile);

/** How often running containers' exit files are checked besides the directory watch. */
const EXIT_POLL_MS = 500;
/** containerd's exit code for a task whose exit status was lost (unknownExitCode). */
const UNKNOWN_EXIT_CODE = 255;
const CGROUP_ROOT = '/sys/fs/cgroup';
const DEFAULT_PIDS_LIMIT = 4096;
const DEFAULT_CNI_STATE_DIR = '/run/nodelet/cni';

export interface OciRuntimeOptions {
  /** Data directory of this runtime. */
  root: string;
  clock: Clock;
  /** Mirrors, plain-HTTP registries and credentials for pulls. */
  registries?: RegistryOptions;
  /**
   * The pod a sandbox belongs to (by UID, else namespace and name): the spec the OCI config, the
   * volumes and the limits are built from. Without it a container gets only what ContainerConfig
   * carries (no volumes, no limits, no securityContext).
   */
  pods?: (podUid: string, namespace: string, name: string) => Pod | undefined;
  /** ConfigMaps and Secrets for volumes. */
  objects?: ObjectSource;
  /** The pod subnet and bridge (defaults 10.87.0.0/16 on nodelet0). */
  podSubnet?: string;
  bridge?: string;
  cniPluginDir?: string;
  /**
   * host-local's address records. Machine-wide by default, so every nodelet on this machine (and
   * every test) allocates from one pool on the shared bridge; on tmpfs, like the namespaces it
   * describes, so a reboot clears both.
   */
  cniStateDir?: string;
  /** pids.max of every container (0: no limit). */
  pidsLimit?: number;
  /** The address hostNetwork pods report. */
  nodeIP?: string;
  /**
   * Pull an absent image at createContainer (policy IfNotPresent). The kubelet engine should pull
   * through `images` first, with the pod's policy and events; this keeps a missing pull working.
   */
  pullOnCreate?: boolean;
}

interface SandboxRecord extends PodSandboxStatus {
  hostname: string;
  labels: Record<string, string>;
  hostNetwork: boolean;
  shareProcessNamespace: boolean;
  netns?: string;
  netnsPath?: string;
  pausePid?: number;
  volumes: PreparedVolume[];
  /** The pause process and the network are gone (stopPodSandbox ran). */
  tornDown?: boolean;
}

interface ContainerRecord {
  id: string;
  sandboxId: string;
  podUid: string;
  podName: string;
  namespace: string;
  name: string;
  attempt: number;
  image: string;
  imageRef: string;
  layers: string[];
  stopSignal: string;
  tty: boolean;
  labels: Record<string, string>;
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  message?: string;
  logPath: string;
  bundle: string;
  cgroupsPath: string;
  terminationMessageHostPath: string;
  pid?: number;
}

interface Waiter {
  exited: Promise<void>;
  resolve: () => void;
}

function newId(): string {
  return randomBytes(32).toString('hex');
}

function criState(state: ContainerState): string {
  return `CONTAINER_${state.toUpperCase()}`;
}

/** What this machine lacks to run the oci runtime, as a sentence naming what to install; undefined when nothing. */
export function ociRuntimeUnavailable(cniPluginDir = DEFAULT_CNI_PATH): string | undefined {
  if (process.getuid?.() !== 0)
    return 'the oci runtime needs root (run nodelet as root, or use --runtime process)';
  const need: [string, string][] = [
    ['runc', 'runc'],
    ['conmon', 'conmon'],
    ['catatonit', 'catatonit'],
    ['setfattr', 'attr'],
    ['ip', 'iproute2'],
    ['mknod', 'coreutils'],
  ];
  const missing = need.filter(([p]) => !findProgram(p)).map(([, pkg]) => pkg);
  const cni = cniAvailable({ pluginDir: cniPluginDir, subnet: '', bridge: '', ipamDir: '' });
  if (cni) missing.push('containernetworking-plugins');
  if (missing.length) return `the oci runtime needs: apt-get install ${missing.join(' ')}`;
  return undefined;
}

/** The first non-internal IPv4 address of this host. */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

function rlimitNofile(): number {
  // Never above this process's own hard limit: a config asking for more fails in setrlimit.
  try {
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const hard = line?.split(/\s{2,}/)[2];
    if (hard && /^\d+$/.test(hard)) return Math.min(Number(hard), 1048576);
  } catch {
    // not Linux
  }
  return 1024;
}

function findSpecContainer(pod: Pod | undefined, name: string): Container | undefined {
  const s = pod?.spec;
  return [
    ...(s?.initContainers ?? []),
    ...(s?.containers ?? []),
    ...((s?.ephemeralContainers ?? []) as Container[]),
  ].find((c) => c.name === name);
}

export class OciRuntime implements ContainerRuntime {
  readonly name = 'oci';
  readonly version = '0.1.0';
  readonly images: ImageManager;

  private readonly root: string;
  private readonly clock: Clock;
  private readonly runc: Runc;
  private readonly cni: CniOptions;
  private readonly pods: (uid: string, namespace: string, name: string) => Pod | undefined;
  private readonly objects: ObjectSource;
  private readonly pidsLimit: number;
  private readonly nodeIP: string;
  private readonly pullOnCreate: boolean;
  private readonly nofile = rlimitNofile();
  private readonly sandboxes = new Map<string, SandboxRecord>();
  private readonly containers = new Map<string, ContainerRecord>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly starting = new Set<string>();
  private readonly listeners = new Set<(event: RuntimeEvent) => void>();
  private watcher: FSWatcher | undefined;
  private poll: Timer | undefined;
  private closed = false;

  constructor(options: OciRuntimeOptions) {
    const why = ociRuntimeUnavailable(options.cniPluginDir);
    if (why) throw new Error(why);
    this.root = resolve(options.root);
    this.clock = options.clock;
    this.pods = options.pods ?? (() => undefined);
    this.objects = options.objects ?? {};
    this.pidsLimit = options.pidsLimit ?? DEFAULT_PIDS_LIMIT;
    this.nodeIP = options.nodeIP ?? hostAddress();
    this.pullOnCreate = options.pullOnCreate ?? true;
    for (const d of ['pods', 'logs', 'runc', 'exits', 'sockets', 'containers', 'sandboxes'])
      mkdirSync(join(this.root, d), { recursive: true });
    this.images = new ImageManager({
      root: join(this.root, 'images'),
      clock: this.clock,
      ...(options.registries ? { registries: options.registries } : {}),
    });
    this.images.inUse = (diffId) => [...this.containers.values()].some((c) => c.layers.includes(diffId));
    this.runc = new Runc({
      runc: findProgram('runc') as string,
      conmon: findProgram('conmon') as string,
      stateRoot: join(this.root, 'runc'),
      exitDir: join(this.root, 'exits'),
      socketDir: join(this.root, 'sockets'),
    });
    this.cni = {
      subnet: options.podSubnet ?? DEFAULT_POD_SUBNET,
      bridge: options.bridge ?? DEFAULT_BRIDGE,
      ipamDir: options.cniStateDir ?? DEFAULT_CNI_STATE_DIR,
      pluginDir: options.cniPluginDir ?? DEFAULT_CNI_PATH,
    };
    mkdirSync(this.cni.ipamDir, { recursive: true });
    this.load();
    this.watchExits();
  }

  // ---------------------------------------------------------------------------------------------
  // Persistence and exit watching

  private persist(): void {
    if (this.closed) return;
    writeJsonFileAtomic(join(this.root, 'sandboxes.json'), [...this.sandboxes.values()]);
    writeJsonFileAtomic(join(this.root, 'containers.json'), [...this.containers.values()]);
  }

  /**
   * Reads the records an earlier run left. Containers are conmon's children, not ours, so a
   * container that was running is still followed through its exit file; one whose conmon is gone
   * without an exit file is reported exited with code 255, as containerd reports a lost status.
   */
  private load(): void {
    for (const s of readJsonFile<SandboxRecord[]>(join(this.root, 'sandboxes.json'), []))
      this.sandboxes.set(s.id, s);
    for (const c of readJsonFile<ContainerRecord[]>(join(this.root, 'containers.json'), []))
      this.containers.set(c.id, c);
    for (const c of this.containers.values()) if (c.state === 'running') this.waiterOf(c.id);
  }

  private waiterOf(id: string): Waiter {
    let w = this.waiters.get(id);
    if (!w) {
      let resolveFn!: () => void;
      const exited = new Promise<void>((r) => (resolveFn = r));
      w = { exited, resolve: resolveFn };
      this.waiters.set(id, w);
    }
    return w;
  }

  private watchExits(): void {
    try {
      this.watcher = watch(join(this.root, 'exits'), () => this.checkExits());
      this.watcher.on('error', () => undefined);
    } catch {
      this.watcher = undefined;
    }
    const tick = (): void => {
      this.checkExits();
      if (!this.closed) this.poll = this.clock.setTimer(EXIT_POLL_MS, tick);
    };
    this.poll = this.clock.setTimer(EXIT_POLL_MS, tick);
  }

  private checkExits(): void {
    if (this.closed) return;
    for (const c of this.containers.values()) {
      if (c.state !== 'running') continue;
      const code = this.runc.exitCode(c.id);
      if (code !== undefined) {
        this.markExited(c, code);
        continue;
      }
      // conmon gone without an exit file: the status is lost.
      if (!this.conmonAlive(c)) {
        const again = this.runc.exitCode(c.id);
        this.markExited(c, again ?? UNKNOWN_EXIT_CODE, again === undefined);
      }
    }
  }

  private conmonAlive(c: ContainerRecord): boolean {
    try {
      const pid = Number(readFileSync(join(c.bundle, 'conmon.pid'), 'utf8').trim());
      if (!pid) return true;
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM' || (e as NodeJS.ErrnoException).code === 'ENOENT';
    }
  }

  private markExited(c: ContainerRecord, code: number, lost = false): void {
    let finishedAt = this.clock.now();
    try {
      finishedAt = Math.min(finishedAt, Math.floor(statSync(join(this.root, 'exits', c.id)).mtimeMs));
    } catch {
      // no exit file
    }
    const oom = this.oomKilled(c);
    c.state = 'exited';
    c.exitCode = code;
    c.reason = lost ? 'Unknown' : exitReason(code, oom);
    if (lost) c.message = 'the exit status of the container was lost (its conmon is gone)';
    c.finishedAt = finishedAt;
    this.persist();
    this.waiters.get(c.id)?.resolve();
    this.waiters.delete(c.id);
    this.emit({ type: 'ContainerDied', podUid: c.podUid, containerId: c.id });
  }

  /** The memory cgroup's OOM-kill count (cgroup v1 memory.oom_control, or v2 memory.events). */
  private oomKilled(c: ContainerRecord): boolean {
    for (const f of [
      join(CGROUP_ROOT, 'memory', c.cgroupsPath, 'memory.oom_control'),
      join(CGROUP_ROOT, c.cgroupsPath, 'memory.events'),
    ]) {
      try {
        const m = /oom_kill (\d+)/.exec(readFileSync(f, 'utf8'));
        if (m && Number(m[1]) > 0) return true;
      } catch {
        // not this hierarchy
      }
    }
    return existsSync(join(c.bundle, 'oom'));
  }

  // ---------------------------------------------------------------------------------------------
  // Sandboxes

  async runPodSandbox(config: PodSandboxConfig, signal?: AbortSignal): Promise<PodSandboxStatus> {
    signal?.throwIfAborted();
    const id = newId();
    const pod = this.pods(config.podUid, config.namespace, config.podName);
    const spec = pod?.spec;
    const podDir = this.podDir(config.podUid);
    mkdirSync(podDir, { recursive: true });
    const hostNetwork = spec?.hostNetwork === true;
    const rec: SandboxRecord = {
      id,
      podUid: config.podUid,
      podName: config.podName,
      namespace: config.namespace,
      attempt: config.attempt,
      state: 'ready',
      ips: [],
      createdAt: this.clock.now(),
      hostname: config.hostname || config.podName,
      labels: { ...(config.labels ?? {}) },
      hostNetwork,
      shareProcessNamespace: spec?.shareProcessNamespace === true,
      volumes: [],
    };
    try {
      if (hostNetwork) {
        rec.ips = [this.nodeIP];
      } else {
        const net = await setUpPodNetwork(
          id,
          { namespace: config.namespace, name: config.podName },
          this.cni,
        );
        rec.netns = net.netns;
        rec.netnsPath = net.netnsPath;
        rec.ips = [net.ip];
      }
      const fqdn = spec?.subdomain
        ? `${rec.hostname}.${spec.subdomain}.${config.namespace}.svc.cluster.local`
        : undefined;
      writePodFiles(podDir, {
        hosts: hostsFile(rec.ips[0], rec.hostname, fqdn, spec?.hostAliases),
        hostname: rec.hostname,
        resolv: config.dns ? resolvConfFromDns(config.dns) : resolvConf(),
      });
      rec.pausePid = await this.startPause(rec);
      if (pod) {
        for (const v of spec?.volumes ?? [])
          rec.volumes.push(await prepareVolume(v, { pod, podDir, objects: this.objects }));
      }
    } catch (e) {
      await this.teardownSandbox(rec).catch(() => undefined);
      await cleanUpVolumes(podDir, rec.volumes).catch(() => undefined);
      if (![...this.sandboxes.values()].some((s) => s.podUid === rec.podUid)) {
        rmSync(podDir, { recursive: true, force: true });
        await this.removePodCgroups(rec.podUid);
      }
      if (e instanceof VolumeError) throw new Error(`Unable to attach or mount volumes: ${e.message}`);
      throw e;
    }
    this.sandboxes.set(id, rec);
    this.persist();
    return sandboxStatus(rec);
  }

  /** The pause container: PID 1 of the pod's namespaces (catatonit -P), as the CRI's sandbox container. */
  private async startPause(rec: SandboxRecord): Promise<number> {
    const rootfs = join(this.root, 'pause', 'rootfs');
    if (!existsSync(join(rootfs, 'catatonit'))) {
      for (const d of ['proc', 'dev', 'sys', 'etc']) mkdirSync(join(rootfs, d), { recursive: true });
      copyFileSync(findProgram('catatonit') as string, join(rootfs, 'catatonit'));
      chmodSync(join(rootfs, 'catatonit'), 0o755);
    }
    const bundle = join(this.root, 'sandboxes', rec.id);
    mkdirSync(bundle, { recursive: true });
    const namespaces: { type: string; path?: string }[] = [
      { type: 'pid' },
      { type: 'ipc' },
      { type: 'mount' },
    ];
    if (!rec.hostNetwork) {
      namespaces.push({ type: 'uts' });
      namespaces.push({ type: 'network', path: rec.netnsPath as string });
    }
    const config = {
      ociVersion: '1.0.2-dev',
      process: {
        terminal: false,
        user: { uid: 65535, gid: 65535 },
        args: ['/catatonit', '-P'],
        env: ['PATH=/'],
        cwd: '/',
        capabilities: { bounding: [], effective: [], permitted: [], inheritable: [], ambient: [] },
        rlimits: [{ type: 'RLIMIT_NOFILE', hard: this.nofile, soft: this.nofile }],
        noNewPrivileges: true,
      },
      root: { path: rootfs, readonly: true },
      ...(rec.hostNetwork ? {} : { hostname: rec.hostname }),
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
        {
          destination: '/dev',
          type: 'tmpfs',
          source: 'tmpfs',
          options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
        },
      ],
      linux: {
        namespaces,
        cgroupsPath: this.cgroupsPath(rec.podUid, `pause-${rec.id.slice(0, 12)}`),
        resources: { cpu: { shares: 2 } },
        maskedPaths: ['/proc/kcore', '/proc/keys', '/sys/firmware'],
        readonlyPaths: ['/proc/sys', '/proc/sysrq-trigger'],
      },
    };
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(config));
    try {
      return await this.runc.runDetached(this.pauseId(rec.id), bundle);
    } catch (e) {
      throw new Error(`failed to start sandbox container: ${(e as Error).message}`);
    }
  }

  private pauseId(sandboxId: string): string {
    return `pause-${sandboxId}`;
  }

  private async teardownSandbox(rec: SandboxRecord): Promise<void> {
    const pause = this.pauseId(rec.id);
    await this.runc.kill(pause, 'KILL').catch(() => undefined);
    for (let i = 0; i < 50; i++) {
      const st = await this.runc.state(pause);
      if (!st || st.status === 'stopped') break;
      await this.clock.sleep(20);
    }
    await this.runc.delete(pause).catch(() => undefined);
    rmSync(join(this.root, 'sandboxes', rec.id), { recursive: true, force: true });
    if (!rec.hostNetwork) await tearDownPodNetwork(rec.id, this.cni).catch(() => undefined);
  }

  /** Stops the pause process and releases the pod's network; its containers are the kubelet's to stop first (CRI: idempotent). */
  async stopPodSandbox(sandboxId: string): Promise<void> {
    const rec = this.sandboxes.get(sandboxId);
    if (!rec || rec.tornDown) return;
    for (const c of this.containers.values()) {
      if (c.sandboxId === sandboxId && c.state === 'running') await this.stopContainer(c.id, 0);
    }
    await this.teardownSandbox(rec);
    rec.state = 'notready';
    rec.tornDown = true;
    this.persist();
  }

  /** Removes the sandbox and, as the CRI requires, forcibly its containers; the pod's files go once no sandbox of it is left. Idempotent. */
  async removePodSandbox(sandboxId: string): Promise<void> {
    const rec = this.sandboxes.get(sandboxId);
    if (!rec) return;
    for (const c of [...this.containers.values()]) {
      if (c.sandboxId === sandboxId) await this.removeContainer(c.id);
    }
    if (!rec.tornDown) await this.teardownSandbox(rec);
    this.sandboxes.delete(sandboxId);
    this.persist();
    const others = [...this.sandboxes.values()].some((s) => s.podUid === rec.podUid);
    if (!others) {
      await cleanUpVolumes(this.podDir(rec.podUid), rec.volumes);
      rmSync(this.podDir(rec.podUid), { recursive: true, force: true });
      rmSync(this.podLogDir(rec.namespace, rec.podName, rec.podUid), { recursive: true, force: true });
      await this.removePodCgroups(rec.podUid);
    }
  }

  listPodSandboxes(podUid?: string): Promise<PodSandboxStatus[]> {
    // A sandbox whose pause process died (killed, or the machine restarted) is not ready: the
    // kubelet then kills and re-creates it (SandboxChanged).
    let changed = false;
    for (const s of this.sandboxes.values()) {
      if (s.state === 'ready' && s.pausePid !== undefined && !pauseAlive(s.pausePid)) {
        s.state = 'notready';
        changed = true;
      }
    }
    if (changed) this.persist();
    return Promise.resolve(
      [...this.sandboxes.values()]
        .filter((s) => podUid === undefined || s.podUid === podUid)
        .map(sandboxStatus),
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Containers

  async createContainer(sandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = this.sandboxes.get(sandboxId);
    if (!sandbox)
      throw new RuntimeError('CreateContainerError', `failed to get sandbox "${sandboxId}": not found`);
    if (sandbox.state !== 'ready')
      throw new RuntimeError(
        'CreateContainerError',
        `failed to create containerd container: sandbox "${sandboxId}" is not ready`,
      );
    const image = await this.imageFor(config.image);
    const pod = this.pods(sandbox.podUid, sandbox.namespace, sandbox.podName);
    const container = findSpecContainer(pod, config.name);

    const id = newId();
    const bundle = join(this.root, 'containers', id);
    const rootfs = join(bundle, 'rootfs');
    const attemptDir = join(this.podDir(sandbox.podUid), 'containers', config.name, String(config.attempt));
    const terminationMessageHostPath = join(attemptDir, 'termination-log');
    let mounted = false;
    try {
      for (const d of ['rootfs', 'upper', 'work']) mkdirSync(join(bundle, d), { recursive: true });
      mkdirSync(attemptDir, { recursive: true });
      // As the kubelet: the file exists, empty, before the container starts, world-writable so any user may write it.
      writeFileSync(terminationMessageHostPath, '', { mode: 0o666 });
      const lower = [...image.layers].reverse().map((l) => this.images.store.layerPath(l.diffId));
      for (const l of image.layers) await this.images.store.unpackLayer(l);
      await execFileP('mount', [
        '-t',
        'overlay',
        'overlay',
        '-o',
        `lowerdir=${lower.join(':')},upperdir=${join(bundle, 'upper')},workdir=${join(bundle, 'work')}`,
        rootfs,
      ]);
      mounted = true;

      const podDir = this.podDir(sandbox.podUid);
      const mounts: OciMount[] = [
        {
          destination: '/etc/hosts',
          type: 'bind',
          source: join(podDir, 'etc-hosts'),
          options: ['rbind', 'rprivate', 'rw'],
        },
        {
          destination: '/etc/hostname',
          type: 'bind',
          source: join(podDir, 'etc-hostname'),
          options: ['rbind', 'rprivate', 'rw'],
        },
        {
          destination: '/etc/resolv.conf',
          type: 'bind',
          source: join(podDir, 'resolv.conf'),
          options: ['rbind', 'rprivate', 'rw'],
        },
        ...volumeMounts(container?.volumeMounts, sandbox.volumes, config.name),
      ];
      if (config.terminationMessagePath) {
        if (!config.terminationMessagePath.startsWith('/'))
          throw new SpecConfigError(
            `terminationMessagePath ${JSON.stringify(config.terminationMessagePath)} must be an absolute path`,
          );
        mounts.push({
          destination: config.terminationMessagePath,
          type: 'bind',
          source: terminationMessageHostPath,
          options: ['rbind', 'rprivate', 'rw'],
        });
      }
      const ns = (type: string): { type: string; path: string } => ({
        type,
        path: `/proc/${sandbox.pausePid ?? 0}/ns/${type === 'network' ? 'net' : type}`,
      });
      const namespaces: { type: string; path?: string }[] = [{ type: 'mount' }, ns('ipc')];
      namespaces.push(sandbox.shareProcessNamespace ? ns('pid') : { type: 'pid' });
      if (!sandbox.hostNetwork) namespaces.push(ns('uts'), ns('network'));
      const cgroupsPath = this.cgroupsPath(sandbox.podUid, id);
      const spec: OciSpec = buildSpec({
        rootfs,
        image: image.config,
        ...(container ? { container } : {}),
        ...(pod?.spec ? { pod: pod.spec } : {}),
        podName: sandbox.podName,
        name: config.name,
        command: config.command,
        env: config.env,
        ...(config.workingDir ? { workingDir: config.workingDir } : {}),
        hostname: sandbox.hostNetwork ? (process.env.HOSTNAME ?? sandbox.hostname) : sandbox.hostname,
        tty: config.tty === true,
        mounts,
        namespaces,
        cgroupsPath,
        rlimitNofile: this.nofile,
        pidsLimit: this.pidsLimit,
        annotations: {
          'io.kubernetes.cri.container-name': config.name,
          'io.kubernetes.cri.sandbox-id': sandboxId,
        },
      });
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec, null, 1));
      const rec: ContainerRecord = {
        id,
        sandboxId,
        podUid: sandbox.podUid,
        podName: sandbox.podName,
        namespace: sandbox.namespace,
        name: config.name,
        attempt: config.attempt,
        image: image.names[0] ?? config.image,
        imageRef: imageRefOf(image),
        layers: image.layers.map((l) => l.diffId),
        // As containerd: the kubelet's stop signal, else the image's STOPSIGNAL, else SIGTERM.
        stopSignal: config.stopSignal ?? image.config.StopSignal ?? 'SIGTERM',
        tty: config.tty === true,
        labels: { ...config.labels },
        state: 'created',
        createdAt: this.clock.now(),
        logPath: join(
          this.podLogDir(sandbox.namespace, sandbox.podName, sandbox.podUid),
          config.name,
          `${config.attempt}.log`,
        ),
        bundle,
        cgroupsPath,
        terminationMessageHostPath,
      };
      this.containers.set(id, rec);
      this.persist();
      return id;
    } catch (e) {
      if (mounted) await execFileP('umount', [rootfs]).catch(() => undefined);
      rmSync(bundle, { recursive: true, force: true });
      if (e instanceof SpecConfigError) throw new RuntimeError('CreateContainerConfigError', e.message);
      if (e instanceof VolumeError) throw new RuntimeError('CreateContainerConfigError', e.message);
      if (e instanceof RuntimeError) throw e;
      throw new RuntimeError(
        'CreateContainerError',
        `failed to create containerd container: ${(e as Error).message}`,
      );
    }
  }

  /** The image record, pulled (IfNotPresent) when absent and pullOnCreate allows. */
  private async imageFor(image: string): Promise<NonNullable<ReturnType<ImageManager['record']>>> {
    let rec: ReturnType<ImageManager['record']>;
    try {
      rec = this.images.record(image);
      if (!rec && this.pullOnCreate) {
        await this.images.pullImage(image, 'IfNotPresent');
        rec = this.images.record(image);
      }
    } catch (e) {
      if (e instanceof ImageError) throw new RuntimeError('CreateContainerError', e.message);
      throw e;
    }
    if (!rec) {
      let name = image;
      try {
        name = formatReference(parseReference(image));
      } catch {
        // keep as written
      }
      throw new RuntimeError(
        'CreateContainerError',
        `failed to create containerd container: error unpacking image: image "${name}": not found`,
      );
    }
    return rec;
  }

  async startContainer(containerId: string): Promise<void> {
    const rec = this.record(containerId);
    if (rec.state !== 'created' || this.starting.has(containerId)) {
      throw new RuntimeError(
        'RunContainerError',
        `failed to set starting state for container "${containerId}": container is in ${criState(rec.state)} state`,
      );
    }
    this.starting.add(containerId);
    try {
      mkdirSync(join(rec.logPath, '..'), { recursive: true });
      let pid: number;
      try {
        // As containerd's StartContainer: the task is created (runc create, under conmon) and started here.
        pid = await this.runc.create(rec.id, rec.bundle, rec.logPath, { tty: rec.tty });
        this.waiterOf(rec.id);
        await this.runc.start(rec.id);
      } catch (e) {
        const detail = (e as Error).message;
        const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: ${detail}: unknown`;
        await this.runc.delete(rec.id).catch(() => undefined);
        this.waiters.get(rec.id)?.resolve();
        this.waiters.delete(rec.id);
        // containerd leaves a container that could not start exited, code 128, reason StartError.
        rec.state = 'exited';
        rec.exitCode = 128;
        rec.reason = 'StartError';
        rec.message = message;
        rec.finishedAt = this.clock.now();
        this.persist();
        this.emit({ type: 'ContainerDied', podUid: rec.podUid, containerId: rec.id });
        throw new RuntimeError('RunContainerError', message);
      }
      rec.state = 'running';
      rec.startedAt = this.clock.now();
      rec.pid = pid;
      this.persist();
      this.emit({ type: 'ContainerStarted', podUid: rec.podUid, containerId: rec.id });
      // An instant exit may already be on disk.
      this.checkExits();
    } finally {
      this.starting.delete(containerId);
    }
  }

  async stopContainer(containerId: string, timeoutSeconds: number): Promise<void> {
    const rec = this.containers.get(containerId);
    if (!rec) throw new NotFoundError(`container "${containerId}" not found`);
    if (rec.state !== 'running') return;
    const w = this.waiterOf(rec.id);
    // As containerd: the stop signal and a wait only with a positive timeout, then SIGKILL.
    if (timeoutSeconds > 0) {
      await this.runc.kill(rec.id, rec.stopSignal).catch(() => undefined);
      const ac = new AbortController();
      const done = await Promise.race([
        w.exited.then(() => true),
        this.clock.sleep(timeoutSeconds * 1000, ac.signal).then(
          () => false,
          () => false,
        ),
      ]);
      ac.abort();
      if (done) return;
    }
    await this.runc.kill(rec.id, 'KILL', true).catch(() => undefined);
    const ac = new AbortController();
    // conmon notices the death at once; poll meanwhile so a missed watch event cannot hang us.
    const poll = (async () => {
      while (!ac.signal.aborted && rec.state === 'running') {
        this.checkExits();
        await this.clock.sleep(50, ac.signal).catch(() => undefined);
      }
    })();
    await w.exited;
    ac.abort();
    await poll;
  }

  /** Removes the container: its runc state, root filesystem, bundle and log file; a running one is killed first. Idempotent. */
  async removeContainer(containerId: string): Promise<void> {
    const rec = this.containers.get(containerId);
    if (!rec) return;
    if (rec.state === 'running') await this.stopContainer(containerId, 0);
    await this.runc.delete(rec.id).catch(() => undefined);
    await execFileP('umount', [join(rec.bundle, 'rootfs')]).catch(() =>
      execFileP('umount', ['-l', join(rec.bundle, 'rootfs')]).catch(() => undefined),
    );
    this.containers.delete(containerId);
    this.persist();
    rmSync(rec.bundle, { recursive: true, force: true });
    rmSync(join(this.root, 'exits', rec.id), { force: true });
    rmSync(join(rec.terminationMessageHostPath, '..'), { recursive: true, force: true });
    removeLogFiles(rec.logPath);
  }

  /**
   * CRI ReopenContainerLog, as CRI-O: conmon writes the container's log, so it is asked through its
   * control FIFO in the bundle to open the log path anew. An error for a container that is not running.
   */
  async reopenContainerLog(containerId: string): Promise<void> {
    const rec = this.containers.get(containerId);
    if (!rec) throw new NotFoundError(`container "${containerId}" not found`);
    if (rec.state !== 'running') throw new Error(`container ${containerId} is not running`);
    await reopenConmonLog(rec.bundle, rec.logPath, (ms) => this.clock.sleep(ms));
  }

  listContainers(podUid?: string): Promise<ContainerStatus[]> {
    return Promise.resolve(
      [...this.containers.values()]
        .filter((c) => podUid === undefined || c.podUid === podUid)
        .map(containerStatus),
    );
  }

  containerStatus(containerId: string): Promise<ContainerStatus> {
    const rec = this.containers.get(containerId);
    if (!rec) return Promise.reject(new NotFoundError(`container "${containerId}" not found`));
    return Promise.resolve(containerStatus(rec));
  }

  // ---------------------------------------------------------------------------------------------
  // Exec

  /** A process spec for `runc exec`: the container's own user, env, cwd and capabilities. */
  private execProcess(
    containerId: string,
    command: string[],
    tty: boolean,
  ): { rec: ContainerRecord; file: string } {
    const rec = this.containers.get(containerId);
    if (!rec) throw new NotFoundError(`container "${containerId}" not found`);
    if (rec.state !== 'running')
      throw new Error(`failed to exec in container: container is in ${criState(rec.state)} state`);
    if (command.length === 0) throw new Error(execFailure('exec: "": executable file not found in $PATH'));
    const spec = JSON.parse(readFileSync(join(rec.bundle, 'config.json'), 'utf8')) as OciSpec;
    const proc = { ...spec.process, args: command, terminal: tty };
    if (tty && !proc.env.some((e) => e.startsWith('TERM='))) proc.env = [...proc.env, 'TERM=xterm'];
    const file = join(rec.bundle, `exec-${randomBytes(6).toString('hex')}.json`);
    writeFileSync(file, JSON.stringify(proc));
    return { rec, file };
  }

  private execArgs(rec: ContainerRecord, file: string, pidFile: string, tty: boolean): string[] {
    return [
      '--root',
      this.runc.paths.stateRoot,
      'exec',
      ...(tty ? ['-t'] : []),
      '--pid-file',
      pidFile,
      '--process',
      file,
      rec.id,
    ];
  }

  /** Kills the exec'd process itself (runc does not pass SIGKILL on to it). */
  private killExec(pidFile: string, runcPid: number | undefined): void {
    try {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      if (pid > 0) process.kill(pid, 'SIGKILL');
    } catch {
      // not started yet, or gone
    }
    if (runcPid) {
      try {
        process.kill(runcPid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }

  async execSync(containerId: string, command: string[], options: ExecSyncOptions): Promise<ExecResult> {
    options.signal?.throwIfAborted();
    const { rec, file } = this.execProcess(containerId, command, false);
    const pidFile = `${file}.pid`;
    const child = spawn(this.runc.paths.runc, this.execArgs(rec, file, pidFile, false), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const cap = options.maxOutputBytes ?? Infinity;
    const stdout = capture(child.stdout, cap);
    const stderr = capture(child.stderr, Math.max(cap, 64 * 1024));
    let timedOut = false;
    const kill = (): void => this.killExec(pidFile, child.pid);
    const timer =
      options.timeoutMs > 0
        ? this.clock.setTimer(options.timeoutMs, () => ((timedOut = true), kill()))
        : undefined;
    const onAbort = (): void => kill();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const code = await new Promise<number>((res, rej) => {
        child.once('error', rej);
        child.once('close', (c: number | null, s: NodeJS.Signals | null) =>
          res(c ?? (s ? 128 + signalNumber(s) : 255)),
        );
      });
      await Promise.all([stdout.done, stderr.done]);
      options.signal?.throwIfAborted();
      const err = stderr.value();
      // runc's own failure to start the process (exit 255 and its logrus line) is an exec error, not the command's exit.
      const text = err.toString('utf8');
      if (
        code === 255 &&
        /level=error msg="exec failed:|runc exec failed|unable to start container process/.test(text) &&
        !existsSync(pidFile)
      ) {
        throw new Error(
          execFailure(runcMessage(text).replace(/^exec failed: unable to start container process: /, '')),
        );
      }
      return {
        exitCode: code,
        stdout: stdout.value(),
        stderr: cap === Infinity ? err : err.subarray(0, cap),
        timedOut,
      };
    } finally {
      timer?.cancel();
      options.signal?.removeEventListener('abort', onAbort);
      rmSync(file, { force: true });
      rmSync(pidFile, { force: true });
    }
  }

  exec(containerId: string, command: string[], options: ExecStreamOptions): Promise<ExecSession> {
    const { rec, file } = this.execProcess(containerId, command, options.tty);
    const pidFile = `${file}.pid`;
    const args = this.execArgs(rec, file, pidFile, options.tty);
    let child;
    if (options.tty) {
      const script = scriptPath();
      if (!script)
        throw new Error('exec with a TTY needs util-linux `script` on this host, and it is missing');
      // `script` gives runc a terminal; runc then gives the process its own pty inside the container.
      child = spawn(script, scriptArgs([this.runc.paths.runc, ...args], {}), {
        env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', SHELL: '/bin/sh', TERM: 'xterm' },
        stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
    } else {
      child = spawn(this.runc.paths.runc, args, {
        stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
    }
    child.on('error', () => undefined);
    const exit = new Promise<number>((res) => {
      child.once('close', (c: number | null, s: NodeJS.Signals | null) => {
        rmSync(file, { force: true });
        rmSync(pidFile, { force: true });
        res(c ?? (s ? 128 + signalNumber(s) : 255));
      });
    });
    let stdout: Readable = child.stdout as Readable;
    let stderr: Readable | null = child.stderr;
    if (options.tty) {
      const merged = new PassThrough();
      let open = 2;
      const endOne = (): void => {
        if (--open === 0) merged.end();
      };
      for (const s of [child.stdout, child.stderr]) {
        s?.on('end', endOne);
        s?.on('error', endOne);
        s?.pipe(merged, { end: false });
      }
      stdout = merged;
      stderr = null;
    }
    const scriptPid = child.pid;
    const clock = this.clock;
    let ended = false;
    void exit.then(() => (ended = true));
    return Promise.resolve({
      stdin: child.stdin,
      stdout,
      stderr,
      exit,
      resize(cols: number, rows: number): void {
        if (!options.tty || scriptPid === undefined) return;
        let tries = 0;
        const apply = (): void => {
          if (ended) return;
          const pty = ptyOfScript(scriptPid);
          if (!pty) {
            if (tries++ < 40) clock.setTimer(25, apply);
            return;
          }
          // runc forwards SIGWINCH from its terminal to the container's pty.
          const stty = spawn('stty', ['-F', pty, 'cols', String(cols), 'rows', String(rows)], {
            stdio: 'ignore',
          });
          stty.on('error', () => undefined);
        };
        apply();
      },
      kill: (): void => {
        if (!ended) this.killExec(pidFile, child.pid);
      },
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Events and shutdown

  watch(listener: (event: RuntimeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: RuntimeEvent): void {
    if (this.closed) return;
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own.
      }
    }
  }

  /** nodelet is shutting down, not the pods: containers go on under conmon; the next run follows them again. */
  close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    this.watcher?.close();
    this.poll?.cancel();
    return Promise.resolve();
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private record(id: string): ContainerRecord {
    const rec = this.containers.get(id);
    if (!rec) throw new NotFoundError(`container "${id}" not found`);
    return rec;
  }

  private podDir(podUid: string): string {
    return join(this.root, 'pods', podUid);
  }

  private podLogDir(namespace: string, podName: string, podUid: string): string {
    return join(this.root, 'logs', `${namespace}_${podName}_${podUid}`);
  }

  /** Each container in its own cgroup under the pod's (cgroupfs driver, as the kubelet's kubepods/pod<uid>). */
  private cgroupsPath(podUid: string, leaf: string): string {
    return `/nodelet/pod${podUid.replace(/[^a-zA-Z0-9-]/g, '_')}/${leaf}`;
  }

  /**
   * Removes the pod's cgroup in every hierarchy: children first (a container cgroup runc left while
   * its last process was still being reaped), each with rmdir, a few tries while the kernel
   * finishes releasing them.
   */
  private async removePodCgroups(podUid: string): Promise<void> {
    const rel = this.cgroupsPath(podUid, '').replace(/\/$/, '');
    let controllers: string[] = [];
    try {
      controllers = readdirSync(CGROUP_ROOT);
    } catch {
      return;
    }
    for (const c of [...controllers, '']) {
      const dir = join(CGROUP_ROOT, c, rel);
      for (let attempt = 0; attempt < 20 && existsSync(dir); attempt++) {
        try {
          for (const e of readdirSync(dir, { withFileTypes: true })) {
            if (e.isDirectory()) rmdirSync(join(dir, e.name));
          }
          // cgroup directories are removed with rmdir, never recursively.
          rmdirSync(dir);
        } catch {
          await this.clock.sleep(25);
        }
      }
    }
  }
}

/** The pause process is alive (and is still catatonit, not a recycled PID). */
function pauseAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'catatonit';
  } catch {
    return false;
  }
}

function signalNumber(s: NodeJS.Signals): number {
  return (osConstants.signals as Record<string, number>)[s] ?? 0;
}

function sandboxStatus(s: SandboxRecord): PodSandboxStatus {
  return sandboxStatusOf(s);
}

function containerStatus(c: ContainerRecord): ContainerStatus {
  return containerStatusOf(c, c.imageRef);
}

/** Collects up to cap bytes of a pipe, reading (and dropping) the rest so the writer never blocks. */
function capture(stream: Readable | null, cap: number): { done: Promise<void>; value: () => Buffer } {
  const parts: Buffer[] = [];
  let size = 0;
  const done = new Promise<void>((res) => {
    if (!stream) return res();
    stream.on('data', (chunk: Buffer) => {
      if (size >= cap) return;
      const take = chunk.subarray(0, Math.min(chunk.length, cap - size));
      parts.push(take);
      size += take.length;
    });
    stream.once('end', () => res());
    stream.once('close', () => res());
    stream.once('error', () => res());
  });
  return { done, value: () => Buffer.concat(parts) };
}
