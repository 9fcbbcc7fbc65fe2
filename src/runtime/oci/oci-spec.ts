// Builds a container's OCI runtime config (config.json for runc) from the image config and the pod
// spec the way the kubelet and containerd's CRI plugin build it together:
//   - command: Kubernetes' rule (containerd's buildContainerSpec): `command` replaces ENTRYPOINT and
//     drops CMD; `args` alone replace CMD after ENTRYPOINT; neither → ENTRYPOINT + CMD.
//   - env: the image's Env, then the container's env, a later name replacing an earlier one; HOSTNAME.
//   - workingDir: the spec's, else the image's WORKDIR, else `/`.
//   - user: runAsUser/runAsGroup (container over pod securityContext), else the image USER resolved
//     through the image's /etc/passwd and /etc/group, plus supplementalGroups and fsGroup.
//   - capabilities: containerd's default set, `add`/`drop` applied (drop ALL first), all when privileged.
//   - resources: memory limit, CPU shares from requests and CFS quota from limits (the kubelet's
//     MilliCPUToShares / MilliCPUToQuota), a pids limit.
import type { Container, PodSecurityContext, PodSpec, SecurityContext } from 'kubernetes-types/core/v1.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseQuantity } from '../../api/quantity.ts';
import type { ImageConfig } from '../image/image-store.ts';
import type { KeyValue } from '../runtime.ts';

/** containerd's default capabilities (pkg/oci, defaultUnixCaps) — what a Kubernetes node gives. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** Every capability the kernel knows (for privileged containers and `add: [ALL]`). */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

/** containerd's masked and read-only /proc and /sys paths for unprivileged containers. */
const MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Thrown when the spec cannot run as asked: the kubelet's CreateContainerConfigError. */
export class SpecConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpecConfigError';
  }
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids?: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: {
      bounding: string[];
      effective: string[];
      permitted: string[];
      inheritable: string[];
      ambient: string[];
    };
    rlimits: { type: string; hard: number; soft: number }[];
    noNewPrivileges: boolean;
    oomScoreAdj?: number;
  };
  root: { path: string; readonly: boolean };
  hostname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: {
    namespaces: { type: string; path?: string }[];
    resources: Record<string, unknown>;
    cgroupsPath: string;
    maskedPaths?: string[];
    readonlyPaths?: string[];
    devices?: unknown[];
  };
}

/** The process command line, by Kubernetes' ENTRYPOINT/CMD rule. */
export function mergeCommand(
  image: ImageConfig,
  command: readonly string[] | undefined,
  args: readonly string[] | undefined,
): string[] {
  if (command && command.length > 0) return [...command, ...(args ?? [])];
  const entrypoint = image.Entrypoint ?? [];
  const tail = args && args.length > 0 ? args : (image.Cmd ?? []);
  // An ENTRYPOINT of [""] means "none" (a Dockerfile's `ENTRYPOINT []` as some builders write it).
  const ep = entrypoint.length === 1 && entrypoint[0] === '' ? [] : entrypoint;
  return [...ep, ...tail];
}

/** Image Env then the container's env; a later name replaces an earlier one in place of order. */
export function mergeEnv(image: ImageConfig, env: readonly KeyValue[], hostname: string): string[] {
  const out = new Map<string, string>();
  out.set('PATH', DEFAULT_PATH);
  out.set('HOSTNAME', hostname);
  for (const e of image.Env ?? []) {
    const eq = e.indexOf('=');
    const k = eq < 0 ? e : e.slice(0, eq);
    out.delete(k);
    out.set(k, eq < 0 ? '' : e.slice(eq + 1));
  }
  for (const { name, value } of env) {
    out.delete(name);
    out.set(name, value);
  }
  return [...out].map(([k, v]) => `${k}=${v}`);
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

function readLines(rootfs: string, file: string): string[][] {
  try {
    return readFileSync(join(rootfs, file), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

export function readPasswd(rootfs: string): PasswdEntry[] {
  return readLines(rootfs, 'etc/passwd').map((f) => ({
    name: f[0] ?? '',
    uid: Number(f[2]),
    gid: Number(f[3]),
    home: f[5] ?? '/',
  }));
}

function readGroups(rootfs: string): { name: string; gid: number; members: string[] }[] {
  return readLines(rootfs, 'etc/group').map((f) => ({
    name: f[0] ?? '',
    gid: Number(f[2]),
    members: (f[3] ?? '').split(',').filter(Boolean),
  }));
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home?: string;
}

/**
 * The container's user. Explicit runAsUser/runAsGroup win; otherwise the image USER (`name`,
 * `uid`, `name:group`, `uid:gid`) is looked up in the image's /etc/passwd and /etc/group, as
 * runc's user lookup does. Throws SpecConfigError for an unknown name.
 */
export function resolveUser(
  rootfs: string,
  image: ImageConfig,
  sc: SecurityContext | undefined,
  psc: PodSecurityContext | undefined,
): ResolvedUser {
  const passwd = readPasswd(rootfs);
  const groups = readGroups(rootfs);
  const runAsUser = sc?.runAsUser ?? psc?.runAsUser;
  const runAsGroup = sc?.runAsGroup ?? psc?.runAsGroup;
  let uid = 0;
  let gid: number | undefined;
  let name: string | undefined;
  let home: string | undefined;
  if (runAsUser !== undefined) {
    uid = runAsUser;
    const p = passwd.find((e) => e.uid === uid);
    if (p) ({ name, home, gid } = { name: p.name, home: p.home, gid: p.gid });
  } else if (image.User) {
    const [u = '', g] = image.User.split(':');
    if (/^\d+$/.test(u)) {
      uid = Number(u);
      const p = passwd.find((e) => e.uid === uid);
      if (p) ({ name, home, gid } = { name: p.name, home: p.home, gid: p.gid });
    } else {
      const p = passwd.find((e) => e.name === u);
      if (!p) throw new SpecConfigError(`unable to find user ${u}: no matching entries in passwd file`);
      ({ uid, name, home, gid } = { uid: p.uid, name: p.name, home: p.home, gid: p.gid });
    }
    if (g !== undefined) {
      if (/^\d+$/.test(g)) gid = Number(g);
      else {
        const grp = groups.find((e) => e.name === g);
        if (!grp) throw new SpecConfigError(`unable to find group ${g}: no matching entries in group file`);
        gid = grp.gid;
      }
    }
  } else {
    const p = passwd.find((e) => e.uid === 0);
    if (p) ({ name, home, gid } = { name: p.name, home: p.home, gid: p.gid });
  }
  if (runAsGroup !== undefined) gid = runAsGroup;
  const extra = new Set<number>();
  if (name) for (const grp of groups) if (grp.members.includes(name)) extra.add(grp.gid);
  for (const s of psc?.supplementalGroups ?? []) extra.add(s);
  if (psc?.fsGroup !== undefined) extra.add(psc.fsGroup);
  return { uid, gid: gid ?? 0, additionalGids: [...extra].sort((a, b) => a - b), ...(home ? { home } : {}) };
}

/**
 * The kubelet's runAsNonRoot check (pkg/kubelet/kuberuntime/security_context_others.go), with its
 * messages; the container then waits with CreateContainerConfigError.
 */
export function verifyRunAsNonRoot(
  image: ImageConfig,
  sc: SecurityContext | undefined,
  psc: PodSecurityContext | undefined,
  podName: string,
  containerName: string,
): void {
  const nonRoot = sc?.runAsNonRoot ?? psc?.runAsNonRoot;
  if (!nonRoot) return;
  const who = `(pod: "${podName}", container: ${containerName})`;
  const runAsUser = sc?.runAsUser ?? psc?.runAsUser;
  if (runAsUser !== undefined) {
    if (runAsUser === 0) throw new SpecConfigError(`container's runAsUser breaks non-root policy ${who}`);
    return;
  }
  const u = (image.User ?? '').split(':')[0] ?? '';
  if (u === '' || u === '0')
    throw new SpecConfigError(`container has runAsNonRoot and image will run as root ${who}`);
  if (!/^\d+$/.test(u))
    throw new SpecConfigError(
      `container has runAsNonRoot and image has non-numeric user (${u}), cannot verify user is non-root ${who}`,
    );
}

function capName(c: string): string {
  const up = c.toUpperCase();
  return up.startsWith('CAP_') ? up : `CAP_${up}`;
}

/** The capability set: default, `drop` (ALL clears it) then `add` (ALL gives every one), as containerd. */
export function capabilities(sc: SecurityContext | undefined): string[] {
  if (sc?.privileged) return [...ALL_CAPABILITIES];
  const add = sc?.capabilities?.add ?? [];
  const drop = sc?.capabilities?.drop ?? [];
  let caps = drop.some((d) => d.toUpperCase() === 'ALL')
    ? []
    : DEFAULT_CAPABILITIES.filter((c) => !drop.map(capName).includes(c));
  if (add.some((a) => a.toUpperCase() === 'ALL')) caps = [...ALL_CAPABILITIES];
  else for (const a of add.map(capName)) if (!caps.includes(a)) caps.push(a);
  return caps;
}

/** The kubelet's MilliCPUToShares: 1024 per CPU, at least 2. */
export function milliCpuToShares(milli: number): number {
  if (milli === 0) return 2;
  return Math.max(2, Math.floor((milli * 1024) / 1000));
}

/** The kubelet's MilliCPUToQuota over a 100 ms period: at least 1 ms. */
export function milliCpuToQuota(milli: number, period = 100_000): number {
  return Math.max(1000, Math.floor((milli * period) / 1000));
}

export interface ResourceOptions {
  pidsLimit: number;
}

/** linux.resources from the container's requests and limits. */
export function resources(c: Container | undefined, opts: ResourceOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const limits = c?.resources?.limits ?? {};
  const requests = c?.resources?.requests ?? {};
  const mem = limits.memory;
  if (mem !== undefined) {
    const bytes = Number(parseQuantity(String(mem)).value());
    out.memory = { limit: bytes, swap: bytes };
  }
  const cpu: Record<string, number> = {};
  // As the kubelet: a CPU limit without a request implies the request equals the limit.
  const reqCpu = requests.cpu ?? limits.cpu;
  cpu.shares = milliCpuToShares(
    reqCpu !== undefined ? Number(parseQuantity(String(reqCpu)).milliValue()) : 0,
  );
  if (limits.cpu !== undefined) {
    cpu.quota = milliCpuToQuota(Number(parseQuantity(String(limits.cpu)).milliValue()));
    cpu.period = 100_000;
  }
  out.cpu = cpu;
  if (opts.pidsLimit > 0) out.pids = { limit: opts.pidsLimit };
  out.devices = [
    { allow: false, access: 'rwm' },
    ...DEFAULT_DEVICES.map((d) => ({
      allow: true,
      type: 'c',
      major: d.major,
      minor: d.minor,
      access: 'rwm',
    })),
  ];
  return out;
}

const DEFAULT_DEVICES = [
  { path: '/dev/null', major: 1, minor: 3 },
  { path: '/dev/zero', major: 1, minor: 5 },
  { path: '/dev/full', major: 1, minor: 7 },
  { path: '/dev/tty', major: 5, minor: 0 },
  { path: '/dev/urandom', major: 1, minor: 9 },
  { path: '/dev/random', major: 1, minor: 8 },
  { path: '/dev/ptmx', major: 5, minor: 2 },
  { path: '/dev/pts/*', major: 136, minor: -1 },
];

/** The base mounts every container gets (containerd's defaults). */
export function baseMounts(readOnlyRoot: boolean): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
    },
  ].map((m) => (readOnlyRoot ? m : m));
}

export interface SpecInput {
  rootfs: string;
  image: ImageConfig;
  /** The container from the pod spec, when the runtime knows it. */
  container?: Container;
  pod?: PodSpec;
  podName: string;
  name: string;
  /** The kubelet's final command when no container spec is known (command + args). */
  command: string[];
  env: KeyValue[];
  workingDir?: string;
  hostname: string;
  tty: boolean;
  mounts: OciMount[];
  namespaces: { type: string; path?: string }[];
  cgroupsPath: string;
  rlimitNofile: number;
  pidsLimit: number;
  annotations?: Record<string, string>;
}

export function buildSpec(input: SpecInput): OciSpec {
  const c = input.container;
  const sc = c?.securityContext;
  const psc = input.pod?.securityContext;
  // The kubelet already expanded $(VAR) in command + args; split them again by the spec.
  let command: string[] | undefined;
  let args: string[] | undefined;
  if (c) {
    const n = c.command?.length ?? 0;
    command = input.command.slice(0, n);
    args = input.command.slice(n);
  } else {
    command = input.command;
  }
  const processArgs = mergeCommand(input.image, command, args);
  if (processArgs.length === 0) throw new SpecConfigError('no command specified');
  verifyRunAsNonRoot(input.image, sc, psc, input.podName, input.name);
  const user = resolveUser(input.rootfs, input.image, sc, psc);
  const env = mergeEnv(input.image, input.env, input.hostname);
  if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home ?? '/'}`);
  const caps = capabilities(sc);
  const privileged = sc?.privileged === true;
  const readOnlyRoot = sc?.readOnlyRootFilesystem === true;
  const spec: OciSpec = {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: input.tty,
      user: {
        uid: user.uid,
        gid: user.gid,
        ...(user.additionalGids.length ? { additionalGids: user.additionalGids } : {}),
      },
      args: processArgs,
      env,
      cwd: input.workingDir || input.image.WorkingDir || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: input.rlimitNofile, soft: input.rlimitNofile }],
      // allowPrivilegeEscalation: false sets no_new_privs; so does a non-privileged container without CAP_SYS_ADMIN asking for it.
      noNewPrivileges: sc?.allowPrivilegeEscalation === false,
    },
    root: { path: input.rootfs, readonly: readOnlyRoot },
    hostname: input.hostname,
    mounts: [
      ...baseMounts(readOnlyRoot).map((m) =>
        privileged && m.destination === '/sys' ? { ...m, options: m.options.filter((o) => o !== 'ro') } : m,
      ),
      ...input.mounts,
    ],
    ...(input.annotations ? { annotations: input.annotations } : {}),
    linux: {
      namespaces: input.namespaces,
      resources: resources(c, { pidsLimit: input.pidsLimit }),
      cgroupsPath: input.cgroupsPath,
      ...(privileged ? {} : { maskedPaths: MASKED_PATHS, readonlyPaths: READONLY_PATHS }),
    },
  };
  if (privileged) spec.linux.resources.devices = [{ allow: true, access: 'rwm' }];
  return spec;
}
