// What a fresh cluster has before anyone writes to it: the system namespaces (created by the API
// server's system namespaces controller in a real cluster), the `kubernetes` Service and the
// built-in RuntimeClasses.
import { randomUUID } from 'node:crypto';
import type { Endpoints, Namespace, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';
import { rfc3339 } from './meta.ts';
import { configureServiceNetwork } from './service-network.ts';

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

export interface ServiceBootstrapOptions {
  /** --service-cluster-ip-range; the `kubernetes` Service takes its first address. */
  serviceCidr?: string;
  nodePortRange?: string;
  /** Where the API server is reached: the address written into the `kubernetes` Endpoints. */
  apiAddress: string;
  apiPort: number;
}

/** The `kubernetes` Service as the API server's own controller writes it (controlplane/controller). */
export function kubernetesService(clusterIP: string, apiPort: number, now: number, uid: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      uid,
      creationTimestamp: rfc3339(now),
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: apiPort }],
      clusterIP,
      clusterIPs: [clusterIP],
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
    },
    status: { loadBalancer: {} },
  };
}

function kubernetesEndpoints(address: string, port: number, now: number, uid: string): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      uid,
      creationTimestamp: rfc3339(now),
      // As the reconciler marks it: EndpointSlice mirroring leaves this one alone.
      labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
    },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
}

function kubernetesEndpointSlice(address: string, port: number, now: number, uid: string): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      uid,
      creationTimestamp: rfc3339(now),
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
}

/** The RuntimeClasses every nodelet node offers: its two runtimes, each its own handler. */
export const BUILTIN_RUNTIME_CLASSES = ['oci', 'process'];

/**
 * What a cluster's control plane creates for Services: the ranges the allocators hand out
 * (rebuilt from the stored Services), the `kubernetes` Service at the range's first address with
 * its Endpoints and EndpointSlice pointing at this API server (kept current across restarts and
 * port changes, as the endpoint reconciler does), and the built-in RuntimeClasses.
 */
export function ensureServiceBootstrap(
  store: Store,
  clock: Clock,
  options: ServiceBootstrapOptions,
  uid: () => string = randomUUID,
): void {
  const network = configureServiceNetwork(store, {
    ...(options.serviceCidr !== undefined ? { serviceCidr: options.serviceCidr } : {}),
    ...(options.nodePortRange !== undefined ? { nodePortRange: options.nodePortRange } : {}),
  });
  const reconcile = (): void => {
    const now = clock.now();
    const svcKey = { resource: 'services', namespace: 'default', name: 'kubernetes' };
    const first = network.ips.first();
    const existing = store.get<Service>(svcKey);
    if (!existing) {
      store.create(svcKey, kubernetesService(first, options.apiPort, now, uid()));
    } else if (existing.spec?.clusterIP !== first && !network.ips.contains(existing.spec?.clusterIP ?? '')) {
      // The range changed: the Service moves to the new range's first address, as the API server
      // recreates it when its IP is outside the configured range.
      store.delete(svcKey);
      store.create(svcKey, kubernetesService(first, options.apiPort, now, uid()));
    } else if (existing.spec?.ports?.[0]?.targetPort !== options.apiPort) {
      const ports = (existing.spec?.ports ?? []).map((p) =>
        p.name === 'https' ? { ...p, targetPort: options.apiPort } : p,
      );
      store.update(svcKey, { ...existing, spec: { ...existing.spec, ports } });
    }
    const epKey = { resource: 'endpoints', namespace: 'default', name: 'kubernetes' };
    const wanted = kubernetesEndpoints(options.apiAddress, options.apiPort, now, uid());
    const ep = store.get<Endpoints>(epKey);
    if (!ep) store.create(epKey, wanted);
    else if (JSON.stringify(ep.subsets) !== JSON.stringify(wanted.subsets))
      store.update(epKey, { ...ep, subsets: wanted.subsets });
    const sliceKey = { resource: 'endpointslices', namespace: 'default', name: 'kubernetes' };
    const wantedSlice = kubernetesEndpointSlice(options.apiAddress, options.apiPort, now, uid());
    const slice = store.get<EndpointSlice>(sliceKey);
    if (!slice) store.create(sliceKey, wantedSlice);
    else if (
      JSON.stringify([slice.endpoints, slice.ports]) !==
      JSON.stringify([wantedSlice.endpoints, wantedSlice.ports])
    ) {
      store.update(sliceKey, { ...slice, endpoints: wantedSlice.endpoints, ports: wantedSlice.ports });
    }
  };
  reconcile();
  // As the API server's endpoint reconciler: the `kubernetes` Service, Endpoints and EndpointSlice
  // come back when someone deletes them (`kubectl delete svc --all`).
  const rv = store.currentResourceVersion();
  for (const resource of ['services', 'endpoints', 'endpointslices']) {
    store.watch(resource, { namespace: 'default', resourceVersion: rv }, (e) => {
      if (e.type === 'DELETED' && e.object.metadata?.name === 'kubernetes') reconcile();
    });
  }
  for (const name of BUILTIN_RUNTIME_CLASSES) {
    const key = { resource: 'runtimeclasses', namespace: '', name };
    if (!store.get(key)) {
      const rc: RuntimeClass = {
        apiVersion: 'node.k8s.io/v1',
        kind: 'RuntimeClass',
        metadata: { name, uid: uid(), creationTimestamp: rfc3339(clock.now()) },
        handler: name,
      };
      store.create(key, rc);
    }
  }
}
