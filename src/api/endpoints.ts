// What a Service's endpoints are, computed from the Service and the pods: the Endpoints subsets the
// endpoints controller writes (pkg/controller/endpoint/endpoints_controller.go, Kubernetes 1.32),
// the endpoint groups the EndpointSlice controller packs into slices (staging/src/k8s.io/endpointslice
// reconciler and utils), and the groups the EndpointSlice mirroring controller makes from a
// user-written Endpoints object (pkg/controller/endpointslicemirroring). Pure: no store, no clock.
import type {
  EndpointAddress,
  EndpointPort as CoreEndpointPort,
  Endpoints,
  EndpointSubset,
  Pod,
  Service,
  ServicePort,
} from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';

/** discovery.LabelServiceName */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** discovery.LabelManagedBy */
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** discovery.LabelSkipMirror: an Endpoints object with this label set to "true" is never mirrored. */
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
/** v1.IsHeadlessService: set on the Endpoints and slices of a Service without a ClusterIP. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** v1.EndpointsLastChangeTriggerTime */
export const ANNOTATION_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
/** The leader-election annotation: such Endpoints are locks, not endpoints, and are not mirrored. */
export const ANNOTATION_LEADER = 'control-plane.alpha.kubernetes.io/leader';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller.k8s.io';
export const MIRRORING_CONTROLLER = 'endpointslicemirroring-controller.k8s.io';
/** The EndpointSlice controller's --max-endpoints-per-slice default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export type AddressType = 'IPv4' | 'IPv6';

// ---------------------------------------------------------------------------------------------
// Pods

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/**
 * endpointsliceutil.ShouldPodBeInEndpoints: terminal pods (Succeeded, Failed) and pods without an
 * IP never are; terminating pods only when includeTerminating.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs?.length ?? 0)) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

/** The Service's selector, or undefined when it has none (an empty map is none once stored). */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

/** labels.SelectorFromSet(selector).Matches(pod labels), within the Service's namespace. */
export function selectsPod(svc: Service, pod: Pod): boolean {
  const sel = serviceSelector(svc);
  if (!sel) return false;
  if ((pod.metadata?.namespace ?? 'default') !== (svc.metadata?.namespace ?? 'default')) return false;
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(sel).every(([k, v]) => labels[k] === v);
}

/** v1helper.IsServiceIPSet: a ClusterIP that is neither empty nor "None". */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip !== '' && ip !== 'None';
}

function isIPv6(ip: string): boolean {
  return ip.includes(':');
}

/** The address family of the Service's endpoints: its first IP family (IPv4 by default). */
export function serviceAddressType(svc: Service): AddressType {
  const fam = svc.spec?.ipFamilies?.[0];
  if (fam === 'IPv6') return 'IPv6';
  if (fam === 'IPv4') return 'IPv4';
  return isIPv6(svc.spec?.clusterIP ?? '') ? 'IPv6' : 'IPv4';
}

/** The pod's IP of the given family (status.podIPs, else status.podIP). */
export function podIPOfFamily(pod: Pod, family: AddressType): string | undefined {
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  return ips.find((ip) => isIPv6(ip) === (family === 'IPv6'));
}

/**
 * podutil.FindPort: a numeric targetPort is used as is (an unset one is the port, as defaulting
 * makes it); a named one is looked up among the containers' ports, then the sidecars' (init
 * containers with restartPolicy Always), matching the protocol. Undefined when no container has it.
 */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  const lookIn = [
    ...(pod.spec?.containers ?? []),
    ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always'),
  ];
  for (const c of lookIn) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** endpointutil.ShouldSetHostname: spec.hostname, when the pod's subdomain is this Service. */
function hostnameFor(pod: Pod, svc: Service): string | undefined {
  const h = pod.spec?.hostname;
  if (!h || pod.spec?.subdomain !== svc.metadata?.name) return undefined;
  if ((pod.metadata?.namespace ?? 'default') !== (svc.metadata?.namespace ?? 'default')) return undefined;
  return h;
}

function podRef(pod: Pod): { kind: string; namespace: string; name: string; uid: string } {
  return {
    kind: 'Pod',
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
  };
}

// ---------------------------------------------------------------------------------------------
// Endpoints (core/v1)

/**
 * The subsets the endpoints controller computes for a Service with a selector: every pod the
 * selector matches that should be in endpoints (running or pending with an IP; terminating ones
 * only with publishNotReadyAddresses) is an address on each Service port its targetPort resolves
 * for — ready pods (or everyone, with publishNotReadyAddresses) in `addresses`, the others in
 * `notReadyAddresses`. A pod lacking a named port is left out of that port. A headless Service
 * without ports lists its pods with no ports. Repacked and sorted as endpoints.RepackSubsets does.
 */
export function computeEndpointSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  const family = serviceAddressType(svc);
  const ports = svc.spec?.ports ?? [];
  const raw: { addr: EndpointAddress; ready: boolean; port: CoreEndpointPort | undefined }[] = [];
  for (const pod of pods) {
    if (!selectsPod(svc, pod)) continue;
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIPOfFamily(pod, family);
    if (!ip) continue;
    const hostname = hostnameFor(pod, svc);
    const addr: EndpointAddress = {
      ip,
      ...(hostname ? { hostname } : {}),
      nodeName: pod.spec?.nodeName ?? '',
      targetRef: podRef(pod),
    };
    const ready = tolerateUnready || isPodReady(pod);
    if (ports.length === 0) {
      // Headless Services may have no ports: the addresses alone.
      if (svc.spec?.clusterIP === 'None') raw.push({ addr, ready, port: undefined });
      continue;
    }
    for (const sp of ports) {
      const num = findPort(pod, sp);
      if (num === undefined) continue;
      raw.push({ addr, ready, port: endpointPort(sp, num) });
    }
  }
  return repackSubsets(raw);
}

function endpointPort(sp: ServicePort, port: number): CoreEndpointPort {
  return {
    ...(sp.name ? { name: sp.name } : {}),
    port,
    protocol: sp.protocol ?? 'TCP',
    ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
  };
}

const NO_PORT = '\u0000';

function addrKey(a: EndpointAddress): string {
  return `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
}

function portKey(p: CoreEndpointPort): string {
  return JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']);
}

/**
 * endpoints.RepackSubsets: every (address, port) pair regrouped so each subset is one set of
 * addresses with every port they all share; an address ready on a port in one entry and not in
 * another counts as ready. Addresses are sorted by IP then UID; ports and subsets in a stable order.
 */
function repackSubsets(
  raw: readonly { addr: EndpointAddress; ready: boolean; port: CoreEndpointPort | undefined }[],
): EndpointSubset[] {
  const addrs = new Map<string, EndpointAddress>();
  const portsByKey = new Map<string, CoreEndpointPort | undefined>();
  const byPort = new Map<string, Map<string, boolean>>();
  for (const r of raw) {
    const ak = addrKey(r.addr);
    if (!addrs.has(ak)) addrs.set(ak, r.addr);
    const pk = r.port ? portKey(r.port) : NO_PORT;
    portsByKey.set(pk, r.port);
    let set = byPort.get(pk);
    if (!set) byPort.set(pk, (set = new Map<string, boolean>()));
    if (set.get(ak) !== true) set.set(ak, r.ready);
  }
  // Group the ports by the exact set of (address, readiness) offering them.
  const groups = new Map<string, { set: Map<string, boolean>; ports: CoreEndpointPort[] }>();
  for (const [pk, set] of byPort) {
    const key = [...set.entries()]
      .map(([a, ready]) => `${a}=${ready ? 1 : 0}`)
      .sort()
      .join('|');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { set, ports: [] }));
    const port = portsByKey.get(pk);
    if (port) g.ports.push(port);
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [ak, isReady] of g.set) {
      const a = addrs.get(ak);
      if (a) (isReady ? ready : notReady).push(a);
    }
    ready.sort(lessAddress);
    notReady.sort(lessAddress);
    g.ports.sort((a, b) => cmp(portKey(a), portKey(b)));
    subsets.push({
      ...(ready.length ? { addresses: ready } : {}),
      ...(notReady.length ? { notReadyAddresses: notReady } : {}),
      ...(g.ports.length ? { ports: g.ports } : {}),
    });
  }
  subsets.sort((a, b) => cmp(subsetSortKey(a), subsetSortKey(b)));
  return subsets;
}

/** endpoints.LessEndpointAddress: by IP (as strings), then by the target's UID. */
function lessAddress(a: EndpointAddress, b: EndpointAddress): number {
  return cmp(a.ip, b.ip) || cmp(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
}

function subsetSortKey(s: EndpointSubset): string {
  const first = s.addresses?.[0] ?? s.notReadyAddresses?.[0];
  return `${first ? addrKey(first) : ''}\u0001${(s.ports ?? []).map(portKey).join(',')}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The labels the endpoints controller gives a Service's Endpoints: the Service's, plus headless. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
  else delete labels[LABEL_HEADLESS];
  return labels;
}

/** Subsets compared as the controller compares them ("no change, no write"). */
export function sameSubsets(
  a: readonly EndpointSubset[] | undefined,
  b: readonly EndpointSubset[] | undefined,
): boolean {
  return canonicalJSON(a ?? []) === canonicalJSON(b ?? []);
}

/** JSON with object keys sorted: field order never counts as a difference. */
export function canonicalJSON(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = sortKeys(x);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// EndpointSlices (discovery.k8s.io/v1)

/** One set of ports and the endpoints offering exactly those ports (one or more slices). */
export interface EndpointGroup {
  addressType: AddressType;
  ports: EndpointPort[];
  endpoints: Endpoint[];
}

/** A stable key for a group's port set (the reconciler's endpointMeta hash). */
export function portsKey(addressType: string, ports: readonly EndpointPort[] | undefined): string {
  const keys = (ports ?? []).map((p) => canonicalJSON(p)).sort();
  return `${addressType}|${keys.join(',')}`;
}

/** A stable identity for an endpoint across updates: its target pod, else its first address. */
export function endpointKey(ep: Endpoint): string {
  const ref = ep.targetRef;
  if (ref?.uid) return `uid:${ref.uid}`;
  if (ref?.name) return `ref:${ref.namespace ?? ''}/${ref.name}`;
  return `ip:${ep.addresses[0] ?? ''}`;
}

/**
 * The EndpointSlice controller's endpoints for a Service with a selector (podToEndpoint and
 * getEndpointPorts): every matching pod with an IP that is not terminal, terminating ones
 * included with their conditions — serving follows the Ready condition, terminating the deletion
 * timestamp, ready is serving and not terminating (or always, with publishNotReadyAddresses).
 * Unlike Endpoints, a pod lacking a named port is not dropped: it lands in a group with the ports
 * it has. Groups come in the order their first pod does; pods in the order given.
 */
export function computeSliceGroups(svc: Service, pods: readonly Pod[]): EndpointGroup[] {
  const addressType = serviceAddressType(svc);
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const groups = new Map<string, EndpointGroup>();
  for (const pod of pods) {
    if (!selectsPod(svc, pod)) continue;
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ip = podIPOfFamily(pod, addressType);
    if (!ip) continue;
    const ports: EndpointPort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const num = findPort(pod, sp);
      if (num === undefined) continue;
      ports.push({
        name: sp.name ?? '',
        port: num,
        protocol: sp.protocol ?? 'TCP',
        ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}),
      });
    }
    const serving = isPodReady(pod);
    const terminating = !!pod.metadata?.deletionTimestamp;
    const hostname = hostnameFor(pod, svc);
    const ep: Endpoint = {
      addresses: [ip],
      conditions: { ready: publishNotReady || (serving && !terminating), serving, terminating },
      ...(hostname ? { hostname } : {}),
      ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
      targetRef: podRef(pod),
    };
    const key = portsKey(addressType, ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { addressType, ports, endpoints: [] }));
    g.endpoints.push(ep);
  }
  return [...groups.values()];
}

/**
 * The mirroring controller's groups for a user-written Endpoints object: each subset's addresses
 * (ready) and notReadyAddresses (not ready) under the subset's ports, split by address family;
 * subsets with the same ports merge, an address listed twice is mirrored once. Only the ready
 * condition is mirrored, with the address's hostname, nodeName and targetRef.
 */
export function mirroredGroups(ep: Endpoints): EndpointGroup[] {
  const groups = new Map<string, { g: EndpointGroup; seen: Set<string> }>();
  for (const subset of ep.subsets ?? []) {
    const ports: EndpointPort[] = (subset.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port,
      protocol: p.protocol ?? 'TCP',
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    }));
    const add = (a: EndpointAddress, ready: boolean): void => {
      if (!isIPAddress(a.ip)) return;
      const addressType: AddressType = isIPv6(a.ip) ? 'IPv6' : 'IPv4';
      const key = portsKey(addressType, ports);
      let entry = groups.get(key);
      if (!entry) groups.set(key, (entry = { g: { addressType, ports, endpoints: [] }, seen: new Set() }));
      const id = addrKey(a);
      if (entry.seen.has(id)) return;
      entry.seen.add(id);
      entry.g.endpoints.push({
        addresses: [a.ip],
        conditions: { ready },
        ...(a.hostname ? { hostname: a.hostname } : {}),
        ...(a.nodeName ? { nodeName: a.nodeName } : {}),
        ...(a.targetRef ? { targetRef: a.targetRef } : {}),
      });
    };
    for (const a of subset.addresses ?? []) add(a, true);
    for (const a of subset.notReadyAddresses ?? []) add(a, false);
  }
  return [...groups.values()].map((e) => e.g);
}

function isIPAddress(ip: string): boolean {
  if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ip)) {
    return ip.split('.').every((o) => Number(o) <= 255 && (o === '0' || !o.startsWith('0')));
  }
  return /^[0-9a-fA-F:.]+$/.test(ip) && ip.includes(':');
}

/** getEndpointSlicePrefix: `<name>-`, or the bare name when that would not be a valid name. */
export function sliceGenerateName(serviceName: string): string {
  const prefix = `${serviceName}-`;
  return prefix.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?-$/.test(prefix) ? prefix : serviceName;
}
