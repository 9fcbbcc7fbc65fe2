// The pod network through CNI, as a CRI runtime sets it up: a named network namespace per sandbox
// (`ip netns add`), then the `loopback` plugin and the `bridge` plugin with `host-local` IPAM on
// nodelet's own bridge and subnet. No masquerade and no default route in the pod: a pod reaches the
// node and the other pods on the bridge, and nothing is routed out of the machine.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const DEFAULT_CNI_PATH = '/usr/lib/cni';
/** nodelet's pod subnet and bridge (README.md says how to change them). */
export const DEFAULT_POD_SUBNET = '10.87.0.0/16';
export const DEFAULT_BRIDGE = 'nodelet0';

export interface CniOptions {
  subnet: string;
  bridge: string;
  /** host-local's allocation records. */
  ipamDir: string;
  pluginDir: string;
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
    ipam: { type: 'host-local', ranges: [[{ subnet: o.subnet }]], dataDir: o.ipamDir },
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
