// The pod lifecycle on real processes: the kubelet engine over the process runtime, the store
// ports and a MemoryStore, on the real clock, with short grace periods. The same behaviours as the
// FakeRuntime unit tests (src/kubelet/*.test.ts), checked against what real processes do: exit
// codes after SIGTERM/SIGKILL, hooks that run in the container, the order things happen in.
// Assertions are on what happened and in which order, never on how fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod, PodSpec } from 'kubernetes-types/core/v1.js';
import { ProcessRuntime } from '../../src/runtime/process/process-runtime.ts';
import { realClock } from '../../src/util/clock.ts';
import { KubeletHarness } from '../../src/testing/kubelet-harness.ts';

interface Node {
  h: KubeletHarness;
  /** A scratch directory the containers write markers into (host processes share the filesystem). */
  out: string;
  stop(): Promise<void>;
}

function startNode(crashLoopBackOff?: { initialMs: number; maxMs: number }): Node {
  const root = mkdtempSync(join(tmpdir(), 'nodelet-lifecycle-it-'));
  const out = mkdtempSync(join(tmpdir(), 'nodelet-lifecycle-out-'));
  const runtime = new ProcessRuntime({ root, clock: realClock });
  const h = new KubeletHarness({
    runtime,
    clock: realClock,
    random: () => 0,
    ...(crashLoopBackOff ? { crashLoopBackOff } : {}),
  });
  return {
    h,
    out,
    stop: async () => {
      await h.stop();
      runtime.killAll();
      await runtime.close();
      rmSync(root, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    },
  };
}

let seq = 0;
function pod(spec: Partial<PodSpec>): Pod {
  seq++;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `lc-${seq}`,
      namespace: 'default',
      uid: `00000000-0000-4000-9000-${String(process.pid % 1e6).padStart(6, '0')}${String(seq).padStart(6, '0')}`,
    },
    spec: { containers: [], terminationGracePeriodSeconds: 2, ...spec },
  };
}

function sh(name: string, script: string, extra: Partial<Container> = {}): Container {
  return { name, image: 'busybox', command: ['sh', '-c', script], ...extra };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function lines(node: Node, name: string): string[] {
  return node.h.eventLines(name);
}

test('a Never pod that exits 0: Succeeded, Completed, the start events in order', async () => {
  const node = startNode();
  try {
    const p = node.h.create(pod({ restartPolicy: 'Never', containers: [sh('app', 'echo hello')] }));
    const name = p.metadata?.name ?? '';
    await waitFor('Succeeded', () => node.h.phase(name) === 'Succeeded');
    const st = node.h.container(name, 'app');
    assert.equal(st.state?.terminated?.exitCode, 0);
    assert.equal(st.state?.terminated?.reason, 'Completed');
    assert.match(st.containerID ?? '', /^process:\/\/./);
    assert.equal(st.ready, false);
    assert.equal(st.started, false);
    assert.deepEqual(lines(node, name), [
      'Normal Pulled spec.containers{app} Container image "busybox" already present on machine',
      'Normal Created spec.containers{app} Created container app',
      'Normal Started spec.containers{app} Started container app',
    ]);
    assert.equal(node.h.phases(name)[0], 'Pending');
    assert.ok(!node.h.phases(name).includes('Failed'));
    const ready = node.h.status(name).conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'False');
    assert.equal(ready?.reason, 'PodCompleted');
  } finally {
    await node.stop();
  }
});

test('a Never pod that exits 3: Failed, Error, exit code 3', async () => {
  const node = startNode();
  try {
    const p = node.h.create(pod({ restartPolicy: 'Never', containers: [sh('app', 'exit 3')] }));
    const name = p.metadata?.name ?? '';
    await waitFor('Failed', () => node.h.phase(name) === 'Failed');
    const t = node.h.container(name, 'app').state?.terminated;
    assert.equal(t?.exitCode, 3);
    assert.equal(t?.reason, 'Error');
  } finally {
    await node.stop();
  }
});

test('init containers run one at a time in order, before the app', async () => {
  const node = startNode();
  try {
    const log = join(node.out, 'order');
    const p = node.h.create(
      pod({
        restartPolicy: 'Never',
        initContainers: [
          sh('first', `echo first >> ${log}; sleep 0.2`),
          sh('second', `echo second >> ${log}`),
        ],
        containers: [sh('app', `echo app >> ${log}`)],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Succeeded', () => node.h.phase(name) === 'Succeeded');
    assert.equal(readFileSync(log, 'utf8'), 'first\nsecond\napp\n');
    const started = lines(node, name).filter((l) => l.startsWith('Normal Started'));
    assert.deepEqual(started, [
      'Normal Started spec.initContainers{first} Started container first',
      'Normal Started spec.initContainers{second} Started container second',
      'Normal Started spec.containers{app} Started container app',
    ]);
    const init = node.h.container(name, 'first');
    assert.equal(init.ready, true);
    assert.equal(init.started, false);
    const initialized = node.h.status(name).conditions?.find((c) => c.type === 'Initialized');
    assert.equal(initialized?.reason, 'PodCompleted');
  } finally {
    await node.stop();
  }
});

test('an init container failure under Never fails the pod; the app is never started', async () => {
  const node = startNode();
  try {
    const p = node.h.create(
      pod({
        restartPolicy: 'Never',
        initContainers: [sh('init', 'exit 7')],
        containers: [sh('app', 'true')],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Failed', () => node.h.phase(name) === 'Failed');
    assert.equal(node.h.container(name, 'init').state?.terminated?.exitCode, 7);
    assert.deepEqual(node.h.container(name, 'app').state, { waiting: { reason: 'PodInitializing' } });
    assert.ok(!lines(node, name).some((l) => l.includes('spec.containers{app}')));
  } finally {
    await node.stop();
  }
});

test('an init container that fails once under OnFailure is retried at once and the pod stays Pending', async () => {
  const node = startNode();
  try {
    const flag = join(node.out, 'tried');
    const p = node.h.create(
      pod({
        restartPolicy: 'OnFailure',
        initContainers: [sh('init', `if [ -e ${flag} ]; then exit 0; fi; touch ${flag}; exit 1`)],
        containers: [sh('app', 'true')],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Succeeded', () => node.h.phase(name) === 'Succeeded');
    const init = node.h.container(name, 'init');
    assert.equal(init.restartCount, 1);
    assert.equal(init.lastState?.terminated?.exitCode, 1);
    assert.equal(init.state?.terminated?.exitCode, 0);
    // Pending for as long as the init container had not completed.
    const beforeInit = node.h.statusWrites.filter(
      (w) => w.pod === name && w.status.initContainerStatuses?.[0]?.state?.terminated?.exitCode !== 0,
    );
    assert.ok(beforeInit.length > 0);
    assert.ok(beforeInit.every((w) => w.status.phase === 'Pending'));
  } finally {
    await node.stop();
  }
});

test('restartPolicy Always: a crashing container restarts, then waits in CrashLoopBackOff', async () => {
  const node = startNode({ initialMs: 60_000, maxMs: 300_000 });
  try {
    const p = node.h.create(pod({ containers: [sh('app', 'exit 2')] }));
    const name = p.metadata?.name ?? '';
    await waitFor('CrashLoopBackOff', () => {
      const s = node.h.pod(name)?.status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === 'CrashLoopBackOff';
    });
    const st = node.h.container(name, 'app');
    assert.equal(st.restartCount, 1, 'the first restart is immediate, the second waits');
    assert.equal(
      st.state?.waiting?.message,
      `back-off 1m0s restarting failed container=app pod=${name}_default(${p.metadata?.uid ?? ''})`,
    );
    assert.equal(st.lastState?.terminated?.exitCode, 2);
    assert.equal(node.h.phase(name), 'Running');
    const backOff = `Warning BackOff spec.containers{app} Back-off restarting failed container app in pod ${name}_default(${p.metadata?.uid ?? ''})`;
    assert.ok(
      lines(node, name).some((l) => l.startsWith(backOff)),
      lines(node, name).join('\n'),
    );
  } finally {
    await node.stop();
  }
});

test('graceful deletion: Killing, preStop before SIGTERM, exit 0 on SIGTERM ends Succeeded and removes the object', async () => {
  const node = startNode();
  try {
    const marks = join(node.out, 'marks');
    const p = node.h.create(
      pod({
        containers: [
          sh(
            'app',
            `trap 'echo term >> ${marks}; exit 0' TERM; echo up >> ${marks}; while true; do sleep 0.05; done`,
            {
              lifecycle: { preStop: { exec: { command: ['sh', '-c', `echo prestop >> ${marks}`] } } },
            },
          ),
        ],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Running', () => node.h.phase(name) === 'Running');
    node.h.delete(name);
    await waitFor('the object removed', () => node.h.pod(name) === undefined);
    assert.equal(readFileSync(marks, 'utf8'), 'up\nprestop\nterm\n');
    const last = node.h.statusWrites.filter((w) => w.pod === name).at(-1);
    assert.equal(last?.status.phase, 'Succeeded');
    assert.ok(lines(node, name).includes('Normal Killing spec.containers{app} Stopping container app'));
  } finally {
    await node.stop();
  }
});

test('graceful deletion: the default SIGTERM action gives 143 and a Failed pod', async () => {
  const node = startNode();
  try {
    const p = node.h.create(
      pod({ containers: [{ name: 'app', image: 'busybox', command: ['sleep', '60'] }] }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Running', () => node.h.phase(name) === 'Running');
    node.h.delete(name);
    await waitFor('the object removed', () => node.h.pod(name) === undefined);
    const last = node.h.statusWrites.filter((w) => w.pod === name).at(-1)?.status;
    assert.equal(last?.phase, 'Failed');
    const t = last?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(t?.exitCode, 143);
    assert.equal(t?.reason, 'Error');
  } finally {
    await node.stop();
  }
});

test('graceful deletion: a process that ignores SIGTERM is killed after the grace period: 137', async () => {
  const node = startNode();
  try {
    const p = node.h.create(
      pod({
        terminationGracePeriodSeconds: 1,
        containers: [sh('app', `trap '' TERM; while true; do sleep 0.05; done`)],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Running', () => node.h.phase(name) === 'Running');
    node.h.delete(name);
    await waitFor('the object removed', () => node.h.pod(name) === undefined);
    const last = node.h.statusWrites.filter((w) => w.pod === name).at(-1)?.status;
    assert.equal(last?.phase, 'Failed');
    assert.equal(last?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
  } finally {
    await node.stop();
  }
});

test('postStart blocks Running; a failing postStart kills through preStop and fails a Never pod', async () => {
  const node = startNode();
  try {
    const marks = join(node.out, 'marks');
    const ok = node.h.create(
      pod({
        containers: [
          sh('app', 'sleep 60', {
            lifecycle: {
              postStart: { exec: { command: ['sh', '-c', `sleep 0.3; echo poststart >> ${marks}`] } },
            },
          }),
        ],
      }),
    );
    const okName = ok.metadata?.name ?? '';
    await waitFor('Running', () => node.h.phase(okName) === 'Running');
    assert.equal(readFileSync(marks, 'utf8'), 'poststart\n', 'the hook ended before the pod showed Running');

    const bad = node.h.create(
      pod({
        restartPolicy: 'Never',
        containers: [
          sh('app', 'sleep 60', {
            lifecycle: {
              postStart: { exec: { command: ['sh', '-c', 'echo boom; exit 3'] } },
              preStop: { exec: { command: ['sh', '-c', `echo prestop >> ${marks}.bad`] } },
            },
          }),
        ],
      }),
    );
    const badName = bad.metadata?.name ?? '';
    await waitFor('Failed', () => node.h.phase(badName) === 'Failed');
    assert.ok(existsSync(`${marks}.bad`), 'preStop ran');
    const ev = lines(node, badName);
    const i = ev.indexOf('Warning FailedPostStartHook spec.containers{app} PostStartHook failed');
    const j = ev.indexOf('Normal Killing spec.containers{app} FailedPostStartHook');
    assert.ok(i >= 0 && j > i, ev.join('\n'));
    assert.equal(node.h.container(badName, 'app').state?.terminated?.exitCode, 143);
  } finally {
    await node.stop();
  }
});

test('sidecars start before the app and stop after it, in reverse order, when the app completes', async () => {
  const node = startNode();
  try {
    const marks = join(node.out, 'marks');
    const side = (n: string): Container =>
      sh(
        n,
        `trap 'echo ${n}-term >> ${marks}; exit 0' TERM; echo ${n}-up >> ${marks}; while true; do sleep 0.05; done`,
        {
          restartPolicy: 'Always',
        },
      );
    const p = node.h.create(
      pod({
        restartPolicy: 'Never',
        initContainers: [side('s1'), side('s2')],
        containers: [sh('app', `sleep 0.3; echo app-done >> ${marks}`)],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Succeeded', () => node.h.phase(name) === 'Succeeded');
    assert.equal(readFileSync(marks, 'utf8'), 's1-up\ns2-up\napp-done\ns2-term\ns1-term\n');
    assert.equal(node.h.container(name, 's1').state?.terminated?.exitCode, 0);
  } finally {
    await node.stop();
  }
});

test('activeDeadlineSeconds: the pod is Failed with DeadlineExceeded and its containers are killed', async () => {
  const node = startNode();
  try {
    const p = node.h.create(
      pod({
        activeDeadlineSeconds: 1,
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '60'] }],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Failed', () => node.h.phase(name) === 'Failed');
    const s = node.h.status(name);
    assert.equal(s.reason, 'DeadlineExceeded');
    assert.equal(s.message, 'Pod was active on the node longer than the specified deadline');
    assert.equal(s.containerStatuses?.[0]?.state?.terminated?.exitCode, 143);
    assert.ok(
      lines(node, name).includes(
        'Normal DeadlineExceeded - Pod was active on the node longer than the specified deadline',
      ),
    );
    assert.ok(node.h.pod(name), 'the object is kept');
  } finally {
    await node.stop();
  }
});

test('start errors: a missing executable is RunContainerError, a missing command CreateContainerError', async () => {
  const node = startNode();
  try {
    const run = node.h.create(
      pod({
        restartPolicy: 'Never',
        containers: [{ name: 'app', image: 'busybox', command: ['no-such-binary-x'] }],
      }),
    );
    const runName = run.metadata?.name ?? '';
    await waitFor('Failed', () => node.h.phase(runName) === 'Failed');
    const t = node.h.container(runName, 'app').state?.terminated;
    assert.equal(t?.exitCode, 128);
    assert.equal(t?.reason, 'StartError');
    assert.match(t?.message ?? '', /exec: "no-such-binary-x": executable file not found in \$PATH/);
    assert.ok(
      lines(node, runName).some((l) =>
        /^Warning Failed spec\.containers\{app\} Error: .*executable file not found/.test(l),
      ),
    );

    const create = node.h.create(pod({ containers: [{ name: 'app', image: 'busybox' }] }));
    const createName = create.metadata?.name ?? '';
    await waitFor(
      'CreateContainerError',
      () =>
        node.h.pod(createName)?.status?.containerStatuses?.[0]?.state?.waiting?.reason ===
        'CreateContainerError',
    );
    assert.equal(node.h.phase(createName), 'Pending');
  } finally {
    await node.stop();
  }
});

test('restartPolicy: OnFailure does not restart an exit 0; Always does (lastState Completed, phase Running)', async () => {
  const node = startNode({ initialMs: 60_000, maxMs: 300_000 });
  try {
    const onFailure = node.h.create(pod({ restartPolicy: 'OnFailure', containers: [sh('app', 'exit 0')] }));
    const always = node.h.create(pod({ restartPolicy: 'Always', containers: [sh('app', 'exit 0')] }));
    const a = always.metadata?.name ?? '';
    const o = onFailure.metadata?.name ?? '';
    await waitFor('OnFailure Succeeded', () => node.h.phase(o) === 'Succeeded');
    assert.equal(node.h.container(o, 'app').restartCount, 0);
    await waitFor(
      'Always restarted',
      () => (node.h.pod(a)?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
    );
    const st = node.h.container(a, 'app');
    assert.equal(st.lastState?.terminated?.reason, 'Completed');
    assert.equal(node.h.phase(a), 'Running');
  } finally {
    await node.stop();
  }
});

test('preStop failure: FailedPreStopHook, then the stop signal as usual', async () => {
  const node = startNode();
  try {
    const p = node.h.create(
      pod({
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sleep', '60'],
            lifecycle: { preStop: { exec: { command: ['sh', '-c', 'exit 1'] } } },
          },
        ],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Running', () => node.h.phase(name) === 'Running');
    node.h.delete(name);
    await waitFor('the object removed', () => node.h.pod(name) === undefined);
    const ev = lines(node, name);
    const killing = ev.indexOf('Normal Killing spec.containers{app} Stopping container app');
    const failed = ev.indexOf('Warning FailedPreStopHook spec.containers{app} PreStopHook failed');
    assert.ok(killing >= 0 && failed > killing, ev.join('\n'));
    const last = node.h.statusWrites.filter((w) => w.pod === name).at(-1)?.status;
    assert.equal(last?.containerStatuses?.[0]?.state?.terminated?.exitCode, 143);
  } finally {
    await node.stop();
  }
});

test('preStop overrunning the grace: the stop signal still comes, then SIGKILL 2 s later', async () => {
  const node = startNode();
  try {
    const marks = join(node.out, 'marks');
    const p = node.h.create(
      pod({
        terminationGracePeriodSeconds: 1,
        containers: [
          sh('app', `trap 'echo term >> ${marks}' TERM; while true; do sleep 0.05; done`, {
            lifecycle: { preStop: { exec: { command: ['sh', '-c', `echo prestop >> ${marks}; sleep 30`] } } },
          }),
        ],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Running', () => node.h.phase(name) === 'Running');
    node.h.delete(name);
    await waitFor('the object removed', () => node.h.pod(name) === undefined);
    assert.equal(readFileSync(marks, 'utf8'), 'prestop\nterm\n');
    const last = node.h.statusWrites.filter((w) => w.pod === name).at(-1)?.status;
    assert.equal(last?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137);
    assert.equal(last?.phase, 'Failed');
  } finally {
    await node.stop();
  }
});

test('a forced deletion during a long graceful one kills at once (a second kill with the minimum timeout)', async () => {
  const node = startNode();
  try {
    const p = node.h.create(
      pod({
        terminationGracePeriodSeconds: 60,
        containers: [sh('app', `trap '' TERM; while true; do sleep 0.05; done`)],
      }),
    );
    const name = p.metadata?.name ?? '';
    const uid = p.metadata?.uid ?? '';
    await waitFor('Running', () => node.h.phase(name) === 'Running');
    node.h.delete(name);
    await waitFor('Killing', () => lines(node, name).some((l) => l.includes('Killing')));
    node.h.delete(name, { gracePeriodSeconds: 0 });
    assert.equal(node.h.pod(name), undefined, 'force deletion removes the object at once');
    let exit: number | undefined;
    await waitFor(
      'the container killed',
      () => {
        void node.h.runtime
          .listContainers(uid)
          .then((cs) => (exit = cs[0]?.state === 'exited' ? cs[0].exitCode : undefined));
        return exit !== undefined;
      },
      15_000,
    );
    assert.equal(exit, 137);
  } finally {
    await node.stop();
  }
});

test('gotcha 20: a sidecar preStop runs at the start of termination, while the app is still stopping', async () => {
  const node = startNode();
  try {
    const marks = join(node.out, 'marks');
    const p = node.h.create(
      pod({
        terminationGracePeriodSeconds: 5,
        initContainers: [
          sh('side', `trap 'echo side-term >> ${marks}; exit 0' TERM; while true; do sleep 0.05; done`, {
            restartPolicy: 'Always',
            lifecycle: { preStop: { exec: { command: ['sh', '-c', `echo side-prestop >> ${marks}`] } } },
          }),
        ],
        containers: [
          sh(
            'app',
            `trap 'sleep 0.5; echo app-exit >> ${marks}; exit 0' TERM; while true; do sleep 0.05; done`,
          ),
        ],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor(
      'Running',
      () => node.h.phase(name) === 'Running' && node.h.container(name, 'app').state?.running !== undefined,
    );
    node.h.delete(name);
    await waitFor('the object removed', () => node.h.pod(name) === undefined);
    assert.equal(readFileSync(marks, 'utf8'), 'side-prestop\napp-exit\nside-term\n');
    const last = node.h.statusWrites.filter((w) => w.pod === name).at(-1)?.status;
    assert.equal(last?.phase, 'Succeeded');
  } finally {
    await node.stop();
  }
});

test('gotcha 8: an httpGet preStop answered 500 is a success; it is sent by the node with kube-lifecycle', async () => {
  const node = startNode();
  const seen: { url?: string; ua?: string }[] = [];
  const srv = http.createServer((req, res) => {
    seen.push({
      ...(req.url ? { url: req.url } : {}),
      ...(req.headers['user-agent'] ? { ua: req.headers['user-agent'] } : {}),
    });
    res.writeHead(500);
    res.end('nope');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const port = (srv.address() as AddressInfo).port;
    const p = node.h.create(
      pod({
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sleep', '60'],
            lifecycle: { preStop: { httpGet: { port, path: '/quit' } } },
          },
        ],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Running', () => node.h.phase(name) === 'Running');
    node.h.delete(name);
    await waitFor('the object removed', () => node.h.pod(name) === undefined);
    assert.deepEqual(seen, [{ url: '/quit', ua: 'kube-lifecycle/1.32' }]);
    assert.ok(!lines(node, name).some((l) => l.includes('FailedPreStopHook')));
  } finally {
    await new Promise<void>((r) => srv.close(() => r()));
    await node.stop();
  }
});

test('an httpGet postStart to a closed port fails: PostStartHookError with the dial error, then a restart', async () => {
  const node = startNode({ initialMs: 60_000, maxMs: 300_000 });
  try {
    const srv = http.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const p = node.h.create(
      pod({
        containers: [
          {
            name: 'app',
            image: 'busybox',
            command: ['sleep', '60'],
            lifecycle: { postStart: { httpGet: { port, path: '/ready' } } },
          },
        ],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('PostStartHookError', () =>
      node.h.statusWrites.some(
        (w) =>
          w.pod === name && w.status.containerStatuses?.[0]?.state?.waiting?.reason === 'PostStartHookError',
      ),
    );
    const w = node.h.statusWrites.find(
      (x) =>
        x.pod === name && x.status.containerStatuses?.[0]?.state?.waiting?.reason === 'PostStartHookError',
    );
    assert.equal(
      w?.status.containerStatuses?.[0]?.state?.waiting?.message,
      `HTTP lifecycle hook (/ready) for Container "app" in Pod "${name}_default(${p.metadata?.uid ?? ''})" failed - error: ` +
        `Get "http://127.0.0.1:${port}/ready": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    assert.equal(w?.status.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 143);
    assert.ok(
      lines(node, name).some((l) =>
        l.startsWith('Warning FailedPostStartHook spec.containers{app} PostStartHook failed'),
      ),
    );
    assert.ok(
      lines(node, name).some((l) => l.startsWith('Normal Killing spec.containers{app} FailedPostStartHook')),
    );
  } finally {
    await node.stop();
  }
});

test('a sleep preStop runs on the node before the stop signal', async () => {
  const node = startNode();
  try {
    const marks = join(node.out, 'marks');
    const p = node.h.create(
      pod({
        terminationGracePeriodSeconds: 5,
        containers: [
          sh(
            'app',
            `trap 'echo term >> ${marks}; exit 0' TERM; echo up >> ${marks}; while true; do sleep 0.05; done`,
            {
              lifecycle: { preStop: { sleep: { seconds: 1 } } },
            },
          ),
        ],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Running', () => node.h.phase(name) === 'Running');
    const before = Date.now();
    node.h.delete(name);
    await waitFor('term', () => existsSync(marks) && readFileSync(marks, 'utf8').includes('term'));
    assert.ok(Date.now() - before >= 1000, 'the stop signal came after the 1 s sleep');
    await waitFor('the object removed', () => node.h.pod(name) === undefined);
    assert.equal(node.h.statusWrites.filter((w) => w.pod === name).at(-1)?.status.phase, 'Succeeded');
  } finally {
    await node.stop();
  }
});

test('gotcha 19: a sidecar that exits is restarted under Never; the pod still Succeeds from its app', async () => {
  const node = startNode();
  try {
    const count = join(node.out, 'count');
    const p = node.h.create(
      pod({
        restartPolicy: 'Never',
        initContainers: [sh('side', `echo run >> ${count}; sleep 0.2; exit 1`, { restartPolicy: 'Always' })],
        containers: [sh('app', `while [ $(wc -l < ${count}) -lt 2 ]; do sleep 0.05; done`)],
      }),
    );
    const name = p.metadata?.name ?? '';
    await waitFor('Succeeded', () => node.h.phase(name) === 'Succeeded');
    assert.ok(readFileSync(count, 'utf8').split('\n').filter(Boolean).length >= 2);
    assert.ok(node.h.container(name, 'side').restartCount >= 1);
  } finally {
    await node.stop();
  }
});
