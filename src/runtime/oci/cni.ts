// The pod network through CNI, as a CRI runtime sets it up: a named network namespace per sandbox
// (`ip netns add`), then the `loopback` plugin and the `bridge` plugin with `host-local` IPAM on
// nodelet's own bridge and subnet. No masquerade and no default route in the pod: a pod reaches the
// node and the other pods on the bridge, and nothing is routed out of the machine. The one route
// the pod gets is the service range via the bridge gateway (the node), where the service proxy
// DNATs a ClusterIP to an endpoint, as on a Kubernetes node the pod's default route brings it there.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const DEFAULT_CNI_PATH = '/usr/lib/cni';
/** nodelet's pod subnet and bridge (README.md says how to change them). */
export const DEFAULT_POD_SUBNET = '10.87.0.0/16';
export const DEFAULT_BRIDGE = 'nodelet0';
/** The service range (ClusterIPs) routed from pods to the node (`--service-cluster-ip-range`). */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';

export interface CniOptions {
  subnet: string;
  bridge: string;
  /** host-local's allocation records. */
  ipamDir: string;
  pluginDir: string;
  /** Routed from the pod via the gateway; DEFAULT_SERVICE_CIDR when unset. */
  serviceCidr?: string;
}

export interface CniAttachment {
  netns: string;
  netnsPath: string;
  ip: string;
}

function bridgeConfig(o: CniOptions): object {
  return {
    cniVersion: '1.0.0',
    name: 'nodelet',
    type: 'bridge',
    bridge: o.bridge,
    isGateway: true,
    ipMasq: false,
    hairpinMode: true,
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: o.subnet }]],
      // No `gw`: the plugin routes through the range's gateway (the bridge's address, isGateway).
      routes: [{ dst: o.serviceCidr ?? DEFAULT_SERVICE_CIDR }],
      dataDir: o.ipamDir,
    },
  };
}

const LOOPBACK = { cniVersion: '1.0.0', name: 'nodelet-lo', type: 'loopback' };

function invoke(
  plugin: string,
  command: 'ADD' | 'DEL',
  config: object,
  env: Record<string, string>,
  o: CniOptions,
): Promise<string> {
  return new Promise((res, rej) => {
    const child = spawn(`${o.pluginDir}/${plugin}`, [], {
      env: {
        ...env,
        CNI_COMMAND: command,
        CNI_PATH: o.pluginDir,
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', rej);
    child.on('close', (code) => {
      if (code === 0) return res(out);
      let msg = err.trim() || out.trim();
      try {
        const parsed = JSON.parse(out) as { msg?: string; details?: string };
        if (parsed.msg) msg = parsed.details ? `${parsed.msg}: ${parsed.details}` : parsed.msg;
      } catch {
        // not a CNI error object
      }
      rej(new Error(`plugin type="${plugin}" failed (${command.toLowerCase()}): ${msg}`));
    });
    child.stdin.end(JSON.stringify(config));
  });
}

export function cniAvailable(o: CniOptions): string | undefined {
  for (const p of ['bridge', 'host-local', 'loopback']) {
    if (!existsSync(`${o.pluginDir}/${p}`))
      return `the CNI plugin ${o.pluginDir}/${p} is missing (apt-get install containernetworking-plugins)`;
  }
  return undefined;
}

/** Creates the namespace and attaches it; returns the pod IP. Undone on failure. */
export async function setUpPodNetwork(
  sandboxId: string,
  labels: { namespace: string; name: string },
  o: CniOptions,
): Promise<CniAttachment> {
  const netns = `nodelet-${sandboxId.slice(0, 12)}`;
  const netnsPath = `/var/run/netns/${netns}`;
  await execFileP('ip', ['netns', 'add', netns]);
  const env = {
    CNI_CONTAINERID: sandboxId,
    CNI_NETNS: netnsPath,
    CNI_IFNAME: 'eth0',
    CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=${labels.namespace};K8S_POD_NAME=${labels.name};K8S_POD_INFRA_CONTAINER_ID=${sandboxId}`,
  };
  try {
    await invoke('loopback', 'ADD', LOOPBACK, { ...env, CNI_IFNAME: 'lo' }, o);
    const out = await invoke('bridge', 'ADD', bridgeConfig(o), env, o);
    const result = JSON.parse(out) as { ips?: { address?: string }[] };
    const ip = result.ips?.[0]?.address?.split('/')[0];
    if (!ip) throw new Error(`the bridge plugin gave no address: ${out}`);
    return { netns, netnsPath, ip };
  } catch (e) {
    await tearDownPodNetwork(sandboxId, o).catch(() => undefined);
    throw e;
  }
}

/** Releases the address and deletes the namespace. Idempotent. */
export async function tearDownPodNetwork(sandboxId: string, o: CniOptions): Promise<void> {
  const netns = `nodelet-${sandboxId.slice(0, 12)}`;
  const netnsPath = `/var/run/netns/${netns}`;
  const env = {
    CNI_CONTAINERID: sandboxId,
    CNI_NETNS: existsSync(netnsPath) ? netnsPath : '',
    CNI_IFNAME: 'eth0',
    CNI_ARGS: 'IgnoreUnknown=1',
  };
  try {
    await invoke('bridge', 'DEL', bridgeConfig(o), env, o);
  } finally {
    if (existsSync(netnsPath)) await execFileP('ip', ['netns', 'delete', netns]).catch(() => undefined);
  }
}

/** The bridge's own address: the subnet's first host, as the bridge plugin's isGateway assigns it. */
export function bridgeGateway(subnet: string = DEFAULT_POD_SUBNET): { ip: string; prefix: number } {
  const [base = '', prefix = '16'] = subnet.split('/');
  const n = base.split('.').reduce((acc, o) => acc * 256 + Number(o), 0) + 1;
  const ip = [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  return { ip, prefix: Number(prefix) };
}

/**
 * Makes sure the pod bridge exists, is up and holds the gateway address before the first pod
 * does (the bridge plugin accepts a bridge that already has it), so the node's services on that
 * address (cluster DNS) can bind at start. Returns the address.
 */
export async function ensureBridge(
  bridge: string = DEFAULT_BRIDGE,
  subnet: string = DEFAULT_POD_SUBNET,
): Promise<string> {
  const gw = bridgeGateway(subnet);
  const shown = await execFileP('ip', ['-o', 'link', 'show', 'dev', bridge]).catch(() => undefined);
  if (!shown) await execFileP('ip', ['link', 'add', 'name', bridge, 'type', 'bridge']);
  const addrs = await execFileP('ip', ['-o', '-4', 'addr', 'show', 'dev', bridge]);
  if (!addrs.stdout.includes(` ${gw.ip}/${gw.prefix} `))
    await execFileP('ip', ['addr', 'add', `${gw.ip}/${gw.prefix}`, 'dev', bridge]);
  await execFileP('ip', ['link', 'set', 'dev', bridge, 'up']);
  return gw.ip;
}
