// Chain names, as kube-proxy's iptables mode makes them: a fixed prefix and the first
// characters of the base32 of a SHA-256 over what the chain stands for (service port name and
// protocol, plus the endpoint for a SEP chain). The names stay stable across restarts, so a
// restarted proxy rewrites the same chains instead of leaving copies, and they fit iptables'
// 28-character limit (see ChainNames).
import { createHash } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (no padding) of the bytes. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

function hash(text: string, length: number): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, length);
}

/** `ns/name:port` as kube-proxy names a service port (`ns/name` when the port has no name). */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
}

/** What every chain of every nodelet begins with (what a machine-wide cleanup removes). */
export const CHAIN_PREFIX = 'NODELET-';

/**
 * The chains of one node's proxy. A node is named by a 4-character tag (a hash of its data
 * directory), so two nodelets on one machine (two test servers, a server and a `nodelet run`)
 * each keep their own chains and jumps instead of overwriting each other's, and a restarted
 * server finds its own chains again. Hashes are 11 characters so `NODELET-<tag>-SVC-<hash>`
 * fits iptables' 28.
 */
export interface ChainNames {
  tag: string;
  /** `NODELET-<tag>-`: every chain of this node begins with it. */
  prefix: string;
  services: string;
  nodePorts: string;
  postrouting: string;
  markMasq: string;
  forward: string;
  firewall: string;
  service: (spn: string, protocol: string) => string;
  external: (spn: string, protocol: string) => string;
  endpoint: (spn: string, protocol: string, endpoint: string) => string;
}

export function instanceTag(instance: string): string {
  return hash(instance, 4);
}

export function chainNames(instance: string): ChainNames {
  const tag = instanceTag(instance);
  const prefix = `${CHAIN_PREFIX}${tag}-`;
  return {
    tag,
    prefix,
    services: `${prefix}SERVICES`,
    nodePorts: `${prefix}NODEPORTS`,
    postrouting: `${prefix}POSTROUTING`,
    markMasq: `${prefix}MARK-MASQ`,
    forward: `${prefix}FORWARD`,
    firewall: `${prefix}FIREWALL`,
    service: (spn, protocol) => `${prefix}SVC-${hash(spn + protocol.toLowerCase(), 11)}`,
    external: (spn, protocol) => `${prefix}EXT-${hash(spn + protocol.toLowerCase(), 11)}`,
    endpoint: (spn, protocol, ep) => `${prefix}SEP-${hash(spn + protocol.toLowerCase() + ep, 11)}`,
  };
}
