import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Question, RecordType } from 'dns-packet';
import { MemoryStore } from '../store/memory-store.ts';
import { ClusterRecords, dashedAddress, DEFAULT_TTL } from './records.ts';

function svc(ns: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, ...(spec ? { spec } : {}) };
}

function put(
  store: MemoryStore,
  resource: string,
  obj: { metadata?: { name?: string; namespace?: string } },
): void {
  store.create({ resource, namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' }, obj);
}

function fixture(): { store: MemoryStore; records: ClusterRecords } {
  const store = new MemoryStore();
  put(store, 'namespaces', { metadata: { name: 'default' } });
  put(store, 'namespaces', { metadata: { name: 'empty' } });
  put(
    store,
    'services',
    svc('default', 'kubernetes', {
      clusterIP: '10.96.0.1',
      ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
    }),
  );
  put(
    store,
    'services',
    svc('default', 'myservice', {
      clusterIP: '10.96.12.7',
      ports: [
        { name: 'http', port: 9376, protocol: 'TCP' },
        { port: 9999, protocol: 'UDP' },
      ],
    }),
  );
  put(
    store,
    'services',
    svc('default', 'web', {
      clusterIP: 'None',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    }),
  );
  const slice: EndpointSlice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-abc', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.87.0.5'], conditions: { ready: true }, hostname: 'web-0' },
      { addresses: ['10.87.0.6'], conditions: { ready: true } },
      { addresses: ['10.87.0.7'], conditions: { ready: false } },
    ],
  };
  put(store, 'endpointslices', slice);
  put(store, 'services', svc('default', 'lonely', { clusterIP: 'None' }));
  put(store, 'services', svc('other', 'ext', { type: 'ExternalName', externalName: 'db.example.com' }));
  put(store, 'services', svc('other', 'legacy', { clusterIP: 'None', ports: [{ name: 'x', port: 1 }] }));
  const ep: Endpoints = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'legacy', namespace: 'other' },
    subsets: [
      {
        addresses: [{ ip: '10.87.1.1' }],
        notReadyAddresses: [{ ip: '10.87.1.2' }],
        ports: [{ name: 'x', port: 1234, protocol: 'TCP' }],
      },
    ],
  };
  put(store, 'endpoints', ep);
  return { store, records: new ClusterRecords({ store, dnsIP: '10.96.0.10', serial: () => 42 }) };
}

const q = (name: string, type: RecordType | 'ANY' = 'A'): Question => ({
  name,
  type: type as RecordType,
  class: 'IN',
});

function data(r: ReturnType<ClusterRecords['lookup']>): unknown[] {
  return (r?.answers ?? []).map((a) => ('data' in a ? a.data : undefined));
}

test('a ClusterIP Service answers A with its ClusterIP, TTL 5, no authority', () => {
  const { records } = fixture();
  const r = records.lookup(q('myservice.default.svc.cluster.local'));
  assert.equal(r?.rcode, 'NOERROR');
  assert.deepEqual(data(r), ['10.96.12.7']);
  assert.equal(r?.answers[0]?.name, 'myservice.default.svc.cluster.local');
  assert.equal((r?.answers[0] as { ttl?: number }).ttl, DEFAULT_TTL);
  assert.equal(r?.authorities.length, 0);
});

test('names are case-insensitive, answered with the name as asked; a trailing dot is allowed', () => {
  const { records } = fixture();
  const r = records.lookup(q('MyService.Default.SVC.cluster.local.'));
  assert.deepEqual(data(r), ['10.96.12.7']);
  assert.equal(r?.answers[0]?.name, 'MyService.Default.SVC.cluster.local');
});

test('kubernetes.default.svc.cluster.local is the API Service', () => {
  const { records } = fixture();
  assert.deepEqual(data(records.lookup(q('kubernetes.default.svc.cluster.local'))), ['10.96.0.1']);
});

test('AAAA and other types of an existing name: NOERROR, no answers, the SOA in authority', () => {
  const { records } = fixture();
  for (const type of ['AAAA', 'MX', 'TXT'] as const) {
    const r = records.lookup(q('myservice.default.svc.cluster.local', type));
    assert.equal(r?.rcode, 'NOERROR', type);
    assert.equal(r?.answers.length, 0, type);
    assert.equal(r?.authorities[0]?.type, 'SOA', type);
  }
});

test('an unknown name in the zone is NXDOMAIN with the SOA in authority', () => {
  const { records } = fixture();
  for (const name of [
    'nothere.default.svc.cluster.local',
    'myservice.nons.svc.cluster.local',
    'a.b.c.cluster.local',
    'nothing.cluster.local',
    'x.y.myservice.default.svc.cluster.local',
  ]) {
    const r = records.lookup(q(name));
    assert.equal(r?.rcode, 'NXDOMAIN', name);
    assert.equal(r?.answers.length, 0, name);
    const soa = r?.authorities[0];
    assert.equal(soa?.type, 'SOA', name);
    assert.equal(soa?.name, 'cluster.local');
    assert.deepEqual((soa as { data: unknown }).data, {
      mname: 'ns.dns.cluster.local',
      rname: 'hostmaster.cluster.local',
      serial: 42,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: 5,
    });
  }
});

test('the search path a pod in default walks: the first domain answers', () => {
  const { records } = fixture();
  // `myservice` with ndots:5 and search default.svc.cluster.local svc.cluster.local cluster.local
  assert.deepEqual(data(records.lookup(q('myservice.default.svc.cluster.local'))), ['10.96.12.7']);
  // `myservice.default` expands to myservice.default.default.svc… (NXDOMAIN), then myservice.default.svc…
  assert.equal(records.lookup(q('myservice.default.default.svc.cluster.local'))?.rcode, 'NXDOMAIN');
  assert.deepEqual(data(records.lookup(q('myservice.default.svc.cluster.local'))), ['10.96.12.7']);
  // `myservice.default.svc` under the third domain
  assert.deepEqual(data(records.lookup(q('myservice.default.svc.cluster.local'))), ['10.96.12.7']);
});

test("the other search expansions of an existing Service's name are NODATA, not NXDOMAIN (busybox nslookup)", () => {
  const { store, records } = fixture();
  for (const name of ['myservice.svc.cluster.local', 'myservice.cluster.local']) {
    const r = records.lookup(q(name));
    assert.equal(r?.rcode, 'NOERROR', name);
    assert.equal(r?.answers.length, 0, name);
    assert.equal(r?.authorities[0]?.type, 'SOA');
  }
  // A name no Service has stays NXDOMAIN under every search domain, so `until nslookup mydb` waits.
  for (const name of ['mydb.default.svc.cluster.local', 'mydb.svc.cluster.local', 'mydb.cluster.local'])
    assert.equal(records.lookup(q(name))?.rcode, 'NXDOMAIN', name);
  // As CoreDNS when turned off.
  const strict = new ClusterRecords({ store, searchExpansions: false });
  assert.equal(strict.lookup(q('myservice.svc.cluster.local'))?.rcode, 'NXDOMAIN');
  assert.equal(strict.lookup(q('myservice.cluster.local'))?.rcode, 'NXDOMAIN');
});

test('the zone apex, svc, pod and an existing namespace are names without records', () => {
  const { records } = fixture();
  for (const name of [
    'cluster.local',
    'svc.cluster.local',
    'pod.cluster.local',
    'default.svc.cluster.local',
    'empty.svc.cluster.local',
  ]) {
    const r = records.lookup(q(name));
    assert.equal(r?.rcode, 'NOERROR', name);
    assert.equal(r?.answers.length, 0, name);
  }
  const soa = records.lookup(q('cluster.local', 'SOA'));
  assert.equal(soa?.answers[0]?.type, 'SOA');
  assert.deepEqual(data(records.lookup(q('cluster.local', 'NS'))), ['ns.dns.cluster.local']);
  assert.deepEqual(data(records.lookup(q('ns.dns.cluster.local'))), ['10.96.0.10']);
  assert.deepEqual(data(records.lookup(q('dns-version.cluster.local', 'TXT'))), ['1.1.0']);
});

test('a headless Service answers with its ready endpoint addresses only', () => {
  const { records } = fixture();
  const r = records.lookup(q('web.default.svc.cluster.local'));
  assert.equal(r?.rcode, 'NOERROR');
  assert.deepEqual(data(r), ['10.87.0.5', '10.87.0.6']);
});

test('a headless endpoint by hostname or by dashed address', () => {
  const { records } = fixture();
  assert.deepEqual(data(records.lookup(q('web-0.web.default.svc.cluster.local'))), ['10.87.0.5']);
  assert.deepEqual(data(records.lookup(q('10-87-0-6.web.default.svc.cluster.local'))), ['10.87.0.6']);
  // not ready: no name
  assert.equal(records.lookup(q('10-87-0-7.web.default.svc.cluster.local'))?.rcode, 'NXDOMAIN');
  // a ClusterIP Service has no endpoint names
  assert.equal(records.lookup(q('10-96-12-7.myservice.default.svc.cluster.local'))?.rcode, 'NXDOMAIN');
});

test('a headless Service without a ready endpoint is NXDOMAIN, as CoreDNS', () => {
  const { records } = fixture();
  assert.equal(records.lookup(q('lonely.default.svc.cluster.local'))?.rcode, 'NXDOMAIN');
});

test('a headless Service without EndpointSlices reads its Endpoints; publishNotReadyAddresses takes the others', () => {
  const { store, records } = fixture();
  assert.deepEqual(data(records.lookup(q('legacy.other.svc.cluster.local'))), ['10.87.1.1']);
  const cur = store.get<Service>({ resource: 'services', namespace: 'other', name: 'legacy' });
  store.update(
    { resource: 'services', namespace: 'other', name: 'legacy' },
    {
      ...cur,
      spec: { ...cur?.spec, publishNotReadyAddresses: true },
    },
  );
  assert.deepEqual(data(records.lookup(q('legacy.other.svc.cluster.local'))), ['10.87.1.1', '10.87.1.2']);
});

test('SRV for a named port of a ClusterIP Service, with the target A record in additionals', () => {
  const { records } = fixture();
  const r = records.lookup(q('_http._tcp.myservice.default.svc.cluster.local', 'SRV'));
  assert.equal(r?.rcode, 'NOERROR');
  assert.deepEqual(data(r), [
    { priority: 0, weight: 100, port: 9376, target: 'myservice.default.svc.cluster.local' },
  ]);
  assert.deepEqual(
    r?.additionals.map((a) => [a.name, a.type, 'data' in a ? a.data : undefined]),
    [['myservice.default.svc.cluster.local', 'A', '10.96.12.7']],
  );
  // wrong protocol, unknown port: NXDOMAIN; an A question on the SRV name: NODATA
  assert.equal(records.lookup(q('_http._udp.myservice.default.svc.cluster.local', 'SRV'))?.rcode, 'NXDOMAIN');
  assert.equal(records.lookup(q('_nope._tcp.myservice.default.svc.cluster.local', 'SRV'))?.rcode, 'NXDOMAIN');
  const a = records.lookup(q('_http._tcp.myservice.default.svc.cluster.local', 'A'));
  assert.equal(a?.rcode, 'NOERROR');
  assert.equal(a?.answers.length, 0);
  // SRV on the Service name itself: every named port
  assert.deepEqual(data(records.lookup(q('kubernetes.default.svc.cluster.local', 'SRV'))), [
    { priority: 0, weight: 100, port: 443, target: 'kubernetes.default.svc.cluster.local' },
  ]);
});

test('SRV for a headless Service: one record per ready endpoint, the endpoint port, its own name', () => {
  const { records } = fixture();
  const r = records.lookup(q('_http._tcp.web.default.svc.cluster.local', 'SRV'));
  assert.deepEqual(data(r), [
    { priority: 0, weight: 50, port: 8080, target: 'web-0.web.default.svc.cluster.local' },
    { priority: 0, weight: 50, port: 8080, target: '10-87-0-6.web.default.svc.cluster.local' },
  ]);
  assert.deepEqual(
    r?.additionals.map((a) => ('data' in a ? a.data : undefined)),
    ['10.87.0.5', '10.87.0.6'],
  );
});

test('an ExternalName Service is a CNAME', () => {
  const { records } = fixture();
  const r = records.lookup(q('ext.other.svc.cluster.local'));
  assert.equal(r?.answers[0]?.type, 'CNAME');
  assert.deepEqual(data(r), ['db.example.com']);
});

test('A-B-C-D.NS.pod.cluster.local is that address (pods insecure)', () => {
  const { records } = fixture();
  assert.deepEqual(data(records.lookup(q('10-87-0-9.default.pod.cluster.local'))), ['10.87.0.9']);
  assert.equal(records.lookup(q('10-87-0-9.default.pod.cluster.local', 'AAAA'))?.answers.length, 0);
  assert.equal(records.lookup(q('not-an-ip.default.pod.cluster.local'))?.rcode, 'NXDOMAIN');
  assert.equal(records.lookup(q('10-87-0-999.default.pod.cluster.local'))?.rcode, 'NXDOMAIN');
  assert.equal(dashedAddress('10.1.2.3'), '10-1-2-3');
});

test('PTR for ClusterIPs and headless endpoints; other reverse names and other zones are not ours', () => {
  const { records } = fixture();
  assert.deepEqual(data(records.lookup(q('7.12.96.10.in-addr.arpa', 'PTR'))), [
    'myservice.default.svc.cluster.local',
  ]);
  assert.deepEqual(data(records.lookup(q('5.0.87.10.in-addr.arpa', 'PTR'))), [
    'web-0.web.default.svc.cluster.local',
  ]);
  assert.equal(records.lookup(q('9.9.9.9.in-addr.arpa', 'PTR')), undefined);
  assert.equal(records.lookup(q('example.com')), undefined);
  assert.equal(records.lookup(q('notcluster.local')), undefined);
});

test('records follow the store: a Service created later answers at once', () => {
  const { store, records } = fixture();
  assert.equal(records.lookup(q('mydb.default.svc.cluster.local'))?.rcode, 'NXDOMAIN');
  put(store, 'services', svc('default', 'mydb', { clusterIP: '10.96.3.3', ports: [{ port: 9377 }] }));
  assert.deepEqual(data(records.lookup(q('mydb.default.svc.cluster.local'))), ['10.96.3.3']);
});
