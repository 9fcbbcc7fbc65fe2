// The oci runtime on real containers: runc under conmon, the CNI pod network, cgroups, volumes,
// exec with and without a TTY, and a runtime restart that finds its containers still running.
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { OciRuntime } from '../../src/runtime/oci/oci-runtime.ts';
import { RuntimeError, type ContainerConfig, type ContainerStatus } from '../../src/runtime/runtime.ts';
import { realClock } from '../../src/util/clock.ts';
import { buildImages, ociSkip, type BuiltImages } from '../fixtures/images/test-images.ts';

const skip = ociSkip();

describe('oci runtime', { skip }, () => {
  let images: BuiltImages;
  let root: string;
  let rt: OciRuntime;
  const pods = new Map<string, Pod>();
  const configMaps = new Map<string, { data: Record<string, string> }>();
  const secrets = new Map<string, { data: Record<string, string> }>();

  const newRuntime = (): OciRuntime =>
    new OciRuntime({
      root: join(root, 'oci'),
      clock: realClock,
      pods: (uid) => pods.get(uid),
      objects: {
        configMap: (ns, name) => configMaps.get(`${ns}/${name}`),
        secret: (ns, name) => secrets.get(`${ns}/${name}`),
      },
      pidsLimit: 512,
    });

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'nodelet-oci-runtime-'));
    images = await buildImages();
    rt = newRuntime();
    await rt.images.importArchive(images.busyboxArchive);
    await rt.images.importArchive(images.nginxArchive);
    await rt.images.importArchive(images.echoArchive);
  });
  after(async () => {
    if (rt) {
      for (const s of await rt.listPodSandboxes()) await rt.removePodSandbox(s.id);
      await rt.close();
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  let seq = 0;
  /** Registers a pod and starts its sandbox. */
  const sandbox = async (
    spec: Pod['spec'] & object,
    name = `p${++seq}`,
  ): Promise<{ id: string; ip: string; uid: string }> => {
    const uid = `uid-${name}-${seq}`;
    pods.set(uid, { metadata: { name, namespace: 'default', uid }, spec });
    const s = await rt.runPodSandbox({
      podUid: uid,
      podName: name,
      namespace: 'default',
      attempt: 0,
      hostname: name,
    });
    return { id: s.id, ip: s.ips[0] ?? '', uid };
  };

  const config = (c: Container, extra: Partial<ContainerConfig> = {}): ContainerConfig => ({
    name: c.name,
    attempt: 0,
    image: c.image ?? 'busybox',
    command: [...(c.command ?? []), ...(c.args ?? [])],
    env: (c.env ?? []).map((e) => ({ name: e.name, value: e.value ?? '' })),
    terminationMessagePath: c.terminationMessagePath ?? '/dev/termination-log',
    labels: {},
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    ...(c.tty ? { tty: true } : {}),
    ...extra,
  });

  const start = async (
    sandboxId: string,
    c: Container,
    extra: Partial<ContainerConfig> = {},
  ): Promise<string> => {
    const id = await rt.createContainer(sandboxId, config(c, extra));
    await rt.startContainer(id);
    return id;
  };

  const waitExit = async (id: string, ms = 20_000): Promise<ContainerStatus> => {
    const until = Date.now() + ms;
    for (;;) {
      const s = await rt.containerStatus(id);
      if (s.state === 'exited') return s;
      if (Date.now() > until) throw new Error(`container ${id} still ${s.state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  /** The container's output as lines, CRI partial (P) records joined to the line they continue. */
  const logText = (s: ContainerStatus): string => {
    let out = '';
    for (const l of readFileSync(s.logPath, 'utf8').split('\n').filter(Boolean)) {
      const [, , tag, ...rest] = l.split(' ');
      out += rest.join(' ') + (tag === 'F' ? '\n' : '');
    }
    return out.replace(/\n$/, '');
  };

  const run = async (
    spec: Pod['spec'] & object,
    c: Container,
  ): Promise<ContainerStatus & { output: string }> => {
    const s = await sandbox({ ...spec, containers: [c] });
    const id = await start(s.id, c);
    const st = await waitExit(id);
    return { ...st, output: logText(st) };
  };

  test('ENTRYPOINT/CMD merge, image env and USER, workingDir, exit codes and the CRI log', async () => {
    const none = await run({ containers: [] }, { name: 'c', image: 'echo' });
    assert.equal(none.output, 'entry from-cmd');
    assert.equal(none.exitCode, 0);
    assert.equal(none.reason, 'Completed');
    assert.equal(none.image, 'docker.io/library/echo:latest');
    const args = await run({ containers: [] }, { name: 'c', image: 'echo', args: ['given'] });
    assert.equal(args.output, 'entry given');
    const cmd = await run(
      { containers: [] },
      {
        name: 'c',
        image: 'echo',
        command: ['sh', '-c', 'echo "$(id -u):$(id -g) $PWD $FROM_IMAGE $MINE $HOSTNAME"; exit 3'],
        env: [{ name: 'MINE', value: 'pod' }],
      },
    );
    assert.match(cmd.output, /^65534:65534 \/tmp yes pod p\d+$/);
    assert.equal(cmd.exitCode, 3);
    assert.equal(cmd.reason, 'Error');
    const wd = await run({ containers: [] }, { name: 'c', command: ['pwd'], workingDir: '/usr/share' });
    assert.equal(wd.output, '/usr/share');
  });

  test('a missing executable is a StartError with exit code 128 and RunContainerError', async () => {
    const s = await sandbox({ containers: [] });
    const id = await rt.createContainer(s.id, config({ name: 'c', command: ['/no/such'] }));
    await assert.rejects(rt.startContainer(id), (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.equal(e.kind, 'RunContainerError');
      assert.match(
        e.message,
        /^failed to create containerd task: failed to create shim task: OCI runtime create failed: .*no such file or directory.*: unknown$/,
      );
      return true;
    });
    const st = await rt.containerStatus(id);
    assert.equal(st.state, 'exited');
    assert.equal(st.exitCode, 128);
    assert.equal(st.reason, 'StartError');
  });

  test('securityContext: runAsUser, read-only root, dropped capabilities, runAsNonRoot refused', async () => {
    const r = await run(
      { containers: [] },
      {
        name: 'c',
        command: ['sh', '-c', 'id -u; touch /x 2>&1 || echo ro; grep CapEff /proc/self/status'],
        securityContext: { runAsUser: 1234, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      },
    );
    const lines = r.output.split('\n');
    assert.equal(lines[0], '1234');
    assert.ok(lines.includes('ro'), r.output);
    assert.match(r.output, /CapEff:\s+0000000000000000/);
    const root = await run(
      { containers: [] },
      { name: 'c', command: ['sh', '-c', 'grep CapEff /proc/self/status'] },
    );
    assert.match(root.output, /CapEff:\s+00000000a80425fb/, 'the default capability set');
    const s = await sandbox({ containers: [], securityContext: { runAsNonRoot: true } });
    await assert.rejects(rt.createContainer(s.id, config({ name: 'c', command: ['true'] })), (e: unknown) => {
      assert.ok(e instanceof RuntimeError);
      assert.equal(e.kind, 'CreateContainerConfigError');
      assert.match(
        e.message,
        /container has runAsNonRoot and image will run as root \(pod: "p\d+", container: c\)/,
      );
      return true;
    });
  });

  test('pod network: each pod its own IP, reachable from the node; /etc/hosts, hostname, loopback', async () => {
    const a = await sandbox({ containers: [] });
    const b = await sandbox({ containers: [] });
    assert.match(a.ip, /^10\.87\.\d+\.\d+$/);
    assert.notEqual(a.ip, b.ip);
    const web = await start(a.id, { name: 'web', image: 'nginx' });
    let body = '';
    for (let i = 0; i < 100 && !body; i++) {
      try {
        body = await (await fetch(`http://${a.ip}/`, { signal: AbortSignal.timeout(2000) })).text();
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.match(body, /Welcome to nginx/);
    const hosts = await rt.execSync(web, ['cat', '/etc/hosts', '/etc/hostname'], { timeoutMs: 5000 });
    assert.match(hosts.stdout.toString(), new RegExp(`${a.ip.replace(/\./g, '\\.')}\\tp\\d+\\n`));
    // A second container of the pod shares the network namespace: nginx answers on its loopback.
    const side = await start(a.id, {
      name: 'side',
      command: ['sh', '-c', 'wget -q -O - http://127.0.0.1/ && hostname'],
    });
    const st = await waitExit(side);
    assert.match(logText(st), /Welcome to nginx[\s\S]*\np\d+$/);
    // The other pod reaches it by pod IP across the bridge.
    const other = await start(b.id, { name: 'c', command: ['wget', '-q', '-O', '-', `http://${a.ip}/`] });
    assert.match(logText(await waitExit(other)), /Welcome to nginx/);
    // nginx stops gracefully on its image STOPSIGNAL (SIGQUIT) well within the timeout.
    await rt.stopContainer(web, 10);
    const stopped = await rt.containerStatus(web);
    assert.equal(stopped.exitCode, 0);
  });

  test('volumes: emptyDir shared between containers, hostPath on the host, its type check, configMap', async () => {
    const hostDir = join(root, 'host-dir');
    mkdirSync(hostDir);
    configMaps.set('default/cm', { data: { 'greeting.txt': 'hello from cm' } });
    const spec = {
      containers: [],
      volumes: [
        { name: 'scratch', emptyDir: {} },
        { name: 'mem', emptyDir: { medium: 'Memory' } },
        { name: 'host', hostPath: { path: hostDir, type: 'Directory' } },
        { name: 'cfg', configMap: { name: 'cm' } },
      ],
    };
    const s = await sandbox(spec);
    const mounts = [
      { name: 'scratch', mountPath: '/scratch' },
      { name: 'mem', mountPath: '/mem' },
      { name: 'host', mountPath: '/host' },
      { name: 'cfg', mountPath: '/cfg', readOnly: true },
    ];
    const pod = pods.get(s.uid);
    assert.ok(pod?.spec);
    pod.spec.containers = [
      { name: 'w', volumeMounts: mounts },
      { name: 'r', volumeMounts: mounts },
    ];
    const w = await start(s.id, {
      name: 'w',
      command: [
        'sh',
        '-c',
        'echo shared > /scratch/f; echo host > /host/from-pod; grep " /mem " /proc/mounts | cut -d" " -f3',
      ],
    });
    assert.equal(logText(await waitExit(w)), 'tmpfs');
    const r = await start(s.id, {
      name: 'r',
      command: ['sh', '-c', 'cat /scratch/f /cfg/greeting.txt; echo; touch /cfg/x 2>/dev/null || echo ro'],
    });
    assert.equal(logText(await waitExit(r)), 'shared\nhello from cm\nro');
    assert.equal(readFileSync(join(hostDir, 'from-pod'), 'utf8'), 'host\n');
    await assert.rejects(
      sandbox({
        containers: [],
        volumes: [{ name: 'h', hostPath: { path: join(root, 'absent'), type: 'Directory' } }],
      }),
      /hostPath type check failed: .*absent is not a directory/,
    );
  });

  test('secret, downwardAPI and projected volumes: keys, items, modes', async () => {
    secrets.set('default/creds', {
      data: {
        password: Buffer.from('s3cret').toString('base64'),
        user: Buffer.from('me').toString('base64'),
      },
    });
    configMaps.set('default/settings', { data: { mode: 'fast' } });
    const spec = {
      containers: [],
      volumes: [
        {
          name: 'sec',
          secret: { secretName: 'creds', items: [{ key: 'password', path: 'pw', mode: 0o400 }] },
        },
        {
          name: 'dn',
          downwardAPI: {
            items: [
              { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
            ],
          },
        },
        {
          name: 'pj',
          projected: {
            sources: [
              { configMap: { name: 'settings' } },
              { secret: { name: 'creds', items: [{ key: 'user', path: 'u/name' }] } },
            ],
          },
        },
      ],
    };
    const s = await sandbox(spec);
    const pod = pods.get(s.uid);
    assert.ok(pod?.spec && pod.metadata);
    pod.metadata.labels = { app: 'x', tier: 'web' };
    const c = {
      name: 'c',
      command: [
        'sh',
        '-c',
        'cat /sec/pw; echo; stat -c %a /sec/pw; cat /dn/name; echo; cat /dn/labels; echo; cat /pj/mode /pj/u/name',
      ],
      volumeMounts: [
        { name: 'sec', mountPath: '/sec' },
        { name: 'dn', mountPath: '/dn' },
        { name: 'pj', mountPath: '/pj' },
      ],
    };
    pod.spec.containers = [c];
    // The labels were set after the sandbox prepared the downwardAPI volume: a new sandbox sees them.
    const s2 = await rt.runPodSandbox({
      podUid: s.uid,
      podName: pod.metadata.name ?? '',
      namespace: 'default',
      attempt: 1,
      hostname: 'h',
    });
    const out = logText(await waitExit(await start(s2.id, c)));
    assert.equal(out, `s3cret\n400\n${pod.metadata.name ?? ''}\napp="x"\ntier="web"\nfastme`);
    await assert.rejects(
      sandbox({ containers: [], volumes: [{ name: 's', secret: { secretName: 'absent' } }] }),
      /secret "absent" not found/,
    );
  });

  test('shareProcessNamespace: the containers of a pod see each other’s processes', async () => {
    const s = await sandbox({ containers: [], shareProcessNamespace: true });
    await start(s.id, { name: 'a', command: ['sh', '-c', 'exec sleep 3601'] });
    const b = await start(s.id, { name: 'b', command: ['sh', '-c', 'ps -o args | grep -c "^sleep 3601"'] });
    assert.equal(logText(await waitExit(b)), '1');
    const alone = await sandbox({ containers: [] });
    await start(alone.id, { name: 'a', command: ['sh', '-c', 'exec sleep 3602'] });
    const c = await start(alone.id, {
      name: 'b',
      command: ['sh', '-c', 'ps -o args | grep -c "^sleep 3602"'],
    });
    assert.equal(logText(await waitExit(c)), '0');
  });

  test('a sandbox whose pause process died is reported not ready', async () => {
    const s = await sandbox({ containers: [] });
    const rec = JSON.parse(readFileSync(join(root, 'oci', 'sandboxes.json'), 'utf8')) as {
      id: string;
      pausePid: number;
    }[];
    const pid = rec.find((r) => r.id === s.id)?.pausePid;
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}/comm`); i++)
      await new Promise((r) => setTimeout(r, 20));
    const [st] = await rt.listPodSandboxes(s.uid);
    assert.equal(st?.state, 'notready');
    await rt.stopPodSandbox(s.id);
    await rt.removePodSandbox(s.id);
  });

  test('cgroups: over its memory limit a container is OOMKilled with 137; CPU quota and pids limit applied', async () => {
    const oom = await run(
      { containers: [] },
      {
        name: 'c',
        command: [
          'sh',
          '-c',
          'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/pids/pids.max 2>/dev/null; tail /dev/zero',
        ],
        resources: { limits: { memory: '32Mi', cpu: '250m' } },
      },
    );
    assert.equal(oom.exitCode, 137);
    assert.equal(oom.reason, 'OOMKilled');
    // cpu: 250m → 25 ms of every 100 ms; pids.max is the runtime's pidsLimit.
    assert.match(oom.output, /^25000\n512/);
  });

  test('termination message file: written in the container, read on the host', async () => {
    const r = await run(
      { containers: [] },
      { name: 'c', command: ['sh', '-c', 'echo bye > /dev/termination-log'] },
    );
    assert.equal(readFileSync(r.terminationMessageHostPath ?? '', 'utf8'), 'bye\n');
    const custom = await run(
      { containers: [] },
      { name: 'c', command: ['sh', '-c', 'echo x > /tmp/msg'], terminationMessagePath: '/tmp/msg' },
    );
    assert.equal(readFileSync(custom.terminationMessageHostPath ?? '', 'utf8'), 'x\n');
  });

  test('exec: sync with exit codes and a timeout; a TTY session with stdin', async () => {
    const s = await sandbox({ containers: [] });
    const id = await start(s.id, { name: 'c', command: ['sleep', '3600'] });
    const r = await rt.execSync(id, ['sh', '-c', 'echo out; echo err >&2; tty; exit 4'], {
      timeoutMs: 10_000,
    });
    assert.equal(r.exitCode, 4);
    assert.equal(r.stdout.toString(), 'out\nnot a tty\n');
    assert.equal(r.stderr.toString(), 'err\n');
    const slow = await rt.execSync(id, ['sleep', '30'], { timeoutMs: 300 });
    assert.equal(slow.timedOut, true);
    await assert.rejects(
      rt.execSync(id, ['nosuch'], { timeoutMs: 5000 }),
      /OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable file not found in \$PATH: unknown/,
    );

    const session = await rt.exec(id, ['/bin/sh'], { stdin: true, tty: true });
    let out = '';
    session.stdout.on('data', (d: Buffer) => (out += d.toString()));
    session.resize(100, 40);
    // Type once the shell shows its prompt, as a person would (the size is set by then).
    for (let i = 0; i < 200 && !out.includes('# '); i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 200));
    session.stdin?.write('tty; stty size; exit 5\n');
    const code = await session.exit;
    assert.equal(code, 5);
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /40 100/);
    const plain = await rt.exec(id, ['cat'], { stdin: true, tty: false });
    let echoed = '';
    plain.stdout.on('data', (d: Buffer) => (echoed += d.toString()));
    plain.stdin?.end('piped\n');
    assert.equal(await plain.exit, 0);
    assert.equal(echoed, 'piped\n');
  });

  test('a new runtime on the same data directory follows containers still running, and their exit codes', async () => {
    const s = await sandbox({ containers: [] });
    const id = await start(s.id, {
      name: 'c',
      command: ['sh', '-c', 'trap "exit 42" TERM; while true; do sleep 0.1; done'],
    });
    await rt.close();
    rt = newRuntime();
    const st = await rt.containerStatus(id);
    assert.equal(st.state, 'running');
    await rt.stopContainer(id, 10);
    const done = await rt.containerStatus(id);
    assert.equal(done.exitCode, 42);
    assert.ok(existsSync(done.logPath));
  });

  test('removing a sandbox removes its containers, network, files and logs', async () => {
    const s = await sandbox({ containers: [] });
    const id = await start(s.id, { name: 'c', command: ['sleep', '3600'] });
    const st = await rt.containerStatus(id);
    await rt.removePodSandbox(s.id);
    assert.deepEqual(await rt.listPodSandboxes(s.uid), []);
    assert.deepEqual(await rt.listContainers(s.uid), []);
    assert.ok(!existsSync(st.logPath));
    assert.ok(!existsSync(join(root, 'oci', 'pods', s.uid)));
    writeFileSync(join(root, 'marker'), '');
  });
});
