// These tests read JSON answers loosely, field by field, as a client would.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { startTestServer, type TestServer } from './test-server.ts';
import { FakeClock } from '../testing/fake-clock.ts';

const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const AGGREGATED =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

const podBody = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: name } },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '1000'] }] },
  ...extra,
});

type Obj = Record<string, any>;

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => {
  await t.close();
});

async function create(name: string, extra: Record<string, unknown> = {}): Promise<Obj> {
  const r = await t.json<Obj>('POST', '/api/v1/namespaces/default/pods', { body: podBody(name, extra) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

/** Reads a watch stream's lines until n events arrived. */
async function readEvents(res: Response, n: number): Promise<Obj[]> {
  const reader = res.body!.getReader();
  const out: Obj[] = [];
  let buf = '';
  while (out.length < n) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += Buffer.from(value).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      out.push(JSON.parse(buf.slice(0, nl)) as Obj);
      buf = buf.slice(nl + 1);
    }
  }
  await reader.cancel();
  return out;
}

describe('authentication', () => {
  test('no token or a wrong one: 401 Unauthorized and nothing else', async () => {
    for (const headers of [
      { authorization: '' },
      { authorization: 'Bearer wrong' },
      { authorization: 'Basic dGVzdA==' },
    ]) {
      const r = await t.json('GET', '/api/v1/namespaces/default/pods', { headers });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
    assert.equal((await t.request('GET', '/version', { headers: { authorization: '' } })).status, 401);
  });
});

describe('discovery and OpenAPI', () => {
  test('/version reports 1.32, so the kubectl dispatcher picks its 1.32 client', async () => {
    const r = await t.json<Obj>('GET', '/version?timeout=5s');
    assert.equal(r.body.major, '1');
    assert.equal(r.body.minor, '32');
    assert.match(r.body.gitVersion as string, /^v1\.32\.\d+$/);
  });

  test('/api and /apis: legacy shape for plain JSON, aggregated with its exact content type', async () => {
    const legacy = await t.json<Obj>('GET', '/api');
    assert.equal(legacy.body.kind, 'APIVersions');
    assert.deepEqual(legacy.body.versions, ['v1']);
    const agg = await t.request('GET', '/api', { headers: { accept: AGGREGATED } });
    assert.equal(
      agg.headers.get('content-type'),
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    const doc = (await agg.json()) as Obj;
    const v1 = doc.items[0].versions[0];
    assert.equal(v1.freshness, 'Current');
    const pods = v1.resources.find((r: Obj) => r.resource === 'pods');
    assert.deepEqual(pods.shortNames, ['po']);
    assert.ok(pods.subresources.some((s: Obj) => s.subresource === 'exec'));
    assert.equal((await t.json<Obj>('GET', '/apis')).body.kind, 'APIGroupList');
    const aggApis = await t.request('GET', '/apis', { headers: { accept: AGGREGATED } });
    assert.equal(((await aggApis.json()) as Obj).kind, 'APIGroupDiscoveryList');
  });

  test('/api/v1 lists pods with subresources, events, namespaces and nodes', async () => {
    const r = await t.json<Obj>('GET', '/api/v1');
    const names = (r.body.resources as Obj[]).map((x) => x.name);
    for (const n of ['pods', 'pods/log', 'pods/exec', 'pods/status', 'events', 'namespaces', 'nodes']) {
      assert.ok(names.includes(n), n);
    }
  });

  test('/openapi/v3 points at a document whose Pod PATCH has the fieldValidation parameter; v2 is 404', async () => {
    const index = await t.json<Obj>('GET', '/openapi/v3');
    const rel = index.body.paths['api/v1'].serverRelativeURL as string;
    assert.match(rel, /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]+$/);
    const doc = await t.json<Obj>('GET', rel);
    const patch = doc.body.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch;
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Pod' });
    assert.ok((patch.parameters as Obj[]).some((p) => p.name === 'fieldValidation' && p.in === 'query'));
    assert.equal(patch.requestBody, undefined);
    assert.equal((await t.request('GET', '/openapi/v2')).status, 404);
  });

  test('system namespaces exist', async () => {
    const r = await t.json<Obj>('GET', '/api/v1/namespaces');
    assert.deepEqual(
      (r.body.items as Obj[]).map((n) => n.metadata.name),
      ['default', 'kube-node-lease', 'kube-public', 'kube-system'],
    );
  });
});

describe('pods: create, get, list', () => {
  test('create answers 201 with server-set metadata; kind and apiVersion default from the URL', async () => {
    const r = await t.json<Obj>('POST', '/api/v1/namespaces/default/pods', {
      body: { metadata: { name: 'bare' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    });
    assert.equal(r.status, 201);
    assert.equal(r.body.kind, 'Pod');
    assert.equal(r.body.apiVersion, 'v1');
    const md = r.body.metadata as Obj;
    assert.equal(md.namespace, 'default');
    assert.ok(md.uid);
    assert.match(md.creationTimestamp as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.match(md.resourceVersion as string, /^\d+$/);
    assert.equal(r.body.status.phase, 'Pending');
  });

  test('generateName gives a name with five more characters', async () => {
    const r = await t.json<Obj>('POST', '/api/v1/namespaces/default/pods', {
      body: { metadata: { generateName: 'gen-' }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    });
    assert.match(r.body.metadata.name as string, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  test('errors: AlreadyExists, NotFound, namespace mismatch, missing namespace', async () => {
    await create('dup');
    const again = await t.json<Obj>('POST', '/api/v1/namespaces/default/pods', { body: podBody('dup') });
    assert.equal(again.status, 409);
    assert.equal(again.body.reason, 'AlreadyExists');
    assert.equal(again.body.message, 'pods "dup" already exists');
    assert.deepEqual(again.body.details, { name: 'dup', kind: 'pods' });

    const missing = await t.json<Obj>('GET', '/api/v1/namespaces/default/pods/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'pods "nope" not found');
    assert.deepEqual(missing.body.details, { name: 'nope', kind: 'pods' });

    const wrongNs = await t.json<Obj>('POST', '/api/v1/namespaces/default/pods', {
      body: { ...podBody('x'), metadata: { name: 'x', namespace: 'other' } },
    });
    assert.equal(wrongNs.status, 400);
    assert.equal(
      wrongNs.body.message,
      'the namespace of the provided object does not match the namespace sent on the request',
    );

    const noNs = await t.json<Obj>('POST', '/api/v1/namespaces/ghost/pods', { body: podBody('x') });
    assert.equal(noNs.status, 404);
    assert.equal(noNs.body.message, 'namespaces "ghost" not found');

    const noName = await t.json<Obj>('POST', '/api/v1/namespaces/default/pods', {
      body: { spec: { containers: [{ name: 'c', image: 'i' }] } },
    });
    assert.equal(noName.status, 422);
    assert.equal(
      noName.body.message,
      'Pod "" is invalid: metadata.name: Required value: name or generateName is required',
    );
    assert.equal(noName.body.details.kind, 'Pod');

    const wrongKind = await t.json<Obj>('POST', '/api/v1/namespaces/default/pods', {
      body: { ...podBody('x'), apiVersion: 'apps/v1' },
    });
    assert.equal(wrongKind.status, 400);
    assert.equal(
      wrongKind.body.message,
      'the API version in the data (apps/v1) does not match the expected API version (v1)',
    );
  });

  test('dryRun=All validates and answers without storing', async () => {
    const r = await t.json<Obj>('POST', '/api/v1/namespaces/default/pods?dryRun=All', {
      body: podBody('dry'),
    });
    assert.equal(r.status, 201);
    assert.equal((await t.request('GET', '/api/v1/namespaces/default/pods/dry')).status, 404);
  });

  test('lists carry the resourceVersion; label and field selectors filter; -A lists all namespaces', async () => {
    await t.json('POST', '/api/v1/namespaces', { body: { metadata: { name: 'team' } } });
    await t.json('POST', '/api/v1/namespaces/team/pods', { body: podBody('sel-b') });
    await create('sel-a');
    const list = await t.json<Obj>(
      'GET',
      '/api/v1/namespaces/default/pods?labelSelector=app%3Dsel-a&limit=500',
    );
    assert.equal(list.body.kind, 'PodList');
    assert.match(list.body.metadata.resourceVersion as string, /^\d+$/);
    assert.deepEqual(
      (list.body.items as Obj[]).map((p) => p.metadata.name),
      ['sel-a'],
    );
    const byName = await t.json<Obj>(
      'GET',
      '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dsel-a',
    );
    assert.equal(byName.body.items.length, 1);
    const all = await t.json<Obj>('GET', '/api/v1/pods?labelSelector=app+in+(sel-a,sel-b)');
    assert.deepEqual(
      (all.body.items as Obj[]).map((p) => `${p.metadata.namespace}/${p.metadata.name}`),
      ['default/sel-a', 'team/sel-b'],
    );
    const bad = await t.json<Obj>('GET', '/api/v1/pods?fieldSelector=spec.bogus%3D1');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.message, 'field label not supported: spec.bogus');
  });

  test('limit and continue page through a list', async () => {
    await t.json('POST', '/api/v1/namespaces', { body: { metadata: { name: 'paged' } } });
    for (const n of ['p1', 'p2', 'p3'])
      await t.json('POST', '/api/v1/namespaces/paged/pods', { body: podBody(n) });
    const first = await t.json<Obj>('GET', '/api/v1/namespaces/paged/pods?limit=2');
    assert.equal(first.body.items.length, 2);
    assert.equal(first.body.metadata.remainingItemCount, 1);
    const next = await t.json<Obj>(
      'GET',
      `/api/v1/namespaces/paged/pods?limit=2&continue=${encodeURIComponent(first.body.metadata.continue as string)}`,
    );
    assert.deepEqual(
      (next.body.items as Obj[]).map((p) => p.metadata.name),
      ['p3'],
    );
    assert.equal(next.body.metadata.continue, undefined);
  });

  test('Table answers carry every column, the list resourceVersion and PartialObjectMetadata rows', async () => {
    await create('tab');
    const r = await t.json<Obj>('GET', '/api/v1/namespaces/default/pods?limit=500', {
      headers: { accept: TABLE },
    });
    assert.equal(r.body.kind, 'Table');
    assert.equal(r.body.apiVersion, 'meta.k8s.io/v1');
    assert.match(r.body.metadata.resourceVersion as string, /^\d+$/);
    assert.deepEqual(
      (r.body.columnDefinitions as Obj[]).map((c) => c.name),
      ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates'],
    );
    const row = (r.body.rows as Obj[]).find((x) => x.cells[0] === 'tab')!;
    assert.equal(row.object.kind, 'PartialObjectMetadata');
    assert.equal(row.object.metadata.namespace, 'default');
    const one = await t.json<Obj>('GET', '/api/v1/namespaces/default/pods/tab?includeObject=Object', {
      headers: { accept: TABLE },
    });
    assert.equal(one.body.rows.length, 1);
    assert.equal(one.body.rows[0].object.kind, 'Pod');
    assert.equal(one.body.metadata.resourceVersion, one.body.rows[0].object.metadata.resourceVersion);
  });
});

describe('field validation', () => {
  const withUnknown = { ...podBody('fv'), spec: { containers: [{ name: 'c', image: 'i' }], bogus: 1 } };

  test('duplicate fields are reported with their path', async () => {
    const raw =
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"dupf","name":"dupf"},"spec":{"containers":[{"name":"c","image":"i"}]}}';
    const strict = await t.json<Obj>('POST', '/api/v1/namespaces/default/pods?fieldValidation=Strict', {
      body: raw,
    });
    assert.equal(strict.status, 400);
    assert.equal(
      strict.body.message,
      'Pod in version "v1" cannot be handled as a Pod: strict decoding error: duplicate field "metadata.name"',
    );
    const warn = await t.request('POST', '/api/v1/namespaces/default/pods?fieldValidation=Warn', {
      body: raw,
    });
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.get('warning'), '299 - "duplicate field \\"metadata.name\\""');
  });

  test('an invalid fieldValidation value is 400', async () => {
    const r = await t.json<Obj>('POST', '/api/v1/namespaces/default/pods?fieldValidation=Loud', {
      body: withUnknown,
    });
    assert.equal(r.status, 400);
  });
});

describe('update and patch', () => {
  test('PUT with a stale resourceVersion is 409 Conflict with the server wording', async () => {
    const p = await create('upd');
    const changed = { ...p, metadata: { ...p.metadata, labels: { v: '2' } } };
    const ok = await t.json<Obj>('PUT', '/api/v1/namespaces/default/pods/upd', { body: changed });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.metadata.labels, { v: '2' });
    const stale = await t.json<Obj>('PUT', '/api/v1/namespaces/default/pods/upd', { body: changed });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.equal(
      stale.body.message,
      'Operation cannot be fulfilled on pods "upd": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  test('main-resource writes keep the stored status; the status subresource changes only status', async () => {
    const p = await create('st');
    const viaMain = await t.json<Obj>('PUT', '/api/v1/namespaces/default/pods/st', {
      body: { ...p, status: { phase: 'Running' } },
    });
    assert.equal(viaMain.body.status.phase, 'Pending');
    const viaStatus = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/st/status', {
      body: { status: { phase: 'Running' }, metadata: { labels: { sneaky: 'x' } } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(viaStatus.status, 200);
    assert.equal(viaStatus.body.status.phase, 'Running');
    assert.equal(viaStatus.body.metadata.labels.sneaky, undefined);
  });

  test('all four patch types; a no-op patch keeps the resourceVersion', async () => {
    const p = await create('pat');
    const rv0 = p.metadata.resourceVersion as string;
    const smp = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/pat', {
      body: { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } },
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
    });
    assert.equal(smp.body.spec.containers[0].image, 'busybox:2');
    assert.deepEqual(smp.body.spec.containers[0].command, ['sleep', '1000']);
    assert.notEqual(smp.body.metadata.resourceVersion, rv0);
    const json = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/pat', {
      body: [{ op: 'add', path: '/metadata/labels/j', value: '1' }],
      headers: { 'content-type': 'application/json-patch+json' },
    });
    assert.equal(json.body.metadata.labels.j, '1');
    const merge = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/pat', {
      body: { metadata: { labels: { j: null } } },
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    assert.equal(merge.body.metadata.labels.j, undefined);
    const noop = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/pat', {
      body: {},
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
    });
    assert.equal(noop.body.metadata.resourceVersion, merge.body.metadata.resourceVersion);
    const bad = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/pat', {
      body: {},
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(bad.status, 415);
    const failing = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/pat', {
      body: [{ op: 'replace', path: '/spec/nothing/here', value: 1 }],
      headers: { 'content-type': 'application/json-patch+json' },
    });
    assert.equal(failing.status, 422);
  });

  test('server-side apply: creates, needs a fieldManager, conflicts with another manager unless forced', async () => {
    const ct = { 'content-type': 'application/apply-patch+yaml' };
    const cfg = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ssa', labels: { tier: 'a' } },
      spec: podBody('ssa').spec,
    };
    const noManager = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/ssa', {
      body: cfg,
      headers: ct,
    });
    assert.equal(noManager.status, 400);
    const created = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/ssa?fieldManager=me', {
      body: cfg,
      headers: ct,
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.metadata.managedFields[0].manager, 'me');
    assert.equal(created.body.metadata.managedFields[0].operation, 'Apply');
    // Another manager changes the label with a plain patch, then "me" applies its old value.
    await t.json('PATCH', '/api/v1/namespaces/default/pods/ssa?fieldManager=other', {
      body: { metadata: { labels: { tier: 'b' } } },
      headers: { 'content-type': 'application/strategic-merge-patch+json' },
    });
    const conflict = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/ssa?fieldManager=me', {
      body: cfg,
      headers: ct,
    });
    assert.equal(conflict.status, 409);
    assert.equal(
      conflict.body.message,
      'Apply failed with 1 conflict: conflict with "other" using v1: .metadata.labels.tier',
    );
    assert.deepEqual(conflict.body.details.causes, [
      {
        reason: 'FieldManagerConflict',
        message: 'conflict with "other" using v1',
        field: '.metadata.labels.tier',
      },
    ]);
    const forced = await t.json<Obj>(
      'PATCH',
      '/api/v1/namespaces/default/pods/ssa?fieldManager=me&force=true',
      {
        body: cfg,
        headers: ct,
      },
    );
    assert.equal(forced.status, 200, JSON.stringify(forced.body));
    assert.equal(forced.body.metadata.labels.tier, 'a');
    // Dropping a field from the applied configuration removes it.
    const dropped = await t.json<Obj>('PATCH', '/api/v1/namespaces/default/pods/ssa?fieldManager=me', {
      body: { ...cfg, metadata: { name: 'ssa' } },
      headers: ct,
    });
    assert.equal(dropped.body.metadata.labels?.tier, undefined);
  });
});

describe('delete', () => {
  test('a scheduled pod is marked with deletionTimestamp and grace; a shorter grace shortens; grace 0 removes', async () => {
    await create('del', {
      spec: { ...podBody('del').spec, nodeName: 'node-1', terminationGracePeriodSeconds: 30 },
    });
    const first = await t.json<Obj>('DELETE', '/api/v1/namespaces/default/pods/del', {
      body: { propagationPolicy: 'Background' },
    });
    assert.equal(first.status, 200);
    assert.equal(first.body.metadata.deletionGracePeriodSeconds, 30);
    const now = t.clock.now();
    assert.equal(
      Date.parse(first.body.metadata.deletionTimestamp as string),
      Math.floor(now / 1000) * 1000 + 30_000,
    );
    const longer = await t.json<Obj>('DELETE', '/api/v1/namespaces/default/pods/del', {
      body: { gracePeriodSeconds: 60 },
    });
    assert.equal(longer.body.metadata.deletionGracePeriodSeconds, 30, 'a longer grace never extends');
    // client-node sends DeleteOptions as query parameters.
    const shorter = await t.json<Obj>('DELETE', '/api/v1/namespaces/default/pods/del?gracePeriodSeconds=5');
    assert.equal(shorter.body.metadata.deletionGracePeriodSeconds, 5);
    const force = await t.json<Obj>('DELETE', '/api/v1/namespaces/default/pods/del', {
      body: { gracePeriodSeconds: 0 },
    });
    assert.equal(force.status, 200);
    assert.equal((await t.request('GET', '/api/v1/namespaces/default/pods/del')).status, 404);
  });

  test('an unscheduled pod goes at once; preconditions are checked; missing is 404', async () => {
    const p = await create('gone');
    const wrongUid = await t.json<Obj>('DELETE', '/api/v1/namespaces/default/pods/gone', {
      body: { preconditions: { uid: 'x' } },
    });
    assert.equal(wrongUid.status, 409);
    assert.equal(
      wrongUid.body.message,
      `Operation cannot be fulfilled on pods "gone": Precondition failed: UID in precondition: x, UID in object meta: ${p.metadata.uid}`,
    );
    assert.equal((await t.request('DELETE', '/api/v1/namespaces/default/pods/gone')).status, 200);
    const again = await t.json<Obj>('DELETE', '/api/v1/namespaces/default/pods/gone');
    assert.equal(again.status, 404);
    assert.equal(again.body.message, 'pods "gone" not found');
  });

  test('system namespaces may not be deleted; others terminate', async () => {
    const r = await t.json<Obj>('DELETE', '/api/v1/namespaces/default');
    assert.equal(r.status, 403);
    assert.equal(r.body.message, 'namespaces "default" is forbidden: this namespace may not be deleted');
    await t.json('POST', '/api/v1/namespaces', { body: { metadata: { name: 'temp' } } });
    const del = await t.json<Obj>('DELETE', '/api/v1/namespaces/temp');
    assert.equal(del.body.status.phase, 'Terminating');
    const blocked = await t.json<Obj>('POST', '/api/v1/namespaces/temp/pods', { body: podBody('late') });
    assert.equal(blocked.status, 403);
    assert.equal(
      blocked.body.message,
      'pods "late" is forbidden: unable to create new content in namespace temp because it is being terminated',
    );
  });
});

describe('watch', () => {
  test('headers arrive before any event; resourceVersion=0 starts with ADDED for what exists', async () => {
    await create('w0');
    const res = await t.request(
      'GET',
      '/api/v1/namespaces/default/pods?fieldSelector=metadata.name%3Dw0&resourceVersion=0&watch=true',
    );
    assert.equal(res.status, 200);
    const [first] = await readEvents(res, 1);
    assert.equal(first?.type, 'ADDED');
    assert.equal(first?.object.metadata.name, 'w0');
  });

  test('from a list resourceVersion: only later changes, DELETED with a new resourceVersion', async () => {
    const list = await t.json<Obj>('GET', '/api/v1/namespaces/default/pods');
    const rv = list.body.metadata.resourceVersion as string;
    const res = await t.request('GET', `/api/v1/namespaces/default/pods?resourceVersion=${rv}&watch=true`);
    const created = await create('w1');
    await t.request('DELETE', '/api/v1/namespaces/default/pods/w1');
    const events = await readEvents(res, 2);
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED w1', 'DELETED w1'],
    );
    assert.ok(Number(events[1]?.object.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
  });

  test('an object leaving the label selector is DELETED, one entering it ADDED', async () => {
    await create('sw');
    const res = await t.request('GET', '/api/v1/namespaces/default/pods?labelSelector=role%3Dx&watch=true');
    const patch = (labels: Record<string, string | null>) =>
      t.request('PATCH', '/api/v1/namespaces/default/pods/sw', {
        body: { metadata: { labels } },
        headers: { 'content-type': 'application/merge-patch+json' },
      });
    await patch({ role: 'x' });
    await patch({ role: 'x', more: '1' });
    await patch({ role: null });
    const events = await readEvents(res, 3);
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
  });

  test('a resourceVersion older than the history: one ERROR 410 Expired event, then the end', async () => {
    const small = await startTestServer({
      store: new (await import('../store/memory-store.ts')).MemoryStore({ historyLimit: 2 }),
    });
    try {
      for (const n of ['a', 'b', 'c', 'd'])
        await small.json('POST', '/api/v1/namespaces/default/pods', { body: podBody(n) });
      const res = await small.request('GET', '/api/v1/namespaces/default/pods?resourceVersion=1&watch=true');
      assert.equal(res.status, 200);
      const text = await res.text();
      const lines = text.trim().split('\n');
      assert.equal(lines.length, 1);
      const ev = JSON.parse(lines[0] ?? '') as Obj;
      assert.equal(ev.type, 'ERROR');
      assert.equal(ev.object.code, 410);
      assert.equal(ev.object.reason, 'Expired');
      assert.match(ev.object.message as string, /^too old resource version: 1 \(\d+\)$/);
    } finally {
      await small.close();
    }
  });

  test('Table watches: the first event carries the column definitions, later ones do not', async () => {
    const list = await t.json<Obj>('GET', '/api/v1/namespaces/default/pods');
    const res = await t.request(
      'GET',
      `/api/v1/namespaces/default/pods?resourceVersion=${list.body.metadata.resourceVersion}&watch=true`,
      {
        headers: { accept: TABLE },
      },
    );
    await create('tw1');
    await create('tw2');
    const events = await readEvents(res, 2);
    assert.equal(events[0]?.object.kind, 'Table');
    assert.ok(Array.isArray(events[0]?.object.columnDefinitions));
    assert.equal(events[1]?.object.columnDefinitions, null);
    assert.equal(events[1]?.object.rows[0].cells[0], 'tw2');
  });

  test('bookmarks when allowed, and timeoutSeconds ends the watch (fake clock)', async () => {
    const clock = new FakeClock();
    const s = await startTestServer({ clock, bookmarkIntervalMs: 1000 });
    try {
      const res = await s.request(
        'GET',
        '/api/v1/namespaces/default/pods?allowWatchBookmarks=true&resourceVersion=1&timeoutSeconds=3&watch=true',
      );
      const textP = res.text();
      await clock.advance(1000);
      await clock.advance(2000);
      const lines = (await textP)
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Obj);
      assert.ok(lines.length >= 2);
      assert.ok(lines.every((l) => l.type === 'BOOKMARK'));
      assert.deepEqual(Object.keys(lines[0]?.object.metadata as object), ['resourceVersion']);
      assert.equal(lines[0]?.object.kind, 'Pod');
    } finally {
      await s.close();
    }
  });
});

describe('routing', () => {
  test('unknown paths and resources are 404 Status; unsupported verbs 405', async () => {
    const r = await t.json<Obj>('GET', '/api/v1/widgets');
    assert.equal(r.status, 404);
    assert.equal(r.body.kind, 'Status');
    assert.equal((await t.request('GET', '/apis/apps/v1')).status, 404);
    const put = await t.json<Obj>('PUT', '/api/v1/namespaces/default/pods', { body: {} });
    assert.equal(put.status, 405);
  });

  test('exec and log on a pod that has no node are answered with a Status', async () => {
    await create('nolog');
    const log = await t.json<Obj>('GET', '/api/v1/namespaces/default/pods/nolog/log');
    assert.equal(log.status, 400);
    assert.equal(log.body.message, 'container "c" in pod "nolog" is waiting to start: ContainerCreating');
    const badContainer = await t.json<Obj>('GET', '/api/v1/namespaces/default/pods/nolog/log?container=zz');
    assert.equal(badContainer.body.message, 'container zz is not valid for pod nolog');
    const exec = await t.json<Obj>(
      'POST',
      '/api/v1/namespaces/default/pods/nolog/exec?command=ls&stdout=true&container=c',
    );
    assert.equal(exec.status, 400);
  });

  test('pods under a cluster-scoped path are listed; objects need a namespace', async () => {
    const r = await t.json<Obj>('GET', '/api/v1/pods');
    assert.equal(r.status, 200);
  });

  test('events: created, listed by involvedObject field selectors', async () => {
    const ev = {
      metadata: { name: 'e1' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'tab', uid: 'u1' },
      reason: 'Started',
      message: 'hello',
      type: 'Normal',
      source: { component: 'kubelet' },
    };
    assert.equal((await t.json('POST', '/api/v1/namespaces/default/events', { body: ev })).status, 201);
    const r = await t.json<Obj>(
      'GET',
      '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dtab%2CinvolvedObject.namespace%3Ddefault%2CinvolvedObject.uid%3Du1',
    );
    assert.equal(r.body.kind, 'EventList');
    assert.deepEqual(
      (r.body.items as Obj[]).map((e) => e.metadata.name),
      ['e1'],
    );
    const wrong = await t.json<Obj>('POST', '/api/v1/namespaces/default/events', {
      body: { ...ev, metadata: { name: 'e2' }, involvedObject: { ...ev.involvedObject, namespace: 'other' } },
    });
    assert.equal(wrong.status, 422);
  });
});

describe('more kinds', () => {
  test('events.k8s.io/v1 serves the same Events in the newer shape, both ways', async () => {
    const core = {
      metadata: { name: 'conv1' },
      involvedObject: { kind: 'Pod', namespace: 'default', name: 'x', uid: 'ux' },
      reason: 'Started',
      message: 'started it',
      type: 'Normal',
      source: { component: 'kubelet', host: 'n' },
      count: 2,
      reportingComponent: 'kubelet',
    };
    await t.json('POST', '/api/v1/namespaces/default/events', { body: core });
    const v1 = await t.json<Obj>('GET', '/apis/events.k8s.io/v1/namespaces/default/events/conv1');
    assert.equal(v1.body.apiVersion, 'events.k8s.io/v1');
    assert.deepEqual(v1.body.regarding, core.involvedObject);
    assert.equal(v1.body.note, 'started it');
    assert.equal(v1.body.reportingController, 'kubelet');
    assert.equal(v1.body.deprecatedCount, 2);
    assert.deepEqual(v1.body.deprecatedSource, core.source);
    assert.equal(v1.body.message, undefined);
    const sel = await t.json<Obj>('GET', '/apis/events.k8s.io/v1/events?fieldSelector=regarding.name%3Dx');
    assert.deepEqual(
      (sel.body.items as Obj[]).map((e) => e.metadata.name),
      ['conv1'],
    );
    await t.json('POST', '/apis/events.k8s.io/v1/namespaces/default/events', {
      body: {
        metadata: { name: 'conv2' },
        regarding: { kind: 'Pod', namespace: 'default', name: 'y' },
        note: 'from the new API',
        reason: 'Scheduled',
        type: 'Normal',
        action: 'Binding',
        reportingController: 'default-scheduler',
        reportingInstance: 'sched',
        eventTime: '2026-01-01T00:00:00.000000Z',
      },
    });
    const back = await t.json<Obj>('GET', '/api/v1/namespaces/default/events/conv2');
    assert.equal(back.body.message, 'from the new API');
    assert.equal(back.body.involvedObject.name, 'y');
    assert.equal(back.body.reportingComponent, 'default-scheduler');
  });

  test('a protobuf Namespace body (kubectl create namespace) is read', async () => {
    const field = (no: number, payload: Buffer): Buffer => {
      const len: number[] = [];
      let n = payload.length;
      do {
        len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
        n >>= 7;
      } while (n > 0);
      return Buffer.concat([Buffer.from([(no << 3) | 2, ...len]), payload]);
    };
    const meta = Buffer.concat([
      field(1, Buffer.from('from-proto')),
      field(11, Buffer.concat([field(1, Buffer.from('team')), field(2, Buffer.from('a'))])),
    ]);
    const raw = field(1, meta);
    const typeMeta = Buffer.concat([field(1, Buffer.from('v1')), field(2, Buffer.from('Namespace'))]);
    const body = Buffer.concat([Buffer.from('k8s\0'), field(1, typeMeta), field(2, raw)]);
    const res = await fetch(`${t.url}/api/v1/namespaces`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-token', 'content-type': 'application/vnd.kubernetes.protobuf' },
      body,
    });
    assert.equal(res.status, 201);
    const ns = (await res.json()) as Obj;
    assert.equal(ns.metadata.name, 'from-proto');
    assert.deepEqual(ns.metadata.labels, { team: 'a', 'kubernetes.io/metadata.name': 'from-proto' });
    assert.equal(ns.status.phase, 'Active');
  });

  test('leases are served under coordination.k8s.io/v1', async () => {
    const r = await t.json<Obj>('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
      body: { metadata: { name: 'n1' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40 } },
    });
    assert.equal(r.status, 201);
    assert.equal(r.body.apiVersion, 'coordination.k8s.io/v1');
    const groups = await t.json<Obj>('GET', '/apis');
    assert.deepEqual((groups.body.groups as Obj[]).map((g) => g.name).sort(), [
      'coordination.k8s.io',
      'discovery.k8s.io',
      'events.k8s.io',
      'node.k8s.io',
    ]);
  });
});

describe('pod types', () => {
  test('a stored Pod reads back as the same object', async () => {
    const p = (await create('roundtrip')) as Pod;
    const r = await t.json<Pod>('GET', '/api/v1/namespaces/default/pods/roundtrip');
    assert.deepEqual(r.body, p);
  });
});
