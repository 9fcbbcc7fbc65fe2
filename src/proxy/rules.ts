// The rules for a set of service ports, in iptables-restore form, laid out as kube-proxy's
// iptables mode lays them out (pkg/proxy/iptables/proxier.go), in nodelet's own chains (each
// name below is really NODELET-<tag>-…, the tag naming the node, see chain-names.ts):
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
import { CHAIN_PREFIX, type ChainNames } from './chain-names.ts';
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

export type Table = 'nat' | 'filter';

/** A jump from a built-in chain into one of ours (kept with `iptables -C`/`-I`, not restore). */
export interface JumpRule {
  table: Table;
  chain: string;
  args: string[];
}

/** The jumps into a node's chains: nat PREROUTING/OUTPUT/POSTROUTING, filter INPUT/FORWARD/OUTPUT. */
export function jumpRules(c: ChainNames): JumpRule[] {
  const tag = `nodelet ${c.tag}`;
  return [
    { table: 'nat', chain: 'PREROUTING', args: comment(`${tag} service portals`, ['-j', c.services]) },
    { table: 'nat', chain: 'OUTPUT', args: comment(`${tag} service portals`, ['-j', c.services]) },
    { table: 'nat', chain: 'POSTROUTING', args: comment(`${tag} postrouting rules`, ['-j', c.postrouting]) },
    ...(['INPUT', 'FORWARD', 'OUTPUT'] as const).map((chain) => ({
      table: 'filter' as const,
      chain,
      args: ['-m', 'conntrack', '--ctstate', 'NEW', ...comment(`${tag} service portals`, ['-j', c.services])],
    })),
    { table: 'filter', chain: 'FORWARD', args: comment(`${tag} forwarding rules`, ['-j', c.forward]) },
    { table: 'filter', chain: 'INPUT', args: comment(`${tag} firewall rules`, ['-j', c.firewall]) },
  ];
}

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

export function computeRules(
  ports: readonly ProxiedServicePort[],
  net: ProxyNetwork,
  c: ChainNames,
): ComputedRules {
  const natChains = [c.services, c.nodePorts, c.postrouting, c.markMasq];
  const nat: string[] = [];
  const filterChains = [c.services, c.forward, c.firewall];
  const filter: string[] = [];

  // Masquerade only what a rule marked, only out of the pod bridge (never out of the machine),
  // clearing the mark first so a re-routed packet is not masqueraded twice, as kube-proxy does.
  nat.push(rule(c.markMasq, ['-j', 'MARK', '--or-mark', MASQ_MARK]));
  nat.push(rule(c.postrouting, ['!', '-o', net.bridge, '-j', 'RETURN']));
  nat.push(rule(c.postrouting, ['-m', 'mark', '!', '--mark', `${MASQ_MARK}/${MASQ_MARK}`, '-j', 'RETURN']));
  nat.push(rule(c.postrouting, ['-j', 'MARK', '--xor-mark', MASQ_MARK]));
  nat.push(
    rule(
      c.postrouting,
      comment('nodelet service traffic requiring SNAT', ['-j', 'MASQUERADE', '--random-fully']),
    ),
  );

  const svcRules: string[] = [];
  const nodePortRules: string[] = [];
  const perPort: string[] = [];
  for (const p of ports) {
    const spn = p.servicePortName;
    const svcChain = c.service(spn, p.protocol);
    const dport = ['--dport', String(p.port)];
    const cip = ['-d', `${p.clusterIP}/32`];
    if (p.endpoints.length === 0) {
      // As kube-proxy: a port without endpoints is rejected at once rather than left to time out.
      filter.push(
        rule(
          c.services,
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
              c.services,
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
      rule(c.services, comment(`${spn} cluster IP`, [...cip, ...proto(p), ...dport, '-j', svcChain])),
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
          c.markMasq,
        ]),
      ),
    );

    if (p.nodePort !== undefined) {
      const extChain = c.external(spn, p.protocol);
      natChains.push(extChain);
      nodePortRules.push(
        rule(c.nodePorts, comment(spn, [...proto(p), '--dport', String(p.nodePort), '-j', extChain])),
      );
      // externalTrafficPolicy Cluster: every external connection is masqueraded, as kube-proxy does;
      // on one node every endpoint is local, so Local would pick the same endpoints.
      perPort.push(
        rule(extChain, comment(`masquerade traffic for ${spn} external destinations`, ['-j', c.markMasq])),
      );
      perPort.push(rule(extChain, ['-j', svcChain]));
    }

    const seps = p.endpoints.map((e) => ({ e, chain: c.endpoint(spn, p.protocol, `${e.ip}:${e.port}`) }));
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
      perPort.push(rule(chain, comment(spn, ['-s', `${e.ip}/32`, '-j', c.markMasq])));
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
        c.services,
        comment('nodelet service nodeports; NOTE: this must be the last rule in this chain', [
          '-d',
          `${addr}/32`,
          '-j',
          c.nodePorts,
        ]),
      ),
    );
  }
  nat.push(...nodePortRules, ...perPort);

  filter.push(
    rule(
      c.services,
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
      c.forward,
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
        c.firewall,
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
export function restoreText(
  rules: ComputedRules,
  existing: { nat: string[]; filter: string[] },
  prefix: string,
): string {
  const out: string[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const { chains, rules: lines } = rules[table];
    const wanted = new Set(chains);
    const stale = existing[table].filter((c) => c.startsWith(prefix) && !wanted.has(c)).sort();
    out.push(`*${table}`);
    for (const c of [...chains, ...stale]) out.push(`:${c} - [0:0]`);
    out.push(...lines);
    for (const c of stale) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/**
 * Removes the chains that begin with prefix: one node's (`NODELET-<tag>-`) or every nodelet's
 * (`NODELET-`). The jumps into them must be gone first.
 */
export function cleanupText(
  existing: { nat: string[]; filter: string[] },
  prefix: string = CHAIN_PREFIX,
): string {
  const out: string[] = [];
  for (const table of ['nat', 'filter'] as const) {
    const ours = existing[table].filter((c) => c.startsWith(prefix)).sort();
    out.push(`*${table}`);
    for (const c of ours) out.push(`:${c} - [0:0]`);
    for (const c of ours) out.push(`-X ${c}`);
    out.push('COMMIT');
  }
  return out.join('\n') + '\n';
}

/**
 * The rules of built-in chains that jump into chains beginning with prefix, as JumpRules (from
 * `iptables-save -t TABLE`): what a cleanup deletes, whichever node wrote them.
 */
export function savedJumps(save: string, table: Table, prefix: string): JumpRule[] {
  const out: JumpRule[] = [];
  for (const line of save.split('\n')) {
    if (!line.startsWith('-A ')) continue;
    const [, chain, ...args] = splitArgs(line);
    if (!chain || chain.startsWith(CHAIN_PREFIX)) continue;
    const target = args[args.indexOf('-j') + 1];
    if (args.includes('-j') && target?.startsWith(prefix)) out.push({ table, chain, args });
  }
  return out;
}

/** Splits a saved rule into arguments, honouring iptables-save's double quotes. */
export function splitArgs(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? ''));
  }
  return out;
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
