// Kills the prober asks for, as the engine carries them out (reference §5.5–5.6, §7.3; gotcha 13):
// the Killing message, preStop, the grace (probe-level terminationGracePeriodSeconds only for
// liveness/startup kills, never for API deletion), and the restart with its back-off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Probe } from 'kubernetes-types/core/v1.js';
import { ProbeManager } from './prober/prober-manager.ts';
import { ctr, fakeNode, makePod, type FakeNode } from '../testing/kubelet-harness.ts';

async function withNode(fn: (n: FakeNode) => Promise<void>): Promise<void> {
  const n = fakeNode({ prober: (deps) => new ProbeManager(deps) });
  try {
    await fn(n);
  } finally {
    await n.h.stop();
  }
}

const failing = (extra: Partial<Probe> = {}): Probe => ({
  exec: { command: ['healthy?'] },
  periodSeconds: 1,
  failureThreshold: 1,
  ...extra,
});

test('gotcha 13: a liveness kill uses the probe’s terminationGracePeriodSeconds, even above the pod’s; preStop runs', () =>
  withNode(async (n) => {
    n.runtime.scriptAttempts('app', [
      { exec: (cmd) => ({ exitCode: cmd[0] === 'healthy?' ? 1 : 0 }), onStop: 'ignore' },
    ]);
    n.h.create(
      makePod('p', {
        terminationGracePeriodSeconds: 5,
        containers: [
          ctr('app', {
            livenessProbe: failing({ terminationGracePeriodSeconds: 60 }),
            lifecycle: { preStop: { exec: { command: ['drain'] } } },
          }),
        ],
      }),
    );
    await n.until('the liveness kill', () => n.runtime.ops('app').includes('stopContainer'), 10_000);
    assert.ok(
      n.h
        .eventLines('p')
        .includes(
          'Normal Killing spec.containers{app} Container app failed liveness probe, will be restarted',
        ),
      n.h.eventLines('p').join('\n'),
    );
    const ops = n.callLog(
      (c) =>
        c.name === 'app' && (c.op === 'stopContainer' || (c.op === 'execSync' && c.command?.[0] === 'drain')),
    );
    assert.equal(ops.length, 2);
    assert.match(ops[0] ?? '', /^execSync app#0 \[drain\]/);
    assert.match(ops[1] ?? '', /^stopContainer app#0 timeout=60 /);
    await n.advance(61_000);
    const st = n.h.container('p', 'app');
    assert.equal(st.restartCount, 1);
    assert.equal(st.lastState?.terminated?.exitCode, 137);
    assert.ok(st.state?.running);
  }));

test('gotcha 13: API deletion ignores the probe-level grace and uses the deletion’s', () =>
  withNode(async (n) => {
    n.h.create(
      makePod('p', {
        terminationGracePeriodSeconds: 5,
        containers: [
          ctr('app', { livenessProbe: { exec: { command: ['ok'] }, terminationGracePeriodSeconds: 60 } }),
        ],
      }),
    );
    await n.advance(3000);
    n.h.delete('p');
    await n.advance(1000);
    assert.deepEqual(
      n.callLog((c) => c.op === 'stopContainer'),
      ['stopContainer app#0 timeout=5 @3000'],
    );
  }));

test('a startup probe failure kills with "failed startup probe"; under Never without the restart suffix and the pod Fails', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exec: () => ({ exitCode: 1 }) });
    n.h.create(
      makePod('p', { restartPolicy: 'Never', containers: [ctr('app', { startupProbe: failing() })] }),
    );
    await n.until('Failed', () => n.h.phase('p') === 'Failed', 20_000);
    assert.ok(
      n.h.eventLines('p').includes('Normal Killing spec.containers{app} Container app failed startup probe'),
    );
    assert.equal(n.runtime.ops('app').filter((o) => o === 'startContainer').length, 1);
    assert.equal(n.h.container('p', 'app').state?.terminated?.exitCode, 143);
  }));
