import assert from 'node:assert/strict';
import { test } from 'node:test';
import { admitByCount, DEFAULT_MAX_PODS, rejectedStatus, wasRejected } from './admission.ts';

test('110 pods fit by default; the 111th is rejected with the kubelet reason and message', () => {
  assert.equal(admitByCount(109, DEFAULT_MAX_PODS), undefined);
  assert.deepEqual(admitByCount(110, DEFAULT_MAX_PODS), {
    reason: 'OutOfpods',
    message: "Node didn't have enough resource: pods, requested: 1, used: 110, capacity: 110",
  });
  // The status prefixes the event's message, as the kubelet's rejectPod does.
  const rejection = admitByCount(110, DEFAULT_MAX_PODS);
  assert.ok(rejection);
  assert.equal(
    rejectedStatus({}, rejection, '2026-01-01T00:00:00Z').message,
    "Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 110, capacity: 110",
  );
  assert.equal(admitByCount(2, 3), undefined);
  assert.equal(admitByCount(3, 3)?.reason, 'OutOfpods');
});

test('a rejected pod is Failed with the reason and stays rejected', () => {
  const pod = { metadata: { name: 'p', uid: 'u' }, status: { phase: 'Pending' } };
  const st = rejectedStatus(pod, { reason: 'OutOfpods', message: 'm' }, '2026-01-01T00:00:00Z');
  assert.equal(st.phase, 'Failed');
  assert.equal(st.reason, 'OutOfpods');
  assert.equal(st.startTime, '2026-01-01T00:00:00Z');
  assert.ok(wasRejected({ ...pod, status: st }));
  assert.equal(wasRejected(pod), false);
});
