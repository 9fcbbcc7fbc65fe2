// The namespace row of `kubectl get namespaces` (printers.go printNamespace): NAME, STATUS, AGE.

import type { Namespace } from 'kubernetes-types/core/v1.js';
import { ageSince } from './time-format.ts';

export function namespaceTableRow(namespace: Namespace, now: number): string[] {
  return [
    namespace.metadata?.name ?? '',
    namespace.status?.phase ?? '',
    ageSince(now, namespace.metadata?.creationTimestamp),
  ];
}
