// The EndpointSlice row of `kubectl get endpointslices` (printers.go printEndpointSlice, 1.32):
// NAME, ADDRESSTYPE, PORTS, ENDPOINTS, AGE — lists of three at most, then `+ N more...`, and
// `<unset>` for an empty one.

import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ageSince } from './time-format.ts';

const MAX_SHOWN = 3;

function listWithMore(list: string[], more: boolean, count: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - MAX_SHOWN} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** formatDiscoveryPorts: the port number, else its name, else `*`. */
export function formatSlicePorts(slice: EndpointSlice): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const port of slice.ports ?? []) {
    if (list.length < MAX_SHOWN) {
      list.push(port.port !== undefined ? String(port.port) : (port.name ?? '*'));
    } else if (list.length === MAX_SHOWN) more = true;
    count++;
  }
  return listWithMore(list, more, count);
}

/** formatDiscoveryEndpoints: every address of every endpoint, ready or not. */
export function formatSliceEndpoints(slice: EndpointSlice): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ep of slice.endpoints ?? []) {
    for (const address of ep.addresses ?? []) {
      if (list.length < MAX_SHOWN) list.push(address);
      else if (list.length === MAX_SHOWN) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count);
}

export function endpointSliceTableRow(slice: EndpointSlice, now: number): string[] {
  return [
    slice.metadata?.name ?? '',
    slice.addressType ?? '',
    formatSlicePorts(slice),
    formatSliceEndpoints(slice),
    ageSince(now, slice.metadata?.creationTimestamp),
  ];
}
