// `nodelet run` of files that hold ConfigMaps, Secrets and Services beside their Pods, as a user
// runs it: the real CLI in a child process. A host-process pod reads a ConfigMap key through its
// env; a `runtimeClassName: oci` pod on the same process-default node reads it, and a Secret,
// through volumes in a real container; a bad ConfigMap or an unknown RuntimeClass runs nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImages, ociSkip, startRegistry } from '../fixtures/images/test-images.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'nodelet.js');

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; with signalWhen, SIGINT once stderr shows it (as a user's Ctrl-C). */
function nodelet(args: string[], signalWhen?: RegExp): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (signalWhen && !signalled && signalWhen.test(stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function manifest(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'nodelet-run-objects-'));
  const file = join(dir, 'run.yaml');
  writeFileSync(file, text);
  return file;
}

const CONFIG = `apiVersion: v1
kind: ConfigMap
metadata:
  name: greeting
data:
  message: hello from a configmap
`;

test('a ConfigMap beside a host-process pod: the env valueFrom.configMapKeyRef finds it', async () => {
  // The Pod first: order in the file does not matter, the objects are created before any pod.
  const file = manifest(`apiVersion: v1
kind: Pod
metadata:
  name: reader
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: busybox
    command: ['sh', '-c', 'echo "MESSAGE=$MESSAGE"']
    env:
    - name: MESSAGE
      valueFrom:
        configMapKeyRef: {name: greeting, key: message}
---
${CONFIG}---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
`);
  const r = await nodelet(['run', file, '--timeout', '60s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^runtime: process \(host processes; the default/m);
  assert.match(r.stderr, /\[reader\/app\] MESSAGE=hello from a configmap/);
  assert.match(r.stdout, /reader\s+0\/1\s+Completed/);
});

test('a bad ConfigMap: exit 2, the API server’s wording with file and line, nothing runs', async () => {
  const file = manifest(`apiVersion: v1
kind: ConfigMap
metadata:
  name: x
data:
  "a b": "1"
---
apiVersion: v1
kind: Pod
metadata:
  name: never
spec:
  containers: [{name: c, image: busybox, command: ['sh', '-c', 'echo RAN']}]
`);
  const r = await nodelet(['run', file]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.trim(),
    `The ConfigMap "x" is invalid: ${file}:6: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
  );
  assert.doesNotMatch(r.stderr, /RAN/);
});

test('a RuntimeClass that does not exist: Forbidden, as the admission plugin says; nothing runs', async () => {
  const file = manifest(`apiVersion: v1
kind: Pod
metadata:
  name: g
spec:
  runtimeClassName: gvisor
  containers: [{name: c, image: busybox, command: ['sh', '-c', 'echo RAN']}]
`);
  const r = await nodelet(['run', file]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr.trim(),
    `${file}:6: pods "g" is forbidden: pod rejected: RuntimeClass "gvisor" not found`,
  );
});

test('kinds nodelet cannot run are refused naming the kind', async () => {
  const file = manifest('apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n');
  const r = await nodelet(['run', file]);
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /kind "Deployment" \(apps\/v1\) is not supported by nodelet; supported kinds: Pod \(v1\), ConfigMap \(v1\), Secret \(v1\), Service \(v1\)/,
  );
});

test(
  'runtimeClassName: oci on a process node: configMap and secret volumes in a real container, killed at exit',
  { skip: ociSkip() },
  async () => {
    const images = await buildImages();
    const registry = await startRegistry();
    const dataDir = mkdtempSync(join(tmpdir(), 'nodelet-run-objects-data-'));
    try {
      await registry.push(images.busyboxArchive, 'library/busybox', 'latest');
      const file = manifest(`${CONFIG}---
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: hunter2
---
apiVersion: v1
kind: Pod
metadata:
  name: boxed
spec:
  runtimeClassName: oci
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: busybox
    command: ['sh', '-c', 'echo "cm=$(cat /etc/greeting/message) secret=$(cat /etc/creds/password) host=$(hostname)"; exec sleep 300']
    volumeMounts:
    - {name: greeting, mountPath: /etc/greeting}
    - {name: creds, mountPath: /etc/creds}
  volumes:
  - name: greeting
    configMap: {name: greeting}
  - name: creds
    secret: {secretName: creds}
`);
      // Interrupted once the container has spoken: the run deletes the pod and exits.
      const r = await nodelet(
        [
          'run',
          file,
          '--timeout',
          '120s',
          '--data-dir',
          dataDir,
          '--registry-mirror',
          `docker.io=${registry.url}`,
        ],
        /\[boxed\/app\] cm=/,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /runtimeClassName oci: runc under conmon/);
      assert.match(r.stderr, /Pulling image "busybox"/);
      assert.match(r.stderr, /\[boxed\/app\] cm=hello from a configmap secret=hunter2 host=boxed/);
      assert.match(r.stderr, /stopping: deleting pods gracefully/);
      assert.match(r.stdout, /boxed\s+\S+\s+\S+\s+0\s+\S+\s+10\.87\./);
      // The run owns its containers: runc knows none of them once it has exited.
      const runcRoot = join(dataDir, 'oci', 'runc');
      if (existsSync(runcRoot)) {
        const list = spawnSync('runc', ['--root', runcRoot, 'list', '-q'], { encoding: 'utf8' });
        assert.equal(list.stdout.trim(), '', 'no runc container left');
      }
      const sandboxes = join(dataDir, 'oci', 'sandboxes');
      if (existsSync(sandboxes)) assert.deepEqual(readdirSync(sandboxes), []);
    } finally {
      await registry.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
);
