// The service proxy as a node component, on the real iptables and /proc/sys. It serves pods with
// their own network (the oci runtime; src/cli/pod-network-services.ts starts it with that
// runtime). Host-process pods share the node's network and reach Services by their pods' ports.
import { DEFAULT_BRIDGE, DEFAULT_POD_SUBNET } from '../runtime/oci/cni.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';
import { chainNames } from './chain-names.ts';
import { SystemIptables, iptablesUnavailable } from './iptables.ts';
import { cleanupRules, DEFAULT_SERVICE_CIDR, ServiceProxy } from './service-proxy.ts';
import { procSysctl } from './sysctl.ts';

/** The node's address on the pod bridge (the bridge plugin's gateway): NodePorts and DNS live here. */
export const NODE_BRIDGE_ADDRESS = '10.87.0.1';

export interface NodeProxyOptions {
  store: Store;
  clock: Clock;
  /** Names this node's chains: the data directory (a restarted server takes its chains over). */
  instance: string;
  /** --service-cluster-ip-range (default 10.96.0.0/16). */
  serviceCidr?: string;
  log: (line: string) => void;
}

/**
 * Starts the proxy, or says why not and returns undefined.
 * NodePorts are served on the node's bridge address and on 127.0.0.1 (kube-proxy's
 * nodePortAddresses), never on the machine's outside addresses.
 */
export async function startNodeProxy(o: NodeProxyOptions): Promise<ServiceProxy | undefined> {
  const why = await iptablesUnavailable();
  if (why) {
    o.log(`service proxy: not started (${why}); ClusterIPs will not carry traffic`);
    return undefined;
  }
  const proxy = new ServiceProxy({
    store: o.store,
    clock: o.clock,
    iptables: new SystemIptables(),
    sysctl: procSysctl,
    network: {
      serviceCidr: o.serviceCidr ?? DEFAULT_SERVICE_CIDR,
      podCidr: DEFAULT_POD_SUBNET,
      bridge: DEFAULT_BRIDGE,
      nodePortAddresses: [NODE_BRIDGE_ADDRESS, '127.0.0.1'],
    },
    instance: o.instance,
    log: o.log,
  });
  try {
    await proxy.start();
  } catch (e) {
    await proxy.stop();
    o.log(`service proxy: not started (${(e as Error).message}); ClusterIPs will not carry traffic`);
    return undefined;
  }
  return proxy;
}

/**
 * Removes the rules the proxy of the node with this data directory wrote, or with no argument
 * every nodelet's on this machine (`nodelet server --cleanup` style).
 */
export async function removeNodeProxyRules(instance?: string): Promise<void> {
  await cleanupRules(new SystemIptables(), instance === undefined ? undefined : chainNames(instance).prefix);
}
