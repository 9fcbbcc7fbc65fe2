import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResourcePath } from './request-info.ts';

const q = (s = ''): URLSearchParams => new URLSearchParams(s);

test('request paths map to group, version, namespace, resource, name, subresource and verb', () => {
  const cases: [string, string, string, string][] = [
    ['GET', '/api/v1/namespaces/default/pods', '', '/v1 default pods   list'],
    ['GET', '/api/v1/namespaces/default/pods', 'watch=true', '/v1 default pods   watch'],
    ['GET', '/api/v1/namespaces/default/pods/web', '', '/v1 default pods web  get'],
    ['GET', '/api/v1/namespaces/default/pods/web/log', '', '/v1 default pods web log get'],
    ['POST', '/api/v1/namespaces/default/pods', '', '/v1 default pods   create'],
    ['PUT', '/api/v1/namespaces/default/pods/web/status', '', '/v1 default pods web status update'],
    ['PATCH', '/api/v1/namespaces/default/pods/web', '', '/v1 default pods web  patch'],
    ['DELETE', '/api/v1/namespaces/default/pods/web', '', '/v1 default pods web  delete'],
    ['DELETE', '/api/v1/namespaces/default/pods', '', '/v1 default pods   deletecollection'],
    ['GET', '/api/v1/pods', '', '/v1  pods   list'],
    ['GET', '/api/v1/namespaces', '', '/v1  namespaces   list'],
    ['GET', '/api/v1/namespaces/team', '', '/v1  namespaces team  get'],
    ['PUT', '/api/v1/namespaces/team/finalize', '', '/v1  namespaces team finalize update'],
    ['GET', '/api/v1/watch/namespaces/default/pods', '', '/v1 default pods   watch'],
    ['GET', '/apis/events.k8s.io/v1/namespaces/default/events', '', 'events.k8s.io/v1 default events   list'],
    [
      'GET',
      '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n',
      '',
      'coordination.k8s.io/v1 kube-node-lease leases n  get',
    ],
  ];
  for (const [method, path, query, want] of cases) {
    const r = parseResourcePath(method, path, q(query));
    assert.ok(r, path);
    assert.equal(
      `${r.group}/${r.version} ${r.namespace} ${r.resource} ${r.name} ${r.subresource} ${r.verb}`,
      want,
      `${method} ${path}`,
    );
  }
});

test('non-resource paths are not resource requests', () => {
  for (const p of ['/', '/api', '/api/v1', '/apis', '/apis/events.k8s.io/v1', '/version', '/healthz']) {
    assert.equal(parseResourcePath('GET', p, q()), undefined, p);
  }
  assert.equal(parseResourcePath('OPTIONS', '/api/v1/pods', q()), undefined);
});
