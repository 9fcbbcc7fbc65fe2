// Init containers and sidecars through the whole Kubelet on the fake runtime (reference §3;
// gotchas 6, 19, 20, 21, 22): one at a time in order, failure under Never fails the pod, otherwise
// retried with back-off while Pending; sidecars started in order, kept running, restarted, stopped
// after the main containers in reverse order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeManager } from './prober/prober-manager.ts';
import { ctr, fakeNode, makePod, sidecar, type FakeNode } from '../testing/kubelet-harness.ts';

const FMT = 'p_default(uid-p)';

async function withNode(
  fn: (n: FakeNode) => Promise<void>,
  opts: Parameters<typeof fakeNode>[0] = {},
): Promise<void> {
  const n = fakeNode(opts);
  try {
    await fn(n);
  } finally {
    await n.h.stop();
  }
}

function started(n: FakeNode): string[] {
  return n.h
    .eventLines('p')
    .filter((l) => l.startsWith('Normal Started'))
    .map((l) => l.replace(/ x\d+$/, ''));
}

test('init containers run one at a time in spec order; the app waits; statuses say why', () =>
  withNode(async (n) => {
    n.runtime.script('i1', { exitAfterMs: 2000 });
    n.runtime.script('i2', { exitAfterMs: 3000 });
    n.h.create(makePod('p', { initContainers: [ctr('i1'), ctr('i2')], containers: [ctr('app')] }));
    await n.advance(1000);
    assert.deepEqual(started(n), ['Normal Started spec.initContainers{i1} Started container i1']);
    const s = n.h.status('p');
    assert.equal(s.phase, 'Pending');
    assert.ok(n.h.container('p', 'i1').state?.running);
    // gotcha 6: every other container shows PodInitializing.
    assert.deepEqual(n.h.container('p', 'i2').state, { waiting: { reason: 'PodInitializing' } });
    assert.deepEqual(n.h.container('p', 'app').state, { waiting: { reason: 'PodInitializing' } });
    const init = s.conditions?.find((c) => c.type === 'Initialized');
    assert.equal(init?.status, 'False');
    assert.equal(init?.reason, 'ContainersNotInitialized');
    assert.equal(init?.message, 'containers with incomplete status: [i1 i2]');

    await n.advance(2000);
    assert.equal(started(n).length, 2);
    assert.equal(n.h.container('p', 'i1').state?.terminated?.reason, 'Completed');
    assert.equal(n.h.container('p', 'i1').ready, true);
    assert.equal(n.h.container('p', 'i1').started, false);
    assert.equal(
      n.h.status('p').conditions?.find((c) => c.type === 'Initialized')?.message,
      'containers with incomplete status: [i2]',
    );

    await n.advance(3000);
    assert.deepEqual(started(n), [
      'Normal Started spec.initContainers{i1} Started container i1',
      'Normal Started spec.initContainers{i2} Started container i2',
      'Normal Started spec.containers{app} Started container app',
    ]);
    assert.equal(n.h.phase('p'), 'Running');
    assert.equal(n.h.status('p').conditions?.find((c) => c.type === 'Initialized')?.status, 'True');
    assert.deepEqual(
      n.callLog((c) => c.op === 'startContainer'),
      ['startContainer i1#0 @0', 'startContainer i2#0 @2000', 'startContainer app#0 @5000'],
    );
  }));

test('gotcha 21: an init container failure under Never fails the pod at once; nothing else starts', () =>
  withNode(async (n) => {
    n.runtime.script('i1', { exitAfterMs: 1000, exitCode: 3 });
    n.h.create(
      makePod('p', {
        restartPolicy: 'Never',
        initContainers: [ctr('i1'), ctr('i2')],
        containers: [ctr('app')],
      }),
    );
    await n.advance(60_000);
    assert.equal(n.h.phase('p'), 'Failed');
    assert.equal(n.h.container('p', 'i1').state?.terminated?.exitCode, 3);
    assert.deepEqual(n.h.container('p', 'i2').state, { waiting: { reason: 'PodInitializing' } });
    assert.deepEqual(n.h.container('p', 'app').state, { waiting: { reason: 'PodInitializing' } });
    assert.deepEqual(n.runtime.ops('i2'), []);
    assert.deepEqual(n.runtime.ops('app'), []);
    assert.equal(n.h.status('p').conditions?.find((c) => c.type === 'Initialized')?.status, 'False');
  }));

for (const policy of ['OnFailure', 'Always'] as const) {
  test(`gotcha 21: an init container failure under ${policy} is retried with back-off while the pod stays Pending`, () =>
    withNode(async (n) => {
      n.runtime.scriptAttempts('i1', [
        { exitAfterMs: 1000, exitCode: 1 },
        { exitAfterMs: 1000, exitCode: 1 },
        { exitAfterMs: 1000, exitCode: 0 },
      ]);
      n.h.create(
        makePod('p', { restartPolicy: policy, initContainers: [ctr('i1')], containers: [ctr('app')] }),
      );
      await n.advance(12_000);
      // Crash at 1 s: restarted at once; crash at 2 s: 10 s back-off, the next sync shows it.
      const w = n.h.statusWrites.find(
        (x) => x.status.initContainerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff',
      );
      assert.ok(w, 'CrashLoopBackOff shown');
      assert.equal(w.status.phase, 'Pending');
      assert.equal(
        w.status.initContainerStatuses?.[0]?.state?.waiting?.message,
        `back-off 10s restarting failed container=i1 pod=${FMT}`,
      );
      assert.equal(w.status.initContainerStatuses?.[0]?.lastState?.terminated?.exitCode, 1);
      assert.ok(
        n.h
          .eventLines('p')
          .some((l) =>
            l.startsWith(
              `Warning BackOff spec.initContainers{i1} Back-off restarting failed container i1 in pod ${FMT}`,
            ),
          ),
      );
      assert.ok(
        n.h.statusWrites.filter((x) => x.at < n.start + 12_000).every((x) => x.status.phase === 'Pending'),
      );
      await n.advance(2000);
      assert.equal(n.h.container('p', 'i1').restartCount, 2);
      assert.ok(n.h.container('p', 'app').state?.running);
      assert.equal(n.h.phase('p'), 'Running');
    }));
}

test('gotcha 21: an OOMKilled init container is a failure even with exit 0: it is run again', () =>
  withNode(async (n) => {
    n.runtime.script('i1', {});
    n.h.create(
      makePod('p', { restartPolicy: 'OnFailure', initContainers: [ctr('i1')], containers: [ctr('app')] }),
    );
    await n.advance(0);
    n.runtime.exit(n.runtime.instances('i1')[0]?.id ?? '', 0, 'OOMKilled');
    await n.advance(0);
    assert.deepEqual(
      n.callLog((c) => c.op === 'startContainer'),
      ['startContainer i1#0 @0', 'startContainer i1#1 @0'],
    );
    assert.deepEqual(n.runtime.ops('app'), []);
  }));

test('sidecars start in their position and each must run before the next init container starts', () =>
  withNode(async (n) => {
    n.runtime.script('init', { exitAfterMs: 1000 });
    n.h.create(
      makePod('p', {
        initContainers: [sidecar('s1'), ctr('init'), sidecar('s2')],
        containers: [ctr('app')],
      }),
    );
    await n.advance(0);
    assert.deepEqual(started(n), [
      'Normal Started spec.initContainers{s1} Started container s1',
      'Normal Started spec.initContainers{init} Started container init',
    ]);
    await n.advance(1000);
    assert.deepEqual(started(n).slice(2), [
      'Normal Started spec.initContainers{s2} Started container s2',
      'Normal Started spec.containers{app} Started container app',
    ]);
    const s = n.h.status('p');
    assert.equal(s.phase, 'Running');
    assert.equal(n.h.container('p', 's1').started, true);
    assert.equal(n.h.container('p', 's1').ready, true);
    // Sidecars take part in readiness.
    assert.equal(s.conditions?.find((c) => c.type === 'ContainersReady')?.status, 'True');
  }));

test('a sidecar with a startup probe holds the app back until the probe succeeds', () =>
  withNode(
    async (n) => {
      let ok = false;
      n.runtime.script('side', { exec: () => ({ exitCode: ok ? 0 : 1 }) });
      n.h.create(
        makePod('p', {
          initContainers: [
            sidecar('side', {
              startupProbe: { exec: { command: ['check'] }, periodSeconds: 1, failureThreshold: 30 },
            }),
          ],
          containers: [ctr('app')],
        }),
      );
      await n.advance(5000);
      assert.deepEqual(n.runtime.ops('app'), [], 'not started before the startup probe succeeded');
      assert.equal(n.h.container('p', 'side').started, false);
      assert.equal(n.h.phase('p'), 'Pending');
      ok = true;
      await n.advance(2000);
      assert.deepEqual(n.runtime.ops('app').slice(0, 2), ['createContainer', 'startContainer']);
      assert.equal(n.h.container('p', 'side').started, true);
    },
    { prober: (deps) => new ProbeManager(deps) },
  ));

test('gotcha 19: an exited sidecar is restarted even under Never, with crash back-off; its exit never fails the pod', () =>
  withNode(async (n) => {
    n.runtime.script('side', { exitAfterMs: 1000, exitCode: 1 });
    n.runtime.script('app', { exitAfterMs: 30_000, exitCode: 0 });
    n.h.create(
      makePod('p', { restartPolicy: 'Never', initContainers: [sidecar('side')], containers: [ctr('app')] }),
    );
    await n.advance(15_000);
    const side = n.h.container('p', 'side');
    assert.ok(side.restartCount >= 2, `restartCount ${side.restartCount}`);
    assert.equal(n.h.phase('p'), 'Running');
    assert.ok(n.h.eventLines('p').some((l) => l.startsWith('Warning BackOff spec.initContainers{side}')));
    await n.advance(20_000);
    assert.equal(n.h.phase('p'), 'Succeeded');
  }));

test('gotcha 19: when the app completes (Never) sidecars are stopped after it, in reverse order', () =>
  withNode(async (n) => {
    n.runtime.script('app', { exitAfterMs: 5000, exitCode: 0 });
    n.runtime.script('s1', { onStop: { afterMs: 500, exitCode: 0 } });
    n.runtime.script('s2', { onStop: { afterMs: 500, exitCode: 0 } });
    n.h.create(
      makePod('p', {
        restartPolicy: 'Never',
        initContainers: [sidecar('s1'), sidecar('s2')],
        containers: [ctr('app')],
      }),
    );
    await n.advance(10_000);
    assert.deepEqual(
      n.callLog((c) => c.op === 'stopContainer'),
      ['stopContainer s2#0 timeout=30 @5000', 'stopContainer s1#0 timeout=30 @5500'],
    );
    assert.deepEqual(
      n.h.eventLines('p').filter((l) => l.includes('Killing')),
      [
        'Normal Killing spec.initContainers{s2} Stopping container s2',
        'Normal Killing spec.initContainers{s1} Stopping container s1',
      ],
    );
    assert.equal(n.h.phase('p'), 'Succeeded');
    assert.ok(n.h.pod('p'));
  }));

test('graceful deletion with sidecars: main containers stop first, then sidecars in reverse order', () =>
  withNode(async (n) => {
    for (const name of ['s1', 's2', 'app'])
      n.runtime.script(name, { onStop: { afterMs: 1000, exitCode: 0 } });
    n.h.create(
      makePod('p', {
        terminationGracePeriodSeconds: 10,
        initContainers: [sidecar('s1'), sidecar('s2')],
        containers: [ctr('app')],
      }),
    );
    await n.advance(1000);
    n.h.delete('p');
    await n.advance(10_000);
    // All get their Killing event at once; the sidecars' stop waits for the app, then s2, each with
    // what is left of its grace (whole seconds).
    assert.deepEqual(
      n.callLog((c) => c.op === 'stopContainer'),
      [
        'stopContainer app#0 timeout=10 @1000',
        'stopContainer s2#0 timeout=9 @2000',
        'stopContainer s1#0 timeout=8 @3000',
      ],
    );
    assert.equal(n.h.pod('p'), undefined, 'the object is removed once all stopped');
    const final = n.h.statusWrites.at(-1)?.status;
    assert.equal(final?.phase, 'Succeeded');
  }));

test('gotcha 20: sidecar preStop hooks run at the start of termination, before the app has stopped', () =>
  withNode(async (n) => {
    n.runtime.script('app', { onStop: { afterMs: 3000, exitCode: 0 } });
    n.h.create(
      makePod('p', {
        initContainers: [sidecar('side', { lifecycle: { preStop: { exec: { command: ['drain'] } } } })],
        containers: [ctr('app', { lifecycle: { preStop: { exec: { command: ['quit'] } } } })],
      }),
    );
    await n.advance(1000);
    n.h.delete('p');
    await n.advance(10_000);
    // Calls at the same instant run concurrently: compared in time order, then by text.
    const byTime = (a: string, b: string): number =>
      Number(a.split('@')[1]) - Number(b.split('@')[1]) || (a < b ? -1 : a > b ? 1 : 0);
    assert.deepEqual(n.callLog((c) => c.op === 'execSync' || c.op === 'stopContainer').sort(byTime), [
      'execSync app#0 [quit] @1000',
      'execSync side#0 [drain] @1000',
      'stopContainer app#0 timeout=30 @1000',
      'stopContainer side#0 timeout=27 @4000',
    ]);
  }));

test('gotcha 22: a sandbox that died is re-created (SandboxChanged) and initialization re-runs from the first init container', () =>
  withNode(async (n) => {
    n.runtime.script('i1', { exitAfterMs: 1000 });
    n.h.create(makePod('p', { initContainers: [ctr('i1')], containers: [ctr('app')] }));
    await n.advance(2000);
    assert.ok(n.h.container('p', 'app').state?.running);
    const [sb] = await n.runtime.listPodSandboxes('uid-p');
    await n.runtime.stopPodSandbox(sb?.id ?? '');
    await n.advance(90_000); // the next resync notices
    assert.ok(
      n.h
        .eventLines('p')
        .includes('Normal SandboxChanged - Pod sandbox changed, it will be killed and re-created.'),
    );
    // What ran in the old sandbox is killed the normal way (Killing, the pod's grace).
    assert.ok(n.h.eventLines('p').includes('Normal Killing spec.containers{app} Stopping container app'));
    assert.deepEqual(
      n.callLog((c) => c.op === 'stopContainer').map((l) => l.replace(/ @\d+$/, '')),
      ['stopContainer app#0 timeout=30'],
    );
    const sandboxes = await n.runtime.listPodSandboxes('uid-p');
    assert.deepEqual(sandboxes.map((s) => [s.attempt, s.state]).sort(), [
      [0, 'notready'],
      [1, 'ready'],
    ]);
    assert.deepEqual(
      n.callLog((c) => c.op === 'startContainer').map((l) => l.replace(/ @\d+$/, '')),
      ['startContainer i1#0', 'startContainer app#0', 'startContainer i1#0', 'startContainer app#1'],
    );
    assert.equal(n.h.phase('p'), 'Running');
  }));

test('gotcha 22: a Never pod whose sandbox died after its containers ran gets no new sandbox', () =>
  withNode(async (n) => {
    n.h.create(makePod('p', { restartPolicy: 'Never', containers: [ctr('app')] }));
    await n.advance(1000);
    const [sb] = await n.runtime.listPodSandboxes('uid-p');
    await n.runtime.stopPodSandbox(sb?.id ?? '');
    await n.advance(90_000);
    assert.equal((await n.runtime.listPodSandboxes('uid-p')).length, 1);
    assert.ok(!n.h.eventLines('p').some((l) => l.includes('SandboxChanged')));
    // The pod is killed and left as it is: its container's exit decides the phase.
    assert.ok(n.h.eventLines('p').includes('Normal Killing spec.containers{app} Stopping container app'));
    assert.equal(n.h.phase('p'), 'Failed');
    assert.equal(n.h.container('p', 'app').state?.terminated?.exitCode, 143);
  }));
