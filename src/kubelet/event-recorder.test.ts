// Event objects as the kubelet's recorder writes them (reference §0.1, §8): source kubelet on the
// node, involvedObject the pod with a container fieldPath, identical events merged with a count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from 'kubernetes-types/core/v1.js';
import { FakeClock } from '../testing/fake-clock.ts';
import { containerFieldPath, KubeletEventRecorder } from './event-recorder.ts';
import { ctr, makePod } from '../testing/kubelet-harness.ts';

function recorder(): { rec: KubeletEventRecorder; writes: Event[]; clock: FakeClock } {
  const writes: Event[] = [];
  const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 0, 250));
  const rec = new KubeletEventRecorder(
    { writeEvent: (e) => writes.push(structuredClone(e)) },
    clock,
    'node-1',
  );
  return { rec, writes, clock };
}

const pod = makePod('web', { initContainers: [ctr('init')], containers: [ctr('app')] });

test('container field paths: spec.containers{…} and spec.initContainers{…}', () => {
  assert.equal(containerFieldPath(pod, 'app'), 'spec.containers{app}');
  assert.equal(containerFieldPath(pod, 'init'), 'spec.initContainers{init}');
});

test('an event names the pod and container, comes from the kubelet on this node, count 1', () => {
  const { rec, writes } = recorder();
  rec.event(pod, 'spec.containers{app}', 'Normal', 'Started', 'Started container app');
  assert.equal(writes.length, 1);
  const e = writes[0];
  assert.ok(e);
  assert.match(e.metadata?.name ?? '', /^web\.[0-9a-f]+$/);
  assert.equal(e.metadata?.namespace, 'default');
  assert.deepEqual(e.involvedObject, {
    kind: 'Pod',
    namespace: 'default',
    name: 'web',
    uid: 'uid-web',
    apiVersion: 'v1',
    fieldPath: 'spec.containers{app}',
  });
  assert.equal(e.type, 'Normal');
  assert.equal(e.reason, 'Started');
  assert.equal(e.message, 'Started container app');
  assert.deepEqual(e.source, { component: 'kubelet', host: 'node-1' });
  assert.equal(e.reportingComponent, 'kubelet');
  assert.equal(e.reportingInstance, 'node-1');
  assert.equal(e.count, 1);
  assert.equal(e.firstTimestamp, '2026-01-01T00:00:00Z');
  assert.equal(e.lastTimestamp, '2026-01-01T00:00:00Z');
});

test('pod-level events have no fieldPath', () => {
  const { rec, writes } = recorder();
  rec.event(
    pod,
    undefined,
    'Normal',
    'DeadlineExceeded',
    'Pod was active on the node longer than the specified deadline',
  );
  assert.equal(writes[0]?.involvedObject.fieldPath, undefined);
});

test('identical events are merged into one object: count and lastTimestamp advance', async () => {
  const { rec, writes, clock } = recorder();
  const msg = 'Back-off restarting failed container app in pod web_default(uid-web)';
  rec.event(pod, 'spec.containers{app}', 'Warning', 'BackOff', msg);
  await clock.advance(10_000);
  rec.event(pod, 'spec.containers{app}', 'Warning', 'BackOff', msg);
  await clock.advance(15_000);
  rec.event(pod, 'spec.containers{app}', 'Warning', 'BackOff', msg);
  assert.equal(writes.length, 3);
  const names = new Set(writes.map((e) => e.metadata?.name));
  assert.equal(names.size, 1, 'the same Event object is updated');
  const last = writes[2];
  assert.equal(last?.count, 3);
  assert.equal(last?.firstTimestamp, '2026-01-01T00:00:00Z');
  assert.equal(last?.lastTimestamp, '2026-01-01T00:00:25Z');
});

test('a different message, reason, type or container is a different event', () => {
  const { rec, writes } = recorder();
  rec.event(pod, 'spec.containers{app}', 'Normal', 'Killing', 'Stopping container app');
  rec.event(pod, 'spec.containers{app}', 'Normal', 'Killing', 'FailedPostStartHook');
  rec.event(pod, 'spec.initContainers{init}', 'Normal', 'Killing', 'Stopping container app');
  rec.event(pod, 'spec.containers{app}', 'Warning', 'Killing', 'Stopping container app');
  assert.equal(new Set(writes.map((e) => e.metadata?.name)).size, 4);
  assert.ok(writes.every((e) => e.count === 1));
});

test('forgetPod starts aggregation afresh for that pod only', () => {
  const { rec, writes } = recorder();
  const other = makePod('db', { containers: [ctr('app')] });
  rec.event(pod, undefined, 'Normal', 'X', 'm');
  rec.event(other, undefined, 'Normal', 'X', 'm');
  rec.forgetPod('uid-web');
  rec.event(pod, undefined, 'Normal', 'X', 'm');
  rec.event(other, undefined, 'Normal', 'X', 'm');
  assert.equal(writes[2]?.count, 1);
  assert.notEqual(writes[2]?.metadata?.name, writes[0]?.metadata?.name);
  assert.equal(writes[3]?.count, 2);
});
