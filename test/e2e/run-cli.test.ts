// `nodelet run` as a user runs it: the real CLI in a child process, its stream, output and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'nodelet.js');

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function nodelet(
  args: string[],
  opts: { stdin?: string; signalWhen?: RegExp; secondWhen?: RegExp } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let signalled = false;
    let second = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Signal once the stream shows the awaited state, never on a timer (start-up time varies).
      if (opts.signalWhen && !signalled && opts.signalWhen.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
      if (opts.secondWhen && signalled && !second && opts.secondWhen.test(stderr)) {
        second = true;
        child.kill('SIGINT');
      }
    });
    child.stdin.end(opts.stdin ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function manifest(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nodelet-cli-'));
  const file = join(dir, 'pod.yaml');
  writeFileSync(file, text);
  return file;
}

test('a pod that succeeds: exit 0, the get -w lines and events on stderr, the wide table on stdout', async () => {
  const file = manifest(`apiVersion: v1
kind: Pod
metadata:
  name: once
spec:
  restartPolicy: Never
  containers:
  - name: job
    image: busybox
    command: ["sh", "-c", "echo hello from the job"]
`);
  const r = await nodelet(['run', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
  assert.match(r.stderr, /^once\s+0\/1\s+Completed\s+0\s+\S+$/m);
  assert.match(r.stderr, /Normal\s+Started\s+pod\/once\s+Started container job/);
  assert.match(r.stderr, /^\[once\/job\] hello from the job$/m);
  assert.match(
    r.stdout,
    /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/m,
  );
  assert.match(r.stdout, /^once\s+0\/1\s+Completed\s+0\s+\S+\s+127\.0\.0\.1\s+nodelet\s+<none>\s+<none>$/m);
});

test('a pod that fails: exit 1 and the Error status', async () => {
  const file = manifest(`apiVersion: v1
kind: Pod
metadata: {name: fails}
spec:
  restartPolicy: Never
  containers:
  - {name: job, image: busybox, command: ["sh", "-c", "exit 3"]}
`);
  const r = await nodelet(['run', file, '-o', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const pod = JSON.parse(r.stdout) as {
    status: {
      phase: string;
      containerStatuses: { state: { terminated: { exitCode: number; reason: string } } }[];
    };
  };
  assert.equal(pod.status.phase, 'Failed');
  assert.equal(pod.status.containerStatuses[0]?.state.terminated.exitCode, 3);
  assert.equal(pod.status.containerStatuses[0]?.state.terminated.reason, 'Error');
});

test('invalid input: exit 2, every error with its field path, nothing runs', async () => {
  const marker = join(mkdtempSync(join(tmpdir(), 'nodelet-cli-')), 'ran');
  const file = manifest(`apiVersion: v1
kind: Pod
metadata:
  name: Bad_Name
spec:
  restartPolicy: Sometimes
  containers:
  - image: busybox
    command: ["touch", "${marker}"]
`);
  const r = await nodelet(['run', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /metadata\.name: Invalid value: "Bad_Name"/);
  assert.match(r.stderr, /spec\.containers\[0\]\.name: Required value/);
  assert.match(
    r.stderr,
    /spec\.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"/,
  );
  assert.equal(existsSync(marker), false);
});

test('lifecycle-demo with --timeout: postStart output, preStop before SIGTERM, the final Pod as JSON', async () => {
  const r = await nodelet([
    'run',
    join(import.meta.dirname, '..', '..', 'examples', 'lifecycle-demo.yaml'),
    '--timeout',
    '3s',
    '-o',
    'json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /postStart hook succeeded .*Hello from the postStart handler/);
  const preStop = r.stderr.indexOf('preStop hook succeeded');
  const sigterm = r.stderr.indexOf('got SIGTERM');
  assert.ok(
    preStop > 0 && sigterm > preStop,
    `preStop (${preStop}) must come before SIGTERM (${sigterm}):\n${r.stderr}`,
  );
  const pod = JSON.parse(r.stdout) as {
    kind: string;
    metadata: { name: string; annotations: Record<string, string> };
    status: { phase: string };
  };
  assert.equal(pod.kind, 'Pod');
  assert.equal(pod.metadata.name, 'lifecycle-demo');
  assert.match(
    pod.metadata.annotations['lifecycle.nodelet.dev/lifecycle-demo-container.postStart'] ?? '',
    /Hello from the postStart handler/,
  );
  assert.equal(pod.status.phase, 'Succeeded');
  assert.equal(readFileSync('/tmp/nodelet-demo/message', 'utf8'), 'Hello from the postStart handler\n');
});

test('SIGINT stops the pods gracefully and exits 0; the manifest can come from stdin', async () => {
  const r = await nodelet(['run', '-'], {
    stdin: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"stdin-pod"},"spec":{"terminationGracePeriodSeconds":5,"containers":[{"name":"c","image":"x","command":["sh","-c","trap 'echo term; exit 0' TERM; while true; do sleep 0.1; done"]}]}}`,
    signalWhen: /^stdin-pod\s+1\/1\s+Running/m,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /Killing\s+pod\/stdin-pod\s+Stopping container c/);
  assert.match(r.stderr, /^\[stdin-pod\/c\] term$/m);
  assert.match(r.stdout, /^stdin-pod\s+0\/1\s+Completed/m);
});

test('several pods: -o yaml prints a v1 List', async () => {
  const file = manifest(`apiVersion: v1
kind: Pod
metadata: {name: a}
spec: {restartPolicy: Never, containers: [{name: c, image: x, command: ["true"]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b}
spec: {restartPolicy: Never, containers: [{name: c, image: x, command: ["true"]}]}
`);
  const r = await nodelet(['run', file, '-o', 'yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^kind: List$/m);
  assert.match(r.stdout, /name: a$/m);
  assert.match(r.stdout, /name: b$/m);
});

test('a second SIGINT kills at once, without waiting for the grace period', async () => {
  const started = Date.now();
  const r = await nodelet(['run', '-'], {
    stdin: `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"stubborn"},"spec":{"terminationGracePeriodSeconds":60,"containers":[{"name":"c","image":"x","command":["sh","-c","trap 'echo ignoring' TERM; while true; do sleep 0.1; done"]}]}}`,
    signalWhen: /^stubborn\s+1\/1\s+Running/m,
    secondWhen: /Stopping container c/,
  });
  assert.match(r.stderr, /interrupt again to kill at once/);
  // The 60 s grace period was not waited for.
  assert.ok(Date.now() - started < 30_000);
  assert.equal(r.code, 0, r.stderr);
});

test('a reader that goes away (| head) does not strand the containers', async () => {
  const marker = `nodelet-pipe-${process.pid}-${Date.now()}`;
  const file = manifest(`apiVersion: v1
kind: Pod
metadata: {name: piped}
spec:
  restartPolicy: Never
  containers:
  - {name: c, image: x, command: ["sh", "-c", "sleep 2 # ${marker}"]}
`);
  const child = spawn(process.execPath, [BIN, 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Read the first chunk, then close both pipes, as `head` does.
  await new Promise<void>((resolve) => child.stderr.once('data', () => resolve()));
  child.stdout.destroy();
  child.stderr.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 0);
  const { execFileSync } = await import('node:child_process');
  let left = '';
  try {
    left = execFileSync('pgrep', ['-f', marker], { encoding: 'utf8' });
  } catch {
    left = ''; // pgrep exits 1 when nothing matches
  }
  assert.equal(left.trim(), '', 'no container process is left behind');
});
