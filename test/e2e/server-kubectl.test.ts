// `nodelet server` driven by the real kubectl: the seeds' command sequences end to end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasKubectl, KUBECTL, ServerUnderTest } from './server-harness.ts';

const skip = hasKubectl ? false : `${KUBECTL} is not installed: the kubectl end-to-end tests need it`;

/** A pod for the process runtime: prints ticks, a postStart hook leaves a message in a file. */
function webPod(name: string, dir: string, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    app: ${name}
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo started; echo $$$$ > ${dir}/${name}.pid; trap 'echo got SIGTERM; exit 0' TERM; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done"]
    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "echo 'Hello from the postStart handler' > ${dir}/${name}.message"]
${extra}`;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('nodelet server with kubectl', { skip }, () => {
  const s = new ServerUnderTest();
  let dir = '';
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  before(async () => {
    dir = s.dir;
    await s.start(['--crash-loop-backoff', '1s:5s']);
  });
  after(async () => {
    await s.cleanup();
  });

  test('create, get, exec shows the postStart message, logs, describe with events', async () => {
    const manifest = file('web.yaml', webPod('web', dir));
    assert.equal(await s.ok(['create', '-f', manifest]), 'pod/web created\n');
    await s.until('web Running', async () => {
      const out = await s.ok(['get', 'po', 'web']);
      return /web\s+1\/1\s+Running\s+0\s+/.test(out) ? out : undefined;
    });
    const table = await s.ok(['get', 'pods', '-o', 'wide']);
    assert.match(
      table,
      /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/,
    );
    assert.match(table, /web\s+1\/1\s+Running\s+0\s+\S+\s+127\.0\.0\.1\s+e2e-node\s+<none>\s+<none>/);

    assert.equal(
      await s.ok(['exec', 'web', '--', 'cat', join(dir, 'web.message')]),
      'Hello from the postStart handler\n',
    );
    const logs = await s.until('log lines', async () => {
      const out = await s.ok(['logs', 'web']);
      return out.includes('tick 2') ? out : undefined;
    });
    assert.match(logs, /^started\ntick 1\ntick 2\n/);
    assert.equal((await s.ok(['logs', 'web', '--tail=1'])).split('\n').length, 2);
    assert.match(
      await s.ok(['logs', 'web', '--timestamps', '--tail=1']),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z tick \d+\n$/,
    );

    const described = await s.ok(['describe', 'pod', 'web']);
    assert.match(described, /^Name:\s+web\nNamespace:\s+default\n/);
    assert.match(described, /Status:\s+Running/);
    assert.match(
      described,
      /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/web to e2e-node/,
    );
    assert.match(described, /Normal\s+Started\s+\S+\s+kubelet\s+Started container app/);
    const events = await s.ok(['get', 'events']);
    assert.match(events, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE\n/);
    assert.match(events, /Normal\s+Created\s+pod\/web\s+Created container app/);
    assert.match(await s.ok(['events', '--for', 'pod/web']), /Started container app/);
  });

  test('exec: exit codes, stdin, and errors from the server', async () => {
    const failed = await s.kubectl(['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    assert.equal(failed.code, 7);
    assert.equal(failed.stdout, 'out\n');
    assert.match(failed.stderr, /err\ncommand terminated with exit code 7/);
    assert.equal(await s.ok(['exec', '-i', 'web', '--', 'cat'], { input: 'piped input\n' }), 'piped input\n');
    const badContainer = await s.kubectl(['exec', 'web', '-c', 'nope', '--', 'true']);
    assert.notEqual(badContainer.code, 0);
    assert.match(badContainer.stderr, /container nope is not valid for pod web/);
  });

  test('exec -it runs in a terminal', async () => {
    const out = await new Promise<string>((resolve) => {
      const child = spawn('script', ['-qec', `${KUBECTL} exec -it web -- sh -c 'tty; exit 3'`, '/dev/null'], {
        env: { ...process.env, KUBECONFIG: s.kubeconfig, KUBECACHEDIR: s.cacheDir },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('exit', (code) => resolve(`${text}\nexit ${code}`));
    });
    assert.match(out, /\/dev\/pts\/\d+/);
    assert.match(out, /command terminated with exit code 3/);
  });

  test('apply twice: created, then unchanged; then configured', async () => {
    const manifest = file('applied.yaml', webPod('applied', dir));
    assert.equal(await s.ok(['apply', '-f', manifest]), 'pod/applied created\n');
    assert.equal(await s.ok(['apply', '-f', manifest]), 'pod/applied unchanged\n');
    writeFileSync(manifest, webPod('applied', dir).replace('app: applied', 'app: applied\n    tier: front'));
    assert.equal(await s.ok(['apply', '-f', manifest]), 'pod/applied configured\n');
    assert.match(await s.ok(['get', 'pod', 'applied', '--show-labels']), /app=applied,tier=front/);
    assert.equal(await s.ok(['apply', '--server-side', '-f', manifest]), 'pod/applied serverside-applied\n');
  });

  test('get -w shows the status changes; wait --for=condition=Ready returns', async () => {
    // -v=6 logs the watch request once its headers are back: the sign the watch is established.
    const watcher = spawn(KUBECTL, ['get', 'pods', '-l', 'app=watched', '-w', '-v=6'], {
      env: { ...process.env, KUBECONFIG: s.kubeconfig, KUBECACHEDIR: s.cacheDir },
    });
    let seen = '';
    let log = '';
    watcher.stdout.on('data', (d: Buffer) => (seen += d.toString()));
    watcher.stderr.on('data', (d: Buffer) => (log += d.toString()));
    try {
      await s.until('the watch to start', () => (/watch=true 200 OK/.test(log) ? true : undefined));
      await s.ok(['create', '-f', file('watched.yaml', webPod('watched', dir))]);
      assert.equal(
        await s.ok(['wait', '--for=condition=Ready', 'pod/watched', '--timeout=30s']),
        'pod/watched condition met\n',
      );
      await s.until('Running in the watch', () => (/watched\s+1\/1\s+Running/.test(seen) ? true : undefined));
      const lines = seen.split('\n').filter((l) => l.startsWith('watched'));
      assert.match(lines[0] ?? '', /watched\s+0\/1\s+Pending/);
      assert.match(seen, /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    } finally {
      watcher.kill();
    }
  });

  test('delete waits for the graceful termination; --grace-period=0 --force removes at once and the process still dies', async () => {
    const deleted = await s.kubectl(['delete', 'pod', 'watched']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout, 'pod "watched" deleted\n');
    const gone = await s.kubectl(['get', 'pod', 'watched']);
    assert.equal(gone.stderr, 'Error from server (NotFound): pods "watched" not found\n');
    const logs = await s.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=watched']);
    assert.match(logs.stdout, /Killing\s+pod\/watched\s+Stopping container app/);

    const pid = Number((await s.ok(['exec', 'applied', '--', 'cat', join(dir, 'applied.pid')])).trim());
    assert.ok(alive(pid));
    const forced = await s.kubectl(['delete', 'pod', 'applied', '--grace-period=0', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(forced.stdout, 'pod "applied" force deleted\n');
    assert.match(forced.stderr, /Immediate deletion does not wait for confirmation/);
    assert.equal((await s.kubectl(['get', 'pod', 'applied'])).code, 1);
    await s.until('the force-deleted pod process to end', () => (alive(pid) ? undefined : true));

    const timed = await s.kubectl(['delete', 'pod', 'missing']);
    assert.equal(timed.stderr, 'Error from server (NotFound): pods "missing" not found\n');
    assert.equal((await s.kubectl(['delete', 'pod', 'missing', '--ignore-not-found'])).code, 0);
  });

  test("an invalid manifest is rejected with kubectl's usual message", async () => {
    const bad = file(
      'bad.yaml',
      `apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  restartPolicy: Sometimes
  containers:
  - name: app
`,
    );
    const r = await s.kubectl(['create', '-f', bad]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'The Pod "bad" is invalid: \n' +
        '* spec.containers[0].image: Required value\n' +
        '* spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"\n',
    );
    const typo = file(
      'typo.yaml',
      webPod('typo', dir).replace('image: busybox', 'image: busybox\n    imagePullPolcy: Always'),
    );
    const strict = await s.kubectl(['create', '-f', typo]);
    assert.match(
      strict.stderr,
      /Error from server \(BadRequest\): error when creating ".*typo.yaml": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers\[0\].imagePullPolcy"/,
    );
    const dup = await s.kubectl(['create', '-f', file('again.yaml', webPod('web', dir))]);
    assert.match(
      dup.stderr,
      /Error from server \(AlreadyExists\): error when creating ".*again.yaml": pods "web" already exists/,
    );
  });

  test('401 without a token', async () => {
    const res = await fetch(`${s.url}/api/v1/namespaces/default/pods`).catch((e: Error) => e);
    // Node's fetch refuses the self-signed CA; ask with the CA trusted instead.
    const { request } = await import('node:https');
    const { readFileSync } = await import('node:fs');
    const ca = Buffer.from(
      /certificate-authority-data: "([^"]+)"/.exec(readFileSync(s.kubeconfig, 'utf8'))?.[1] ?? '',
      'base64',
    );
    const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const req = request(`${s.url}/api/v1/namespaces/default/pods`, { ca }, (r) => {
        let body = '';
        r.on('data', (d: Buffer) => (body += d.toString()));
        r.on('end', () => resolve({ code: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.ok(res instanceof Error || res.status === 401);
    assert.equal(status.code, 401);
    assert.equal((JSON.parse(status.body) as { reason: string }).reason, 'Unauthorized');
    const noToken = file(
      'no-token.kubeconfig',
      readFileSync(s.kubeconfig, 'utf8').replace(/token: "[^"]+"/, 'token: "wrong"'),
    );
    const r = await s.kubectl(['get', 'pods'], { env: { KUBECONFIG: noToken } });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: You must be logged in to the server \(Unauthorized\)/);
  });

  test('a server restart keeps the pods, their uids and resourceVersions, and the running processes', async () => {
    // A container that writes nothing after start keeps running while nodelet is down (one that
    // writes would lose its output pipe with the old process and is restarted by the new one).
    // ($$ is Kubernetes' escape for a literal $, so the shell sees $$.)
    const command = `command: ["sh", "-c", "echo $$$$ > ${dir}/quiet.pid; exec sleep 3600"]`;
    const quiet = webPod('quiet', dir).replace(/command: \[.*\]/, () => command);
    await s.ok(['create', '-f', file('quiet.yaml', quiet)]);
    await s.ok(['wait', '--for=condition=Ready', 'pod/quiet', '--timeout=30s']);
    type Meta = { metadata: { uid: string; resourceVersion: string }; status: { phase: string } };
    const before = JSON.parse(await s.ok(['get', 'pod', 'quiet', '-o', 'json'])) as Meta;
    const webBefore = JSON.parse(await s.ok(['get', 'pod', 'web', '-o', 'json'])) as Meta;
    const pid = Number((await s.ok(['exec', 'quiet', '--', 'cat', join(dir, 'quiet.pid')])).trim());
    assert.equal(await s.stop('SIGTERM'), 0, s.log);
    assert.ok(alive(pid), 'stopping the server leaves the pod running');
    await s.start(['--crash-loop-backoff', '1s:5s']);
    const after = JSON.parse(await s.ok(['get', 'pod', 'quiet', '-o', 'json'])) as Meta;
    assert.equal(after.metadata.uid, before.metadata.uid);
    assert.ok(Number(after.metadata.resourceVersion) >= Number(before.metadata.resourceVersion));
    assert.equal(after.status.phase, 'Running');
    assert.equal(await s.ok(['exec', 'quiet', '--', 'cat', join(dir, 'quiet.pid')]), `${pid}\n`);
    assert.ok(alive(pid), 'the same process, adopted by the new server');
    const web = await s.until('web Running again', async () => {
      const p = JSON.parse(await s.ok(['get', 'pod', 'web', '-o', 'json'])) as Meta;
      return p.status.phase === 'Running' ? p : undefined;
    });
    assert.equal(web.metadata.uid, webBefore.metadata.uid);
    assert.match(await s.ok(['describe', 'pod', 'web']), /Started container app/);
  });
});
