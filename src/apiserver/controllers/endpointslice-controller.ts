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
import { applySliceOps, planSlices, SliceCache, type SliceOps } from './endpointslice-reconcile.ts';
import {
  nsName,
  ObjectCache,
  podEndpointFingerprint,
  SyncRunner,
  type ControllerOptions,
} from './service-watch.ts';
import { TriggerTimeTracker } from './trigger-time-tracker.ts';

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
  private readonly pods = new ObjectCache<Pod>();
  private readonly services = new ObjectCache<Service>();
  private readonly slices = new SliceCache(ENDPOINTSLICE_CONTROLLER);
  /** resourceVersions of our own slice writes, not to be reacted to when they come back. */
  private readonly own = new Set<string>();

  constructor(opts: ControllerOptions) {
    this.store = opts.store;
    this.clock = opts.clock;
    this.uid = opts.uid ?? randomUUID;
    this.runner = new SyncRunner(opts.clock, (ns, name) => this.syncService(ns, name), opts.onError);
  }

  start(): void {
    const rv = this.store.currentResourceVersion();
    const services = this.store.list<Service>('services').items;
    this.services.seed(services);
    this.pods.seed(this.store.list<Pod>('pods').items);
    this.slices.seed(this.store);
    this.runner.watch<Service>(this.store, 'services', rv, (e) => {
      this.services.apply(e);
      const { namespace, name } = nsName(e.object);
      this.runner.run(namespace, name);
    });
    this.runner.watch<Pod>(this.store, 'pods', rv, (e) => {
      this.pods.apply(e);
      const pod = e.object;
      const prev = e.previous;
      if (e.type === 'MODIFIED' && prev && podEndpointFingerprint(pod) === podEndpointFingerprint(prev))
        return;
      const namespace = pod.metadata?.namespace ?? 'default';
      for (const svc of this.services.list(namespace)) {
        if (selectsPod(svc, pod) || (prev && selectsPod(svc, prev)))
          this.runner.run(namespace, svc.metadata?.name ?? '');
      }
    });
    // Someone else changed or deleted one of our slices: put it right.
    this.runner.watch<EndpointSlice>(this.store, 'endpointslices', rv, (e) => {
      const labels = e.object.metadata?.labels ?? {};
      if (
        labels[LABEL_MANAGED_BY] !== ENDPOINTSLICE_CONTROLLER &&
        e.previous?.metadata?.labels?.[LABEL_MANAGED_BY] !== ENDPOINTSLICE_CONTROLLER
      )
        return;
      if (!this.slices.apply(e.type, e.object)) return;
      if (this.own.delete(e.object.metadata?.resourceVersion ?? '')) return;
      const service = labels[LABEL_SERVICE_NAME] ?? e.previous?.metadata?.labels?.[LABEL_SERVICE_NAME];
      if (service) this.runner.run(e.object.metadata?.namespace ?? '', service);
    });
    const names = new Set(services.map((s) => `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`));
    for (const svc of services) {
      const { namespace, name } = nsName(svc);
      this.runner.run(namespace, name);
    }
    // Slices of Services deleted while nodelet was down.
    for (const k of this.slices.services()) {
      const [namespace = '', service = ''] = k.split('/');
      if (!names.has(k)) this.runner.run(namespace, service);
    }
  }

  stop(): void {
    this.runner.stop();
  }

  private syncService(namespace: string, name: string): void {
    const existing = this.slices.of(namespace, name);
    const svc = this.services.get(namespace, name);
    const now = this.clock.now();
    if (!svc || svc.spec?.type === 'ExternalName' || !serviceSelector(svc)) {
      if (!svc) this.triggers.forget(namespace, name);
      this.write({ create: [], update: [], remove: existing }, now);
      return;
    }
    const pods = this.pods.list(namespace).filter((p) => selectsPod(svc, p));
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
    this.write(ops, now);
  }

  private write(ops: SliceOps, now: number): void {
    const w = applySliceOps(this.store, ops, now, this.uid);
    this.slices.wrote(w);
    for (const s of [...w.stored, ...w.removed]) this.own.add(s.metadata?.resourceVersion ?? '');
  }
}
