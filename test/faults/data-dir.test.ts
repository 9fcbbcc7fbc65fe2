// `nodelet server --data-dir X` on a data directory it cannot use: a corrupt or truncated
// store.db, a file where the directory should be, a read-only disk, a full disk, a directory
// held by another nodelet. Each gets one clear line naming the path and the cause and a non-zero
// exit, never a crash trace; the store file is never overwritten; on a disk that fills while
// serving, writes get a 500 Status, nothing acknowledged is lost and the server keeps answering.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const BIN = new URL('../../bin/nodelet.js', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'nodelet-data-dir-'));
const mounts: string[] = [];
after(() => {
  for (const m of mounts.reverse()) spawnSync('umount', ['-l', m]);
  rmSync(root, { recursive: true, force: true });
});

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function serverArgs(dataDir: string): string[] {
  return [BIN, 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--node-name', 'data-dir-node'];
}

/** Runs a server that is expected to refuse to start; resolves when it exits. */
function runToExit(dataDir: string, timeoutMs = 30_000): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, serverArgs(dataDir), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nodelet server did not exit within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The refusal: exit 1, one `error:` line naming what and why, no stack trace. */
function assertRefused(r: Exit, path: string, cause: RegExp): void {
  assert.equal(r.code, 1, `exit code ${r.code}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  const error = lines.find((l) => l.startsWith('error: '));
  assert.ok(error, `no error line in:\n${r.stderr}`);
  assert.ok(error.includes(path), `the error does not name ${path}: ${error}`);
  assert.match(error, cause);
  assert.ok(!/^\s+at /m.test(r.stderr), `a stack trace:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Error \[|TypeError|RangeError|node:internal/);
}

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A store with objects in it, written by SqliteStore itself, then closed. */
function writeStore(file: string, count: number): void {
  const s = SqliteStore.open(file);
  for (let i = 0; i < count; i++) {
    s.create(
      { resource: 'configmaps', namespace: 'default', name: `cm-${i}` },
      { metadata: { name: `cm-${i}`, namespace: 'default' }, data: { v: 'x'.repeat(500) } },
    );
  }
  s.close();
}

class RunningServer {
  child: ChildProcess;
  output = '';
  url = '';
  private ca = '';
  private token = '';

  readonly dataDir: string;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
    this.child = spawn(process.execPath, serverArgs(dataDir), { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async ready(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        this.output += d.toString();
        const m = /serving the Kubernetes API at (\S+)/.exec(this.output);
        if (m?.[1] && this.output.includes('export KUBECONFIG=')) {
          this.url = m[1];
          resolve();
        }
      };
      this.child.stdout?.on('data', onData);
      this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
      this.child.once('exit', (code) =>
        reject(new Error(`nodelet server exited with ${code}:\n${this.output}`)),
      );
    });
    const kc = parseYaml(readFileSync(join(this.dataDir, 'kubeconfig'), 'utf8')) as {
      clusters: { cluster: { 'certificate-authority-data': string } }[];
      users: { user: { token: string } }[];
    };
    this.ca = Buffer.from(kc.clusters[0]?.cluster['certificate-authority-data'] ?? '', 'base64').toString();
    this.token = kc.users[0]?.user.token ?? '';
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  api(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ code: number; body: Record<string, unknown> }> {
    const url = new URL(path, this.url);
    return new Promise((resolve, reject) => {
      const req = request(
        url,
        {
          method,
          ca: this.ca,
          headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
          timeout: 10_000,
        },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () =>
            resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
          );
        },
      );
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer`)));
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  }

  async stop(): Promise<number | null> {
    if (!this.alive) return this.child.exitCode;
    const exited = new Promise<number | null>((r) => this.child.once('exit', (code) => r(code)));
    this.child.kill('SIGTERM');
    return exited;
  }
}

const configMap = (name: string): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name },
  involvedObject: { kind: 'Pod', name: 'x', namespace: 'default' },
  reason: 'Test',
  message: name,
  type: 'Normal',
});

/** Mounts a tmpfs (root only); undefined where this machine does not allow it. */
function tmpfs(dir: string, options: string): string | undefined {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  if (r.status !== 0) return undefined;
  mounts.push(dir);
  return dir;
}

const canMount = process.getuid?.() === 0 && tmpfs(join(root, 'probe'), 'size=1m') !== undefined;
const noMount = canMount ? false : 'mounting a tmpfs needs root (and a kernel that allows it here)';

describe('a data directory nodelet cannot use', () => {
  test('store.db of random bytes: refused, and the file left byte for byte', async () => {
    const dir = join(root, 'random');
    mkdirSync(dir);
    const file = join(dir, 'store.db');
    writeFileSync(file, createHash('sha512').update('not a database').digest().toString('hex').repeat(500));
    const before = sha(file);
    assertRefused(
      await runToExit(dir),
      file,
      /is not a nodelet store \(file is not a database\); it is left as it is/,
    );
    assert.equal(sha(file), before);
  });

  test('a truncated store.db: refused as damaged, and the file left byte for byte', async () => {
    const dir = join(root, 'truncated');
    mkdirSync(dir);
    const file = join(dir, 'store.db');
    writeStore(file, 400);
    const size = readFileSync(file).length;
    truncateSync(file, Math.floor(size * 0.6));
    const before = sha(file);
    assertRefused(await runToExit(dir), file, /is damaged \(database disk image is malformed\)/);
    assert.equal(sha(file), before);
  });

  test('a file where the data directory should be', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    assertRefused(await runToExit(file), file, /is a file, not a directory/);
    assertRefused(await runToExit(join(file, 'sub')), file, /is a file, not a directory/);
    assert.equal(readFileSync(file, 'utf8'), 'x');
  });

  test('a directory where store.db should be', async () => {
    const dir = join(root, 'store-is-dir');
    mkdirSync(join(dir, 'store.db'), { recursive: true });
    assertRefused(await runToExit(dir), join(dir, 'store.db'), /is a directory, not a store file/);
  });

  test('a read-only disk', { skip: noMount }, async () => {
    const ro = tmpfs(join(root, 'ro'), 'size=1m,ro');
    assert.ok(ro);
    assertRefused(await runToExit(ro), ro, /read-only file system \(EROFS\)/);
    assertRefused(await runToExit(join(ro, 'sub')), ro, /not writable: read-only file system/);
  });

  test('a disk already full', { skip: noMount }, async () => {
    const full = tmpfs(join(root, 'full-at-start'), 'size=256k');
    assert.ok(full);
    fill(join(full, 'filler'));
    const r = await runToExit(join(full, 'data'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^error: .*(no space left on device|disk is full)/im);
    assert.ok(!/^\s+at /m.test(r.stderr), `a stack trace:\n${r.stderr}`);
  });

  test('held by another nodelet: the second one says so and exits; the first serves on', async () => {
    const dir = join(root, 'held');
    const first = new RunningServer(dir);
    try {
      await first.ready();
      assertRefused(
        await runToExit(dir),
        join(dir, 'store.db'),
        /is in use by another process \(is another nodelet running on this data directory\?\)/,
      );
      assert.ok(first.alive);
      const v = await first.api('GET', '/version');
      assert.equal(v.code, 200);
    } finally {
      await first.stop();
    }
  });
});

/** Writes zeros until the disk is full. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
  // The last bytes: smaller writes until not one more fits.
  const fd2 = openSync(file, 'a');
  try {
    for (;;) writeSync(fd2, Buffer.alloc(512));
  } catch {
    // full
  } finally {
    closeSync(fd2);
  }
}

describe('a disk that fills while serving', { skip: noMount }, () => {
  test('writes answer 500 with the cause, reads go on, nothing acknowledged is lost, and writes work again once there is room', async () => {
    const disk = tmpfs(join(root, 'fills'), 'size=24m');
    assert.ok(disk);
    const dir = join(disk, 'data');
    const server = new RunningServer(dir);
    const filler = join(disk, 'filler');
    const acknowledged: string[] = [];
    try {
      await server.ready();
      for (let i = 0; i < 5; i++) {
        const r = await server.api('POST', '/api/v1/namespaces/default/events', configMap(`before-${i}`));
        assert.equal(r.code, 201, JSON.stringify(r.body));
        acknowledged.push(`before-${i}`);
      }
      // A pod that keeps crashing: the kubelet writes its status and events while the disk is full.
      const pod = await server.api('POST', '/api/v1/namespaces/default/pods', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'crasher' },
        spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 1'] }] },
      });
      assert.equal(pod.code, 201, JSON.stringify(pod.body));
      acknowledged.push('crasher');
      fill(filler);
      // Writes until one is refused (SQLite may still have room in pages it holds).
      let refused: { code: number; body: Record<string, unknown> } | undefined;
      for (let i = 0; i < 500 && refused === undefined; i++) {
        const r = await server.api('POST', '/api/v1/namespaces/default/events', configMap(`during-${i}`));
        if (r.code === 201) acknowledged.push(`during-${i}`);
        else refused = r;
      }
      assert.ok(refused, 'no write was refused on a full disk');
      assert.equal(refused.code, 500, JSON.stringify(refused.body));
      assert.equal(refused.body.kind, 'Status');
      assert.equal(refused.body.reason, 'InternalError');
      assert.match(String(refused.body.message), /disk is full/);
      // Reads and the server itself carry on; heartbeats and controllers failing to write do not
      // bring it down.
      const list = await server.api('GET', '/api/v1/namespaces/default/events');
      assert.equal(list.code, 200);
      // Long enough for a node heartbeat (every 10 s) and the pod's restarts to fail to be written.
      await new Promise((r) => setTimeout(r, 11_000));
      assert.ok(server.alive, `the server died on a full disk:\n${server.output}`);
      assert.equal((await server.api('GET', '/version')).code, 200);
      // Room again: writes succeed again.
      unlinkSync(filler);
      const after = await server.api('POST', '/api/v1/namespaces/default/events', configMap('after'));
      assert.equal(after.code, 201, JSON.stringify(after.body));
      acknowledged.push('after');
    } finally {
      rmSync(filler, { force: true });
      assert.equal(await server.stop(), 0, server.output);
    }
    // Everything acknowledged is in the store, as the next start reads it.
    const s = SqliteStore.open(join(dir, 'store.db'));
    try {
      const names = new Set(s.list('events', { namespace: 'default' }).items.map((o) => o.metadata?.name));
      names.add(s.get({ resource: 'pods', namespace: 'default', name: 'crasher' })?.metadata?.name);
      for (const n of acknowledged) assert.ok(names.has(n), `${n} was acknowledged, then lost`);
      assert.ok(acknowledged.includes('after'));
    } finally {
      s.close();
    }
  });
});
