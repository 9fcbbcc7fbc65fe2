// The cluster's DNS records, read straight from the store at each query (the store is in-process),
// as the Kubernetes DNS-Based Service Discovery specification (kubernetes/dns,
// docs/specification.md) defines them and CoreDNS's kubernetes plugin serves them:
//   SVC.NS.svc.ZONE            A      ClusterIP; headless: every ready endpoint address
//   HOST.SVC.NS.svc.ZONE       A      a headless endpoint by hostname (or its dashed address)
//   _PORT._PROTO.SVC.NS.svc.ZONE SRV  each named port (headless: each ready endpoint)
//   SVC.NS.svc.ZONE            CNAME  ExternalName services
//   A-B-C-D.NS.pod.ZONE        A      the dashed address (CoreDNS's `pods insecure`, kubeadm's default)
//   d.c.b.a.in-addr.arpa       PTR    ClusterIPs and headless endpoint addresses
// Names that exist with no record of the asked type are NOERROR with no answers (NODATA); names
// that do not exist are NXDOMAIN; both carry the zone's SOA in the authority section.
//
// One deliberate difference from CoreDNS (option `searchExpansions`, on by default): the search-path
// expansions of an existing Service's name — `SVC.svc.ZONE` and `SVC.ZONE`, which a pod's resolver
// asks after `SVC.NS.svc.ZONE` — are NODATA instead of NXDOMAIN. busybox's nslookup (1.29 and
// later) sends a query for every search domain and exits 1 if any of them is NXDOMAIN, so against
// CoreDNS `until nslookup myservice` never ends even once the Service exists (docker-library/
// busybox#48, the reason the Kubernetes docs' init-container example moved to a full name). With
// this, the classic init-container example runs as written; resolvers that stop at the first
// answer (glibc, musl) see no difference.
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Answer, Question, SoaAnswer } from 'dns-packet';
import { isIPv4, isIPv6 } from 'node:net';
import type { Store } from '../store/store.ts';

/** CoreDNS's kubernetes plugin answers with a TTL of 5 s unless told otherwise (its `ttl` option). */
export const DEFAULT_TTL = 5;
export const DEFAULT_ZONE = 'cluster.local';
/** Version of the DNS specification served (the `dns-version` TXT record). */
const SCHEMA_VERSION = '1.1.0';

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL';

export interface LookupResult {
  rcode: Rcode;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

export interface ClusterRecordsOptions {
  store: Store;
  zone?: string;
  ttl?: number;
  /** The DNS service's own address, served as `ns.dns.ZONE`. */
  dnsIP?: string;
  /** The SOA serial (CoreDNS uses a time in seconds). */
  serial?: () => number;
  /** NODATA rather than NXDOMAIN for SVC.svc.ZONE and SVC.ZONE of an existing Service (default true). */
  searchExpansions?: boolean;
}

interface Endpoint {
  ip: string;
  hostname: string | undefined;
  ports: { name: string; port: number; protocol: string }[];
}

/** `10.0.0.1` → `10-0-0-1`; `fd00::1` → `fd00--1` (CoreDNS's endpoint names without a hostname). */
export function dashedAddress(ip: string): string {
  return isIPv6(ip) ? ip.replace(/:/g, '-') : ip.replace(/\./g, '-');
}

function undashed(label: string): string | undefined {
  const v4 = label.replace(/-/g, '.');
  if (isIPv4(v4)) return v4;
  const v6 = label.replace(/-/g, ':');
  return isIPv6(v6) ? v6 : undefined;
}

function reverseName(ip: string): string | undefined {
  if (!isIPv4(ip)) return undefined;
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

export class ClusterRecords {
  readonly zone: string;
  private readonly store: Store;
  private readonly ttl: number;
  private readonly dnsIP: string | undefined;
  private readonly serial: () => number;
  private readonly searchExpansions: boolean;

  constructor(o: ClusterRecordsOptions) {
    this.store = o.store;
    this.zone = (o.zone ?? DEFAULT_ZONE).toLowerCase().replace(/\.$/, '');
    this.ttl = o.ttl ?? DEFAULT_TTL;
    this.dnsIP = o.dnsIP;
    this.serial = o.serial ?? (() => 1);
    this.searchExpansions = o.searchExpansions ?? true;
  }

  private index: { rv: string; names: Set<string>; namespaces: Set<string> } | undefined;

  /** Service names and namespaces, rebuilt only when the store has changed since the last look. */
  private serviceIndex(): { names: Set<string>; namespaces: Set<string> } {
    const rv = this.store.currentResourceVersion();
    if (this.index?.rv !== rv) {
      const names = new Set<string>();
      const namespaces = new Set<string>();
      for (const svc of this.store.list<Service>('services').items) {
        names.add(svc.metadata?.name ?? '');
        namespaces.add(svc.metadata?.namespace ?? 'default');
      }
      this.index = { rv, names, namespaces };
    }
    return this.index;
  }

  /** Whether some namespace has a Service of this name (see searchExpansions above). */
  private serviceNamed(name: string): boolean {
    return this.searchExpansions && this.serviceIndex().names.has(name);
  }

  /** True when this server is authoritative for the name (the cluster zone). */
  inZone(name: string): boolean {
    const n = name.toLowerCase().replace(/\.$/, '');
    return n === this.zone || n.endsWith(`.${this.zone}`);
  }

  /**
   * Answers a question in the cluster zone or the reverse zone; undefined when the name is not
   * ours to answer (the caller forwards it), as CoreDNS's `fallthrough in-addr.arpa ip6.arpa`.
   */
  lookup(q: Question): LookupResult | undefined {
    const name = q.name.replace(/\.$/, '');
    const lower = name.toLowerCase();
    if (lower.endsWith('.in-addr.arpa')) return this.reverse(q, name, lower);
    if (!this.inZone(lower)) return undefined;
    const labels = lower === this.zone ? [] : lower.slice(0, -(this.zone.length + 1)).split('.');
    return this.forward(q, name, labels);
  }

  /** The zone's SOA, as CoreDNS forms it (ns.dns.ZONE, hostmaster.ZONE, its timers). */
  soa(): SoaAnswer {
    return {
      name: this.zone,
      type: 'SOA',
      class: 'IN',
      ttl: this.ttl,
      data: {
        mname: `ns.dns.${this.zone}`,
        rname: `hostmaster.${this.zone}`,
        serial: this.serial(),
        refresh: 7200,
        retry: 1800,
        expire: 86400,
        minimum: this.ttl,
      },
    };
  }

  private result(rcode: Rcode, answers: Answer[], additionals: Answer[] = []): LookupResult {
    return { rcode, answers, authorities: answers.length === 0 ? [this.soa()] : [], additionals };
  }

  private nxdomain(): LookupResult {
    return this.result('NXDOMAIN', []);
  }

  private address(name: string, ip: string): Answer {
    return { name, type: isIPv6(ip) ? 'AAAA' : 'A', class: 'IN', ttl: this.ttl, data: ip };
  }

  /** The A or AAAA records among addresses that answer the question's type. */
  private addresses(q: Question, name: string, ips: string[]): Answer[] {
    if (q.type !== 'A' && q.type !== 'AAAA' && (q.type as string) !== 'ANY') return [];
    return ips
      .filter((ip) => (q.type === 'A' ? isIPv4(ip) : q.type === 'AAAA' ? isIPv6(ip) : true))
      .map((ip) => this.address(name, ip));
  }

  private forward(q: Question, name: string, labels: string[]): LookupResult {
    const type = q.type as string;
    if (labels.length === 0) {
      if (type === 'SOA') return this.result('NOERROR', [this.soa()]);
      if (type === 'NS')
        return this.result('NOERROR', [
          { name, type: 'NS', class: 'IN', ttl: this.ttl, data: `ns.dns.${this.zone}` },
        ]);
      return this.result('NOERROR', []);
    }
    const last = labels[labels.length - 1];
    if (labels.length === 1 && last === 'dns-version') {
      const txt: Answer[] =
        type === 'TXT' ? [{ name, type: 'TXT', class: 'IN', ttl: this.ttl, data: SCHEMA_VERSION }] : [];
      return this.result('NOERROR', txt);
    }
    if (labels.length === 2 && labels[0] === 'ns' && last === 'dns') {
      return this.result('NOERROR', this.addresses(q, name, this.dnsIP ? [this.dnsIP] : []));
    }
    if (labels.length === 1 && last === 'dns') return this.result('NOERROR', []);
    if (last === 'svc') return this.service(q, name, labels.slice(0, -1));
    if (last === 'pod') return this.pod(q, name, labels.slice(0, -1));
    if (labels.length === 1 && this.serviceNamed(last ?? '')) return this.result('NOERROR', []);
    return this.nxdomain();
  }

  private namespaceExists(ns: string): boolean {
    if (this.store.get({ resource: 'namespaces', namespace: '', name: ns })) return true;
    return this.serviceIndex().namespaces.has(ns);
  }

  private pod(q: Question, name: string, labels: string[]): LookupResult {
    // [] is pod.ZONE; [ns] is NS.pod.ZONE: names that exist, with no records of their own.
    if (labels.length === 0) return this.result('NOERROR', []);
    const ns = labels[labels.length - 1] ?? '';
    if (labels.length === 1) return this.namespaceExists(ns) ? this.result('NOERROR', []) : this.nxdomain();
    if (labels.length !== 2) return this.nxdomain();
    const ip = undashed(labels[0] ?? '');
    if (!ip) return this.nxdomain();
    return this.result('NOERROR', this.addresses(q, name, [ip]));
  }

  private getService(ns: string, svc: string): Service | undefined {
    return this.store.get<Service>({ resource: 'services', namespace: ns, name: svc });
  }

  private service(q: Question, name: string, labels: string[]): LookupResult {
    if (labels.length === 0) return this.result('NOERROR', []);
    const ns = labels[labels.length - 1] ?? '';
    if (labels.length === 1)
      return this.namespaceExists(ns) || this.serviceNamed(ns) ? this.result('NOERROR', []) : this.nxdomain();
    const svcName = labels[labels.length - 2] ?? '';
    const svc = this.getService(ns, svcName);
    if (!svc) return this.nxdomain();
    const svcFqdn = `${svcName}.${ns}.svc.${this.zone}`;
    const rest = labels.slice(0, -2);
    if (rest.length === 0) return this.serviceRecords(q, name, svc, svcFqdn);
    if (rest.length === 1) return this.endpointRecord(q, name, svc, rest[0] ?? '');
    if (rest.length === 2 && rest[0]?.startsWith('_') && rest[1]?.startsWith('_')) {
      const port = rest[0].slice(1);
      const proto = rest[1].slice(1);
      return this.srv(q, name, svc, svcFqdn, port, proto);
    }
    return this.nxdomain();
  }

  private isHeadless(svc: Service): boolean {
    return svc.spec?.clusterIP === 'None';
  }

  private clusterIPs(svc: Service): string[] {
    const spec = svc.spec ?? {};
    const ips =
      spec.clusterIPs && spec.clusterIPs.length > 0
        ? spec.clusterIPs
        : spec.clusterIP
          ? [spec.clusterIP]
          : [];
    return ips.filter((ip) => ip !== 'None' && ip !== '');
  }

  private serviceRecords(q: Question, name: string, svc: Service, svcFqdn: string): LookupResult {
    const type = q.type as string;
    if (svc.spec?.type === 'ExternalName') {
      const target = svc.spec.externalName ?? '';
      // As CoreDNS: the CNAME alone; the client's resolver follows it.
      return this.result('NOERROR', [{ name, type: 'CNAME', class: 'IN', ttl: this.ttl, data: target }]);
    }
    if (type === 'SRV') return this.srv(q, name, svc, svcFqdn, undefined, undefined);
    if (this.isHeadless(svc)) {
      const eps = this.readyEndpoints(svc);
      // As CoreDNS: a headless service with no ready endpoint has no name.
      if (eps.length === 0) return this.nxdomain();
      return this.result(
        'NOERROR',
        this.addresses(
          q,
          name,
          eps.map((e) => e.ip),
        ),
      );
    }
    return this.result('NOERROR', this.addresses(q, name, this.clusterIPs(svc)));
  }

  /** HOST.SVC.NS.svc.ZONE: a headless service's endpoint by hostname or dashed address. */
  private endpointRecord(q: Question, name: string, svc: Service, host: string): LookupResult {
    if (!this.isHeadless(svc)) return this.nxdomain();
    const eps = this.readyEndpoints(svc).filter((e) => this.endpointLabel(e) === host);
    if (eps.length === 0) return this.nxdomain();
    return this.result(
      'NOERROR',
      this.addresses(
        q,
        name,
        eps.map((e) => e.ip),
      ),
    );
  }

  private endpointLabel(e: Endpoint): string {
    return (e.hostname ?? dashedAddress(e.ip)).toLowerCase();
  }

  private srv(
    q: Question,
    name: string,
    svc: Service,
    svcFqdn: string,
    portName: string | undefined,
    proto: string | undefined,
  ): LookupResult {
    const matches = (p: { name?: string; protocol?: string }): boolean =>
      (portName === undefined ? (p.name ?? '') !== '' : (p.name ?? '').toLowerCase() === portName) &&
      (proto === undefined || (p.protocol ?? 'TCP').toLowerCase() === proto);
    const targets: { port: number; target: string; ip?: string }[] = [];
    if (this.isHeadless(svc)) {
      for (const e of this.readyEndpoints(svc)) {
        for (const p of e.ports)
          if (matches(p))
            targets.push({ port: p.port, target: `${this.endpointLabel(e)}.${svcFqdn}`, ip: e.ip });
      }
    } else if (svc.spec?.type !== 'ExternalName') {
      for (const p of svc.spec?.ports ?? []) if (matches(p)) targets.push({ port: p.port, target: svcFqdn });
    }
    if (targets.length === 0) {
      // The port name and protocol labels exist only where such a port does.
      return portName === undefined ? this.result('NOERROR', []) : this.nxdomain();
    }
    if ((q.type as string) !== 'SRV') return this.result('NOERROR', []);
    // CoreDNS spreads the weight evenly over the records of one name.
    const weight = Math.floor(100 / targets.length);
    const answers: Answer[] = targets.map((t) => ({
      name,
      type: 'SRV',
      class: 'IN',
      ttl: this.ttl,
      data: { priority: 0, weight, port: t.port, target: t.target },
    }));
    const additionals: Answer[] = [];
    const seen = new Set<string>();
    for (const t of targets) {
      if (seen.has(t.target)) continue;
      seen.add(t.target);
      const ips = t.ip ? [t.ip] : this.clusterIPs(svc);
      for (const ip of ips) additionals.push(this.address(t.target, ip));
    }
    return this.result('NOERROR', answers, additionals);
  }

  /**
   * The service's ready endpoints: from its EndpointSlices (label kubernetes.io/service-name), or
   * its Endpoints object when it has no slice. publishNotReadyAddresses takes the others too.
   */
  readyEndpoints(svc: Service): Endpoint[] {
    const ns = svc.metadata?.namespace ?? 'default';
    const svcName = svc.metadata?.name ?? '';
    const all = svc.spec?.publishNotReadyAddresses === true;
    const out = new Map<string, Endpoint>();
    const slices = this.store
      .list<EndpointSlice>('endpointslices', { namespace: ns })
      .items.filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === svcName);
    for (const s of slices) {
      const ports = (s.ports ?? []).map((p) => ({
        name: p.name ?? '',
        port: p.port ?? 0,
        protocol: p.protocol ?? 'TCP',
      }));
      for (const e of s.endpoints) {
        if (!all && e.conditions?.ready === false) continue;
        for (const ip of e.addresses) {
          const prev = out.get(ip);
          if (prev) prev.ports.push(...ports.filter((p) => !prev.ports.some((q) => q.name === p.name)));
          else out.set(ip, { ip, hostname: e.hostname, ports: [...ports] });
        }
      }
    }
    if (slices.length === 0) {
      const ep = this.store.get<Endpoints>({ resource: 'endpoints', namespace: ns, name: svcName });
      for (const sub of ep?.subsets ?? []) {
        const ports = (sub.ports ?? []).map((p) => ({
          name: p.name ?? '',
          port: p.port,
          protocol: p.protocol ?? 'TCP',
        }));
        const addrs = [...(sub.addresses ?? []), ...(all ? (sub.notReadyAddresses ?? []) : [])];
        for (const a of addrs) if (!out.has(a.ip)) out.set(a.ip, { ip: a.ip, hostname: a.hostname, ports });
      }
    }
    return [...out.values()];
  }

  private reverse(q: Question, name: string, lower: string): LookupResult | undefined {
    for (const svc of this.store.list<Service>('services').items) {
      const ns = svc.metadata?.namespace ?? 'default';
      const svcFqdn = `${svc.metadata?.name ?? ''}.${ns}.svc.${this.zone}`;
      const ptrs: string[] = [];
      for (const ip of this.clusterIPs(svc)) if (reverseName(ip) === lower) ptrs.push(svcFqdn);
      if (this.isHeadless(svc)) {
        for (const e of this.readyEndpoints(svc))
          if (reverseName(e.ip) === lower) ptrs.push(`${this.endpointLabel(e)}.${svcFqdn}`);
      }
      if (ptrs.length > 0) {
        const answers: Answer[] =
          (q.type as string) === 'PTR'
            ? ptrs.map((p) => ({ name, type: 'PTR', class: 'IN', ttl: this.ttl, data: p }))
            : [];
        return { rcode: 'NOERROR', answers, authorities: [], additionals: [] };
      }
    }
    return undefined;
  }
}
