// What a fresh cluster has before anyone writes to it: the system namespaces (created by the API
// server's system namespaces controller in a real cluster).
import { randomUUID } from 'node:crypto';
import type { Namespace } from 'kubernetes-types/core/v1.js';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';
import { rfc3339 } from './meta.ts';

export const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

export function namespaceObject(name: string, now: number, uid: string): Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, uid, creationTimestamp: rfc3339(now), labels: { 'kubernetes.io/metadata.name': name } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function ensureSystemNamespaces(store: Store, clock: Clock, uid: () => string = randomUUID): void {
  for (const name of SYSTEM_NAMESPACES) {
    const key = { resource: 'namespaces', namespace: '', name };
    if (!store.get(key)) store.create(key, namespaceObject(name, clock.now(), uid()));
  }
}
