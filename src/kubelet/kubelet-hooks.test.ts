// postStart and preStop through the whole Kubelet on the fake runtime (reference §4; gotchas 7,
// 9, 10, 11): postStart blocks Running and the next container; its failure kills through the
// normal path (preStop runs) and restarts per policy; preStop runs before the stop signal within
// the grace, with at least 2 s between signal and SIGKILL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, fakeNode, makePod, sidecar, type FakeNode } from '../testing/kubelet-harness.ts';

const FMT = 'p_default(uid-p)';

async function withNode(fn: (n: FakeNode) => Promise<void>): Promise<void> {
  const n = fakeNode();
  try {
    await fn(n);
  } finally {
    await n.h.stop();
  }
}

test('gotcha 7: a slow postStart keeps the container Waiting, the pod Pending and the next container unstarted', () =>
  withNode(async (n) => {
    n.runtime.script('a', { exec: () => ({ exitCode: 0, delayMs: 5000 }) });
    n.h.create(
      makePod('p', {
        containers: [ctr('a', { lifecycle: { postStart: { exec: { command: ['warm-up'] } } } }), ctr('b')],
      }),
    );
    await n.advance(4900);
    assert.equal(n.h.phase('p'), 'Pending');
    assert.deepEqual(n.h.container('p', 'a').state, { waiting: { reason: 'ContainerCreating' } });
    assert.deepEqual(n.runtime.ops('b'), [], 'b waits for a’s postStart');
    await n.advance(100);
    assert.deepEqual(
      n.callLog((c) => c.op !== 'runPodSandbox'),
      [
        'createContainer a#0 @0',
        'startContainer a#0 @0',
        'execSync a#0 [warm-up] @0',
        'createContainer b#0 @5000',
        'startContainer b#0 @5000',
      ],
    );
    assert.equal(n.h.phase('p'), 'Running');
    assert.ok(n.h.container('p', 'a').state?.running);
  }));

test('gotcha 7: a sidecar’s postStart completes before the next init container is created', () =>
  withNode(async (n) => {
    n.runtime.script('side', { exec: () => ({ exitCode: 0, delayMs: 3000 }) });
    n.h.create(
      makePod('p', {
        initContainers: [
          sidecar('side', { lifecycle: { postStart: { exec: { command: ['wait'] } } } }),
          ctr('init'),
        ],
        containers: [ctr('app')],
      }),
    );
    await n.advance(2000);
    assert.deepEqual(n.runtime.ops('init'), []);
    await n.advance(1000);
    assert.deepEqual(
      n.callLog((c) => c.name === 'init'),
      ['createContainer init#0 @3000', 'startContainer init#0 @3000'],
    );
  }));

test('a sleep postStart holds the container for its seconds on the clock', () =>
  withNode(async (n) => {
    n.h.create(
      makePod('p', { containers: [ctr('app', { lifecycle: { postStart: { sleep: { seconds: 3 } } } })] }),
    );
    await n.advance(2900);
    assert.equal(n.h.phase('p'), 'Pending');
    await n.advance(100);
    assert.equal(n.h.phase('p'), 'Running');
  }));

test('gotchas 9, 10: a failed postStart: FailedPostStartHook, Killing FailedPostStartHook, preStop, stop; PostStartHookError; restarted', () =>
  withNode(async (n) => {
    n.runtime.scriptAttempts('app', [
      {
        exec: (cmd) =>
          cmd[0] === 'setup'
            ? { exitCode: 2, stdout: 'secret-ish output\n', stderr: 'no db\n' }
            : { exitCode: 0 },
      },
    ]);
    n.h.create(
      makePod('p', {
        containers: [
          ctr('app', {
            lifecycle: {
              postStart: { exec: { command: ['setup', '--db'] } },
              preStop: { exec: { command: ['drain'] } },
            },
          }),
        ],
      }),
    );
    await n.advance(0);
    assert.deepEqual(n.h.eventLines('p').slice(0, 6), [
      'Normal Pulled spec.containers{app} Container image "busybox" already present on machine x2',
      'Normal Created spec.containers{app} Created container app x2',
      'Normal Started spec.containers{app} Started container app x2',
      'Warning FailedPostStartHook spec.containers{app} PostStartHook failed',
      'Normal Killing spec.containers{app} FailedPostStartHook',
    ]);
    assert.ok(
      !n.h.eventLines('p').some((l) => l.includes('secret-ish')),
      'hook output never goes into events',
    );
    assert.deepEqual(
      n.callLog((c) => c.name === 'app' && c.op !== 'createContainer'),
      [
        'startContainer app#0 @0',
        'execSync app#0 [setup --db] @0',
        'execSync app#0 [drain] @0',
        'stopContainer app#0 timeout=30 @0',
        // Restarted at once: the first restart has no back-off.
        'startContainer app#1 @0',
        'execSync app#1 [setup --db] @0',
      ],
    );
    // The status computed before the restart showed the failure.
    const failed = n.h.statusWrites.find(
      (w) => w.status.containerStatuses?.[0]?.state?.waiting?.reason === 'PostStartHookError',
    );
    assert.ok(failed);
    const st = failed.status.containerStatuses?.[0];
    assert.equal(
      st?.state?.waiting?.message,
      `Exec lifecycle hook ([setup --db]) for Container "app" in Pod "${FMT}" failed - error: ` +
        `command 'setup --db' exited with 2: no db\n, message: "secret-ish output\\nno db\\n"`,
    );
    assert.equal(st?.lastState?.terminated?.exitCode, 143);
    assert.equal(st?.lastState?.terminated?.reason, 'Error');
    assert.ok(n.h.container('p', 'app').state?.running);
    assert.equal(n.h.container('p', 'app').restartCount, 1);
  }));

test('a failed postStart under Never: the container stays Terminated and the pod Fails', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exec: () => ({ exitCode: 1 }) });
    n.h.create(
      makePod('p', {
        restartPolicy: 'Never',
        containers: [ctr('app', { lifecycle: { postStart: { exec: { command: ['setup'] } } } })],
      }),
    );
    await n.advance(1000);
    assert.equal(n.h.phase('p'), 'Failed');
    assert.equal(n.h.container('p', 'app').state?.terminated?.exitCode, 143);
    assert.equal(n.runtime.ops('app').filter((o) => o === 'startContainer').length, 1);
  }));

test('gotcha 11: Killing comes before preStop; preStop time is taken from the grace before the stop signal', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exec: () => ({ exitCode: 0, delayMs: 4500 }) });
    n.h.create(
      makePod('p', {
        terminationGracePeriodSeconds: 10,
        containers: [ctr('app', { lifecycle: { preStop: { exec: { command: ['drain'] } } } })],
      }),
    );
    await n.advance(1000);
    n.h.delete('p');
    await n.advance(0);
    assert.ok(n.h.eventLines('p').includes('Normal Killing spec.containers{app} Stopping container app'));
    assert.deepEqual(n.runtime.ops('app').slice(-1), ['execSync'], 'preStop runs; no stop signal yet');
    await n.advance(10_000);
    // 4.5 s of preStop: 4 whole seconds are taken from the 10 s grace.
    assert.deepEqual(
      n.callLog((c) => c.name === 'app' && (c.op === 'execSync' || c.op === 'stopContainer')),
      ['execSync app#0 [drain] @1000', 'stopContainer app#0 timeout=6 @5500'],
    );
    assert.equal(n.h.pod('p'), undefined);
  }));

test('gotcha 11: a preStop that overruns the grace gets the stop signal at the grace and SIGKILL 2 s later (137)', () =>
  withNode(async (n) => {
    n.runtime.script('app', { onStop: 'ignore', exec: () => ({ exitCode: 0, delayMs: 60_000 }) });
    n.h.create(
      makePod('p', {
        terminationGracePeriodSeconds: 5,
        containers: [ctr('app', { lifecycle: { preStop: { exec: { command: ['drain'] } } } })],
      }),
    );
    await n.advance(1000);
    n.h.delete('p');
    await n.advance(10_000);
    assert.deepEqual(
      n.callLog((c) => c.name === 'app' && (c.op === 'execSync' || c.op === 'stopContainer')),
      ['execSync app#0 [drain] @1000', 'stopContainer app#0 timeout=2 @6000'],
    );
    const final = n.h.statusWrites.at(-1)?.status;
    assert.equal(final?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
    assert.equal(final?.containerStatuses?.[0]?.state?.terminated?.finishedAt, '2026-01-01T00:00:08Z');
    assert.equal(final?.phase, 'Failed');
  }));

test('a failing preStop: FailedPreStopHook with the fixed text, then the stop signal with the grace left', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exec: () => ({ exitCode: 1, stdout: 'details' }) });
    n.h.create(
      makePod('p', {
        containers: [ctr('app', { lifecycle: { preStop: { exec: { command: ['drain'] } } } })],
      }),
    );
    await n.advance(1000);
    n.h.delete('p');
    await n.advance(1000);
    const ev = n.h.eventLines('p');
    assert.deepEqual(ev.slice(-2), [
      'Normal Killing spec.containers{app} Stopping container app',
      'Warning FailedPreStopHook spec.containers{app} PreStopHook failed',
    ]);
    assert.deepEqual(
      n.callLog((c) => c.op === 'stopContainer'),
      ['stopContainer app#0 timeout=30 @1000'],
    );
  }));

test('a sleep preStop waits on the clock and its seconds come off the grace', () =>
  withNode(async (n) => {
    n.h.create(
      makePod('p', { containers: [ctr('app', { lifecycle: { preStop: { sleep: { seconds: 5 } } } })] }),
    );
    await n.advance(1000);
    n.h.delete('p', { gracePeriodSeconds: 20 });
    await n.advance(10_000);
    assert.deepEqual(
      n.callLog((c) => c.op === 'stopContainer'),
      ['stopContainer app#0 timeout=15 @6000'],
    );
  }));

test('preStop runs only for running containers: not for one that already exited', () =>
  withNode(async (n) => {
    n.runtime.script('done', { exitAfterMs: 500 });
    n.h.create(
      makePod('p', {
        restartPolicy: 'OnFailure',
        containers: [ctr('done', { lifecycle: { preStop: { exec: { command: ['x'] } } } }), ctr('app')],
      }),
    );
    await n.advance(1000);
    n.h.delete('p');
    await n.advance(1000);
    assert.deepEqual(
      n.runtime.ops('done').filter((o) => o === 'execSync' || o === 'stopContainer'),
      [],
    );
    assert.ok(!n.h.eventLines('p').some((l) => l.includes('Stopping container done')));
  }));
