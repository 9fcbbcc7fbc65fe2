// The endpoint controllers' objects as the API serves them: a Service and a pod created through
// the HTTP API, the pod's readiness written as the kubelet writes it, then GET endpoints/NAME and
// the EndpointSlices listed by their service-name label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Pod } from 'kubernetes-types/core/v1.js';
import type { EndpointSliceList } from 'kubernetes-types/discovery/v1.js';
import { startTestServer } from '../test-server.ts';
import { startEndpointControllers } from './endpoint-controllers.ts';

test('GET endpoints/NAME and endpointslices show the controllers’ data', async () => {
  const ts = await startTestServer();
  const controllers = startEndpointControllers({ store: ts.store, clock: ts.clock });
  try {
    const svc = await ts.json('POST', '/api/v1/namespaces/default/services', {
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    });
    assert.equal(svc.status, 201, JSON.stringify(svc.body));
    const created = await ts.json<Pod>('POST', '/api/v1/namespaces/default/pods', {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web-1', labels: { app: 'web' } },
        spec: {
          nodeName: 'nodelet',
          containers: [{ name: 'nginx', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }],
        },
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // Without an IP the pod is no address yet.
    let ep = await ts.json<Endpoints>('GET', '/api/v1/namespaces/default/endpoints/web');
    assert.equal(ep.status, 200);
    assert.equal(ep.body.subsets, undefined);

    // The kubelet reports the pod running and ready.
    const key = { resource: 'pods', namespace: 'default', name: 'web-1' };
    const stored = ts.store.get<Pod>(key);
    assert.ok(stored);
    ts.store.update(key, {
      ...stored,
      status: {
        ...stored.status,
        phase: 'Running',
        podIP: '10.87.0.7',
        podIPs: [{ ip: '10.87.0.7' }],
        conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-01T00:00:05Z' }],
      },
    });
    ep = await ts.json<Endpoints>('GET', '/api/v1/namespaces/default/endpoints/web');
    assert.equal(ep.body.kind, 'Endpoints');
    assert.equal(ep.body.apiVersion, 'v1');
    assert.deepEqual(ep.body.subsets, [
      {
        addresses: [
          {
            ip: '10.87.0.7',
            nodeName: 'nodelet',
            targetRef: {
              kind: 'Pod',
              namespace: 'default',
              name: 'web-1',
              uid: created.body.metadata?.uid ?? '',
            },
          },
        ],
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      },
    ]);
    assert.ok(ep.body.metadata?.uid);
    assert.ok(ep.body.metadata?.creationTimestamp);

    const slices = await ts.json<EndpointSliceList>(
      'GET',
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb',
    );
    assert.equal(slices.status, 200, JSON.stringify(slices.body));
    assert.equal(slices.body.items.length, 1);
    const slice = slices.body.items[0];
    assert.equal(
      slice?.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'],
      'endpointslice-controller.k8s.io',
    );
    assert.deepEqual(
      slice?.endpoints.map((e) => [e.addresses, e.conditions]),
      [[['10.87.0.7'], { ready: true, serving: true, terminating: false }]],
    );
    assert.deepEqual(slice?.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);

    // Deleting the Service through the API takes its Endpoints and slices with it.
    const del = await ts.request('DELETE', '/api/v1/namespaces/default/services/web');
    assert.equal(del.status, 200);
    const gone = await ts.request('GET', '/api/v1/namespaces/default/endpoints/web');
    assert.equal(gone.status, 404);
    const none = await ts.json<EndpointSliceList>(
      'GET',
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
    );
    assert.equal(none.body.items.length, 0);
  } finally {
    controllers.stop();
    await ts.close();
  }
});
