import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NodeConfigError, parseRegistryMirror, registryOptions, runtimeForPod } from './node-config.ts';

test('--registry-mirror REGISTRY=URL, repeatable, in order', () => {
  assert.deepEqual(parseRegistryMirror('docker.io=http://127.0.0.1:5000/'), {
    registry: 'docker.io',
    url: 'http://127.0.0.1:5000',
  });
  assert.deepEqual(
    registryOptions(['docker.io=http://a:1', 'docker.io=https://b', 'quay.io=http://c:2'], ['c:2']),
    {
      mirrors: { 'docker.io': ['http://a:1', 'https://b'], 'quay.io': ['http://c:2'] },
      insecure: ['c:2'],
    },
  );
  for (const bad of ['docker.io', '=http://x', 'docker.io=', 'docker.io=ftp://x', 'docker.io=not a url']) {
    assert.throws(() => parseRegistryMirror(bad), NodeConfigError, bad);
  }
});

test('runtimeClassName process|oci picks the runtime, anything else is the node default', () => {
  assert.equal(runtimeForPod('process', 'oci'), 'process');
  assert.equal(runtimeForPod('oci', 'process'), 'oci');
  assert.equal(runtimeForPod(undefined, 'oci'), 'oci');
  assert.equal(runtimeForPod('gvisor', 'process'), 'process');
});
