// The Service address space of one store: the ClusterIP and NodePort allocators, kept equal to
// what the stored Services hold. Built from a list of the stored Services (so a restarted server
// knows every address it handed out before) and then kept current by a watch: a Service deleted
// through any path — the API, a controller, namespace deletion — gives its addresses back, and a
// Service written straight to the store (kube-dns by the DNS component) holds its address.
//
// Allocation during a create or update is a reservation until the store reports the write: the
// store delivers watch events synchronously within the write, so a reservation still unclaimed at
// the start of the next allocation belongs to a write that failed (validation, conflict, dry run)
// and is given back — what the real registry's allocation transaction does on a failed write.
import type { Service } from 'kubernetes-types/core/v1.js';
import type { Store, StoredObject } from '../store/store.ts';
import { DEFAULT_NODE_PORT_RANGE, NodePortAllocator } from './node-port-allocator.ts';
import { ServiceIpAllocator } from './service-ip-allocator.ts';

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/16';

export interface ServiceNetworkOptions {
  /** --service-cluster-ip-range (default 10.96.0.0/16). */
  serviceCidr?: string;
  /** --service-node-port-range (default 30000-32767). */
  nodePortRange?: string;
  random?: () => number;
}

interface Held {
  ips: string[];
  ports: number[];
}

function keyOf(obj: StoredObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** The addresses a stored Service holds: its clusterIPs (not "None") and nodePorts. */
export function heldBy(svc: Service): Held {
  const spec = svc.spec ?? {};
  const ips = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter(
    (ip) => ip !== 'None' && ip !== '',
  );
  const ports: number[] = [];
  for (const p of spec.ports ?? []) if (p.nodePort) ports.push(p.nodePort);
  if (spec.healthCheckNodePort) ports.push(spec.healthCheckNodePort);
  return { ips, ports };
}

export class ServiceNetwork {
  readonly ips: ServiceIpAllocator;
  readonly nodePorts: NodePortAllocator;
  private readonly held = new Map<string, Held>();
  private pending: Held = { ips: [], ports: [] };
  private readonly unwatch: () => void;

  constructor(store: Store, options: ServiceNetworkOptions = {}) {
    this.ips = new ServiceIpAllocator(options.serviceCidr ?? DEFAULT_SERVICE_CIDR, options.random);
    this.nodePorts = new NodePortAllocator(options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE, options.random);
    const listed = store.list<Service>('services');
    for (const svc of listed.items) this.observe(svc);
    this.unwatch = store.watch<Service>('services', { resourceVersion: listed.resourceVersion }, (e) => {
      if (e.type === 'DELETED') this.forget(keyOf(e.object));
      else if (e.type === 'ADDED' || e.type === 'MODIFIED') this.observe(e.object);
    });
  }

  close(): void {
    this.unwatch();
  }

  /** Starts an allocation: reservations of earlier writes that never reached the store go back. */
  begin(): void {
    const claimed = new Set<string>();
    const claimedPorts = new Set<number>();
    for (const h of this.held.values()) {
      for (const ip of h.ips) claimed.add(ip);
      for (const p of h.ports) claimedPorts.add(p);
    }
    for (const ip of this.pending.ips) if (!claimed.has(ip)) this.ips.release(ip);
    for (const p of this.pending.ports) if (!claimedPorts.has(p)) this.nodePorts.release(p);
    this.pending = { ips: [], ports: [] };
  }

  reserveIP(ip: string): void {
    this.ips.allocate(ip);
    this.pending.ips.push(ip);
  }

  reserveNextIP(): string {
    const ip = this.ips.allocateNext();
    this.pending.ips.push(ip);
    return ip;
  }

  reservePort(port: number): void {
    this.nodePorts.allocate(port);
    this.pending.ports.push(port);
  }

  reserveNextPort(): number {
    const port = this.nodePorts.allocateNext();
    this.pending.ports.push(port);
    return port;
  }

  /** What the stored Service at namespace/name holds now. */
  holding(namespace: string, name: string): Held {
    return this.held.get(`${namespace}/${name}`) ?? { ips: [], ports: [] };
  }

  private observe(svc: Service): void {
    const key = keyOf(svc);
    const before = this.held.get(key) ?? { ips: [], ports: [] };
    const now = heldBy(svc);
    for (const ip of before.ips) if (!now.ips.includes(ip)) this.ips.release(ip);
    for (const p of before.ports) if (!now.ports.includes(p)) this.nodePorts.release(p);
    for (const ip of now.ips) this.ips.mark(ip);
    for (const p of now.ports) this.nodePorts.mark(p);
    this.held.set(key, now);
  }

  private forget(key: string): void {
    const before = this.held.get(key);
    if (!before) return;
    this.held.delete(key);
    for (const ip of before.ips) this.ips.release(ip);
    for (const p of before.ports) this.nodePorts.release(p);
  }
}

const networks = new WeakMap<Store, ServiceNetwork>();

/** Sets the ranges of store's Services (at server start, before anything is served). */
export function configureServiceNetwork(store: Store, options: ServiceNetworkOptions): ServiceNetwork {
  networks.get(store)?.close();
  const network = new ServiceNetwork(store, options);
  networks.set(store, network);
  return network;
}

/** The network of store's Services; the default ranges unless configureServiceNetwork said otherwise. */
export function serviceNetworkFor(store: Store): ServiceNetwork {
  let network = networks.get(store);
  if (!network) {
    network = new ServiceNetwork(store);
    networks.set(store, network);
  }
  return network;
}
