// The files the kubelet writes for every pod and bind-mounts into each container: /etc/hosts (the
// kubelet's "Kubernetes-managed hosts file", pkg/kubelet/kubelet_pods.go), /etc/hostname and
// /etc/resolv.conf (the sandbox's DNSConfig the kubelet computed from dnsPolicy, or the host's).
import type { HostAlias } from 'kubernetes-types/core/v1.js';
import { readFileSync, writeFileSync } from 'node:fs';
import type { DnsConfig } from '../runtime.ts';

export function hostsFile(
  ip: string | undefined,
  hostname: string,
  subdomainFqdn: string | undefined,
  aliases: HostAlias[] = [],
): string {
  let out = '# Kubernetes-managed hosts file.\n';
  out += '127.0.0.1\tlocalhost\n';
  out += '::1\tlocalhost ip6-localhost ip6-loopback\n';
  out += 'fe00::0\tip6-localnet\n';
  out += 'fe00::0\tip6-mcastprefix\n';
  out += 'fe00::1\tip6-allnodes\n';
  out += 'fe00::2\tip6-allrouters\n';
  if (ip) out += subdomainFqdn ? `${ip}\t${subdomainFqdn}\t${hostname}\n` : `${ip}\t${hostname}\n`;
  if (aliases.length > 0) {
    out += '\n# Entries added by HostAliases.\n';
    for (const a of aliases) out += `${a.ip}\t${(a.hostnames ?? []).join('\t')}\n`;
  }
  return out;
}

/**
 * The sandbox's DNSConfig as a resolv.conf, laid out as containerd writes it for a CRI sandbox:
 * the search line, one nameserver line each, the options line; empty parts left out.
 */
export function resolvConfFromDns(dns: DnsConfig): string {
  let out = '';
  if (dns.searches.length > 0) out += `search ${dns.searches.join(' ')}\n`;
  for (const s of dns.servers) out += `nameserver ${s}\n`;
  if (dns.options.length > 0) out += `options ${dns.options.join(' ')}\n`;
  return out;
}

/** Without a DNSConfig: the host's resolv.conf, less loopback name servers (unreachable from a pod's namespace). */
export function resolvConf(): string {
  let text = '';
  try {
    text = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    return '';
  }
  return (
    text
      .split('\n')
      .filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l))
      .join('\n')
      .trimEnd() + '\n'
  );
}

export function writePodFiles(dir: string, files: { hosts: string; hostname: string; resolv: string }): void {
  writeFileSync(`${dir}/etc-hosts`, files.hosts, { mode: 0o644 });
  writeFileSync(`${dir}/etc-hostname`, `${files.hostname}\n`, { mode: 0o644 });
  writeFileSync(`${dir}/resolv.conf`, files.resolv, { mode: 0o644 });
}
