// Services, Endpoints, EndpointSlices, ConfigMaps, Secrets and RuntimeClasses through the API.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-argument */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/sqlite-store.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { ensureServiceBootstrap } from './bootstrap.ts';
import { startTestServer, type TestServer } from './test-server.ts';

type Obj = Record<string, any>;
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
const SVC = '/api/v1/namespaces/default/services';

const service = (name: string, spec: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }], ...spec },
});

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

async function create(body: Obj, path = SVC): Promise<Obj> {
  const r = await t.json<Obj>('POST', path, { body });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function rejected(
  method: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Obj> {
  const r = await t.json<Obj>(method, path, { body, headers });
  assert.equal(r.status, 422, JSON.stringify(r.body));
  return r.body;
}

describe('Services', () => {
  test('a new Service gets its defaults, a ClusterIP from 10.96.0.0/16 and an empty status', async () => {
    const svc = await create(service('web'));
    const ip: string = svc.spec.clusterIP;
    assert.match(ip, /^10\.96\.\d+\.\d+$/);
    assert.deepEqual(svc.spec.clusterIPs, [ip]);
    assert.equal(svc.spec.type, 'ClusterIP');
    assert.equal(svc.spec.sessionAffinity, 'None');
    assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
    assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
    assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
    assert.deepEqual(svc.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 8080 }]);
    assert.deepEqual(svc.status, { loadBalancer: {} });
  });

  test('a requested clusterIP is honoured, or refused with the API server words', async () => {
    const svc = await create(service('fixed', { clusterIP: '10.96.0.5' }));
    assert.equal(svc.spec.clusterIP, '10.96.0.5');
    const taken = await rejected('POST', SVC, service('fixed2', { clusterIP: '10.96.0.5' }));
    assert.equal(
      taken.message,
      'Service "fixed2" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.5"]: failed to allocate IP 10.96.0.5: provided IP is already allocated',
    );
    assert.deepEqual(taken.details.causes, [
      {
        reason: 'FieldValueInvalid',
        message:
          'Invalid value: ["10.96.0.5"]: failed to allocate IP 10.96.0.5: provided IP is already allocated',
        field: 'spec.clusterIPs',
      },
    ]);
    const outside = await rejected('POST', SVC, service('fixed3', { clusterIP: '10.0.0.5' }));
    assert.equal(
      outside.details.causes[0].message,
      'Invalid value: ["10.0.0.5"]: failed to allocate IP 10.0.0.5: the provided IP (10.0.0.5) is not in the valid range. The range of valid IPs is 10.96.0.0/16',
    );
  });

  test('deleting a Service releases its IP; a dry run and a failed create allocate nothing', async () => {
    await create(service('tmp', { clusterIP: '10.96.0.6' }));
    const del = await t.json('DELETE', `${SVC}/tmp`);
    assert.equal(del.status, 200);
    const dry = await t.json<Obj>('POST', `${SVC}?dryRun=All`, {
      body: service('tmp', { clusterIP: '10.96.0.6' }),
    });
    assert.equal(dry.status, 201);
    // The name is taken by now: the create fails after the allocation, which is given back.
    await create(service('dup'));
    const conflict = await t.json('POST', SVC, { body: service('dup', { clusterIP: '10.96.0.6' }) });
    assert.equal(conflict.status, 409);
    const again = await create(service('tmp', { clusterIP: '10.96.0.6' }));
    assert.equal(again.spec.clusterIP, '10.96.0.6');
  });

  test('headless: clusterIP None, no address allocated, no ports needed', async () => {
    const svc = await create(service('db', { clusterIP: 'None', ports: [] }));
    assert.equal(svc.spec.clusterIP, 'None');
    assert.deepEqual(svc.spec.clusterIPs, ['None']);
  });

  test('NodePort: allocated from 30000-32767, requested ones checked, freed when the type changes', async () => {
    const np = await create(service('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    assert.equal(np.spec.ports[0].nodePort, 30080);
    assert.equal(np.spec.externalTrafficPolicy, 'Cluster');
    const auto = await create(service('np2', { type: 'NodePort' }));
    const port: number = auto.spec.ports[0].nodePort;
    assert.ok(port >= 30000 && port <= 32767, String(port));
    const taken = await rejected(
      'POST',
      SVC,
      service('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    );
    assert.equal(taken.details.causes[0].field, 'spec.ports[0].nodePort');
    assert.equal(taken.details.causes[0].message, 'Invalid value: 30080: provided port is already allocated');
    const range = await rejected(
      'POST',
      SVC,
      service('np4', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }),
    );
    assert.equal(
      range.message,
      'Service "np4" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    const changed = await t.json<Obj>('PATCH', `${SVC}/np`, {
      body: { spec: { type: 'ClusterIP' } },
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.spec.ports[0].nodePort, undefined);
    assert.equal(changed.body.spec.externalTrafficPolicy, undefined);
    await create(service('np5', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
  });

  test('clusterIP may not change once set; updates without it keep it', async () => {
    const svc = await create(service('stable'));
    const changed = await rejected(
      'PATCH',
      `${SVC}/stable`,
      { spec: { clusterIP: '10.96.0.99' } },
      {
        'content-type': 'application/merge-patch+json',
      },
    );
    assert.equal(
      changed.message,
      'Service "stable" is invalid: spec.clusterIPs[0]: Invalid value: ["10.96.0.99"]: may not change once set',
    );
    // A PUT that leaves clusterIP out (as `kubectl replace` of the original file) keeps it.
    const put = await t.json<Obj>('PUT', `${SVC}/stable`, {
      body: { ...service('stable'), metadata: { name: 'stable', labels: { a: 'b' } } },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.spec.clusterIP, svc.spec.clusterIP);
  });

  test('strategic merge patches merge ports by port', async () => {
    await create(
      service('multi', {
        ports: [
          { name: 'http', port: 80 },
          { name: 'https', port: 443 },
        ],
      }),
    );
    const r = await t.json<Obj>('PATCH', `${SVC}/multi`, {
      body: { spec: { ports: [{ port: 443, targetPort: 8443 }] } },
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.spec.ports.map((p: Obj) => [p.name, p.port, p.targetPort]),
      [
        ['http', 80, 80],
        ['https', 443, 8443],
      ],
    );
  });

  test('validation: DNS-1035 names, port names when more than one, the status subresource keeps spec', async () => {
    const bad = await rejected('POST', SVC, service('1abc'));
    assert.equal(bad.details.causes[0].field, 'metadata.name');
    const names = await rejected('POST', SVC, service('two', { ports: [{ port: 80 }, { port: 81 }] }));
    assert.deepEqual(
      names.details.causes.map((c: Obj) => `${c.field}: ${c.message}`),
      ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value'],
    );
    const status = await t.json<Obj>('PATCH', `${SVC}/web/status`, {
      body: { spec: { type: 'NodePort' }, status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(status.status, 200, JSON.stringify(status.body));
    assert.equal(status.body.spec.type, 'ClusterIP');
    assert.deepEqual(status.body.status.loadBalancer.ingress, [{ ip: '192.0.2.1' }]);
  });

  test('the Table kubectl get prints, with SELECTOR for -o wide', async () => {
    const r = await t.json<Obj>('GET', `${SVC}?fieldSelector=metadata.name%3Dnp2`, {
      headers: { accept: TABLE },
    });
    assert.equal(r.body.kind, 'Table');
    assert.deepEqual(
      r.body.columnDefinitions.map((c: Obj) => [c.name, c.priority]),
      [
        ['Name', 0],
        ['Type', 0],
        ['Cluster-IP', 0],
        ['External-IP', 0],
        ['Port(s)', 0],
        ['Age', 0],
        ['Selector', 1],
      ],
    );
    const cells = r.body.rows[0].cells;
    assert.equal(cells[1], 'NodePort');
    assert.equal(cells[3], '<none>');
    assert.match(cells[4], /^80:3\d{4}\/TCP$/);
    assert.equal(cells[6], 'app=np2');
  });
});

describe('ConfigMaps, Secrets, Endpoints, EndpointSlices, RuntimeClasses', () => {
  test('ConfigMap and Secret: stringData folded into data; Tables count keys', async () => {
    await create(
      { metadata: { name: 'cfg' }, data: { a: '1', b: '2' } },
      '/api/v1/namespaces/default/configmaps',
    );
    const secret = await create(
      { metadata: { name: 'pw' }, stringData: { password: 'hunter2' } },
      '/api/v1/namespaces/default/secrets',
    );
    assert.deepEqual(secret.data, { password: Buffer.from('hunter2').toString('base64') });
    assert.equal(secret.type, 'Opaque');
    assert.equal(secret.stringData, undefined);
    const cm = await t.json<Obj>('GET', '/api/v1/namespaces/default/configmaps/cfg', {
      headers: { accept: TABLE },
    });
    assert.deepEqual(cm.body.rows[0].cells.slice(0, 2), ['cfg', 2]);
    const s = await t.json<Obj>('GET', '/api/v1/namespaces/default/secrets', { headers: { accept: TABLE } });
    assert.deepEqual(s.body.rows[0].cells.slice(0, 3), ['pw', 'Opaque', 1]);
    const tls = await rejected('POST', '/api/v1/namespaces/default/secrets', {
      metadata: { name: 'tls' },
      type: 'kubernetes.io/tls',
      data: {},
    });
    assert.equal(
      tls.message,
      'Secret "tls" is invalid: [data[tls.crt]: Required value, data[tls.key]: Required value]',
    );
  });

  test('Endpoints and EndpointSlices are stored and printed', async () => {
    await create(
      {
        metadata: { name: 'web' },
        subsets: [
          {
            addresses: ['10.87.0.5', '10.87.0.6', '10.87.0.7', '10.87.0.8'].map((ip) => ({ ip })),
            ports: [{ port: 80 }],
          },
        ],
      },
      '/api/v1/namespaces/default/endpoints',
    );
    const ep = await t.json<Obj>('GET', '/api/v1/namespaces/default/endpoints/web', {
      headers: { accept: TABLE },
    });
    assert.equal(ep.body.rows[0].cells[1], '10.87.0.5:80,10.87.0.6:80,10.87.0.7:80 + 1 more...');
    await create(
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.87.0.5'], conditions: { ready: true } }],
        ports: [{ name: 'http', port: 80 }],
      },
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
    );
    const list = await t.json<Obj>(
      'GET',
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb',
      { headers: { accept: TABLE } },
    );
    assert.deepEqual(list.body.rows[0].cells.slice(0, 4), ['web-abc', 'IPv4', '80', '10.87.0.5']);
  });

  test('RuntimeClasses are cluster-scoped; bootstrap creates oci and process and the kubernetes Service', async () => {
    ensureServiceBootstrap(t.store, t.clock, { apiAddress: '127.0.0.1', apiPort: t.port });
    const list = await t.json<Obj>('GET', '/apis/node.k8s.io/v1/runtimeclasses', {
      headers: { accept: TABLE },
    });
    assert.deepEqual(
      list.body.rows.map((r: Obj) => r.cells.slice(0, 2)),
      [
        ['oci', 'oci'],
        ['process', 'process'],
      ],
    );
    const k = await t.json<Obj>('GET', `${SVC}/kubernetes`);
    assert.equal(k.body.spec.clusterIP, '10.96.0.1');
    assert.deepEqual(k.body.spec.ports, [{ name: 'https', protocol: 'TCP', port: 443, targetPort: t.port }]);
    const ep = await t.json<Obj>('GET', '/api/v1/namespaces/default/endpoints/kubernetes');
    assert.deepEqual(ep.body.subsets, [
      { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: t.port, protocol: 'TCP' }] },
    ]);
    // 10.96.0.1 is now held: nobody else gets it.
    await rejected('POST', SVC, service('first', { clusterIP: '10.96.0.1' }));
    // Deleted, it comes back at once, as the API server's reconciler brings it back.
    assert.equal((await t.json('DELETE', `${SVC}/kubernetes`)).status, 200);
    const back = await t.json<Obj>('GET', `${SVC}/kubernetes`);
    assert.equal(back.status, 200);
    assert.equal(back.body.spec.clusterIP, '10.96.0.1');
  });

  test('strict field validation knows the new kinds', async () => {
    const rc = await t.json<Obj>('POST', '/apis/node.k8s.io/v1/runtimeclasses?fieldValidation=Strict', {
      body: { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'x' }, handlr: 'x' },
    });
    assert.equal(rc.status, 400);
    assert.match(rc.body.message, /strict decoding error: unknown field "handlr"/);
    const slice = await t.json<Obj>(
      'POST',
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?fieldValidation=Strict',
      { body: { metadata: { name: 'y' }, addressType: 'IPv4', ports: [{ port: 'eighty' }] } },
    );
    assert.equal(slice.status, 400);
    assert.match(slice.body.message, /cannot unmarshal string into Go struct field .*port of type int32/);
    const ep = await t.json<Obj>('POST', '/api/v1/namespaces/default/endpoints?fieldValidation=Strict', {
      body: { metadata: { name: 'z' }, subsets: [{ adresses: [] }] },
    });
    assert.equal(ep.status, 400);
    assert.match(ep.body.message, /unknown field "subsets\[0\]\.adresses"/);
  });

  test('discovery lists the new resources with their short names', async () => {
    const legacy = await t.json<Obj>('GET', '/api/v1');
    const byName = new Map<string, Obj>(legacy.body.resources.map((r: Obj) => [r.name, r]));
    assert.deepEqual(byName.get('services')?.shortNames, ['svc']);
    assert.deepEqual(byName.get('services')?.categories, ['all']);
    assert.deepEqual(byName.get('endpoints')?.shortNames, ['ep']);
    assert.deepEqual(byName.get('configmaps')?.shortNames, ['cm']);
    assert.ok(byName.has('secrets') && byName.has('services/status'));
    const agg = await t.json<Obj>('GET', '/apis', { headers: { accept: AGGREGATED } });
    const groups = agg.body.items.map((g: Obj) => g.metadata.name);
    assert.ok(groups.includes('discovery.k8s.io') && groups.includes('node.k8s.io'), groups.join(','));
  });
});

test('allocations survive a restart: the next server rebuilds them from the stored Services', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodelet-svc-'));
  try {
    const path = join(dir, 'store.db');
    const clock = new FakeClock();
    const first = await startTestServer({ store: SqliteStore.open(path), clock });
    const r = await first.json<Obj>('POST', SVC, { body: service('kept', { type: 'NodePort' }) });
    assert.equal(r.status, 201);
    await first.close();
    const second = await startTestServer({ store: SqliteStore.open(path), clock });
    try {
      const ip = await second.json<Obj>('POST', SVC, {
        body: service('other', { clusterIP: r.body.spec.clusterIP }),
      });
      assert.equal(ip.status, 422);
      assert.match(ip.body.message, /provided IP is already allocated/);
      const port = await second.json<Obj>('POST', SVC, {
        body: service('other', {
          type: 'NodePort',
          ports: [{ port: 80, nodePort: r.body.spec.ports[0].nodePort }],
        }),
      });
      assert.equal(port.status, 422);
      assert.match(port.body.message, /provided port is already allocated/);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
