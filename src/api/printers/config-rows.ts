// The rows of `kubectl get configmaps`, `secrets` and `runtimeclasses` (printers.go
// printConfigMap, printSecret, printRuntimeClass, 1.32). DATA is an integer cell: the number of
// keys (data and binaryData together for a ConfigMap).

import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { TableCell } from './table.ts';
import { ageSince } from './time-format.ts';

const keys = (m: Readonly<Record<string, unknown>> | undefined): number => Object.keys(m ?? {}).length;

export function configMapTableRow(cm: ConfigMap, now: number): TableCell[] {
  return [
    cm.metadata?.name ?? '',
    keys(cm.data) + keys(cm.binaryData),
    ageSince(now, cm.metadata?.creationTimestamp),
  ];
}

export function secretTableRow(secret: Secret, now: number): TableCell[] {
  return [
    secret.metadata?.name ?? '',
    secret.type ?? '',
    keys(secret.data),
    ageSince(now, secret.metadata?.creationTimestamp),
  ];
}

export function runtimeClassTableRow(rc: RuntimeClass, now: number): TableCell[] {
  return [rc.metadata?.name ?? '', rc.handler, ageSince(now, rc.metadata?.creationTimestamp)];
}
