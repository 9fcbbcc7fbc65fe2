import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchPod, BENCH_LABEL, httpdCommand, isReady, isRunning, PROBE_COMMAND } from './pods.ts';
import { peerManifest, PEER_IMAGE } from './podman-peer.ts';

test('a start-up pod: one container, the label of the run, the API defaults spelled out', () => {
  const p = benchPod({ name: 'x', run: 'r1', command: ['sleep', '1'] });
  assert.equal(p.metadata?.labels?.[BENCH_LABEL], 'r1');
  assert.equal(p.spec?.containers.length, 1);
  assert.deepEqual(p.spec?.containers[0]?.command, ['sleep', '1']);
  assert.equal(p.spec?.restartPolicy, 'Always');
  assert.equal(p.spec?.terminationGracePeriodSeconds, 30);
  assert.equal(p.spec?.containers[0]?.readinessProbe, undefined);
});

test('an exec readiness probe at the default period', () => {
  const c = benchPod({ name: 'x', run: 'r', command: ['sleep', '1'], execReadiness: true }).spec
    ?.containers[0];
  assert.deepEqual(c?.readinessProbe?.exec?.command, [...PROBE_COMMAND]);
  assert.equal(c?.readinessProbe?.periodSeconds, 10);
  assert.equal(c?.readinessProbe?.timeoutSeconds, 1);
});

test('a density pod: exec liveness and httpGet readiness on its own port', () => {
  const c = benchPod({ name: 'd', run: 'r', command: httpdCommand(20001, '/w'), httpPort: 20001 }).spec
    ?.containers[0];
  assert.deepEqual(c?.command, ['busybox', 'httpd', '-f', '-p', '127.0.0.1:20001', '-h', '/w']);
  assert.deepEqual(c?.livenessProbe?.exec?.command, [...PROBE_COMMAND]);
  assert.equal(c?.readinessProbe?.httpGet?.port, 20001);
  assert.equal(c?.livenessProbe?.periodSeconds, 10);
  assert.equal(c?.readinessProbe?.failureThreshold, 3);
});

test('Running is the phase, Ready the condition', () => {
  assert.equal(isRunning({ status: { phase: 'Running' } }), true);
  assert.equal(isRunning({ status: { phase: 'Pending' } }), false);
  assert.equal(isReady({ status: { conditions: [{ type: 'Ready', status: 'True' }] } }), true);
  assert.equal(isReady({ status: { conditions: [{ type: 'ContainersReady', status: 'True' }] } }), false);
  assert.equal(isReady({}), false);
});

test('the peer manifest runs the local busybox image without pulling', () => {
  const m = JSON.parse(peerManifest('p')) as {
    spec: { containers: Array<{ image: string; imagePullPolicy: string }> };
  };
  assert.equal(m.spec.containers[0]?.image, PEER_IMAGE);
  assert.equal(m.spec.containers[0]?.imagePullPolicy, 'Never');
});
