import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, test } from 'node:test';
import { readCriLogAll } from '../runtime/cri-log.ts';
import { NotFoundError, RuntimeError, type ContainerConfig, type RuntimeEvent } from '../runtime/runtime.ts';
import { FakeClock } from './fake-clock.ts';
import { FakeRuntime } from './fake-runtime.ts';

let clock: FakeClock;
let fake: FakeRuntime;
let sandboxId: string;
let events: RuntimeEvent[];
const T0 = Date.UTC(2026, 0, 1);

function config(name: string, attempt = 0, extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    name,
    attempt,
    image: 'busybox',
    command: ['sh'],
    env: [],
    terminationMessagePath: '/dev/termination-log',
    labels: {},
    ...extra,
  };
}

async function start(name: string, attempt = 0, extra: Partial<ContainerConfig> = {}): Promise<string> {
  const id = await fake.createContainer(sandboxId, config(name, attempt, extra));
  await fake.startContainer(id);
  return id;
}

beforeEach(async () => {
  clock = new FakeClock(T0);
  fake = new FakeRuntime({ clock });
  events = [];
  fake.watch((e) => events.push(e));
  sandboxId = (
    await fake.runPodSandbox({ podUid: 'u', podName: 'p', namespace: 'd', attempt: 0, hostname: 'p' })
  ).id;
});

describe('FakeRuntime', () => {
  test('a scripted container exits on the clock with its code', async () => {
    fake.script('app', { exitAfterMs: 5000, exitCode: 1 });
    const id = await start('app');
    assert.equal((await fake.containerStatus(id)).state, 'running');
    await clock.advance(4999);
    assert.equal((await fake.containerStatus(id)).state, 'running');
    await clock.advance(1);
    const st = await fake.containerStatus(id);
    assert.deepEqual([st.state, st.exitCode, st.reason, st.finishedAt], ['exited', 1, 'Error', T0 + 5000]);
    assert.deepEqual(
      events.map((e) => e.type),
      ['ContainerStarted', 'ContainerDied'],
    );
  });

  test('stop: SIGTERM death is 143; a container that ignores it is SIGKILLed at the timeout, 137', async () => {
    const a = await start('a');
    await fake.stopContainer(a, 30);
    assert.equal((await fake.containerStatus(a)).exitCode, 143);

    fake.script('b', { onStop: 'ignore' });
    const b = await start('b');
    let stopped = false;
    const stop = fake.stopContainer(b, 2).then(() => (stopped = true));
    await clock.advance(1999);
    assert.equal(stopped, false);
    await clock.advance(1);
    await stop;
    const st = await fake.containerStatus(b);
    assert.equal(st.exitCode, 137);
    assert.equal(st.finishedAt, T0 + 2000);
    const call = fake.calls.find((c) => c.op === 'stopContainer' && c.name === 'b');
    assert.deepEqual([call?.timeoutSeconds, call?.at], [2, T0]);
  });

  test('stop: a graceful exit inside the timeout, the stop signal, timeout 0', async () => {
    fake.script('g', { onStop: { afterMs: 500, exitCode: 0 } });
    const g = await start('g');
    const stop = fake.stopContainer(g, 5);
    await clock.advance(500);
    await stop;
    assert.deepEqual(
      [(await fake.containerStatus(g)).exitCode, (await fake.containerStatus(g)).reason],
      [0, 'Completed'],
    );

    const q = await start('q', 0, { stopSignal: 'SIGQUIT' });
    await fake.stopContainer(q, 5);
    assert.equal((await fake.containerStatus(q)).exitCode, 131);

    const k = await start('k');
    await fake.stopContainer(k, 0);
    assert.equal((await fake.containerStatus(k)).exitCode, 137);
    await fake.stopContainer(k, 5);
    await assert.rejects(fake.stopContainer('nope', 1), NotFoundError);
  });

  test('per-attempt scripts, and create/start errors', async () => {
    fake.scriptAttempts('app', [
      { exitAfterMs: 10, exitCode: 2 },
      { startError: 'exec: "x": executable file not found in $PATH' },
    ]);
    fake.script('app', { exitAfterMs: 10, exitCode: 0 });
    const a0 = await start('app', 0);
    await clock.advance(10);
    assert.equal((await fake.containerStatus(a0)).exitCode, 2);
    const a1 = await fake.createContainer(sandboxId, config('app', 1));
    await assert.rejects(
      fake.startContainer(a1),
      (e: unknown) => e instanceof RuntimeError && e.kind === 'RunContainerError',
    );
    const st = await fake.containerStatus(a1);
    assert.deepEqual([st.state, st.exitCode, st.reason], ['exited', 128, 'StartError']);
    const a2 = await start('app', 2);
    await clock.advance(10);
    assert.equal((await fake.containerStatus(a2)).exitCode, 0);

    fake.script('bad', { createError: 'no command' });
    await assert.rejects(
      fake.createContainer(sandboxId, config('bad')),
      (e: unknown) =>
        e instanceof RuntimeError && e.kind === 'CreateContainerError' && e.message === 'no command',
    );
    assert.deepEqual(
      fake.instances('app').map((s) => s.attempt),
      [2, 1, 0],
    );
  });

  test('exec answers from the script, takes its delay, times out and aborts', async () => {
    fake.script('app', {
      exec: (cmd) =>
        cmd[0] === 'slow' ? { exitCode: 0, delayMs: 3000 } : { exitCode: 7, stdout: 'out', stderr: 'err' },
    });
    const id = await start('app');
    const r = await fake.execSync(id, ['check'], { timeoutMs: 1000 });
    assert.deepEqual(
      [r.exitCode, r.stdout.toString(), r.stderr.toString(), r.timedOut],
      [7, 'out', 'err', false],
    );
    const capped = await fake.execSync(id, ['check'], { timeoutMs: 0, maxOutputBytes: 2 });
    assert.equal(capped.stdout.toString(), 'ou');

    const slow = fake.execSync(id, ['slow'], { timeoutMs: 1000 });
    await clock.advance(1000);
    const t = await slow;
    assert.deepEqual([t.timedOut, t.exitCode], [true, 137]);

    const done = fake.execSync(id, ['slow'], { timeoutMs: 0 });
    await clock.advance(3000);
    assert.equal((await done).exitCode, 0);

    const ac = new AbortController();
    const aborted = fake.execSync(id, ['slow'], { timeoutMs: 0, signal: ac.signal });
    ac.abort(new Error('gone'));
    await assert.rejects(aborted, /gone/);

    const s = await fake.exec(id, ['check'], { stdin: false, tty: false });
    let out = '';
    s.stdout.on('data', (b: Buffer) => (out += b.toString()));
    await clock.advance(0);
    assert.equal(await s.exit, 7);
    assert.equal(out, 'out');

    await fake.stopContainer(id, 1);
    await assert.rejects(
      fake.execSync(id, ['x'], { timeoutMs: 0 }),
      /container is in CONTAINER_EXITED state/,
    );
  });

  test('records every call in order with the clock time', async () => {
    fake.script('app', { exec: () => ({ exitCode: 0, delayMs: 1500 }) });
    const id = await start('app');
    const preStop = fake.execSync(id, ['pre-stop'], { timeoutMs: 0 });
    await clock.advance(1500);
    await preStop;
    await fake.stopContainer(id, 2);
    await fake.removeContainer(id);
    assert.deepEqual(fake.ops('app'), [
      'createContainer',
      'startContainer',
      'execSync',
      'stopContainer',
      'removeContainer',
    ]);
    const stop = fake.calls.find((c) => c.op === 'stopContainer');
    const exec = fake.calls.find((c) => c.op === 'execSync');
    assert.deepEqual(exec?.command, ['pre-stop']);
    assert.equal(exec?.at, T0);
    assert.deepEqual([stop?.at, stop?.timeoutSeconds], [T0 + 1500, 2]);
    assert.deepEqual(fake.ops()[0], 'runPodSandbox');
  });

  test('exit() crashes a running container; sandbox removal takes its containers', async () => {
    const id = await start('app');
    fake.exit(id, 137, 'OOMKilled');
    const st = await fake.containerStatus(id);
    assert.deepEqual([st.exitCode, st.reason], [137, 'OOMKilled']);
    await fake.stopPodSandbox(sandboxId);
    assert.equal((await fake.listPodSandboxes('u'))[0]?.state, 'notready');
    await fake.removePodSandbox(sandboxId);
    assert.deepEqual(await fake.listContainers(), []);
    fake.sandboxError = 'no network';
    await assert.rejects(
      fake.runPodSandbox({ podUid: 'v', podName: 'q', namespace: 'd', attempt: 0, hostname: 'q' }),
      /no network/,
    );
  });

  test('with a root, log lines and the termination message are written for real', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fake-runtime-'));
    try {
      const f = new FakeRuntime({ clock, root });
      const sb = (
        await f.runPodSandbox({ podUid: 'u', podName: 'p', namespace: 'd', attempt: 0, hostname: 'p' })
      ).id;
      f.script('app', { logs: ['hello', 'world'], exitAfterMs: 10, exitCode: 1, terminationMessage: 'bye' });
      const id = await f.createContainer(sb, config('app'));
      await f.startContainer(id);
      await clock.advance(10);
      const st = await f.containerStatus(id);
      assert.equal((await readCriLogAll(st.logPath)).toString(), 'hello\nworld\n');
      assert.equal(readFileSync(st.terminationMessageHostPath ?? '', 'utf8'), 'bye');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
