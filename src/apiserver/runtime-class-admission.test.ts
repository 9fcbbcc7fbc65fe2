import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from './test-server.ts';

const pod = (name: string, runtimeClassName?: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: {
    ...(runtimeClassName !== undefined ? { runtimeClassName } : {}),
    containers: [{ name: 'c', image: 'busybox' }],
  },
});

interface Status {
  code?: number;
  reason?: string;
  message?: string;
  details?: { name?: string; kind?: string };
}

describe('RuntimeClass admission on pod create', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
    t.store.create(
      { resource: 'runtimeclasses', namespace: '', name: 'oci' },
      { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name: 'oci' }, handler: 'oci' },
    );
  });
  after(async () => {
    await t.close();
  });

  test('a pod naming a RuntimeClass that does not exist is Forbidden, in the plugin’s words', async () => {
    const r = await t.json<Status>('POST', '/api/v1/namespaces/default/pods', { body: pod('g', 'gvisor') });
    assert.equal(r.status, 403);
    assert.equal(r.body.reason, 'Forbidden');
    assert.equal(r.body.message, 'pods "g" is forbidden: pod rejected: RuntimeClass "gvisor" not found');
    assert.equal(r.body.details?.name, 'g');
    assert.equal(t.store.get({ resource: 'pods', namespace: 'default', name: 'g' }), undefined);
  });

  test('admission comes before validation: an invalid pod with a missing class is still Forbidden', async () => {
    const body = pod('bad', 'gvisor');
    body.spec.containers = [];
    const r = await t.json<Status>('POST', '/api/v1/namespaces/default/pods', { body });
    assert.equal(r.status, 403);
  });

  test('a class that exists, or none, is admitted', async () => {
    for (const [name, rc] of [
      ['o', 'oci'],
      ['n', undefined],
    ] as const) {
      const r = await t.json<Status>('POST', '/api/v1/namespaces/default/pods', { body: pod(name, rc) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
  });
});
