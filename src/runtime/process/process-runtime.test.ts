// The process runtime on real processes (sh, sleep, cat). Timing here is real but never asserted
// as a speed: waits are bounded polls, and the only time check is that a grace period was given.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { realClock } from '../../util/clock.ts';
import { readCriLogAll } from '../cri-log.ts';
import {
  NotFoundError,
  RuntimeError,
  type ContainerConfig,
  type ContainerStatus,
  type PodSandboxStatus,
  type RuntimeEvent,
} from '../runtime.ts';
import { procInfo } from './proc-table.ts';
import { findConmon } from './conmon-shim.ts';
import { ProcessRuntime, TERMINATION_MESSAGE_ENV } from './process-runtime.ts';
import { readRecords, RecordJournal } from './state-file.ts';

/** conmon is the containers' supervising parent where it is installed; these tests say which they need. */
const noConmon = findConmon() ? false : 'conmon is not installed';

/** process.kill(pid, 0) says whether the PID exists; a zombie has died already (only its reaping is due). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const state = procInfo(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
}

async function until(cond: () => boolean | Promise<boolean>, what: string, maxMs = 10_000): Promise<void> {
  const end = Date.now() + maxMs;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await realClock.sleep(10);
  }
}

let root: string;
let rt: ProcessRuntime;
let sandbox: PodSandboxStatus;
let events: RuntimeEvent[];
/** Every PID a test started (main processes, children they report): none may outlive the test. */
let pids: Set<number>;
const runtimes: ProcessRuntime[] = [];
/** The shim of the runtimes a test makes (the default: conmon where installed). */
let shimMode: 'conmon' | 'none' | undefined;

function newRuntime(): ProcessRuntime {
  const r = new ProcessRuntime({ root, clock: realClock, ...(shimMode ? { shim: shimMode } : {}) });
  runtimes.push(r);
  r.watch((e) => {
    events.push(e);
    if (e.type === 'ContainerStarted') {
      void r.containerStatus(e.containerId).then((st) => st.pid && pids.add(st.pid));
    }
  });
  return r;
}

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'process-runtime-'));
  events = [];
  pids = new Set();
  rt = newRuntime();
  sandbox = await rt.runPodSandbox({
    podUid: 'uid-1',
    podName: 'web',
    namespace: 'ns',
    attempt: 0,
    hostname: 'web',
  });
});

/** Replaces the test's runtime by one with the given shim, on the same root (the sandbox stays). */
async function useShim(mode: 'conmon' | 'none'): Promise<void> {
  await rt.close();
  shimMode = mode;
  rt = newRuntime();
}

afterEach(async () => {
  shimMode = undefined;
  try {
    for (const pid of pids) await until(() => !alive(pid), `process ${pid} to be gone`, 5000);
  } finally {
    for (const r of runtimes.splice(0)) {
      r.killAll();
      await r.close();
    }
    rmSync(root, { recursive: true, force: true });
  }
});

function config(name: string, command: string[], extra: Partial<ContainerConfig> = {}): ContainerConfig {
  return {
    name,
    attempt: 0,
    image: 'docker.io/library/busybox:latest',
    command,
    env: [],
    terminationMessagePath: '/dev/termination-log',
    labels: { 'io.kubernetes.container.name': name },
    ...extra,
  };
}

async function run(name: string, command: string[], extra: Partial<ContainerConfig> = {}): Promise<string> {
  const id = await rt.createContainer(sandbox.id, config(name, command, extra));
  await rt.startContainer(id);
  return id;
}

async function exited(id: string, r = rt): Promise<ContainerStatus> {
  await until(async () => (await r.containerStatus(id)).state === 'exited', `container ${id} to exit`);
  return r.containerStatus(id);
}

async function logText(id: string): Promise<string> {
  return readFileSync((await rt.containerStatus(id)).logPath, 'utf8');
}

/** Waits until the file holds a PID (a child a container reported) and registers it. */
async function pidFrom(path: string): Promise<number> {
  await until(() => existsSync(path) && /^\d+\s*$/.test(readFileSync(path, 'utf8')), `a pid in ${path}`);
  const pid = Number(readFileSync(path, 'utf8').trim());
  pids.add(pid);
  return pid;
}

async function logged(id: string, text: string): Promise<void> {
  await until(async () => (await logText(id)).includes(text), `"${text}" in the log`);
}

describe('sandboxes', () => {
  test('a record and a directory; the node address; stop marks it not ready', async () => {
    assert.deepEqual(sandbox.ips, ['127.0.0.1']);
    assert.equal(sandbox.state, 'ready');
    assert.ok(existsSync(join(root, 'pods', 'uid-1')));
    await rt.stopPodSandbox(sandbox.id);
    assert.equal((await rt.listPodSandboxes('uid-1'))[0]?.state, 'notready');
    assert.deepEqual(await rt.listPodSandboxes('other'), []);
    await rt.stopPodSandbox('unknown');
    const other = new ProcessRuntime({
      root: join(root, 'other-runtime'),
      clock: realClock,
      nodeIP: '10.0.0.5',
    });
    runtimes.push(other);
    const s = await other.runPodSandbox({
      podUid: 'u',
      podName: 'p',
      namespace: 'd',
      attempt: 0,
      hostname: 'p',
    });
    assert.deepEqual(s.ips, ['10.0.0.5']);
  });

  test('remove takes the containers, the pod directory and the pod logs with it', async () => {
    const id = await run('app', ['sleep', '1000']);
    await rt.removePodSandbox(sandbox.id);
    await assert.rejects(rt.containerStatus(id), NotFoundError);
    assert.equal(existsSync(join(root, 'pods', 'uid-1')), false);
    assert.equal(existsSync(join(root, 'logs', 'ns_web_uid-1')), false);
    assert.deepEqual(await rt.listPodSandboxes(), []);
    await rt.removePodSandbox(sandbox.id);
  });
});

describe('create and start', () => {
  test('created, then running, then exited with the code: Completed for 0, Error otherwise', async () => {
    const id = await rt.createContainer(sandbox.id, config('ok', ['sh', '-c', 'exit 0']));
    const created = await rt.containerStatus(id);
    assert.equal(created.state, 'created');
    assert.equal(created.image, 'docker.io/library/busybox:latest');
    assert.equal(created.labels['io.kubernetes.container.name'], 'ok');
    await rt.startContainer(id);
    const ok = await exited(id);
    assert.equal(ok.exitCode, 0);
    assert.equal(ok.reason, 'Completed');
    assert.ok(ok.startedAt !== undefined && ok.finishedAt !== undefined && ok.finishedAt >= ok.startedAt);
    assert.equal(ok.pid, undefined);

    const bad = await exited(await run('bad', ['sh', '-c', 'exit 3']));
    assert.equal(bad.exitCode, 3);
    assert.equal(bad.reason, 'Error');
    assert.deepEqual(
      events.filter((e) => e.containerId === id).map((e) => e.type),
      ['ContainerStarted', 'ContainerDied'],
    );
    await assert.rejects(rt.startContainer(id), /container is in CONTAINER_EXITED state/);
  });

  test('an empty command cannot be created: the process runtime has no image entrypoint', async () => {
    await assert.rejects(
      rt.createContainer(sandbox.id, config('app', [])),
      (e: unknown) =>
        e instanceof RuntimeError &&
        e.kind === 'CreateContainerError' &&
        e.message ===
          'container "app": the process runtime runs host processes and needs a command; the image\'s entrypoint is not available',
    );
    await assert.rejects(rt.createContainer('nope', config('app', ['true'])), /failed to get sandbox "nope"/);
  });

  test('an executable not on PATH fails the start as runc says it, and the container is a StartError', async () => {
    const id = await rt.createContainer(sandbox.id, config('app', ['no-such-binary-here', 'x']));
    await assert.rejects(
      rt.startContainer(id),
      (e: unknown) =>
        e instanceof RuntimeError &&
        e.kind === 'RunContainerError' &&
        e.message.includes('exec: "no-such-binary-here": executable file not found in $PATH') &&
        e.message.startsWith(
          'failed to create containerd task: failed to create shim task: OCI runtime create failed',
        ),
    );
    const st = await rt.containerStatus(id);
    assert.equal(st.state, 'exited');
    assert.equal(st.exitCode, 128);
    assert.equal(st.reason, 'StartError');
    assert.match(st.message ?? '', /executable file not found in \$PATH/);

    // The container's own PATH is the one searched.
    const id2 = await rt.createContainer(
      sandbox.id,
      config('app2', ['sh', '-c', 'true'], { env: [{ name: 'PATH', value: '/nonexistent' }] }),
    );
    await assert.rejects(rt.startContainer(id2), /exec: "sh": executable file not found in \$PATH/);
    const id3 = await rt.createContainer(sandbox.id, config('app3', ['/no/such/file']));
    await assert.rejects(
      rt.startContainer(id3),
      /exec: "\/no\/such\/file": stat \/no\/such\/file: no such file or directory/,
    );
    const id4 = await rt.createContainer(
      sandbox.id,
      config('app4', ['true'], { workingDir: '/no/such/dir' }),
    );
    await assert.rejects(
      rt.startContainer(id4),
      /chdir to cwd \("\/no\/such\/dir"\) set in config\.json failed/,
    );
  });

  test('environment: exactly the container env plus PATH, HOSTNAME, HOME and the termination-message path', async () => {
    const id = await run('env', ['sh', '-c', 'env'], {
      env: [
        { name: 'A', value: 'one' },
        { name: 'B', value: 'two words' },
      ],
    });
    await exited(id);
    const env = Object.fromEntries(
      (await readCriLogAll((await rt.containerStatus(id)).logPath))
        .toString()
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    delete env.PWD; // the shell's own
    delete env.SHLVL;
    delete env._;
    const tm = (await rt.containerStatus(id)).terminationMessageHostPath;
    assert.deepEqual(env, {
      A: 'one',
      B: 'two words',
      PATH: process.env.PATH,
      HOSTNAME: 'web',
      HOME: process.getuid?.() === 0 ? '/root' : env.HOME,
      [TERMINATION_MESSAGE_ENV]: tm,
    });

    const id2 = await run('env2', ['sh', '-c', 'echo "$PATH $HOME"'], {
      env: [
        { name: 'PATH', value: '/bin:/usr/bin' },
        { name: 'HOME', value: '/home/x' },
      ],
    });
    await exited(id2);
    assert.equal(
      (await readCriLogAll((await rt.containerStatus(id2)).logPath)).toString(),
      '/bin:/usr/bin /home/x\n',
    );
  });

  test('working directory: workingDir, else the container’s own directory', async () => {
    const own = await run('own', ['pwd']);
    await exited(own);
    assert.equal(
      (await readCriLogAll((await rt.containerStatus(own)).logPath)).toString(),
      join(root, 'pods/uid-1/containers/own') + '\n',
    );
    const wd = mkdtempSync(join(tmpdir(), 'wd-'));
    try {
      const set = await run('set', ['pwd'], { workingDir: wd });
      await exited(set);
      assert.equal((await readCriLogAll((await rt.containerStatus(set)).logPath)).toString(), wd + '\n');
    } finally {
      rmSync(wd, { recursive: true, force: true });
    }
  });

  test('stdin is /dev/null unless the container asks for it', async () => {
    const closed = await exited(await run('cat', ['cat']));
    assert.equal(closed.exitCode, 0);
    const open = await run('cat-stdin', ['cat'], { stdin: true });
    await realClock.sleep(100);
    assert.equal((await rt.containerStatus(open)).state, 'running');
    await rt.stopContainer(open, 5);
    assert.equal((await rt.containerStatus(open)).exitCode, 143);
  });
});

describe('logs', () => {
  test('stdout and stderr in the CRI format, with a partial record for output left without a newline', async () => {
    const id = await run('log', ['sh', '-c', 'echo out1; echo err1 >&2; sleep 0.05; printf tail']);
    await exited(id);
    const st = await rt.containerStatus(id);
    assert.equal(st.logPath, join(root, 'logs', 'ns_web_uid-1', 'log', '0.log'));
    const lines = (await logText(id)).split('\n');
    assert.equal(lines.pop(), '');
    for (const l of lines) {
      // containerd writes Z, conmon +00:00; both are RFC3339Nano, and the reader takes both.
      assert.match(l, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|\+00:00) (stdout|stderr) [FP] /);
    }
    const body = lines.map((l) => l.split(' ').slice(1).join(' '));
    assert.ok(body.includes('stdout F out1'));
    assert.ok(body.includes('stderr F err1'));
    assert.equal(body.at(-1), 'stdout P tail');
    const stamp = Date.parse(lines[0]?.split(' ')[0] ?? '');
    assert.ok(stamp >= (st.startedAt ?? 0) - 1000 && stamp <= (st.finishedAt ?? 0) + 1000);
  });

  test('a line over 16 KiB is split into P records and joined again by the reader (nodelet as the parent)', async () => {
    await useShim('none');
    const id = await run('long', ['sh', '-c', 'head -c 40000 /dev/zero | tr "\\0" x; echo']);
    await exited(id);
    const tags = (await logText(id))
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[2]);
    assert.deepEqual(tags, ['P', 'P', 'F']);
    assert.equal(
      (await readCriLogAll((await rt.containerStatus(id)).logPath)).toString(),
      'x'.repeat(40000) + '\n',
    );
  });

  test('each attempt has its own log file; the earlier one stays', async () => {
    const a0 = await run('app', ['echo', 'zero']);
    await exited(a0);
    const a1 = await run('app', ['echo', 'one'], { attempt: 1 });
    await exited(a1);
    const dir = join(root, 'logs', 'ns_web_uid-1', 'app');
    assert.equal((await readCriLogAll(join(dir, '0.log'))).toString(), 'zero\n');
    assert.equal((await readCriLogAll(join(dir, '1.log'))).toString(), 'one\n');
    await rt.removeContainer(a0);
    assert.equal(existsSync(join(dir, '0.log')), false);
    assert.equal(existsSync(join(dir, '1.log')), true);
    await assert.rejects(rt.containerStatus(a0), NotFoundError);
    await rt.removeContainer(a0);
  });
});

describe('termination message', () => {
  test('an empty file under the attempt directory, its host path in the environment', async () => {
    const id = await rt.createContainer(
      sandbox.id,
      config('msg', ['sh', '-c', `printf bye > "$${TERMINATION_MESSAGE_ENV}"`]),
    );
    const path = join(root, 'pods/uid-1/containers/msg/0/dev/termination-log');
    assert.equal((await rt.containerStatus(id)).terminationMessageHostPath, path);
    assert.equal(readFileSync(path, 'utf8'), '');
    await rt.startContainer(id);
    await exited(id);
    assert.equal(readFileSync(path, 'utf8'), 'bye');

    const custom = await rt.createContainer(
      sandbox.id,
      config('msg2', ['true'], { terminationMessagePath: '/tmp/my-message', attempt: 2 }),
    );
    assert.equal(
      (await rt.containerStatus(custom)).terminationMessageHostPath,
      join(root, 'pods/uid-1/containers/msg2/2/tmp/my-message'),
    );
    await assert.rejects(
      rt.createContainer(
        sandbox.id,
        config('msg3', ['true'], { terminationMessagePath: '/../../../../etc/x' }),
      ),
      /leaves the container directory/,
    );
  });
});

describe('stop', () => {
  test('SIGTERM to the whole process group: a child of the shell dies too; exit code 143', async () => {
    const pidFile = join(root, 'child.pid');
    const id = await run('group', ['sh', '-c', `sleep 1000 & echo $! > ${pidFile}; wait`]);
    const child = await pidFrom(pidFile);
    assert.ok(alive(child));
    await rt.stopContainer(id, 10);
    const st = await rt.containerStatus(id);
    assert.equal(st.state, 'exited');
    assert.equal(st.exitCode, 143);
    assert.equal(st.reason, 'Error');
    await until(() => !alive(child), 'the child to die');
  });

  test('a process that ignores SIGTERM is killed at the timeout: exit code 137', async () => {
    const id = await run('stubborn', ['sh', '-c', "trap '' TERM; echo ready; exec sleep 1000"]);
    await logged(id, 'ready');
    const t0 = Date.now();
    await rt.stopContainer(id, 1);
    const waited = Date.now() - t0;
    const st = await rt.containerStatus(id);
    assert.equal(st.exitCode, 137);
    assert.equal(st.reason, 'Error');
    assert.ok(waited >= 900, `the grace period was given (${waited} ms)`);
  });

  test('the container’s stop signal is sent instead of SIGTERM', async () => {
    const id = await run(
      'int',
      ['sh', '-c', "trap 'echo got INT; exit 0' INT; echo ready; while :; do sleep 0.05; done"],
      {
        stopSignal: 'SIGINT',
      },
    );
    await logged(id, 'ready');
    await rt.stopContainer(id, 10);
    const st = await rt.containerStatus(id);
    assert.equal(st.exitCode, 0);
    assert.equal(st.reason, 'Completed');
    assert.match(await logText(id), /stdout F got INT/);
  });

  test('timeout 0 kills at once; stopping an exited container is a no-op; an unknown one is NotFound', async () => {
    const id = await run('now', ['sh', '-c', "trap '' TERM; exec sleep 1000"]);
    await rt.stopContainer(id, 0);
    assert.equal((await rt.containerStatus(id)).exitCode, 137);
    await rt.stopContainer(id, 10);
    await assert.rejects(rt.stopContainer('unknown', 1), NotFoundError);
    const created = await rt.createContainer(sandbox.id, config('never', ['true']));
    await rt.stopContainer(created, 1);
    assert.equal((await rt.containerStatus(created)).state, 'created');
  });

  test('when the main process exits, what is left of its group dies with it', async () => {
    const pidFile = join(root, 'bg.pid');
    const id = await run('leader', ['sh', '-c', `sleep 1000 & echo $! > ${pidFile}; exit 0`]);
    const child = await pidFrom(pidFile);
    const st = await exited(id);
    assert.equal(st.exitCode, 0);
    await until(() => !alive(child), 'the background child to die');
  });

  test('a process that left the group (setsid) still dies with the container', async () => {
    const pidFile = join(root, 'escaped.pid');
    const id = await run('escape', [
      'sh',
      '-c',
      `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 1000' & sleep 1000`,
    ]);
    const escaped = await pidFrom(pidFile);
    assert.notEqual(procInfo(escaped)?.sid, (await rt.containerStatus(id)).pid);
    await rt.stopContainer(id, 5);
    await until(() => !alive(escaped), 'the escaped process to die');
  });

  test('removeContainer kills a running container first', async () => {
    const id = await run('rm', ['sleep', '1000']);
    const pid = (await rt.containerStatus(id)).pid ?? 0;
    await rt.removeContainer(id);
    assert.equal(alive(pid), false);
    assert.deepEqual(await rt.listContainers('uid-1'), []);
  });

  test('killAll SIGKILLs every container at once', async () => {
    const a = await run('a', ['sleep', '1000']);
    const b = await run('b', ['sh', '-c', "trap '' TERM; exec sleep 1000"]);
    const pa = (await rt.containerStatus(a)).pid ?? 0;
    const pb = (await rt.containerStatus(b)).pid ?? 0;
    rt.killAll();
    await until(() => !alive(pa) && !alive(pb), 'both to die');
    assert.equal((await exited(a)).exitCode, 137);
    assert.equal((await exited(b)).exitCode, 137);
  });
});

describe('execSync', () => {
  test('runs in the container’s environment and directory and captures both streams', async () => {
    const id = await run('app', ['sleep', '1000'], { env: [{ name: 'GREETING', value: 'hi' }] });
    const res = await rt.execSync(id, ['sh', '-c', 'echo "$GREETING"; pwd; echo oops >&2; exit 4'], {
      timeoutMs: 0,
    });
    assert.equal(res.exitCode, 4);
    assert.equal(res.timedOut, false);
    assert.equal(res.stdout.toString(), `hi\n${join(root, 'pods/uid-1/containers/app')}\n`);
    assert.equal(res.stderr.toString(), 'oops\n');
    const capped = await rt.execSync(id, ['sh', '-c', 'head -c 100000 /dev/zero'], {
      timeoutMs: 0,
      maxOutputBytes: 10,
    });
    assert.equal(capped.stdout.length, 10);
    assert.equal(capped.exitCode, 0);
    await rt.stopContainer(id, 5);
  });

  test('a timeout kills the command’s whole group and reports timedOut', async () => {
    const id = await run('app', ['sleep', '1000']);
    const pidFile = join(root, 'exec-child.pid');
    const res = await rt.execSync(id, ['sh', '-c', `sleep 1000 & echo $! > ${pidFile}; wait`], {
      timeoutMs: 300,
    });
    assert.equal(res.timedOut, true);
    assert.equal(res.exitCode, 137);
    const child = await pidFrom(pidFile);
    await until(() => !alive(child), 'the exec child to die');
    await rt.stopContainer(id, 5);
  });

  test('an abort kills the command and rejects', async () => {
    const id = await run('app', ['sleep', '1000']);
    const ac = new AbortController();
    const pidFile = join(root, 'aborted.pid');
    const call = rt.execSync(id, ['sh', '-c', `echo $$ > ${pidFile}; exec sleep 1000`], {
      timeoutMs: 0,
      signal: ac.signal,
    });
    const pid = await pidFrom(pidFile);
    ac.abort(new Error('stop it'));
    await assert.rejects(call, /stop it/);
    await until(() => !alive(pid), 'the exec to die');
    await rt.stopContainer(id, 5);
  });

  test('a missing executable, and a container that is not running, are errors as containerd words them', async () => {
    const id = await run('app', ['sleep', '1000']);
    await assert.rejects(
      rt.execSync(id, ['nocmd'], { timeoutMs: 0 }),
      (e: Error) =>
        e.message ===
        'OCI runtime exec failed: exec failed: unable to start container process: exec: "nocmd": executable file not found in $PATH: unknown',
    );
    await rt.stopContainer(id, 5);
    await assert.rejects(
      rt.execSync(id, ['true'], { timeoutMs: 0 }),
      /failed to exec in container: container is in CONTAINER_EXITED state/,
    );
    const created = await rt.createContainer(sandbox.id, config('c', ['true']));
    await assert.rejects(
      rt.execSync(created, ['true'], { timeoutMs: 0 }),
      /container is in CONTAINER_CREATED state/,
    );
    await assert.rejects(rt.execSync('unknown', ['true'], { timeoutMs: 0 }), NotFoundError);
  });

  test('exec’d processes die with the container', async () => {
    const id = await run('app', ['sleep', '1000']);
    const pidFile = join(root, 'left.pid');
    const res = await rt.execSync(id, ['sh', '-c', `sleep 1000 > /dev/null 2>&1 & echo $! > ${pidFile}`], {
      timeoutMs: 0,
    });
    assert.equal(res.exitCode, 0);
    const left = await pidFrom(pidFile);
    assert.ok(alive(left), 'a background process of an exec outlives the exec, as in a container');
    await rt.stopContainer(id, 5);
    await until(() => !alive(left), 'the exec’s background process to die with the container');
  });
});

describe('exec sessions', () => {
  test('without a TTY: stdin, stdout and stderr are separate pipes', async () => {
    const id = await run('app', ['sleep', '1000']);
    const s = await rt.exec(id, ['sh', '-c', 'cat; echo done >&2; exit 6'], { stdin: true, tty: false });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    s.stdout.on('data', (b: Buffer) => out.push(b));
    s.stderr?.on('data', (b: Buffer) => err.push(b));
    s.stdin?.write('hello\n');
    s.stdin?.end();
    assert.equal(await s.exit, 6);
    assert.equal(Buffer.concat(out).toString(), 'hello\n');
    assert.equal(Buffer.concat(err).toString(), 'done\n');
    await assert.rejects(
      rt.exec(id, ['nocmd'], { stdin: false, tty: false }),
      /exec: "nocmd": executable file not found/,
    );
    await rt.stopContainer(id, 5);
  });

  test('kill ends a session', async () => {
    const id = await run('app', ['sleep', '1000']);
    const s = await rt.exec(id, ['sleep', '1000'], { stdin: false, tty: false });
    s.stdout.resume();
    s.kill();
    assert.equal(await s.exit, 137);
    await rt.stopContainer(id, 5);
  });

  test('with a TTY: a terminal, echo, merged output, resize, the exit code', async () => {
    const id = await run('app', ['sleep', '1000'], { env: [{ name: 'X', value: 'y' }] });
    const s = await rt.exec(id, ['sh'], { stdin: true, tty: true });
    assert.equal(s.stderr, null);
    let out = '';
    s.stdout.on('data', (b: Buffer) => (out += b.toString()));
    s.resize(123, 45);
    s.stdin?.write('tty; echo "X=$X SHELL=${SHELL-unset}"; echo to-stderr >&2\n');
    await until(() => out.includes('to-stderr\r\n'), 'the command output', 10_000);
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /X=y SHELL=unset/);
    // The size is set on the terminal asynchronously: ask until it shows.
    await until(
      async () => {
        s.stdin?.write('stty size\n');
        await realClock.sleep(100);
        return out.includes('45 123');
      },
      'the new window size',
      10_000,
    );
    s.stdin?.write('exit 5\n');
    assert.equal(await s.exit, 5);
    await rt.stopContainer(id, 5);
  });

  test('a TTY session is killed with everything under it', async () => {
    const id = await run('app', ['sleep', '1000']);
    const pidFile = join(root, 'tty.pid');
    const s = await rt.exec(id, ['sh', '-c', `echo $$ > ${pidFile}; trap '' HUP; sleep 1000`], {
      stdin: true,
      tty: true,
    });
    s.stdout.resume();
    const inner = await pidFrom(pidFile);
    s.kill();
    await s.exit;
    await until(() => !alive(inner), 'the TTY command to die');
    await rt.stopContainer(id, 5);
  });
});

describe('records on disk', () => {
  test('the changes of one turn are written together, and each call resolves once its change is on disk', async () => {
    const onDisk = (): { id: string; state: string }[] =>
      readRecords<{ id: string; state: string }>(join(root, 'containers.json'));
    const created = Promise.all(
      ['a', 'b', 'c'].map((n) => rt.createContainer(sandbox.id, config(n, ['sleep', '1000']))),
    );
    const ids = await created;
    assert.deepEqual(
      ids.map((id) => onDisk().find((c) => c.id === id)?.state),
      ['created', 'created', 'created'],
    );
    await rt.startContainer(ids[0] as string);
    assert.equal(onDisk().find((c) => c.id === ids[0])?.state, 'running');
    await rt.stopContainer(ids[0] as string, 0);
    // A read answers once what it reports is on disk.
    assert.equal((await rt.containerStatus(ids[0] as string)).state, 'exited');
    assert.equal(onDisk().find((c) => c.id === ids[0])?.state, 'exited');
    await rt.removeContainer(ids[1] as string);
    assert.equal(
      onDisk().find((c) => c.id === ids[1]),
      undefined,
    );
  });

  test('written to containers.json and sandboxes.json (and their journals); a new runtime reads them back', async () => {
    const id = await run('done', ['sh', '-c', 'exit 2']);
    await exited(id);
    const saved = readRecords<{ id: string; exitCode: number }>(join(root, 'containers.json'));
    assert.equal(saved.find((c) => c.id === id)?.exitCode, 2);
    await rt.close();
    const again = newRuntime();
    const st = await again.containerStatus(id);
    assert.equal(st.state, 'exited');
    assert.equal(st.exitCode, 2);
    assert.equal((await again.listPodSandboxes('uid-1'))[0]?.id, sandbox.id);
  });

  test('without a shim, a container still running is adopted by a new runtime, which can stop it', async () => {
    await useShim('none');
    const id = await run('long', ['sleep', '1000']);
    const pid = (await rt.containerStatus(id)).pid ?? 0;
    await rt.close();
    assert.ok(alive(pid), 'close leaves the process running');
    const again = newRuntime();
    const st = await again.containerStatus(id);
    assert.equal(st.state, 'running');
    assert.equal(st.pid, pid);
    await again.stopContainer(id, 5);
    assert.equal(alive(pid), false);
    const after = await again.containerStatus(id);
    assert.equal(after.state, 'exited');
    assert.equal(after.exitCode, 255);
  });

  test('without a shim, a running record whose process is gone is reported exited with an unknown status', async () => {
    await useShim('none');
    const id = await run('gone', ['sleep', '1000']);
    await rt.close();
    const recs = readRecords<{ id: string; pid: number }>(join(root, 'containers.json'));
    const rec = recs.find((c) => c.id === id);
    assert.ok(rec);
    process.kill(rec.pid, 'SIGKILL');
    await until(() => !alive(rec.pid), 'the process to die');
    // Pretend the earlier run died before it saw the exit.
    new RecordJournal(join(root, 'containers.json')).compact(
      recs.map((c) => (c.id === id ? { ...c, state: 'running', pid: rec.pid } : c)),
    );
    const again = newRuntime();
    const st = await again.containerStatus(id);
    assert.equal(st.state, 'exited');
    assert.equal(st.exitCode, 255);
    assert.equal(st.reason, 'Unknown');
  });
});

describe('under conmon, across a restart', { skip: noConmon }, () => {
  test('a long line comes back whole through the reader', async () => {
    const id = await run('long', ['sh', '-c', 'head -c 40000 /dev/zero | tr "\\0" x; echo']);
    await exited(id);
    assert.equal(
      (await readCriLogAll((await rt.containerStatus(id)).logPath)).toString(),
      'x'.repeat(40000) + '\n',
    );
  });

  test('a container keeps running, logging and its PID; its exit code is the real one', async () => {
    assert.ok(rt.supervised);
    const id = await run('ticker', [
      'sh',
      '-c',
      'trap "echo bye; exit 7" TERM; while :; do echo tick; sleep 0.05; done',
    ]);
    const pid = (await rt.containerStatus(id)).pid ?? 0;
    await rt.close();
    // No nodelet for a while: the container writes on (no SIGPIPE) and conmon logs it.
    const before = (await logText(id)).split('\n').length;
    await realClock.sleep(300);
    assert.ok(alive(pid));
    assert.ok((await logText(id)).split('\n').length > before + 2, 'output is logged while nodelet is away');
    const again = newRuntime();
    const st = await again.containerStatus(id);
    assert.equal(st.state, 'running');
    assert.equal(st.pid, pid);
    await again.stopContainer(id, 5);
    const after = await again.containerStatus(id);
    assert.equal(after.exitCode, 7);
    assert.equal(after.reason, 'Error');
    // The trap's last words are logged (the shell may add a "Terminated" line for its killed sleep).
    assert.match(await logText(id), /stdout F bye\n/);
  });

  test('a container that exits while nodelet is away is found with its code', async () => {
    const flag = join(root, 'go');
    const id = await run('later', [
      'sh',
      '-c',
      `while [ ! -e ${flag} ]; do sleep 0.02; done; echo done; exit 3`,
    ]);
    await rt.close();
    writeFileSync(flag, '');
    const pid = (await rt.containerStatus(id)).pid ?? 0;
    await until(() => !alive(pid), 'the container to exit');
    await until(() => existsSync(join(root, 'exits', id)), 'the exit file');
    const again = newRuntime();
    const st = await again.containerStatus(id);
    assert.equal(st.state, 'exited');
    assert.equal(st.exitCode, 3);
    assert.equal(st.reason, 'Error');
    assert.match(await logText(id), /stdout F done\n/);
  });

  test('a container killed while nodelet is away reports 137, and what it left behind dies', async () => {
    const pidFile = join(root, 'bg.pid');
    const id = await run('killed', ['sh', '-c', `sleep 1000 & echo $! > ${pidFile}; wait`]);
    const child = await pidFrom(pidFile);
    const pid = (await rt.containerStatus(id)).pid ?? 0;
    await rt.close();
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid), 'the container to die');
    const again = newRuntime();
    await until(async () => (await again.containerStatus(id)).state === 'exited', 'the exit to be seen');
    assert.equal((await again.containerStatus(id)).exitCode, 137);
    await until(() => !alive(child), 'the background child to die');
  });

  test('the container runs with exactly its environment, not conmon’s', async () => {
    const id = await run('env', ['sh', '-c', 'env | sort'], { env: [{ name: 'A', value: "it's" }] });
    await exited(id);
    const env = (await readCriLogAll((await rt.containerStatus(id)).logPath)).toString();
    assert.match(env, /^A=it's$/m);
    assert.doesNotMatch(env, /_OCI_SYNCPIPE/);
    assert.match(env, new RegExp(`^${TERMINATION_MESSAGE_ENV}=`, 'm'));
  });
});
