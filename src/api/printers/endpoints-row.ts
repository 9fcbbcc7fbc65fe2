// The Endpoints row of `kubectl get endpoints` (printers.go printEndpoints / formatEndpoints,
// 1.32): NAME, ENDPOINTS (`ip:port` pairs, three at most, then `+ N more...`), AGE.

import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { ageSince } from './time-format.ts';

const MAX_SHOWN = 3;

/** net.JoinHostPort: IPv6 addresses in brackets. */
function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * formatEndpoints with every port: `<none>` without subsets; ready addresses only; a subset
 * without ports (a headless Service with no ports) lists bare IPs.
 */
export function formatEndpoints(endpoints: Endpoints): string {
  const subsets = endpoints.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_SHOWN) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX_SHOWN) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, port.port));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - MAX_SHOWN} more...` : ret;
}

export function endpointsTableRow(endpoints: Endpoints, now: number): string[] {
  return [
    endpoints.metadata?.name ?? '',
    formatEndpoints(endpoints),
    ageSince(now, endpoints.metadata?.creationTimestamp),
  ];
}
