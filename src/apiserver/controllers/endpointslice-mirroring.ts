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
import { slicesFor } from './endpointslice-controller.ts';
import { applySliceOps, planSlices } from './endpointslice-reconcile.ts';
import { nsName, SyncRunner, type ControllerOptions } from './service-watch.ts';

function shouldMirror(ep: Endpoints): boolean {
  if (ep.metadata?.labels?.[LABEL_SKIP_MIRROR] === 'true') return false;
  return ep.metadata?.annotations?.[ANNOTATION_LEADER] === undefined;
}

export class EndpointSliceMirroringController {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly uid: () => string;
  private readonly runner: SyncRunner;

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
    this.runner.watch<Service>(this.store, 'services', rv, byKey);
    this.runner.watch<Endpoints>(this.store, 'endpoints', rv, byKey);
    this.runner.watch<EndpointSlice>(this.store, 'endpointslices', rv, (e) => {
      const labels = e.object.metadata?.labels ?? {};
      const service = labels[LABEL_SERVICE_NAME];
      if (labels[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER && service) {
        this.runner.run(e.object.metadata?.namespace ?? '', service);
      }
    });
    const keys = new Set<string>();
    for (const ep of this.store.list<Endpoints>('endpoints').items)
      keys.add(`${ep.metadata?.namespace ?? ''}/${ep.metadata?.name ?? ''}`);
    for (const s of this.store.list<EndpointSlice>('endpointslices').items) {
      const labels = s.metadata?.labels ?? {};
      const service = labels[LABEL_SERVICE_NAME];
      if (labels[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER && service)
        keys.add(`${s.metadata?.namespace ?? ''}/${service}`);
    }
    for (const k of keys) {
      const [namespace = '', name = ''] = k.split('/');
      this.runner.run(namespace, name);
    }
  }

  stop(): void {
    this.runner.stop();
  }

  private sync(namespace: string, name: string): void {
    const existing = slicesFor(this.store, namespace, name, MIRRORING_CONTROLLER);
    const svc = this.store.get<Service>({ resource: 'services', namespace, name });
    const ep = this.store.get<Endpoints>({ resource: 'endpoints', namespace, name });
    const now = this.clock.now();
    if (!svc || serviceSelector(svc) || !ep || !shouldMirror(ep)) {
      if (existing.length)
        applySliceOps(this.store, { create: [], update: [], remove: existing }, now, this.uid);
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
    applySliceOps(this.store, ops, now, this.uid);
  }
}
