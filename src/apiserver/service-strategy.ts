// What the Service REST storage does around a write (pkg/registry/core/service/storage/storage.go
// beginCreate/beginUpdate, strategy.go, alloc.go; Kubernetes 1.32): defaults, the IP family
// fields, clusterIP and clusterIPs in step, values the client left out on update carried over from
// the stored Service (patchAllocatedValues), fields that no longer apply to the new type dropped
// (dropTypeDependentFields), validation, and then the ClusterIP and NodePort allocation — with
// the API server's words when a requested address is taken or out of range.
import type { Service, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, invalid } from '../api/field-errors.ts';
import { applyServiceDefaults, initServiceIPFamilies, normalizeClusterIPs } from '../api/service-defaults.ts';
import { validateService, validateServiceUpdate } from '../api/service-validation.ts';
import { invalidStatus } from '../api/validation.ts';
import type { Store } from '../store/store.ts';
import { PortAllocationError } from './node-port-allocator.ts';
import { IpAllocationError } from './service-ip-allocator.ts';
import { serviceNetworkFor, type ServiceNetwork } from './service-network.ts';
import { ApiError } from './status.ts';

function fail(name: string, errors: FieldError[]): void {
  if (errors.length > 0) throw new ApiError(invalidStatus('Service', name, errors));
}

const needsClusterIP = (spec: ServiceSpec): boolean =>
  spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
const needsNodePorts = (spec: ServiceSpec): boolean =>
  spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
const needsHealthCheck = (spec: ServiceSpec): boolean =>
  spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';

/** This cluster has one IPv4 range: a Service asking for IPv6 or for two families cannot be served. */
function checkFamilies(spec: ServiceSpec): FieldError[] {
  if (spec.type === 'ExternalName') return [];
  const headlessSelectorless = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  if (headlessSelectorless) return [];
  const errs: FieldError[] = [];
  if (spec.ipFamilyPolicy === 'RequireDualStack') {
    errs.push(
      invalid(
        FieldPath.of('spec', 'ipFamilyPolicy'),
        spec.ipFamilyPolicy,
        'this cluster is not configured for dual-stack services',
      ),
    );
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (f !== 'IPv4')
      errs.push(invalid(FieldPath.of('spec', 'ipFamilies').index(i), f, 'not configured on this cluster'));
  });
  if (errs.length === 0 && spec.ipFamilyPolicy === 'PreferDualStack') spec.ipFamilies = ['IPv4'];
  return errs;
}

function allocateClusterIP(
  network: ServiceNetwork,
  name: string,
  spec: ServiceSpec,
  heldIPs: string[],
): void {
  if (!needsClusterIP(spec)) return;
  const ip = spec.clusterIP ?? '';
  if (ip === '') {
    let next: string;
    try {
      next = network.reserveNextIP();
    } catch (e) {
      throw new ApiError({
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `Internal error occurred: failed to allocate a serviceIP: ${(e as Error).message}`,
        reason: 'InternalError',
        details: { causes: [{ message: `failed to allocate a serviceIP: ${(e as Error).message}` }] },
        code: 500,
      });
    }
    spec.clusterIP = next;
    spec.clusterIPs = [next];
    return;
  }
  if (heldIPs.includes(ip)) return;
  try {
    network.reserveIP(ip);
  } catch (e) {
    if (!(e instanceof IpAllocationError)) throw e;
    fail(name, [
      invalid(
        FieldPath.of('spec', 'clusterIPs'),
        spec.clusterIPs ?? [ip],
        `failed to allocate IP ${ip}: ${e.message}`,
      ),
    ]);
  }
}

function allocateNodePorts(
  network: ServiceNetwork,
  name: string,
  spec: ServiceSpec,
  heldPorts: number[],
): void {
  const errs: FieldError[] = [];
  if (needsNodePorts(spec)) {
    const ports: ServicePort[] = (spec.ports ?? []).map((p) => ({ ...p }));
    // A port number served over two protocols shares one nodePort, as the registry allocates it.
    const byPort = new Map<number, number>();
    ports.forEach((p, i) => {
      const path = FieldPath.of('spec', 'ports').index(i).child('nodePort');
      if (p.nodePort) {
        if (!heldPorts.includes(p.nodePort) && !byPort.has(p.port)) {
          try {
            network.reservePort(p.nodePort);
          } catch (e) {
            if (!(e instanceof PortAllocationError)) throw e;
            errs.push(invalid(path, p.nodePort, e.message));
          }
        }
        byPort.set(p.port, p.nodePort);
        return;
      }
      const shared = byPort.get(p.port);
      if (shared !== undefined) {
        p.nodePort = shared;
        return;
      }
      try {
        p.nodePort = network.reserveNextPort();
        byPort.set(p.port, p.nodePort);
      } catch (e) {
        if (!(e instanceof PortAllocationError)) throw e;
        errs.push(invalid(path, p.nodePort ?? 0, e.message));
      }
    });
    spec.ports = ports;
  }
  if (needsHealthCheck(spec)) {
    const path = FieldPath.of('spec', 'healthCheckNodePort');
    try {
      if (!spec.healthCheckNodePort) spec.healthCheckNodePort = network.reserveNextPort();
      else if (!heldPorts.includes(spec.healthCheckNodePort)) network.reservePort(spec.healthCheckNodePort);
    } catch (e) {
      if (!(e instanceof PortAllocationError)) throw e;
      errs.push(invalid(path, spec.healthCheckNodePort ?? 0, e.message));
    }
  }
  fail(name, errs);
}

/** A new Service as it is stored: defaulted, validated, with its addresses allocated. */
export function prepareServiceCreate(input: Service, store: Store): Service {
  const svc = applyServiceDefaults(input);
  const spec: ServiceSpec = { ...svc.spec };
  const name = svc.metadata?.name ?? '';
  normalizeClusterIPs(spec);
  initServiceIPFamilies(spec);
  fail(name, checkFamilies(spec));
  const out: Service = { ...svc, spec, status: { loadBalancer: {} } };
  fail(name, validateService(out));
  const network = serviceNetworkFor(store);
  network.begin();
  allocateClusterIP(network, name, spec, []);
  allocateNodePorts(network, name, spec, []);
  return out;
}

/** patchAllocatedValues: what the client left out but the stored Service has, kept. */
function patchAllocatedValues(spec: ServiceSpec, old: ServiceSpec): void {
  if (needsClusterIP(old) && needsClusterIP(spec)) {
    if ((spec.clusterIP ?? '') === '' && (spec.clusterIPs ?? []).length === 0) {
      if (old.clusterIP !== undefined) spec.clusterIP = old.clusterIP;
      if (old.clusterIPs !== undefined) spec.clusterIPs = [...old.clusterIPs];
    }
  }
  if (needsNodePorts(old) && needsNodePorts(spec) && spec.ports) {
    spec.ports = spec.ports.map((p) => {
      if (p.nodePort) return p;
      const match =
        (old.ports ?? []).find(
          (o) => o.port === p.port && o.protocol === p.protocol && (o.name ?? '') === (p.name ?? ''),
        ) ?? (old.ports ?? []).find((o) => o.port === p.port && o.protocol === p.protocol);
      return match?.nodePort ? { ...p, nodePort: match.nodePort } : p;
    });
  }
  if (
    needsHealthCheck(old) &&
    needsHealthCheck(spec) &&
    !spec.healthCheckNodePort &&
    old.healthCheckNodePort
  ) {
    spec.healthCheckNodePort = old.healthCheckNodePort;
  }
  if (spec.type !== 'ExternalName' && old.type !== 'ExternalName') {
    if (!spec.ipFamilies?.length && old.ipFamilies) spec.ipFamilies = [...old.ipFamilies];
    if (spec.ipFamilyPolicy === undefined && old.ipFamilyPolicy !== undefined)
      spec.ipFamilyPolicy = old.ipFamilyPolicy;
  }
}

/** dropTypeDependentFields: values the old type needed and the new one forbids, if left as they were. */
function dropTypeDependentFields(spec: ServiceSpec, old: ServiceSpec): void {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (needsClusterIP(old) && spec.type === 'ExternalName') {
    if (same(spec.clusterIP, old.clusterIP)) delete spec.clusterIP;
    if (same(spec.clusterIPs, old.clusterIPs)) delete spec.clusterIPs;
    if (same(spec.ipFamilies, old.ipFamilies)) delete spec.ipFamilies;
    if (same(spec.ipFamilyPolicy, old.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePorts(old) && !needsNodePorts(spec) && spec.ports) {
    spec.ports = spec.ports.map((p) => {
      const before = (old.ports ?? []).find((o) => o.nodePort === p.nodePort);
      if (p.nodePort && before) {
        const { nodePort: _dropped, ...rest } = p;
        return rest;
      }
      return p;
    });
  }
  if (
    needsHealthCheck(old) &&
    !needsHealthCheck(spec) &&
    spec.healthCheckNodePort === old.healthCheckNodePort
  ) {
    delete spec.healthCheckNodePort;
  }
  if (spec.type !== 'LoadBalancer') {
    if (same(spec.allocateLoadBalancerNodePorts, old.allocateLoadBalancerNodePorts))
      delete spec.allocateLoadBalancerNodePorts;
    if (same(spec.loadBalancerClass, old.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  const external = (s: ServiceSpec): boolean => s.type === 'NodePort' || s.type === 'LoadBalancer';
  if (external(old) && !external(spec) && !(spec.externalIPs ?? []).length) {
    if (same(spec.externalTrafficPolicy, old.externalTrafficPolicy)) delete spec.externalTrafficPolicy;
  }
  if (spec.type === 'ExternalName' && same(spec.internalTrafficPolicy, old.internalTrafficPolicy)) {
    delete spec.internalTrafficPolicy;
  }
}

/** A changed Service as it is stored: carried-over values, validation, new addresses allocated. */
export function prepareServiceUpdate(input: Service, old: Service, store: Store): Service {
  const oldSpec = old.spec ?? {};
  // Defaults run after type-dependent fields are dropped, so NodePort → ClusterIP loses its
  // externalTrafficPolicy instead of failing on it.
  const spec: ServiceSpec = { ...input.spec };
  patchAllocatedValues(spec, oldSpec);
  dropTypeDependentFields(spec, oldSpec);
  const svc = applyServiceDefaults({ ...input, spec });
  const outSpec: ServiceSpec = { ...svc.spec };
  const name = svc.metadata?.name ?? '';
  normalizeClusterIPs(outSpec, oldSpec);
  initServiceIPFamilies(outSpec);
  fail(name, checkFamilies(outSpec));
  const out: Service = { ...svc, spec: outSpec };
  fail(name, validateServiceUpdate(out, old));
  const network = serviceNetworkFor(store);
  network.begin();
  const held = network.holding(old.metadata?.namespace ?? '', old.metadata?.name ?? '');
  allocateClusterIP(network, name, outSpec, held.ips);
  allocateNodePorts(network, name, outSpec, held.ports);
  return out;
}
