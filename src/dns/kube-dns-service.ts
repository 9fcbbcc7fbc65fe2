// The cluster DNS Service as a kubeadm cluster has it: `kube-system/kube-dns`, ClusterIP
// 10.96.0.10, ports dns 53/UDP, dns-tcp 53/TCP and metrics 9153/TCP, label k8s-app=kube-dns. Here
// it has no selector (the server is nodelet itself, not a pod), so its Endpoints object is written
// by hand naming where the server listens: the node's address on the pod bridge.
import { randomUUID } from 'node:crypto';
import type { Endpoints, EndpointSubset, Service } from 'kubernetes-types/core/v1.js';
import { AlreadyExistsError, type Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';

export const KUBE_DNS_NAMESPACE = 'kube-system';
export const KUBE_DNS_NAME = 'kube-dns';
export const DEFAULT_DNS_SERVICE_IP = '10.96.0.10';
/** nodelet's address on its pod bridge (nodelet0, 10.87.0.0/16): where pods reach the server. */
export const DEFAULT_DNS_LISTEN_IP = '10.87.0.1';

const LABELS = {
  'k8s-app': 'kube-dns',
  'kubernetes.io/cluster-service': 'true',
  'kubernetes.io/name': 'CoreDNS',
};

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function kubeDnsService(serviceIP: string, now: number, uid: string): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: KUBE_DNS_NAME,
      namespace: KUBE_DNS_NAMESPACE,
      uid,
      creationTimestamp: rfc3339(now),
      labels: { ...LABELS },
    },
    spec: {
      clusterIP: serviceIP,
      clusterIPs: [serviceIP],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      type: 'ClusterIP',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
    status: { loadBalancer: {} },
  };
}

function kubeDnsSubsets(listenIP: string, port: number): EndpointSubset[] {
  return [
    {
      addresses: [{ ip: listenIP }],
      ports: [
        { name: 'dns', port, protocol: 'UDP' },
        { name: 'dns-tcp', port, protocol: 'TCP' },
      ],
    },
  ];
}

export function kubeDnsEndpoints(listenIP: string, port: number, now: number, uid: string): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      name: KUBE_DNS_NAME,
      namespace: KUBE_DNS_NAMESPACE,
      uid,
      creationTimestamp: rfc3339(now),
      labels: { ...LABELS },
    },
    subsets: kubeDnsSubsets(listenIP, port),
  };
}

export interface KubeDnsObjectsOptions {
  serviceIP?: string;
  listenIP?: string;
  port?: number;
  uid?: () => string;
}

/**
 * Creates the Service and its Endpoints when missing; an Endpoints object naming another address
 * is brought back to this one. An existing Service is left as it is (its owner may have edited it).
 */
export function ensureKubeDnsObjects(store: Store, clock: Clock, o: KubeDnsObjectsOptions = {}): void {
  const uid = o.uid ?? randomUUID;
  const serviceIP = o.serviceIP ?? DEFAULT_DNS_SERVICE_IP;
  const listenIP = o.listenIP ?? DEFAULT_DNS_LISTEN_IP;
  const port = o.port ?? 53;
  const svcKey = { resource: 'services', namespace: KUBE_DNS_NAMESPACE, name: KUBE_DNS_NAME };
  const epKey = { resource: 'endpoints', namespace: KUBE_DNS_NAMESPACE, name: KUBE_DNS_NAME };
  if (!store.get(svcKey)) {
    try {
      store.create(svcKey, kubeDnsService(serviceIP, clock.now(), uid()));
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
  }
  const ep = store.get<Endpoints>(epKey);
  if (!ep) {
    try {
      store.create(epKey, kubeDnsEndpoints(listenIP, port, clock.now(), uid()));
    } catch (e) {
      if (!(e instanceof AlreadyExistsError)) throw e;
    }
  } else if (JSON.stringify(ep.subsets ?? []) !== JSON.stringify(kubeDnsSubsets(listenIP, port))) {
    store.update(epKey, { ...ep, subsets: kubeDnsSubsets(listenIP, port) });
  }
}
