// The EndpointSlice controller (pkg/controller/endpointslice + staging/src/k8s.io/endpointslice,
// Kubernetes 1.32): every Service with a selector gets discovery.k8s.io/v1 EndpointSlices
// (generateName `<service>-`, labelled `kubernetes.io/service-name` and managed-by
// endpointslice-controller.k8s.io, owned by the Service) holding its pods with ready, serving and
// terminating conditions; a Service with no such pod keeps one empty placeholder slice. Slices
// are written only when their content changes. nodelet has no garbage collector, so the slices
// the Service owns are deleted here when it goes, as the ownerReference would have them deleted.
import { randomUUID } from 'node:crypto';
import type { Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import {
  computeSliceGroups,
  ENDPOINTSLICE_CONTROLLER,
  LABEL_HEADLESS,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  isServiceIPSet,
  selectsPod,
  serviceAddressType,
  serviceSelector,
  sliceGenerateName,
} from '../../api/endpoints.ts';
import type { Store } from '../../store/store.ts';
import type { Clock } from '../../util/clock.ts';
import { applySliceOps, planSlices } from './endpointslice-reconcile.ts';
import { nsName, podEndpointFingerprint, SyncRunner, type ControllerOptions } from './service-watch.ts';
import { TriggerTimeTracker } from './trigger-time-tracker.ts';

/** The slices a controller manages for one Service, found by their labels. */
export function slicesFor(
  store: Store,
  namespace: string,
  service: string,
  managedBy: string,
): EndpointSlice[] {
  return store
    .list<EndpointSlice>('endpointslices', { namespace })
    .items.filter(
      (s) =>
        s.metadata?.labels?.[LABEL_SERVICE_NAME] === service &&
        s.metadata.labels[LABEL_MANAGED_BY] === managedBy,
    );
}

/** setEndpointSliceLabels: the Service's labels, then service-name, managed-by and headless. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) {
    if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY && k !== LABEL_HEADLESS) labels[k] = v;
  }
  labels[LABEL_SERVICE_NAME] = svc.metadata?.name ?? '';
  labels[LABEL_MANAGED_BY] = ENDPOINTSLICE_CONTROLLER;
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
  return labels;
}

export class EndpointSliceController {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly uid: () => string;
  private readonly runner: SyncRunner;
  private readonly triggers = new TriggerTimeTracker();

  constructor(opts: ControllerOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.uid = opts.uid ?? randomUUID;
    this.runner = new SyncRunner(opts.clock, (ns, name) => this.syncService(ns, name), opts.onError);
  }

  start(): void {
    const rv = this.store.currentResourceVersion();
    const services = this.store.list<Service>('services').items;
    this.runner.watch<Service>(this.store, 'services', rv, (e) => {
      const { namespace, name } = nsName(e.object);
      this.runner.run(namespace, name);
    });
    this.runner.watch<Pod>(this.store, 'pods', rv, (e) => {
      const pod = e.object;
      const prev = e.previous;
      if (e.type === 'MODIFIED' && prev && podEndpointFingerprint(pod) === podEndpointFingerprint(prev))
        return;
      const namespace = pod.metadata?.namespace ?? 'default';
      for (const svc of this.store.list<Service>('services', { namespace }).items) {
        if (selectsPod(svc, pod) || (prev && selectsPod(svc, prev)))
          this.runner.run(namespace, svc.metadata?.name ?? '');
      }
    });
    // Someone else changed or deleted one of our slices: put it right (our own writes come back
    // here too, and find nothing to do).
    this.runner.watch<EndpointSlice>(this.store, 'endpointslices', rv, (e) => {
      const labels = e.object.metadata?.labels ?? {};
      if (labels[LABEL_MANAGED_BY] !== ENDPOINTSLICE_CONTROLLER) return;
      const service = labels[LABEL_SERVICE_NAME];
      if (service) this.runner.run(e.object.metadata?.namespace ?? '', service);
    });
    const names = new Set(services.map((s) => `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`));
    for (const svc of services) {
      const { namespace, name } = nsName(svc);
      this.runner.run(namespace, name);
    }
    // Slices of Services deleted while nodelet was down.
    for (const s of this.store.list<EndpointSlice>('endpointslices').items) {
      const labels = s.metadata?.labels ?? {};
      const service = labels[LABEL_SERVICE_NAME];
      const namespace = s.metadata?.namespace ?? '';
      if (
        labels[LABEL_MANAGED_BY] === ENDPOINTSLICE_CONTROLLER &&
        service &&
        !names.has(`${namespace}/${service}`)
      ) {
        this.runner.run(namespace, service);
      }
    }
  }

  stop(): void {
    this.runner.stop();
  }

  private syncService(namespace: string, name: string): void {
    const existing = slicesFor(this.store, namespace, name, ENDPOINTSLICE_CONTROLLER);
    const svc = this.store.get<Service>({ resource: 'services', namespace, name });
    const now = this.clock.now();
    if (!svc || svc.spec?.type === 'ExternalName' || !serviceSelector(svc)) {
      if (!svc) this.triggers.forget(namespace, name);
      applySliceOps(this.store, { create: [], update: [], remove: existing }, now, this.uid);
      return;
    }
    const pods = this.store.list<Pod>('pods', { namespace }).items.filter((p) => selectsPod(svc, p));
    const groups = computeSliceGroups(svc, pods);
    const ops = planSlices(
      {
        namespace,
        generateName: sliceGenerateName(name),
        labels: sliceLabels(svc),
        annotations: {},
        ownerReference: {
          apiVersion: 'v1',
          kind: 'Service',
          name,
          uid: svc.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
        triggerTime: this.triggers.compute(svc, pods),
        placeholder: serviceAddressType(svc),
      },
      groups,
      existing,
    );
    applySliceOps(this.store, ops, now, this.uid);
  }
}
