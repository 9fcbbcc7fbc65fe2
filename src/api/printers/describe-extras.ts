// What nodelet shows beyond kubectl: the latest lifecycle hook runs and probe outcomes that the
// kubelet side records in pod annotations (`lifecycle.nodelet.dev/<container>.<hook>` and
// `probe.nodelet.dev/<container>.<kind>`). The real kubectl shows these under Annotations like any
// other annotation (see describe-pod.ts); this section regroups them per container for nodelet's
// own describe. It is never part of the kubectl-identical output unless asked for.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { LEVEL_0, LEVEL_1, LEVEL_2, PrefixWriter } from './describe-writer.ts';

export const LIFECYCLE_ANNOTATION_PREFIX = 'lifecycle.nodelet.dev/';
export const PROBE_ANNOTATION_PREFIX = 'probe.nodelet.dev/';

const KIND_ORDER = ['postStart', 'preStop', 'startup', 'liveness', 'readiness'];

export interface NodeletRecord {
  container: string;
  /** postStart, preStop, startup, liveness or readiness. */
  kind: string;
  source: 'lifecycle' | 'probe';
  value: string;
}

/** The hook and probe records kept in a pod's annotations, in container then kind order. */
export function nodeletRecords(pod: Pod): NodeletRecord[] {
  const records: NodeletRecord[] = [];
  for (const [key, value] of Object.entries(pod.metadata?.annotations ?? {})) {
    const source = key.startsWith(LIFECYCLE_ANNOTATION_PREFIX)
      ? 'lifecycle'
      : key.startsWith(PROBE_ANNOTATION_PREFIX)
        ? 'probe'
        : undefined;
    if (source === undefined) continue;
    const name = key.slice(
      (source === 'lifecycle' ? LIFECYCLE_ANNOTATION_PREFIX : PROBE_ANNOTATION_PREFIX).length,
    );
    const dot = name.lastIndexOf('.');
    if (dot <= 0) continue;
    records.push({ container: name.slice(0, dot), kind: name.slice(dot + 1), source, value });
  }
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map(
    (c) => c.name,
  );
  // Keys cut at 63 characters name a prefix of the container: match it to the spec by prefix.
  const position = (container: string): number => {
    const exact = containers.indexOf(container);
    if (exact >= 0) return exact;
    const prefixed = containers.findIndex((c) => c.startsWith(container));
    return prefixed >= 0 ? prefixed : containers.length;
  };
  const kindPosition = (kind: string): number => {
    const i = KIND_ORDER.indexOf(kind);
    return i >= 0 ? i : KIND_ORDER.length;
  };
  return records.sort(
    (a, b) =>
      position(a.container) - position(b.container) ||
      (a.container < b.container ? -1 : a.container > b.container ? 1 : 0) ||
      kindPosition(a.kind) - kindPosition(b.kind) ||
      (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0),
  );
}

/** Writes the "Hooks and Probes:" section; nothing when the pod has no records. */
export function writeExtras(w: PrefixWriter, pod: Pod): void {
  const records = nodeletRecords(pod);
  if (records.length === 0) return;
  w.write(LEVEL_0, 'Hooks and Probes:\n');
  let current: string | undefined;
  for (const r of records) {
    if (r.container !== current) {
      w.write(LEVEL_1, `${r.container}:\n`);
      current = r.container;
    }
    const lines = r.value.replace(/\n$/, '').split('\n');
    w.write(LEVEL_2, `${r.kind}:\t${lines[0] ?? ''}\n`);
    for (const line of lines.slice(1)) w.write(LEVEL_2, `\t${line}\n`);
  }
  // Keep what follows (Events) from aligning with these lines.
  w.flush();
}

/** The section on its own (empty when there is nothing to show). */
export function describeExtras(pod: Pod): string {
  const w = new PrefixWriter();
  writeExtras(w, pod);
  return w.finish();
}
