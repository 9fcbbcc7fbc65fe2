import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultPullPolicy } from './image-service.ts';
import { formatReference, InvalidReferenceError, parseReference } from './reference.ts';

const D = 'sha256:' + 'a'.repeat(64);

test('references normalize as Kubernetes does: docker.io, library/, :latest', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['bitnami/nginx', 'docker.io/bitnami/nginx:latest'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
    ['localhost/app', 'localhost/app:latest'],
    ['127.0.0.1:5000/library/busybox:v1', '127.0.0.1:5000/library/busybox:v1'],
    ['quay.io/a/b/c:tag', 'quay.io/a/b/c:tag'],
    [`busybox@${D}`, `docker.io/library/busybox@${D}`],
    [`busybox:1.36@${D}`, `docker.io/library/busybox@${D}`],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
  ];
  for (const [input, want] of cases) assert.equal(formatReference(parseReference(input)), want, input);
});

test('a first component without . or : is a path, not a registry', () => {
  const r = parseReference('myuser/app:1');
  assert.equal(r.registry, 'docker.io');
  assert.equal(r.repository, 'myuser/app');
  assert.equal(r.tag, '1');
});

test('a tag beside a digest is kept for display, the digest pins', () => {
  const r = parseReference(`nginx:1.27@${D}`);
  assert.equal(r.tag, '1.27');
  assert.equal(r.digest, D);
});

test('malformed references are rejected with the containerd wording', () => {
  for (const bad of ['', 'Busybox', 'busybox:', 'a//b', 'busybox@sha256:abc', 'busybox:-x', ':tag', 'a b']) {
    assert.throws(() => parseReference(bad), InvalidReferenceError, bad);
  }
  assert.throws(() => parseReference('UPPER/case'), /repository name must be lowercase/);
  assert.throws(
    () => parseReference('bad$'),
    /couldn't parse image reference "bad\$": invalid reference format/,
  );
});

test('default pull policy: Always for :latest or no tag, else IfNotPresent', () => {
  assert.equal(defaultPullPolicy('busybox'), 'Always');
  assert.equal(defaultPullPolicy('busybox:latest'), 'Always');
  assert.equal(defaultPullPolicy('busybox:1.36'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('127.0.0.1:5000/busybox'), 'Always');
  assert.equal(defaultPullPolicy(`busybox@${D}`), 'IfNotPresent');
});
