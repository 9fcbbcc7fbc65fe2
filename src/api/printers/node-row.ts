// The node row of `kubectl get nodes` (printers.go printNode, 1.32): NAME, STATUS, ROLES, AGE,
// VERSION and, with -o wide, INTERNAL-IP, EXTERNAL-IP, OS-IMAGE, KERNEL-VERSION, CONTAINER-RUNTIME.

import type { Node } from 'kubernetes-types/core/v1.js';
import { ageSince } from './time-format.ts';

const NODE_ROLE_LABEL_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** STATUS: Ready / NotReady from the Ready condition (Unknown without one), plus SchedulingDisabled. */
export function nodeStatus(node: Node): string {
  const status: string[] = [];
  // Only the Ready condition is shown; the last one of that type wins, as with Go's map.
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').at(-1);
  if (ready !== undefined) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

/** ROLES: node-role.kubernetes.io/<role> keys and kubernetes.io/role values, sorted, or "<none>". */
export function nodeRoles(node: Node): string {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(node.metadata?.labels ?? {})) {
    if (key.startsWith(NODE_ROLE_LABEL_PREFIX)) {
      const role = key.slice(NODE_ROLE_LABEL_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (key === NODE_ROLE_LABEL && value !== '') {
      roles.add(value);
    }
  }
  const sorted = [...roles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.length === 0 ? '<none>' : sorted.join(',');
}

function address(node: Node, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

function orUnknown(value: string | undefined): string {
  return value === undefined || value === '' ? '<unknown>' : value;
}

export interface NodeRowOptions {
  wide?: boolean;
}

export function nodeTableRow(node: Node, now: number, options: NodeRowOptions = {}): string[] {
  const info = node.status?.nodeInfo;
  const cells = [
    node.metadata?.name ?? '',
    nodeStatus(node),
    nodeRoles(node),
    ageSince(now, node.metadata?.creationTimestamp),
    info?.kubeletVersion ?? '',
  ];
  if (options.wide === true) {
    cells.push(
      address(node, 'InternalIP'),
      address(node, 'ExternalIP'),
      orUnknown(info?.osImage),
      orUnknown(info?.kernelVersion),
      orUnknown(info?.containerRuntimeVersion),
    );
  }
  return cells;
}
