// The kernel settings the proxy depends on, read and written through /proc/sys (injectable so
// tests never touch the machine).
import { readFileSync, writeFileSync } from 'node:fs';

export interface Sysctl {
  /** The value, or undefined when the setting does not exist (module not loaded). */
  read(name: string): string | undefined;
  write(name: string, value: string): void;
}

export const procSysctl: Sysctl = {
  read(name) {
    try {
      return readFileSync(`/proc/sys/${name}`, 'utf8').trim();
    } catch {
      return undefined;
    }
  },
  write(name, value) {
    writeFileSync(`/proc/sys/${name}`, `${value}\n`);
  },
};

/**
 * Pod → ClusterIP → pod on the same bridge: the request is routed through the node (where it is
 * DNATed) but the reply is bridged straight back; without br_netfilter's call into iptables the
 * reply would skip conntrack, reach the client from the pod's own address instead of the
 * ClusterIP, and be dropped. kube-proxy requires the same setting.
 */
export const BRIDGE_NF_CALL_IPTABLES = 'net/bridge/bridge-nf-call-iptables';
/**
 * NodePorts on 127.0.0.1: a connection from 127.0.0.1 DNATed to a pod must be routed off the
 * loopback device, which the kernel refuses unless route_localnet is set, as kube-proxy sets it
 * when its nodePortAddresses include localhost. Rules in NODELET-FIREWALL keep 127.0.0.0/8
 * unreachable from outside the node, as kube-proxy's do.
 */
export const ROUTE_LOCALNET = 'net/ipv4/conf/all/route_localnet';
/** The bridge plugin sets it for the gateway; pod → service → pod is routed through the node. */
export const IP_FORWARD = 'net/ipv4/ip_forward';

/** Sets each setting to 1 when it exists and is not already; returns what it changed or lacked. */
export function ensureSysctls(
  sysctl: Sysctl,
  names: readonly string[],
): { set: string[]; missing: string[] } {
  const set: string[] = [];
  const missing: string[] = [];
  for (const n of names) {
    const v = sysctl.read(n);
    if (v === undefined) missing.push(n);
    else if (v !== '1') {
      sysctl.write(n, '1');
      set.push(n);
    }
  }
  return { set, missing };
}
