// The endpoints controller (kube-controller-manager's pkg/controller/endpoint, Kubernetes 1.32):
// every Service with a selector gets an Endpoints object of the same name listing the matching
// pods (api/endpoints.ts computeEndpointSubsets). Services without a selector are left to whoever
// writes their Endpoints; ExternalName Services get none. The Endpoints go when the Service goes,
// and at start Endpoints whose Service is gone are removed (checkLeftoverEndpoints). A sync that
// would not change the subsets or labels writes nothing.
import { randomUUID } from 'node:crypto';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import {
  ANNOTATION_LEADER,
  ANNOTATION_TRIGGER_TIME,
  canonicalJSON,
  computeEndpointSubsets,
  endpointsLabels,
  sameSubsets,
  selectsPod,
  serviceSelector,
} from '../../api/endpoints.ts';
import { NotFoundError, type Store } from '../../store/store.ts';
import type { Clock } from '../../util/clock.ts';
import { rfc3339 } from '../meta.ts';
import {
  nsName,
  ObjectCache,
  podEndpointFingerprint,
  SyncRunner,
  type ControllerOptions,
} from './service-watch.ts';
import { rfc3339Nano, TriggerTimeTracker } from './trigger-time-tracker.ts';

export class EndpointsController {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly uid: () => string;
  private readonly runner: SyncRunner;
  private readonly triggers = new TriggerTimeTracker();
  private readonly pods = new ObjectCache<Pod>();
  private readonly services = new ObjectCache<Service>();

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
    this.runner.watch<Service>(this.store, 'services', rv, (e) => {
      this.services.apply(e);
      const { namespace, name } = nsName(e.object);
      this.runner.run(namespace, name);
    });
    this.runner.watch<Pod>(this.store, 'pods', rv, (e) => {
      this.pods.apply(e);
      this.podChanged(e.object, e.previous, e.type);
    });
    // A deleted Endpoints object of a Service with a selector is written again.
    this.runner.watch<Endpoints>(this.store, 'endpoints', rv, (e) => {
      if (e.type !== 'DELETED') return;
      const { namespace, name } = nsName(e.object);
      const svc = this.services.get(namespace, name);
      if (svc && serviceSelector(svc)) this.runner.run(namespace, name);
    });
    this.removeLeftovers(services);
    for (const svc of services) {
      const { namespace, name } = nsName(svc);
      this.runner.run(namespace, name);
    }
  }

  stop(): void {
    this.runner.stop();
  }

  /** A pod change syncs the Services that select it now or selected it before. */
  private podChanged(pod: Pod, previous: Pod | undefined, type: string): void {
    if (type === 'MODIFIED' && previous && podEndpointFingerprint(pod) === podEndpointFingerprint(previous))
      return;
    const namespace = pod.metadata?.namespace ?? 'default';
    for (const svc of this.services.list(namespace)) {
      if (selectsPod(svc, pod) || (previous && selectsPod(svc, previous))) {
        this.runner.run(namespace, svc.metadata?.name ?? '');
      }
    }
  }

  /** checkLeftoverEndpoints: Endpoints without a Service (leader-election locks aside) are removed. */
  private removeLeftovers(services: readonly Service[]): void {
    const known = new Set(services.map((s) => `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`));
    for (const ep of this.store.list<Endpoints>('endpoints').items) {
      const { namespace, name } = nsName(ep);
      if (known.has(`${namespace}/${name}`) || ep.metadata?.annotations?.[ANNOTATION_LEADER] !== undefined)
        continue;
      this.runner.run(namespace, name);
    }
  }

  private syncService(namespace: string, name: string): void {
    const key = { resource: 'endpoints', namespace, name };
    const svc = this.services.get(namespace, name);
    if (!svc) {
      this.triggers.forget(namespace, name);
      try {
        this.store.delete(key);
      } catch (e) {
        if (!(e instanceof NotFoundError)) throw e;
      }
      return;
    }
    if (svc.spec?.type === 'ExternalName' || !serviceSelector(svc)) return;

    const pods = this.pods.list(namespace).filter((p) => selectsPod(svc, p));
    const subsets = computeEndpointSubsets(svc, pods);
    const triggerTime = this.triggers.compute(svc, pods);
    const labels = endpointsLabels(svc);
    const current = this.store.get<Endpoints>(key);
    if (
      current &&
      sameSubsets(current.subsets, subsets) &&
      canonicalJSON(current.metadata?.labels ?? {}) === canonicalJSON(labels)
    ) {
      return;
    }
    const annotations: Record<string, string> = { ...(current?.metadata?.annotations ?? {}) };
    if (triggerTime !== undefined) annotations[ANNOTATION_TRIGGER_TIME] = rfc3339Nano(triggerTime);
    else delete annotations[ANNOTATION_TRIGGER_TIME];
    const metadata = {
      ...(current?.metadata ?? {
        name,
        namespace,
        uid: this.uid(),
        creationTimestamp: rfc3339(this.clock.now()),
      }),
      labels,
      annotations,
    };
    // Empty maps and lists are not served (omitempty), so they are not stored either.
    if (Object.keys(labels).length === 0) delete (metadata as { labels?: unknown }).labels;
    if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
    const next: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata,
      ...(subsets.length ? { subsets } : {}),
    };
    if (current) this.store.update(key, next);
    else this.store.create(key, next);
  }
}
