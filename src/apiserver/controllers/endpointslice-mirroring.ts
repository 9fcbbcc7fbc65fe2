// The EndpointSlice mirroring controller (pkg/controller/endpointslicemirroring, Kubernetes 1.32):
// a Service without a selector whose Endpoints someone writes by hand (nodelet's DNS component
// writes kube-system/kube-dns this way) gets EndpointSlices mirroring them, managed by
// endpointslicemirroring-controller.k8s.io and owned by the Endpoints. Endpoints labelled
// `endpointslice.kubernetes.io/skip-mirror: "true"` or holding a leader-election lock are not
// mirrored; when the Service gains a selector, or it or the Endpoints go, the mirrored slices go.
import { randomUUID } from 'node:crypto';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  ANNOTATION_LEADER,
  ANNOTATION_TRIGGER_TIME,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_SKIP_MIRROR,
  LAST_APPLIED_ANNOTATION,
  MIRRORING_CONTROLLER,
  mirroredGroups,
  serviceSelector,
  sliceGenerateName,
} from '../../api/endpoints.ts';
import type { Store } from '../../store/store.ts';
import type { Clock } from '../../util/clock.ts';
import { applySliceOps, planSlices, SliceCache, type SliceOps } from './endpointslice-reconcile.ts';
import { nsName, ObjectCache, SyncRunner, type ControllerOptions } from './service-watch.ts';

function isMirrored(s: EndpointSlice): boolean {
  return s.metadata?.labels?.[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER;
}

function shouldMirror(ep: Endpoints): boolean {
  if (ep.metadata?.labels?.[LABEL_SKIP_MIRROR] === 'true') return false;
  return ep.metadata?.annotations?.[ANNOTATION_LEADER] === undefined;
}

export class EndpointSliceMirroringController {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly uid: () => string;
  private readonly runner: SyncRunner;
  private readonly services = new ObjectCache<Service>();
  private readonly slices = new SliceCache(MIRRORING_CONTROLLER);
  /** resourceVersions of our own slice writes, not to be reacted to when they come back. */
  private readonly own = new Set<string>();

  constructor(opts: ControllerOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.uid = opts.uid ?? randomUUID;
    this.runner = new SyncRunner(opts.clock, (ns, name) => this.sync(ns, name), opts.onError);
  }

  start(): void {
    const rv = this.store.currentResourceVersion();
    const byKey = (e: { object: Service | Endpoints }): void => {
      const { namespace, name } = nsName(e.object);
      this.runner.run(namespace, name);
    };
    this.services.seed(this.store.list<Service>('services').items);
    this.slices.seed(this.store);
    this.runner.watch<Service>(this.store, 'services', rv, (e) => {
      this.services.apply(e);
      byKey(e);
    });
    this.runner.watch<Endpoints>(this.store, 'endpoints', rv, byKey);
    this.runner.watch<EndpointSlice>(this.store, 'endpointslices', rv, (e) => {
      if (!isMirrored(e.object) && !(e.previous && isMirrored(e.previous))) return;
      if (!this.slices.apply(e.type, e.object)) return;
      if (this.own.delete(e.object.metadata?.resourceVersion ?? '')) return;
      const service =
        e.object.metadata?.labels?.[LABEL_SERVICE_NAME] ?? e.previous?.metadata?.labels?.[LABEL_SERVICE_NAME];
      if (service) this.runner.run(e.object.metadata?.namespace ?? '', service);
    });
    const keys = new Set<string>(this.slices.services());
    for (const ep of this.store.list<Endpoints>('endpoints').items)
      keys.add(`${ep.metadata?.namespace ?? ''}/${ep.metadata?.name ?? ''}`);
    for (const key of keys) {
      const [namespace = '', name = ''] = key.split('/');
      this.runner.run(namespace, name);
    }
  }

  stop(): void {
    this.runner.stop();
  }

  private sync(namespace: string, name: string): void {
    const svc = this.services.get(namespace, name);
    const now = this.clock.now();
    const wanted = svc !== undefined && !serviceSelector(svc);
    // Most Endpoints writes are the endpoints controller's, for Services with a selector: unless
    // mirrored slices are left from before, there is nothing to do.
    const existing = this.slices.of(namespace, name);
    if (!wanted && existing.length === 0) return;
    const ep = wanted ? this.store.get<Endpoints>({ resource: 'endpoints', namespace, name }) : undefined;
    if (!ep || !shouldMirror(ep)) {
      if (existing.length) this.write({ create: [], update: [], remove: existing }, now);
      return;
    }
    // Labels and annotations are the Endpoints', with service-name and managed-by set, and
    // without the trigger time and kubectl's last-applied configuration.
    const labels: Record<string, string> = { ...(ep.metadata?.labels ?? {}) };
    labels[LABEL_SERVICE_NAME] = name;
    labels[LABEL_MANAGED_BY] = MIRRORING_CONTROLLER;
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(ep.metadata?.annotations ?? {})) {
      if (k !== ANNOTATION_TRIGGER_TIME && k !== LAST_APPLIED_ANNOTATION) annotations[k] = v;
    }
    const ops = planSlices(
      {
        namespace,
        generateName: sliceGenerateName(name),
        labels,
        annotations,
        ownerReference: {
          apiVersion: 'v1',
          kind: 'Endpoints',
          name,
          uid: ep.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
        triggerTime: undefined,
      },
      mirroredGroups(ep),
      existing,
    );
    this.write(ops, now);
  }

  private write(ops: SliceOps, now: number): void {
    const w = applySliceOps(this.store, ops, now, this.uid);
    this.slices.wrote(w);
    for (const s of [...w.stored, ...w.removed]) this.own.add(s.metadata?.resourceVersion ?? '');
  }
}
