// What the proxy needs from the store: every service port with a cluster IP, and the endpoints
// that may receive its traffic, taken from the Service's EndpointSlices (label
// kubernetes.io/service-name) the way kube-proxy's endpoint slice cache reads them.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isIPv4 } from 'node:net';
import { servicePortName } from './chain-names.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ProxyEndpoint {
  ip: string;
  port: number;
}

export interface ProxiedServicePort {
  namespace: string;
  name: string;
  /** `ns/name:port`: names the chains and appears in the rules' comments. */
  servicePortName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** Set for type NodePort and LoadBalancer services. */
  nodePort?: number;
  /** sessionAffinity ClientIP: how long a client sticks to its endpoint. */
  affinitySeconds?: number;
  /** Sorted by address then port, so the same set always gives the same rules. */
  endpoints: ProxyEndpoint[];
}

/** The default of sessionAffinityConfig.clientIP.timeoutSeconds (3 hours), as the API defaults it. */
export const DEFAULT_AFFINITY_SECONDS = 10800;

function protocolOf(p: string | undefined): Protocol | undefined {
  const v = p ?? 'TCP';
  return v === 'TCP' || v === 'UDP' || v === 'SCTP' ? v : undefined;
}

/**
 * The endpoints of one service port. As kube-proxy: an endpoint is used when ready (a missing
 * `ready` counts as ready, as the EndpointSlice API says); when none is ready, the ones that are
 * still serving while terminating take the traffic (KEP-1669), so a rolling stop does not drop
 * connections. Only the first address of an endpoint is used (the addresses are fungible) and
 * IPv4 slices only, as this proxy writes IPv4 rules.
 */
export function endpointsFor(
  slices: readonly EndpointSlice[],
  portName: string,
  protocol: Protocol,
): ProxyEndpoint[] {
  const ready = new Map<string, ProxyEndpoint>();
  const terminating = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const sp = (slice.ports ?? []).find(
      (p) => (p.name ?? '') === portName && (protocolOf(p.protocol) ?? '') === protocol,
    );
    if (sp?.port === undefined) continue;
    for (const ep of slice.endpoints) {
      const ip = ep.addresses[0];
      if (!ip || !isIPv4(ip)) continue;
      const c = ep.conditions ?? {};
      const e = { ip, port: sp.port };
      const key = `${ip}:${sp.port}`;
      if (c.ready !== false) ready.set(key, e);
      else if ((c.serving ?? false) && (c.terminating ?? false)) terminating.set(key, e);
    }
  }
  const chosen = ready.size > 0 ? ready : terminating;
  return [...chosen.values()].sort((a, b) => compareIp(a.ip, b.ip) || a.port - b.port);
}

function compareIp(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 4; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Every proxied port of the services. Headless services (`clusterIP: None`), ExternalName
 * services and services without an IPv4 cluster IP get no rules, as kube-proxy gives them none.
 */
export function servicePorts(
  services: readonly Service[],
  slices: readonly EndpointSlice[],
): ProxiedServicePort[] {
  const byService = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const key = `${s.metadata?.namespace ?? ''}/${svc}`;
    const list = byService.get(key) ?? [];
    list.push(s);
    byService.set(key, list);
  }
  const out: ProxiedServicePort[] = [];
  for (const svc of services) {
    const spec = svc.spec;
    const namespace = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    if (!spec || spec.type === 'ExternalName') continue;
    const clusterIP = spec.clusterIP;
    if (!clusterIP || clusterIP === 'None' || !isIPv4(clusterIP)) continue;
    const own = byService.get(`${namespace}/${name}`) ?? [];
    const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const affinity =
      spec.sessionAffinity === 'ClientIP'
        ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS)
        : undefined;
    for (const p of spec.ports ?? []) {
      const protocol = protocolOf(p.protocol);
      if (!protocol) continue;
      const portName = p.name ?? '';
      out.push({
        namespace,
        name,
        servicePortName: servicePortName(namespace, name, portName),
        protocol,
        clusterIP,
        port: p.port,
        ...(external && p.nodePort ? { nodePort: p.nodePort } : {}),
        ...(affinity !== undefined ? { affinitySeconds: affinity } : {}),
        endpoints: endpointsFor(own, portName, protocol),
      });
    }
  }
  return out.sort((a, b) =>
    a.servicePortName < b.servicePortName ? -1 : a.servicePortName > b.servicePortName ? 1 : 0,
  );
}
