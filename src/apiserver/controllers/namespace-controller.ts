// The namespace controller's finalization: a namespace being deleted has its pods deleted (with
// their grace periods) and every other namespaced object removed (Services, so their ClusterIPs and
// nodePorts are released, Endpoints, EndpointSlices, ConfigMaps, Secrets, Leases, events); once no
// pod is left the namespace goes away.
import type { Namespace } from 'kubernetes-types/core/v1.js';
import { NotFoundError, type Store } from '../../store/store.ts';
import type { Clock } from '../../util/clock.ts';
import { planDelete } from '../deletion.ts';
import type { ApiObject } from '../meta.ts';
import { pods, RESOURCES } from '../resources.ts';

export class NamespaceController {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(store: Store, clock: Clock) {
    this.store = store;
    this.clock = clock;
  }

  start(): void {
    const listed = this.store.list<Namespace>('namespaces');
    this.unsubscribe.push(
      this.store.watch<Namespace>('namespaces', { resourceVersion: listed.resourceVersion }, (e) => {
        if (e.type !== 'DELETED' && e.object.metadata?.deletionTimestamp) this.finalize(e.object);
      }),
      this.store.watch<ApiObject>('pods', { resourceVersion: listed.resourceVersion, shared: true }, (e) => {
        if (e.type !== 'DELETED') return;
        const ns = this.store.get<Namespace>({
          resource: 'namespaces',
          namespace: '',
          name: e.object.metadata?.namespace ?? '',
        });
        if (ns?.metadata?.deletionTimestamp) this.finalize(ns);
      }),
    );
    for (const ns of listed.items) if (ns.metadata?.deletionTimestamp) this.finalize(ns);
  }

  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  private finalize(ns: Namespace): void {
    const name = ns.metadata?.name ?? '';
    const others = new Set(
      RESOURCES.filter((r) => r.namespaced && r.storage !== 'pods').map((r) => r.storage),
    );
    for (const resource of others) {
      for (const o of this.store.list(resource, { namespace: name }).items) {
        this.remove({ resource, namespace: name, name: o.metadata?.name ?? '' });
      }
    }
    const left = this.store.list<ApiObject>('pods', { namespace: name }).items;
    for (const pod of left) {
      const key = { resource: 'pods', namespace: name, name: pod.metadata?.name ?? '' };
      const plan = planDelete(pods, pod, {}, this.clock.now());
      if (plan.action === 'remove') this.remove(key);
      else if (plan.action === 'mark') this.store.update(key, plan.object);
    }
    if (this.store.list('pods', { namespace: name }).items.length === 0) {
      this.remove({ resource: 'namespaces', namespace: '', name });
    }
  }

  private remove(key: { resource: string; namespace: string; name: string }): void {
    try {
      this.store.delete(key);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
}
