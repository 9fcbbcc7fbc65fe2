import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { base32, chainNames } from './chain-names.ts';
import {
  cleanupText,
  computeRules,
  jumpRules,
  probability,
  restoreText,
  savedChains,
  savedJumps,
  splitArgs,
  type ProxyNetwork,
} from './rules.ts';
import { servicePorts } from './service-ports.ts';
import { service, slice } from './test-objects.ts';

const C = chainNames('/var/lib/nodelet');
const P = C.prefix;
const serviceChain = C.service;
const externalChain = C.external;
const endpointChain = C.endpoint;

const NET: ProxyNetwork = {
  serviceCidr: '10.96.0.0/16',
  podCidr: '10.87.0.0/16',
  bridge: 'nodelet0',
  nodePortAddresses: ['10.87.0.1', '127.0.0.1'],
};

function text(...args: Parameters<typeof servicePorts>): string {
  return restoreText(computeRules(servicePorts(...args), NET, C), { nat: [], filter: [] }, P);
}

function lines(t: string, chain: string): string[] {
  return t.split('\n').filter((l) => l.startsWith(`-A ${chain} `));
}

describe('chain names', () => {
  test('base32 as RFC 4648', () => {
    assert.equal(base32(new TextEncoder().encode('foobar')), 'MZXW6YTBOI');
    assert.equal(base32(new TextEncoder().encode('f')), 'MY');
  });

  test('stable, distinct, and within iptables’ 28 characters', () => {
    const a = serviceChain('default/web:http', 'TCP');
    assert.equal(a, serviceChain('default/web:http', 'TCP'));
    assert.notEqual(a, serviceChain('default/web:http', 'UDP'));
    assert.match(a, /^NODELET-[A-Z2-7]{4}-SVC-[A-Z2-7]{11}$/);
    assert.equal(a.length, 28);
    assert.equal(externalChain('default/web:http', 'TCP').slice(17), a.slice(17));
    // Another node's chains have names of their own; the same data directory gives the same names.
    assert.notEqual(chainNames('/other').service('default/web:http', 'TCP'), a);
    assert.equal(chainNames('/var/lib/nodelet').service('default/web:http', 'TCP'), a);
    assert.notEqual(endpointChain('d/w', 'TCP', '10.87.0.5:80'), endpointChain('d/w', 'TCP', '10.87.0.6:80'));
  });
});

describe('computeRules', () => {
  test('a ClusterIP over one endpoint: jump, masquerade from outside the pod network, hairpin, DNAT', () => {
    const t = text(
      [service('web', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] })],
      [slice('web', [{ port: 8080 }], [{ ip: '10.87.0.5' }])],
    );
    const svc = serviceChain('default/web', 'TCP');
    const sep = endpointChain('default/web', 'TCP', '10.87.0.5:8080');
    assert.deepEqual(lines(t, `${P}SERVICES`).slice(0, 1), [
      `-A ${P}SERVICES -m comment --comment "default/web cluster IP" -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -j ${svc}`,
    ]);
    assert.deepEqual(lines(t, svc), [
      `-A ${svc} -m comment --comment "default/web cluster IP" ! -s 10.87.0.0/16 -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -j ${P}MARK-MASQ`,
      `-A ${svc} -m comment --comment "default/web -> 10.87.0.5:8080" -j ${sep}`,
    ]);
    assert.deepEqual(lines(t, sep), [
      `-A ${sep} -m comment --comment default/web -s 10.87.0.5/32 -j ${P}MARK-MASQ`,
      `-A ${sep} -m comment --comment default/web -p tcp -m tcp -j DNAT --to-destination 10.87.0.5:8080`,
    ]);
    assert.ok(t.includes(`:${svc} - [0:0]\n`) && t.includes(`:${sep} - [0:0]\n`));
    // A port with endpoints is not rejected; the service range's catch-all stays last.
    assert.deepEqual(
      lines(t, `${P}SERVICES`).filter((l) => l.includes('REJECT')),
      [
        `-A ${P}SERVICES -m comment --comment "no service at this address" -d 10.96.0.0/16 -j REJECT --reject-with icmp-net-unreachable`,
      ],
    );
  });

  test('several endpoints: 1/n, 1/(n-1) … probabilities, the last one unconditional', () => {
    const t = text(
      [service('web', { clusterIP: '10.96.0.20', ports: [{ port: 80 }] })],
      [
        slice(
          'web',
          [{ port: 80 }],
          [{ ip: '10.87.0.4' }, { ip: '10.87.0.3' }, { ip: '10.87.0.2' }, { ip: '10.87.0.5' }],
        ),
      ],
    );
    const svc = serviceChain('default/web', 'TCP');
    const picks = lines(t, svc).slice(1);
    assert.deepEqual(
      picks.map((l) => [/--probability (\S+)/.exec(l)?.[1], /-> (\S+)"/.exec(l)?.[1]]),
      [
        ['0.2500000000', '10.87.0.2:80'],
        ['0.3333333333', '10.87.0.3:80'],
        ['0.5000000000', '10.87.0.4:80'],
        [undefined, '10.87.0.5:80'],
      ],
    );
    assert.equal(probability(3), '0.3333333333');
  });

  test('several ports: a chain per port, each DNATing to its own target port and protocol', () => {
    const t = text(
      [
        service('dns', {
          clusterIP: '10.96.0.10',
          ports: [
            { name: 'dns', port: 53, protocol: 'UDP' },
            { name: 'dns-tcp', port: 53, protocol: 'TCP' },
          ],
        }),
      ],
      [
        slice(
          'dns',
          [
            { name: 'dns', port: 5353, protocol: 'UDP' },
            { name: 'dns-tcp', port: 5354, protocol: 'TCP' },
          ],
          [{ ip: '10.87.0.1' }],
        ),
      ],
    );
    const udp = endpointChain('default/dns:dns', 'UDP', '10.87.0.1:5353');
    const tcp = endpointChain('default/dns:dns-tcp', 'TCP', '10.87.0.1:5354');
    assert.match(lines(t, udp)[1] ?? '', /-p udp -m udp -j DNAT --to-destination 10\.87\.0\.1:5353$/);
    assert.match(lines(t, tcp)[1] ?? '', /-p tcp -m tcp -j DNAT --to-destination 10\.87\.0\.1:5354$/);
    assert.equal(lines(t, `${P}SERVICES`).filter((l) => l.includes('cluster IP')).length, 2);
  });

  test('no ready endpoint: REJECT in filter for the ClusterIP and the NodePort, no nat chain', () => {
    const t = text(
      [service('web', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30080 }] })],
      [slice('web', [{ port: 80 }], [{ ip: '10.87.0.5', ready: false }])],
    );
    const filter = t.slice(t.indexOf('*filter'));
    assert.deepEqual(lines(filter, `${P}SERVICES`), [
      `-A ${P}SERVICES -m comment --comment "default/web has no endpoints" -d 10.96.0.20/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable`,
      `-A ${P}SERVICES -m comment --comment "default/web has no endpoints" -d 10.87.0.1/32 -p tcp -m tcp --dport 30080 -j REJECT --reject-with icmp-port-unreachable`,
      `-A ${P}SERVICES -m comment --comment "default/web has no endpoints" -d 127.0.0.1/32 -p tcp -m tcp --dport 30080 -j REJECT --reject-with icmp-port-unreachable`,
      `-A ${P}SERVICES -m comment --comment "no service at this address" -d 10.96.0.0/16 -j REJECT --reject-with icmp-net-unreachable`,
    ]);
    assert.ok(!t.includes(serviceChain('default/web', 'TCP')));
    assert.deepEqual(lines(t, `${P}NODEPORTS`), []);
  });

  test('headless: no rules at all beyond the fixed chains', () => {
    const withHeadless = text(
      [service('db', { clusterIP: 'None', ports: [{ port: 5432 }] })],
      [slice('db', [{ port: 5432 }], [{ ip: '10.87.0.5' }])],
    );
    assert.equal(withHeadless, text([], []));
  });

  test('NodePort: served only on the node addresses, through an EXT chain that masquerades', () => {
    const t = text(
      [service('web', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30080 }] })],
      [slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }])],
    );
    const ext = externalChain('default/web', 'TCP');
    const svc = serviceChain('default/web', 'TCP');
    const nat = t.slice(0, t.indexOf('*filter'));
    assert.deepEqual(lines(nat, `${P}SERVICES`).slice(-2), [
      `-A ${P}SERVICES -m comment --comment "nodelet service nodeports; NOTE: this must be the last rule in this chain" -d 10.87.0.1/32 -j ${P}NODEPORTS`,
      `-A ${P}SERVICES -m comment --comment "nodelet service nodeports; NOTE: this must be the last rule in this chain" -d 127.0.0.1/32 -j ${P}NODEPORTS`,
    ]);
    assert.deepEqual(lines(t, `${P}NODEPORTS`), [
      `-A ${P}NODEPORTS -m comment --comment default/web -p tcp -m tcp --dport 30080 -j ${ext}`,
    ]);
    assert.deepEqual(lines(t, ext), [
      `-A ${ext} -m comment --comment "masquerade traffic for default/web external destinations" -j ${P}MARK-MASQ`,
      `-A ${ext} -j ${svc}`,
    ]);
    // route_localnet's guard comes with a 127.0.0.1 node-port address.
    assert.equal(lines(t, `${P}FIREWALL`).length, 1);
  });

  test('masquerade only what was marked and only out of the pod bridge', () => {
    const t = text([], []);
    assert.deepEqual(lines(t, `${P}POSTROUTING`), [
      `-A ${P}POSTROUTING ! -o nodelet0 -j RETURN`,
      `-A ${P}POSTROUTING -m mark ! --mark 0x100000/0x100000 -j RETURN`,
      `-A ${P}POSTROUTING -j MARK --xor-mark 0x100000`,
      `-A ${P}POSTROUTING -m comment --comment "nodelet service traffic requiring SNAT" -j MASQUERADE --random-fully`,
    ]);
    assert.deepEqual(
      t.split('\n').filter((l) => l.includes('MASQUERADE')),
      lines(t, `${P}POSTROUTING`).slice(3),
    );
  });

  test('sessionAffinity ClientIP: a recent check per endpoint before the pick, a recent set before DNAT', () => {
    const t = text(
      [
        service('web', {
          clusterIP: '10.96.0.20',
          sessionAffinity: 'ClientIP',
          sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } },
          ports: [{ port: 80 }],
        }),
      ],
      [slice('web', [{ port: 80 }], [{ ip: '10.87.0.5' }, { ip: '10.87.0.6' }])],
    );
    const svc = serviceChain('default/web', 'TCP');
    const sep = endpointChain('default/web', 'TCP', '10.87.0.5:80');
    const svcLines = lines(t, svc);
    assert.equal(svcLines.length, 5);
    assert.ok(
      svcLines[1]?.includes(
        `-m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds 600 --reap -j ${sep}`,
      ),
    );
    assert.match(svcLines[3] ?? '', /--probability 0\.5000000000/);
    assert.ok(
      lines(t, sep)[1]?.includes(`-m recent --name ${sep} --mask 255.255.255.255 --rsource --set -j DNAT`),
    );
  });
});

describe('restore text', () => {
  test('stale chains of ours are flushed and deleted; others’ chains are left alone', () => {
    const rules = computeRules([], NET, C);
    const other = chainNames('/other').services;
    const t = restoreText(
      rules,
      {
        nat: ['PREROUTING', 'NETAVARK-HOSTPORT-DNAT', `${P}SVC-OLDOLDOLDOL`, `${P}SERVICES`, other],
        filter: [],
      },
      P,
    );
    const nat = t.slice(0, t.indexOf('COMMIT'));
    assert.ok(nat.includes(`:${P}SVC-OLDOLDOLDOL - [0:0]\n`));
    assert.ok(nat.endsWith(`-X ${P}SVC-OLDOLDOLDOL\n`));
    assert.ok(!t.includes('NETAVARK'));
    assert.ok(!t.includes(`-X ${P}SERVICES`));
    // Another node's chains are its own.
    assert.ok(!t.includes(other));
  });

  test('cleanup deletes every chain of ours in both tables', () => {
    const t = cleanupText({
      nat: ['OUTPUT', 'NODELET-SERVICES', 'KUBE-SERVICES'],
      filter: ['NODELET-FORWARD'],
    });
    assert.equal(
      t,
      '*nat\n:NODELET-SERVICES - [0:0]\n-X NODELET-SERVICES\nCOMMIT\n*filter\n:NODELET-FORWARD - [0:0]\n-X NODELET-FORWARD\nCOMMIT\n',
    );
  });

  test('savedJumps finds the built-in chains’ jumps into a prefix, quoted comments and all', () => {
    const [j] = jumpRules(C);
    const save = `*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m comment --comment "nodelet ${C.tag} service portals" -j ${C.services}\n-A PREROUTING -m addrtype --dst-type LOCAL -j NETAVARK-HOSTPORT-DNAT\n-A ${C.services} -j ${C.service('a/b', 'TCP')}\nCOMMIT\n`;
    assert.deepEqual(savedJumps(save, 'nat', P), [j]);
    assert.deepEqual(savedJumps(save, 'nat', 'NODELET-'), [j]);
    assert.deepEqual(savedJumps(save, 'nat', chainNames('/other').prefix), []);
    assert.deepEqual(splitArgs('-A X -m comment --comment "a \\"b\\" c" -j Y'), [
      '-A',
      'X',
      '-m',
      'comment',
      '--comment',
      'a "b" c',
      '-j',
      'Y',
    ]);
  });

  test('savedChains reads iptables-save’s chain lines', () => {
    const save =
      '# Generated\n*nat\n:PREROUTING ACCEPT [0:0]\n:NODELET-SERVICES - [0:0]\n-A PREROUTING -j NODELET-SERVICES\nCOMMIT\n';
    assert.deepEqual(savedChains(save), ['PREROUTING', 'NODELET-SERVICES']);
  });
});
