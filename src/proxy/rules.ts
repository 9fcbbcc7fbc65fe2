// The rules for a set of service ports, in iptables-restore form, laid out as kube-proxy's
// iptables mode lays them out (pkg/proxy/iptables/proxier.go), in nodelet's own chains:
//
//   nat  PREROUTING, OUTPUT → NODELET-SERVICES
//          ClusterIP:port → NODELET-SVC-<hash>      (one per service port)
//          node address   → NODELET-NODEPORTS → NODELET-EXT-<hash> → NODELET-SVC-<hash>
//        NODELET-SVC-<hash>: statistic-mode random picks → NODELET-SEP-<hash> (one per endpoint)
//        NODELET-SEP-<hash>: DNAT to the endpoint
//        POSTROUTING → NODELET-POSTROUTING: masquerade what was marked, only out of the pod bridge
//   filter INPUT, FORWARD, OUTPUT (new connections) → NODELET-SERVICES: REJECT a ClusterIP:port
//          or NodePort with no endpoint; REJECT anything else sent to the service range, so an
//          address nobody serves is never routed out of the machine
//          FORWARD → NODELET-FORWARD: accept service traffic between pods on the bridge
//          INPUT → NODELET-FIREWALL: drop outside traffic to 127.0.0.0/8 (route_localnet guard)
import { CHAIN_PREFIX, endpointChain, externalChain, serviceChain } from './chain-names.ts';
import type { ProxiedServicePort } from './service-ports.ts';

export interface ProxyNetwork {
  /** The service range (ClusterIPs), e.g. 10.96.0.0/16. */
  serviceCidr: string;
  /** The pod subnet: traffic from elsewhere to a ClusterIP is masqueraded (kube-proxy's clusterCIDR). */
  podCidr: string;
  /** The pod bridge: the only interface masqueraded traffic may leave through. */
  bridge: string;
  /** Node addresses that serve NodePorts (kube-proxy's nodePortAddresses), e.g. 10.87.0.1, 127.0.0.1. */
  nodePortAddresses: string[];
}

/**
 * The firewall mark that asks for masquerade. kube-proxy uses bit 14 (0x4000); nodelet uses a
 * bit of its own so its rules never mean anything to a kube-proxy, the kubelet's drop mark
 * (0x8000) or podman's netavark (0x2000) on the same machine.
 */
export const MASQ_MARK = '0x100000';

export const SERVICES_CHAIN = `${CHAIN_PREFIX}SERVICES`;
export const NODEPORTS_CHAIN = `${CHAIN_PREFIX}NODEPORTS`;
export const POSTROUTING_CHAIN = `${CHAIN_PREFIX}POSTROUTING`;
export const MARK_MASQ_CHAIN = `${CHAIN_PREFIX}MARK-MASQ`;
export const FORWARD_CHAIN = `${CHAIN_PREFIX}FORWARD`;
export const FIREWALL_CHAIN = `${CHAIN_PREFIX}FIREWALL`;

export type Table = 'nat' | 'filter';

/** A jump from a built-in chain into one of ours (kept with `iptables -C`/`-I`, not restore). */
export interface JumpRule {
  table: Table;
  chain: string;
  args: string[];
}

export const JUMP_RULES: readonly JumpRule[] = [
  { table: 'nat', chain: 'PREROUTING', args: comment('nodelet service portals', ['-j', SERVICES_CHAIN]) },
  { table: 'nat', chain: 'OUTPUT', args: comment('nodelet service portals', ['-j', SERVICES_CHAIN]) },
  {
    table: 'nat',
    chain: 'POSTROUTING',
    args: comment('nodelet postrouting rules', ['-j', POSTROUTING_CHAIN]),
  },
  ...(['INPUT', 'FORWARD', 'OUTPUT'] as const).map((chain) => ({
    table: 'filter' as const,
    chain,
    args: [
      '-m',
      'conntrack',
      '--ctstate',
      'NEW',
      ...comment('nodelet service portals', ['-j', SERVICES_CHAIN]),
    ],
  })),
  { table: 'filter', chain: 'FORWARD', args: comment('nodelet forwarding rules', ['-j', FORWARD_CHAIN]) },
  { table: 'filter', chain: 'INPUT', args: comment('nodelet firewall rules', ['-j', FIREWALL_CHAIN]) },
];

function comment(text: string, rest: string[]): string[] {
  return ['-m', 'comment', '--comment', text, ...rest];
}

/** One argument as iptables-restore reads it: quoted when it holds a space. */
function quote(arg: string): string {
  return /^[^\s"]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1')}"`;
}

function rule(chain: string, args: string[]): string {
  return ['-A', chain, ...args].map(quote).join(' ');
}

function proto(p: ProxiedServicePort): string[] {
  const l = p.protocol.toLowerCase();
  return ['-p', l, '-m', l];
}

/** kube-proxy's probability for the i-th of n endpoints: 1/(n-i), printed with 10 decimals. */
export function probability(remaining: number): string {
  return (1 / remaining).toFixed(10);
}

export interface ComputedRules {
  /** The iptables-restore input for both tables, without the chains to delete. */
  nat: { chains: string[]; rules: string[] };
  filter: { chains: string[]; rules: string[] };
}

export function computeRules(ports: readonly ProxiedServicePort[], net: ProxyNetwork): ComputedRules {
  const natChains = [SERVICES_CHAIN, NODEPORTS_CHAIN, POSTROUTING_CHAIN, MARK_MASQ_CHAIN];
  const nat: string[] = [];
  const filterChains = [SERVICES_CHAIN, FORWARD_CHAIN, FIREWALL_CHAIN];
  const filter: string[] = [];

  // Masquerade only what a rule marked, only out of the pod bridge (never out of the machine),
  // clearing the mark first so a re-routed packet is not masqueraded twice, as kube-proxy does.
  nat.push(rule(MARK_MASQ_CHAIN, ['-j', 'MARK', '--or-mark', MASQ_MARK]));
  nat.push(rule(POSTROUTING_CHAIN, ['!', '-o', net.bridge, '-j', 'RETURN']));
  nat.push(
    rule(POSTROUTING_CHAIN, ['-m', 'mark', '!', '--mark', `${MASQ_MARK}/${MASQ_MARK}`, '-j', 'RETURN']),
  );
  nat.push(rule(POSTROUTING_CHAIN, ['-j', 'MARK', '--xor-mark', MASQ_MARK]));
  nat.push(
    rule(
      POSTROUTING_CHAIN,
      comment('nodelet service traffic requiring SNAT', ['-j', 'MASQUERADE', '--random-fully']),
    ),
  );

  const svcRules: string[] = [];
  const nodePortRules: string[] = [];
  const perPort: string[] = [];
  for (const p of ports) {
    const spn = p.servicePortName;
    const svcChain = serviceChain(spn, p.protocol);
    const dport = ['--dport', String(p.port)];
    const cip = ['-d', `${p.clusterIP}/32`];
    if (p.endpoints.length === 0) {
      // As kube-proxy: a port without endpoints is rejected at once rather than left to time out.
      filter.push(
        rule(
          SERVICES_CHAIN,
          comment(`${spn} has no endpoints`, [
            ...cip,
            ...proto(p),
            ...dport,
            '-j',
            'REJECT',
            '--reject-with',
            'icmp-port-unreachable',
          ]),
        ),
      );
      if (p.nodePort !== undefined) {
        for (const addr of net.nodePortAddresses) {
          filter.push(
            rule(
              SERVICES_CHAIN,
              comment(`${spn} has no endpoints`, [
                '-d',
                `${addr}/32`,
                ...proto(p),
                '--dport',
                String(p.nodePort),
                '-j',
                'REJECT',
                '--reject-with',
                'icmp-port-unreachable',
              ]),
            ),
          );
        }
      }
      continue;
    }

    natChains.push(svcChain);
    svcRules.push(
      rule(SERVICES_CHAIN, comment(`${spn} cluster IP`, [...cip, ...proto(p), ...dport, '-j', svcChain])),
    );
    // Traffic to the ClusterIP from outside the pod network (the node itself) is masqueraded so
    // the endpoint's reply comes back through the node (kube-proxy's clusterCIDR rule).
    perPort.push(
      rule(
        svcChain,
        comment(`${spn} cluster IP`, [
          '!',
          '-s',
          net.podCidr,
          ...cip,
          ...proto(p),
          ...dport,
          '-j',
          MARK_MASQ_CHAIN,
        ]),
      ),
    );

    if (p.nodePort !== undefined) {
      const extChain = externalChain(spn, p.protocol);
      natChains.push(extChain);
      nodePortRules.push(
        rule(NODEPORTS_CHAIN, comment(spn, [...proto(p), '--dport', String(p.nodePort), '-j', extChain])),
      );
      // externalTrafficPolicy Cluster: every external connection is masqueraded, as kube-proxy does;
      // on one node every endpoint is local, so Local would pick the same endpoints.
      perPort.push(
        rule(
          extChain,
          comment(`masquerade traffic for ${spn} external destinations`, ['-j', MARK_MASQ_CHAIN]),
        ),
      );
      perPort.push(rule(extChain, ['-j', svcChain]));
    }

    const seps = p.endpoints.map((e) => ({ e, chain: endpointChain(spn, p.protocol, `${e.ip}:${e.port}`) }));
    // sessionAffinity ClientIP: a client seen recently goes back to its endpoint (the `recent`
    // match, one list per endpoint chain), before the random pick, as kube-proxy does.
    if (p.affinitySeconds !== undefined) {
      for (const { e, chain } of seps) {
        perPort.push(
          rule(
            svcChain,
            comment(`${spn} -> ${e.ip}:${e.port}`, [
              '-m',
              'recent',
              '--name',
              chain,
              '--mask',
              '255.255.255.255',
              '--rsource',
              '--rcheck',
              '--seconds',
              String(p.affinitySeconds),
              '--reap',
              '-j',
              chain,
            ]),
          ),
        );
      }
    }
    // An even spread: the i-th rule of n takes 1/(n-i) of what reaches it; the last takes the rest.
    seps.forEach(({ e, chain }, i) => {
      const remaining = seps.length - i;
      const pick =
        remaining > 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability(remaining)] : [];
      perPort.push(rule(svcChain, comment(`${spn} -> ${e.ip}:${e.port}`, [...pick, '-j', chain])));
    });
    for (const { e, chain } of seps) {
      natChains.push(chain);
      // Hairpin: a pod reaching itself through the service is masqueraded, or its reply would
      // go straight back to itself from the wrong address.
      perPort.push(rule(chain, comment(spn, ['-s', `${e.ip}/32`, '-j', MARK_MASQ_CHAIN])));
      const affinity =
        p.affinitySeconds !== undefined
          ? ['-m', 'recent', '--name', chain, '--mask', '255.255.255.255', '--rsource', '--set']
          : [];
      perPort.push(
        rule(
          chain,
          comment(spn, [...proto(p), ...affinity, '-j', 'DNAT', '--to-destination', `${e.ip}:${e.port}`]),
        ),
      );
    }
  }

  nat.push(...svcRules);
  // NodePorts last, as kube-proxy: only for the node's own addresses it serves them on.
  for (const addr of net.nodePortAddresses) {
    nat.push(
      rule(
        SERVICES_CHAIN,
        comment('nodelet service nodeports; NOTE: this must be the last rule in this chain', [
          '-d',
          `${addr}/32`,
          '-j',
          NODEPORTS_CHAIN,
        ]),
      ),
    );
  }
  nat.push(...nodePortRules, ...perPort);

  filter.push(
    rule(
      SERVICES_CHAIN,
      comment('no service at this address', [
        '-d',
        net.serviceCidr,
        '-j',
        'REJECT',
        '--reject-with',
        'icmp-net-unreachable',
      ]),
    ),
  );
  // Service traffic DNATed to a pod and its replies between pods on the bridge pass even where
  // FORWARD's policy is DROP (kube-proxy's KUBE-FORWARD, limited to the bridge).
  filter.push(
    rule(
      FORWARD_CHAIN,
      comment('nodelet service traffic between pods', [
        '-i',
        net.bridge,
        '-o',
        net.bridge,
        '-m',
        'conntrack',
        '--ctstate',
        'DNAT',
        '-j',
        'ACCEPT',
      ]),
    ),
  );
  if (net.nodePortAddresses.some((a) => a.startsWith('127.'))) {
    // route_localnet makes 127.0.0.1 routable; as kube-proxy, drop what arrives for 127.0.0.0/8
    // from anywhere but the node itself unless it belongs to a connection we DNATed.
    filter.push(
      rule(
        FIREWALL_CHAIN,
        comment('block incoming localnet connections', [
          '-d',
          '127.0.0.0/8',
          '!',
          '-s',
          '127.0.0.0/8',
          '-m',
          'conntrack',
          '!',
          '--ctstate',
          'RELATED,ESTABLISHED,DNAT',
          '-j',
          'DROP',
        ]),
      ),
    );
  }
  return { nat: { chains: natChains, rules: nat }, filter: { chains: filterChains, rules: filter } };
}

/**
 * The iptables-restore --noflush input: each of our chains declared (which creates or flushes it),
 * its rules, and `-X` for chains of ours that exist but are no longer wanted — one atomic
 * transaction per table, so a service never has half its rules.
 */
export function restoreText(rules: ComputedRules, existing: { nat: string[]; filter: string[] }): string {
  const out: string[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const { chains, rules: lines } = rules[table];
    const wanted = new Set(chains);
    const stale = existing[table].filter((c) => c.startsWith(CHAIN_PREFIX) && !wanted.has(c)).sort();
    out.push(`*${table}`);
    for (const c of [...chains, ...stale]) out.push(`:${c} - [0:0]`);
    out.push(...lines);
    for (const c of stale) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/** Removes every chain of ours (the jumps into them must be gone first). */
export function cleanupText(existing: { nat: string[]; filter: string[] }): string {
  const out: string[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const ours = existing[table].filter((c) => c.startsWith(CHAIN_PREFIX)).sort();
    out.push(`*${table}`);
    for (const c of ours) out.push(`:${c} - [0:0]`);
    for (const c of ours) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/** The chains an `iptables-save -t TABLE` output declares. */
export function savedChains(save: string): string[] {
  const out: string[] = [];
  for (const line of save.split('\n')) {
    const m = /^:(\S+)\s/.exec(line);
    if (m?.[1]) out.push(m[1]);
  }
  return out;
}
