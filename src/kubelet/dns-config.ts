// The pod's resolver configuration, as the kubelet's DNS configurer computes it
// (pkg/kubelet/network/dns/dns.go, GetPodDNS): the host's resolv.conf is the base; dnsPolicy picks
// cluster DNS, the host's settings or nothing; the pod's dnsConfig is appended; the result is cut
// to the resolver's limits with a `DNSConfigForming` warning event.
import type { Pod, PodDNSConfigOption } from 'kubernetes-types/core/v1.js';
import { existsSync, readFileSync } from 'node:fs';
import type { DnsConfig } from '../runtime/runtime.ts';

/** The kubelet's clusterDNS and clusterDomain on this node (kube-dns Service's ClusterIP). */
export const DEFAULT_CLUSTER_DNS = ['10.96.0.10'];
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** As the API server's validation: 3 nameservers; ExpandedDNSConfig's 32 search paths, 2048 chars. */
export const MAX_DNS_NAMESERVERS = 3;
export const MAX_DNS_SEARCH_PATHS = 32;
export const MAX_DNS_SEARCH_LIST_CHARS = 2048;
/** A search path longer than a DNS-1123 subdomain aborts some resolvers (glibc 2.28); dropped. */
const MAX_SEARCH_PATH_LENGTH = 253;
const DEFAULT_DNS_OPTIONS = ['ndots:5'];

export interface KubeletDnsSettings {
  /** Empty: ClusterFirst pods fall back to Default with a MissingClusterDNS warning. */
  clusterDNS: string[];
  /** Empty: no cluster search domains. */
  clusterDomain: string;
  /** The host's resolver configuration (the kubelet's --resolv-conf file, parsed). */
  host: DnsConfig;
}

export type DnsWarning = (reason: 'DNSConfigForming' | 'MissingClusterDNS', message: string) => void;

/**
 * Parses resolv.conf as the kubelet does: nameserver lines accumulate; the last search line and the
 * last options line win; `.` and trailing dots are dropped from search domains.
 */
export function parseResolvConf(text: string): DnsConfig {
  const out: DnsConfig = { servers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) continue;
    const fields = line.split(/\s+/).filter((f) => f !== '');
    const [key, ...rest] = fields;
    if (key === 'nameserver' && rest[0] !== undefined) out.servers.push(rest[0]);
    else if (key === 'search') out.searches = rest.filter((s) => s !== '.').map((s) => s.replace(/\.$/, ''));
    else if (key === 'options') out.options = rest;
  }
  return out;
}

const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1';

/**
 * The host resolv.conf the kubelet should start from. Where /etc/resolv.conf names only a loopback
 * stub (systemd-resolved's 127.0.0.53), the real upstreams file is used, as kubeadm configures the
 * kubelet's resolvConf on such hosts: a pod's own network namespace cannot reach the host's loopback.
 */
export function hostResolvConfPath(): string {
  const stub = '/etc/resolv.conf';
  const resolved = '/run/systemd/resolve/resolv.conf';
  try {
    const servers = parseResolvConf(readFileSync(stub, 'utf8')).servers;
    if (servers.length > 0 && servers.every(isLoopback) && existsSync(resolved)) return resolved;
  } catch {
    // no /etc/resolv.conf: nothing to prefer
  }
  return stub;
}

/** The host's settings, read at each sandbox creation as the kubelet reads its resolv.conf. */
export function readHostDns(path = hostResolvConfPath()): DnsConfig {
  try {
    return parseResolvConf(readFileSync(path, 'utf8'));
  } catch {
    return { servers: [], searches: [], options: [] };
  }
}

/** This node's settings: cluster DNS at the kube-dns ClusterIP, domain cluster.local, the host's file. */
export function defaultKubeletDns(): KubeletDnsSettings {
  return { clusterDNS: DEFAULT_CLUSTER_DNS, clusterDomain: DEFAULT_CLUSTER_DOMAIN, host: readHostDns() };
}

function omitDuplicates(items: string[]): string[] {
  return [...new Set(items)];
}

/** dnsConfig options overwrite same-named ones; the first occurrence keeps its place. */
function mergeOptions(existing: string[], extra: PodDNSConfigOption[]): string[] {
  const merged = new Map<string, string>();
  for (const op of existing) {
    const i = op.indexOf(':');
    if (i === -1) merged.set(op, '');
    else merged.set(op.slice(0, i), op.slice(i + 1));
  }
  for (const op of extra) if (op.name) merged.set(op.name, op.value ?? '');
  return [...merged].map(([name, value]) => (value === '' ? name : `${name}:${value}`));
}

function fitSearches(searches: string[], warn: DnsWarning): string[] {
  let out = searches;
  let exceeded = false;
  if (out.length > MAX_DNS_SEARCH_PATHS) {
    out = out.slice(0, MAX_DNS_SEARCH_PATHS);
    exceeded = true;
  }
  const short = out.filter((s) => s.length <= MAX_SEARCH_PATH_LENGTH);
  if (short.length !== out.length) exceeded = true;
  out = short;
  // Whole domains are cut from the end until the line fits.
  while (out.length > 0 && out.join(' ').length > MAX_DNS_SEARCH_LIST_CHARS) {
    out = out.slice(0, -1);
    exceeded = true;
  }
  if (exceeded)
    warn(
      'DNSConfigForming',
      `Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ${out.join(' ')}`,
    );
  return out;
}

function fitServers(servers: string[], warn: DnsWarning): string[] {
  if (servers.length <= MAX_DNS_NAMESERVERS) return servers;
  const out = servers.slice(0, MAX_DNS_NAMESERVERS);
  warn(
    'DNSConfigForming',
    `Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: ${out.join(' ')}`,
  );
  return out;
}

type PodDnsType = 'cluster' | 'host' | 'none';

/** As getPodDNSType: ClusterFirst on the host network is Default; an unknown policy is ClusterFirst. */
function podDnsType(pod: Pod): PodDnsType {
  switch (pod.spec?.dnsPolicy) {
    case 'None':
      return 'none';
    case 'ClusterFirstWithHostNet':
      return 'cluster';
    case 'Default':
      return 'host';
    default:
      return pod.spec?.hostNetwork === true ? 'host' : 'cluster';
  }
}

/** The pod's DNSConfig (GetPodDNS). `warn` records the kubelet's warning events on the pod. */
export function podDnsConfig(pod: Pod, settings: KubeletDnsSettings, warn: DnsWarning): DnsConfig {
  const namespace = pod.metadata?.namespace ?? 'default';
  const host = settings.host;
  // A pod in its own network namespace cannot reach a loopback name server of the host.
  const hostServers =
    pod.spec?.hostNetwork === true ? host.servers : host.servers.filter((s) => !isLoopback(s));
  let dns: DnsConfig = { servers: hostServers, searches: host.searches, options: host.options };
  let type = podDnsType(pod);
  if (type === 'cluster' && settings.clusterDNS.length === 0) {
    warn(
      'MissingClusterDNS',
      `pod: "${pod.metadata?.name ?? ''}_${namespace}(${pod.metadata?.uid ?? ''})". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`,
    );
    type = 'host';
  }
  if (type === 'none') dns = { servers: [], searches: [], options: [] };
  else if (type === 'cluster') {
    const d = settings.clusterDomain;
    // The cluster domains come first, then the host's own search path.
    const searches = d
      ? omitDuplicates([`${namespace}.svc.${d}`, `svc.${d}`, d, ...host.searches])
      : host.searches;
    dns = { servers: [...settings.clusterDNS], searches, options: [...DEFAULT_DNS_OPTIONS] };
  }
  const extra = pod.spec?.dnsConfig;
  if (extra) {
    dns = {
      servers: omitDuplicates([...dns.servers, ...(extra.nameservers ?? [])]),
      searches: omitDuplicates([...dns.searches, ...(extra.searches ?? [])]),
      options: mergeOptions(dns.options, extra.options ?? []),
    };
  }
  return {
    servers: fitServers(dns.servers, warn),
    searches: fitSearches(dns.searches, warn),
    options: dns.options,
  };
}
