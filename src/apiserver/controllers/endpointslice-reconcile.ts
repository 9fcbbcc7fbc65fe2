// The EndpointSlice reconciler shared by the EndpointSlice controller and the mirroring controller
// (staging/src/k8s.io/endpointslice/reconciler.go, pkg/controller/endpointslicemirroring/reconciler.go):
// given the endpoint groups wanted and the slices that exist, the fewest writes that make them
// agree. An endpoint stays in the slice it is in; new endpoints fill slices with room, then new
// slices; a slice left empty is deleted, or reused for a slice that would otherwise be created.
// A slice whose content, labels and owner are already right is not written at all.
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { Endpoint, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  ANNOTATION_TRIGGER_TIME,
  canonicalJSON,
  endpointKey,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  MAX_ENDPOINTS_PER_SLICE,
  portsKey,
  type AddressType,
  type EndpointGroup,
} from '../../api/endpoints.ts';
import { AlreadyExistsError, NotFoundError, type Store } from '../../store/store.ts';
import { generateName, rfc3339 } from '../meta.ts';
import { rfc3339Nano } from './trigger-time-tracker.ts';

export interface SliceOwner {
  namespace: string;
  /** metadata.generateName of new slices. */
  generateName: string;
  labels: Record<string, string>;
  /** Annotations every slice carries (the mirroring controller copies the Endpoints'). */
  annotations: Record<string, string>;
  ownerReference: OwnerReference;
  /** Epoch ms for the last-change-trigger-time annotation of the slices written; undefined: none. */
  triggerTime: number | undefined;
  /** When no group is wanted, keep one empty slice of this address type (the controller's placeholder). */
  placeholder?: AddressType;
  maxEndpointsPerSlice?: number;
}

export interface SliceOps {
  create: EndpointSlice[];
  update: EndpointSlice[];
  remove: EndpointSlice[];
}

interface Plan {
  slice: EndpointSlice | undefined;
  group: EndpointGroup;
  endpoints: Endpoint[];
}

function sliceKey(s: EndpointSlice): string {
  return portsKey(s.addressType, s.ports);
}

function byName(a: EndpointSlice, b: EndpointSlice): number {
  const x = a.metadata?.name ?? '';
  const y = b.metadata?.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** What to create, update and delete so that `existing` holds `groups` (pure). */
export function planSlices(
  owner: SliceOwner,
  groups: readonly EndpointGroup[],
  existing: readonly EndpointSlice[],
): SliceOps {
  const max = owner.maxEndpointsPerSlice ?? MAX_ENDPOINTS_PER_SLICE;
  const wanted: EndpointGroup[] =
    groups.length === 0 && owner.placeholder
      ? [{ addressType: owner.placeholder, ports: [], endpoints: [] }]
      : [...groups];
  const byKey = new Map<string, EndpointSlice[]>();
  for (const s of [...existing].sort(byName)) {
    const k = sliceKey(s);
    const list = byKey.get(k) ?? [];
    list.push(s);
    byKey.set(k, list);
  }
  const plans: Plan[] = [];
  const toDelete: EndpointSlice[] = [];
  for (const group of wanted) {
    const k = portsKey(group.addressType, group.ports);
    const slices = byKey.get(k) ?? [];
    byKey.delete(k);
    const desired = new Map(group.endpoints.map((e) => [endpointKey(e), e]));
    const mine: Plan[] = [];
    for (const slice of slices) {
      const kept: Endpoint[] = [];
      for (const e of slice.endpoints ?? []) {
        const id = endpointKey(e);
        const next = desired.get(id);
        if (next && kept.length < max) {
          kept.push(next);
          desired.delete(id);
        }
      }
      mine.push({ slice, group, endpoints: kept });
    }
    // New endpoints fill the slices with room, fullest first, then new slices.
    const left = [...desired.values()];
    const withRoom = mine
      .filter((p) => p.endpoints.length > 0)
      .sort((a, b) => b.endpoints.length - a.endpoints.length);
    for (const p of withRoom)
      while (left.length && p.endpoints.length < max) p.endpoints.push(left.shift() as Endpoint);
    for (const p of mine) {
      if (p.endpoints.length === 0 && left.length) p.endpoints.push(...left.splice(0, max));
    }
    while (left.length) mine.push({ slice: undefined, group, endpoints: left.splice(0, max) });
    // An empty group (the placeholder) keeps exactly one slice.
    if (group.endpoints.length === 0 && !mine.some((p) => p.slice === undefined)) {
      const first = mine[0];
      if (first) first.endpoints = [];
      else mine.push({ slice: undefined, group, endpoints: [] });
    }
    for (const [i, p] of mine.entries()) {
      if (p.endpoints.length === 0 && !(group.endpoints.length === 0 && i === 0)) {
        if (p.slice) toDelete.push(p.slice);
      } else plans.push(p);
    }
  }
  for (const rest of byKey.values()) toDelete.push(...rest);

  const ops: SliceOps = { create: [], update: [], remove: [] };
  const creates: Plan[] = [];
  for (const p of plans) {
    if (!p.slice) {
      creates.push(p);
      continue;
    }
    const next = render(owner, p, p.slice);
    if (!sameSlice(next, p.slice)) ops.update.push(next);
  }
  // A slice about to be deleted is reused for one about to be created (same address type).
  for (const p of creates) {
    const i = toDelete.findIndex((s) => s.addressType === p.group.addressType);
    if (i >= 0) {
      const [reuse] = toDelete.splice(i, 1) as [EndpointSlice];
      ops.update.push(render(owner, p, reuse));
    } else ops.create.push(render(owner, p, undefined));
  }
  ops.remove.push(...toDelete);
  return ops;
}

function render(owner: SliceOwner, p: Plan, base: EndpointSlice | undefined): EndpointSlice {
  const annotations: Record<string, string> = { ...owner.annotations };
  const old = base?.metadata?.annotations?.[ANNOTATION_TRIGGER_TIME];
  if (owner.triggerTime !== undefined) annotations[ANNOTATION_TRIGGER_TIME] = rfc3339Nano(owner.triggerTime);
  else if (old !== undefined) annotations[ANNOTATION_TRIGGER_TIME] = old;
  const metadata = {
    ...(base?.metadata ?? { generateName: owner.generateName, namespace: owner.namespace }),
    labels: { ...owner.labels },
    ownerReferences: [owner.ownerReference],
  };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata,
    addressType: p.group.addressType,
    endpoints: p.endpoints,
    ports: p.group.ports,
  };
}

/** The reconciler's "needs an update": endpoints, ports, labels or owner differ (not the trigger time). */
function sameSlice(a: EndpointSlice, b: EndpointSlice): boolean {
  const view = (s: EndpointSlice): string => {
    const ann = { ...(s.metadata?.annotations ?? {}) };
    delete ann[ANNOTATION_TRIGGER_TIME];
    return canonicalJSON({
      addressType: s.addressType,
      endpoints: s.endpoints ?? [],
      ports: s.ports ?? [],
      labels: s.metadata?.labels ?? {},
      annotations: ann,
      owners: s.metadata?.ownerReferences ?? [],
    });
  };
  return view(a) === view(b);
}

/** What a write of the plan left in the store: the slices as stored, and those removed (with their last resourceVersion). */
export interface SliceWrites {
  stored: EndpointSlice[];
  removed: EndpointSlice[];
}

/** Writes the plan to the store, as the API server would store the controller's requests. */
export function applySliceOps(store: Store, ops: SliceOps, now: number, uid: () => string): SliceWrites {
  const out: SliceWrites = { stored: [], removed: [] };
  const keyOf = (s: EndpointSlice, name = s.metadata?.name ?? '') => ({
    resource: 'endpointslices',
    namespace: s.metadata?.namespace ?? '',
    name,
  });
  for (const s of ops.remove) {
    try {
      out.removed.push(store.delete<EndpointSlice>(keyOf(s)));
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      out.removed.push(s);
    }
  }
  for (const s of ops.update) {
    // The EndpointSlice strategy bumps metadata.generation whenever the content changes.
    const generation = (s.metadata?.generation ?? 0) + 1;
    out.stored.push(store.update(keyOf(s), { ...s, metadata: { ...s.metadata, generation } }));
  }
  for (const s of ops.create) {
    for (let attempt = 0; ; attempt++) {
      const name = generateName(s.metadata?.generateName ?? '');
      const metadata = { ...s.metadata, name, uid: uid(), creationTimestamp: rfc3339(now), generation: 1 };
      try {
        out.stored.push(store.create(keyOf(s, name), { ...s, metadata }));
        break;
      } catch (e) {
        if (!(e instanceof AlreadyExistsError) || attempt >= 5) throw e;
      }
    }
  }
  return out;
}

/**
 * The slices one controller manages, kept from its own writes (at once) and from the watch (the
 * changes of others): a sync sees the slices it just wrote even while their events are still
 * queued, without copying every slice out of the store. An event older than what is known is
 * ignored.
 */
export class SliceCache {
  private readonly slices = new Map<string, EndpointSlice>();
  private readonly managedBy: string;

  constructor(managedBy: string) {
    this.managedBy = managedBy;
  }

  seed(store: Store): void {
    for (const s of store.list<EndpointSlice>('endpointslices').items) this.put(s);
  }

  /** Applies a watch event; false when it was stale or not one of ours. */
  apply(type: string, s: EndpointSlice): boolean {
    const k = this.key(s);
    const known = this.slices.get(k);
    if (known && rvOf(known) > rvOf(s)) return false;
    if (type === 'DELETED') this.slices.delete(k);
    else if (s.metadata?.labels?.[LABEL_MANAGED_BY] === this.managedBy) this.slices.set(k, s);
    else this.slices.delete(k);
    return true;
  }

  wrote(w: SliceWrites): void {
    for (const s of w.stored) this.put(s);
    for (const s of w.removed) this.slices.delete(this.key(s));
  }

  /** The slices of one Service. */
  of(namespace: string, service: string): EndpointSlice[] {
    const out: EndpointSlice[] = [];
    for (const s of this.slices.values()) {
      if ((s.metadata?.namespace ?? '') === namespace && s.metadata?.labels?.[LABEL_SERVICE_NAME] === service)
        out.push(s);
    }
    return out;
  }

  /** namespace/service of every Service with slices. */
  services(): string[] {
    const out = new Set<string>();
    for (const s of this.slices.values()) {
      out.add(`${s.metadata?.namespace ?? ''}/${s.metadata?.labels?.[LABEL_SERVICE_NAME] ?? ''}`);
    }
    return [...out];
  }

  private put(s: EndpointSlice): void {
    if (s.metadata?.labels?.[LABEL_MANAGED_BY] === this.managedBy) this.slices.set(this.key(s), s);
  }

  private key(s: EndpointSlice): string {
    return `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
  }
}

function rvOf(s: EndpointSlice): number {
  return Number(s.metadata?.resourceVersion ?? 0) || 0;
}
