import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { PodTracker } from './pod-api.ts';

function pod(name: string, phase?: string, ready = false): Pod {
  return {
    metadata: { name, namespace: 'default' },
    status: {
      ...(phase ? { phase } : {}),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  };
}

test('the tracker keeps the first time a pod was Running, Ready and gone', async () => {
  const t = new PodTracker();
  const running = t.until('default', 'a', 'running', 1000);
  t.onEvent('ADDED', pod('a', 'Pending'));
  t.onEvent('MODIFIED', pod('a', 'Running'));
  const r1 = await running;
  t.onEvent('MODIFIED', pod('a', 'Running', true));
  assert.equal(
    await t.until('default', 'a', 'running', 1000),
    r1,
    'a later event does not move the milestone',
  );
  const ready = await t.until('default', 'a', 'ready', 1000);
  assert.ok(ready >= r1);
  t.onEvent('DELETED', pod('a', 'Succeeded'));
  assert.ok((await t.until('default', 'a', 'gone', 1000)) >= ready);
  assert.equal(t.last('default', 'a')?.status?.phase, 'Succeeded');
});

test('waiting times out with the phase last seen', async () => {
  const t = new PodTracker();
  t.onEvent('ADDED', pod('b', 'Pending'));
  await assert.rejects(
    t.until('default', 'b', 'ready', 5),
    /pod default\/b did not become ready within 5 ms \(phase: Pending\)/,
  );
});

test('reset forgets a pod, so a reused name is timed afresh', async () => {
  const t = new PodTracker();
  t.onEvent('MODIFIED', pod('c', 'Running'));
  t.reset('default', 'c');
  await assert.rejects(t.until('default', 'c', 'running', 5), /not seen/);
});
