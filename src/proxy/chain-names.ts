// Chain names, as kube-proxy's iptables mode makes them: a fixed prefix and the first 16
// characters of the base32 of a SHA-256 over what the chain stands for (service port name and
// protocol, plus the endpoint for a SEP chain). The names stay stable across restarts, so a
// restarted proxy rewrites the same chains instead of leaving copies, and they fit iptables'
// 28-character limit ("NODELET-SVC-" + 16).
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

function hash16(text: string): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, 16);
}

/** `ns/name:port` as kube-proxy names a service port (`ns/name` when the port has no name). */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return portName ? `${namespace}/${name}:${portName}` : `${namespace}/${name}`;
}

export const CHAIN_PREFIX = 'NODELET-';

export function serviceChain(spn: string, protocol: string): string {
  return `${CHAIN_PREFIX}SVC-${hash16(spn + protocol.toLowerCase())}`;
}

export function externalChain(spn: string, protocol: string): string {
  return `${CHAIN_PREFIX}EXT-${hash16(spn + protocol.toLowerCase())}`;
}

export function endpointChain(spn: string, protocol: string, endpoint: string): string {
  return `${CHAIN_PREFIX}SEP-${hash16(spn + protocol.toLowerCase() + endpoint)}`;
}
