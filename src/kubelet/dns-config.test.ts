import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { DnsConfig } from '../runtime/runtime.ts';
import { parseResolvConf, podDnsConfig, type KubeletDnsSettings } from './dns-config.ts';

const host: DnsConfig = parseResolvConf(
  '# generated\nnameserver 192.168.1.1\nnameserver 127.0.0.53\nsearch old.example\nsearch corp.example. lab.example .\noptions edns0 timeout:2\n',
);
const settings: KubeletDnsSettings = { clusterDNS: ['10.96.0.10'], clusterDomain: 'cluster.local', host };

function pod(spec: Partial<NonNullable<Pod['spec']>> = {}, namespace = 'shop'): Pod {
  return { metadata: { name: 'p', namespace, uid: 'uid-1' }, spec: { containers: [{ name: 'c' }], ...spec } };
}

function compute(p: Pod, s = settings): { dns: DnsConfig; warnings: string[] } {
  const warnings: string[] = [];
  const dns = podDnsConfig(p, s, (reason, message) => warnings.push(`${reason}: ${message}`));
  return { dns, warnings };
}

test('parseResolvConf: nameservers accumulate, the last search and options lines win, dots dropped', () => {
  assert.deepEqual(host, {
    servers: ['192.168.1.1', '127.0.0.53'],
    searches: ['corp.example', 'lab.example'],
    options: ['edns0', 'timeout:2'],
  });
});

test('ClusterFirst (the default): cluster DNS, the cluster search domains then the host’s, ndots:5', () => {
  for (const dnsPolicy of [undefined, 'ClusterFirst'] as const) {
    const { dns, warnings } = compute(pod(dnsPolicy ? { dnsPolicy } : {}));
    assert.deepEqual(dns, {
      servers: ['10.96.0.10'],
      searches: [
        'shop.svc.cluster.local',
        'svc.cluster.local',
        'cluster.local',
        'corp.example',
        'lab.example',
      ],
      options: ['ndots:5'],
    });
    assert.deepEqual(warnings, []);
  }
});

test('ClusterFirst on the host network is Default; ClusterFirstWithHostNet keeps cluster DNS', () => {
  assert.deepEqual(compute(pod({ hostNetwork: true })).dns, host);
  assert.deepEqual(compute(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' })).dns.servers, [
    '10.96.0.10',
  ]);
  assert.deepEqual(compute(pod({ dnsPolicy: 'ClusterFirstWithHostNet' })).dns.servers, ['10.96.0.10']);
});

test('Default: the host’s settings; a loopback name server is left out of a pod with its own network', () => {
  assert.deepEqual(compute(pod({ dnsPolicy: 'Default' })).dns, {
    servers: ['192.168.1.1'],
    searches: ['corp.example', 'lab.example'],
    options: ['edns0', 'timeout:2'],
  });
  assert.deepEqual(compute(pod({ dnsPolicy: 'Default', hostNetwork: true })).dns.servers, [
    '192.168.1.1',
    '127.0.0.53',
  ]);
});

test('None: only dnsConfig', () => {
  const { dns } = compute(
    pod({
      dnsPolicy: 'None',
      dnsConfig: {
        nameservers: ['1.2.3.4'],
        searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'],
        options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }],
      },
    }),
  );
  assert.deepEqual(dns, {
    servers: ['1.2.3.4'],
    searches: ['ns1.svc.cluster-domain.example', 'my.dns.search.suffix'],
    options: ['ndots:2', 'edns0'],
  });
  assert.deepEqual(compute(pod({ dnsPolicy: 'None' })).dns, { servers: [], searches: [], options: [] });
});

test('dnsConfig merges: nameservers and searches appended without duplicates, options overwrite by name', () => {
  const { dns } = compute(
    pod({
      dnsConfig: {
        nameservers: ['10.96.0.10', '8.8.8.8'],
        searches: ['cluster.local', 'extra.example'],
        options: [{ name: 'ndots', value: '1' }, { name: 'single-request-reopen' }],
      },
    }),
  );
  assert.deepEqual(dns, {
    servers: ['10.96.0.10', '8.8.8.8'],
    searches: [
      'shop.svc.cluster.local',
      'svc.cluster.local',
      'cluster.local',
      'corp.example',
      'lab.example',
      'extra.example',
    ],
    options: ['ndots:1', 'single-request-reopen'],
  });
});

test('more than 3 nameservers: cut, with the kubelet’s DNSConfigForming warning', () => {
  const { dns, warnings } = compute(pod({ dnsConfig: { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'] } }));
  assert.deepEqual(dns.servers, ['10.96.0.10', '1.1.1.1', '2.2.2.2']);
  assert.deepEqual(warnings, [
    'DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 1.1.1.1 2.2.2.2',
  ]);
});

test('more than 32 search paths or 2048 characters: cut from the end, with the warning', () => {
  const many = Array.from({ length: 40 }, (_, i) => `d${i}.example`);
  const a = compute(pod({ dnsPolicy: 'None', dnsConfig: { searches: many } }));
  assert.equal(a.dns.searches.length, 32);
  assert.deepEqual(a.dns.searches, many.slice(0, 32));
  assert.match(
    a.warnings[0] ?? '',
    /^DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, the applied search line is: d0\.example d1\.example/,
  );
  const long = Array.from({ length: 10 }, (_, i) => `${String(i).repeat(250)}.x`.slice(0, 250));
  const b = compute(pod({ dnsPolicy: 'None', dnsConfig: { searches: long } }));
  assert.ok(b.dns.searches.join(' ').length <= 2048);
  assert.equal(b.dns.searches.length, 8);
  assert.equal(b.warnings.length, 1);
  const c = compute(pod({ dnsPolicy: 'None', dnsConfig: { searches: ['a'.repeat(254), 'ok.example'] } }));
  assert.deepEqual(c.dns.searches, ['ok.example']);
  assert.equal(c.warnings.length, 1);
});

test('no cluster DNS configured: ClusterFirst falls back to Default with MissingClusterDNS', () => {
  const { dns, warnings } = compute(pod(), { ...settings, clusterDNS: [] });
  assert.deepEqual(dns.servers, ['192.168.1.1']);
  assert.deepEqual(warnings, [
    'MissingClusterDNS: pod: "p_shop(uid-1)". kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.',
  ]);
});
