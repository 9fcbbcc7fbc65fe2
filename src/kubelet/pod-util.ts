// Small helpers over Pod objects shared by the kubelet's parts.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';

/** The kubelet's standard pod rendering in messages: `<name>_<namespace>(<uid>)`. */
export function podFmt(pod: Pod): string {
  const md = pod.metadata ?? {};
  return `${md.name ?? ''}_${md.namespace ?? 'default'}(${md.uid ?? ''})`;
}

export function podUid(pod: Pod): string {
  return pod.metadata?.uid ?? '';
}

export type ContainerKind = 'init' | 'sidecar' | 'regular';

export interface SpecContainer {
  container: Container;
  kind: ContainerKind;
  /** Index in its spec list (initContainers or containers). */
  index: number;
}

/** An init container with `restartPolicy: Always` is a sidecar (restartable init container). */
export function isSidecar(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

export function initContainers(pod: Pod): SpecContainer[] {
  return (pod.spec?.initContainers ?? []).map((container, index) => ({
    container,
    kind: isSidecar(container) ? ('sidecar' as const) : ('init' as const),
    index,
  }));
}

export function regularContainers(pod: Pod): SpecContainer[] {
  return (pod.spec?.containers ?? []).map((container, index) => ({ container, kind: 'regular' as const, index }));
}

export function allContainers(pod: Pod): SpecContainer[] {
  return [...initContainers(pod), ...regularContainers(pod)];
}

export function findContainer(pod: Pod, name: string): SpecContainer | undefined {
  return allContainers(pod).find((c) => c.container.name === name);
}

export function restartPolicy(pod: Pod): 'Always' | 'OnFailure' | 'Never' {
  const p = pod.spec?.restartPolicy;
  return p === 'Never' || p === 'OnFailure' ? p : 'Always';
}

/** RFC 3339 with whole seconds, as the kubelet normalises every status timestamp. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A stable hash of a container's spec: a spec change starts a fresh back-off and restarts it. */
export function containerHash(c: Container): string {
  const text = canonicalJson(c);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
