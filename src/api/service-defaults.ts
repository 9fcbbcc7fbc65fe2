// Service defaulting as the API server does it for core/v1 (pkg/apis/core/v1/defaults.go
// SetDefaults_Service, Kubernetes 1.32) plus the IP family fields the Service REST storage fills
// in for a single-stack IPv4 cluster (pkg/registry/core/service/storage: initIPFamilyFields).
// Allocation of clusterIPs and nodePorts is the API server's job (src/apiserver), not defaulting.
import type { Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';

/** The defaults every decoded Service gets, on create and on update. */
export function applyServiceDefaults(svc: Service): Service {
  const spec: ServiceSpec = { ...(svc.spec ?? {}) };
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    // SetDefaults_Service: ClientIP affinity times out after 3 hours unless told otherwise.
    const clientIP = spec.sessionAffinityConfig?.clientIP ?? {};
    spec.sessionAffinityConfig = {
      ...spec.sessionAffinityConfig,
      clientIP: { ...clientIP, timeoutSeconds: clientIP.timeoutSeconds ?? 10800 },
    };
  }
  spec.type ??= 'ClusterIP';
  if (spec.ports) {
    spec.ports = spec.ports.map((p): ServicePort => {
      const port: ServicePort = { ...p, protocol: p.protocol ?? 'TCP' };
      // targetPort 0 or "" means "the same as port".
      if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '')
        port.targetPort = port.port;
      return port;
    });
  }
  if (
    (spec.type === 'NodePort' || spec.type === 'LoadBalancer') &&
    (spec.externalTrafficPolicy === undefined || spec.externalTrafficPolicy === '')
  ) {
    spec.externalTrafficPolicy = 'Cluster';
  }
  if (spec.type !== 'ExternalName' && (spec.internalTrafficPolicy ?? '') === '') {
    spec.internalTrafficPolicy = 'Cluster';
  }
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  return { ...svc, spec };
}

/**
 * clusterIP and clusterIPs kept in step (the registry's normalizeClusterIPs): a Service that names
 * only one of them gets the other; on update, changing clusterIP alone moves clusterIPs[0] with it.
 */
export function normalizeClusterIPs(spec: ServiceSpec, old?: ServiceSpec): void {
  const ip = spec.clusterIP ?? '';
  const ips = spec.clusterIPs ?? [];
  if (old === undefined) {
    if (ip !== '' && ips.length === 0) spec.clusterIPs = [ip];
    else if (ip === '' && ips.length > 0 && ips[0] !== undefined) spec.clusterIP = ips[0];
    return;
  }
  const oldIPs = old.clusterIPs ?? [];
  if (ip === '' && ips.length === 0) return;
  if (ip !== (old.clusterIP ?? '') && JSON.stringify(ips) === JSON.stringify(oldIPs)) {
    // The user changed only clusterIP: clusterIPs follows (validation then rejects the change).
    spec.clusterIPs = ip === '' ? [] : [ip, ...ips.slice(1)];
  } else if (ip === '' && ips.length > 0 && ips[0] !== undefined) {
    spec.clusterIP = ips[0];
  }
}

/**
 * ipFamilies and ipFamilyPolicy for a cluster with one IPv4 service range, as initIPFamilyFields
 * sets them: ExternalName Services have none; a headless Service without a selector may hold
 * endpoints of either family (RequireDualStack, both families); everything else is SingleStack
 * IPv4 unless the user asked for more.
 */
export function initServiceIPFamilies(spec: ServiceSpec): void {
  if (spec.type === 'ExternalName') {
    delete spec.ipFamilies;
    delete spec.ipFamilyPolicy;
    return;
  }
  const headless = spec.clusterIP === 'None';
  const selectorless = Object.keys(spec.selector ?? {}).length === 0;
  if (headless && selectorless) {
    spec.ipFamilyPolicy ??= 'RequireDualStack';
    if (!spec.ipFamilies || spec.ipFamilies.length === 0) {
      spec.ipFamilies = spec.ipFamilyPolicy === 'SingleStack' ? ['IPv4'] : ['IPv4', 'IPv6'];
    }
    return;
  }
  spec.ipFamilyPolicy ??= 'SingleStack';
  if (!spec.ipFamilies || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
}
