import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { ContainerRuntime, ContainerStatus } from '../runtime/runtime.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { allLogs, ContainerLogManager, rotatedName, validateLogRotationPolicy } from './log-rotation.ts';

const root = mkdtempSync(join(tmpdir(), 'log-rotation-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Just enough of a runtime: containers with a log path, and a reopen that creates the file anew. */
function stubRuntime(dir: string, opts: { reopenFails?: boolean; noReopen?: boolean } = {}) {
  const containers: ContainerStatus[] = [];
  const reopened: string[] = [];
  const add = (id: string, state: ContainerStatus['state'] = 'running'): string => {
    const logPath = join(dir, `${id}.log`);
    writeFileSync(logPath, '');
    containers.push({
      id,
      sandboxId: 's',
      podUid: 'u',
      name: id,
      attempt: 0,
      state,
      image: 'i',
      imageRef: 'i',
      labels: {},
      createdAt: 0,
      logPath,
    });
    return logPath;
  };
  const runtime = {
    listContainers: () => Promise.resolve(containers),
    containerStatus: (id: string) => {
      const c = containers.find((x) => x.id === id);
      return c ? Promise.resolve(c) : Promise.reject(new Error('not found'));
    },
    ...(opts.noReopen
      ? {}
      : {
          reopenContainerLog: (id: string) => {
            if (opts.reopenFails) return Promise.reject(new Error('conmon is gone'));
            reopened.push(id);
            const c = containers.find((x) => x.id === id);
            if (c) writeFileSync(c.logPath, '', { flag: 'a' });
            return Promise.resolve();
          },
        }),
  } as unknown as ContainerRuntime;
  return { runtime, add, reopened };
}

const record = (text: string): string => `2026-01-01T00:00:00Z stdout F ${text}\n`;

describe('ContainerLogManager', () => {
  test('the policy is checked as the kubelet checks it', () => {
    assert.throws(
      () => validateLogRotationPolicy({ maxSize: 10, maxFiles: 1 }),
      /invalid MaxFiles 1, must be > 1/,
    );
    assert.doesNotThrow(() => validateLogRotationPolicy({ maxSize: 10, maxFiles: 2 }));
  });

  test('rotated names carry the time as YYYYMMDD-hhmmss', () => {
    assert.equal(rotatedName('/l/0.log', Date.UTC(2026, 11, 3, 7, 8, 9, 500)), '/l/0.log.20261203-070809');
  });

  test('every 10 s a log at or over maxSize is rotated: renamed, reopened, older ones gzipped, at most maxFiles kept', async () => {
    const dir = mkdtempSync(join(root, 'a-'));
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 0, 0, 0));
    const { runtime, add, reopened } = stubRuntime(dir);
    const log = add('c1');
    const small = add('c2');
    const m = new ContainerLogManager({ runtime, clock, maxSize: 1000, maxFiles: 3 });
    m.start();
    appendFileSync(small, record('small'));
    let n = 0;
    const contents: string[] = [];
    for (let round = 0; round < 6; round++) {
      // The container writes 1200 bytes between two checks.
      let text = '';
      while (text.length < 1200) text += record(`line ${n++}`);
      appendFileSync(log, text);
      contents.push(text);
      await clock.advance(10_000);
      await m.idle();
    }
    await m.stop();
    assert.equal(reopened.filter((id) => id === 'c1').length, 6, 'one rotation per round');
    assert.ok(!reopened.includes('c2'), 'a log under the limit is left alone');
    const files = readdirSync(dir)
      .filter((f) => f.startsWith('c1.log'))
      .sort();
    // maxFiles 3: the live file, the newest rotated one (plain), one older (gzipped).
    assert.equal(files.length, 3, files.join(' '));
    assert.equal(files[0], 'c1.log');
    assert.match(files[1] ?? '', /^c1\.log\.\d{8}-\d{6}\.gz$/);
    assert.match(files[2] ?? '', /^c1\.log\.\d{8}-\d{6}$/);
    assert.equal(statSync(log).size, 0, 'the live file is the new, empty one');
    // Nothing of the kept rounds is lost or altered: round 5 gzipped, round 6 plain.
    assert.equal(gunzipSync(readFileSync(join(dir, files[1] ?? ''))).toString(), contents[4]);
    assert.equal(readFileSync(join(dir, files[2] ?? ''), 'utf8'), contents[5]);
    assert.deepEqual(
      (await allLogs(log)).map((f) => f.slice(dir.length + 1)),
      [files[1], files[2], 'c1.log'],
    );
  });

  test('leftovers of an interrupted rotation go: temporaries, and plain files that exist gzipped', async () => {
    const dir = mkdtempSync(join(root, 'b-'));
    const clock = new FakeClock();
    const { runtime, add } = stubRuntime(dir);
    const log = add('c1');
    writeFileSync(`${log}.20250101-000000`, 'old');
    writeFileSync(`${log}.20250101-000000.gz`, 'x');
    writeFileSync(`${log}.20250101-000010.gz.tmp`, 'x');
    appendFileSync(log, record('x'.repeat(100)));
    const m = new ContainerLogManager({ runtime, clock, maxSize: 10, maxFiles: 5 });
    await m.rotateLogs();
    const files = readdirSync(dir).sort();
    assert.deepEqual(files.length, 3, files.join(' '));
    assert.ok(files.includes('c1.log.20250101-000000.gz'));
    assert.ok(!files.includes('c1.log.20250101-000000'));
    assert.ok(!files.some((f) => f.endsWith('.tmp')));
  });

  test('a failed reopen puts the log back, so the next round tries again', async () => {
    const dir = mkdtempSync(join(root, 'c-'));
    const clock = new FakeClock();
    const { runtime, add } = stubRuntime(dir, { reopenFails: true });
    const log = add('c1');
    appendFileSync(log, record('x'.repeat(100)));
    const errors: string[] = [];
    const m = new ContainerLogManager({
      runtime,
      clock,
      maxSize: 10,
      maxFiles: 5,
      onError: (_id, e) => errors.push(e.message),
    });
    await m.rotateLogs();
    assert.deepEqual(readdirSync(dir), ['c1.log']);
    assert.match(errors[0] ?? '', /failed to reopen container log "c1": conmon is gone/);
  });

  test('only running containers are looked at; a missing log is reopened', async () => {
    const dir = mkdtempSync(join(root, 'd-'));
    const clock = new FakeClock();
    const { runtime, add, reopened } = stubRuntime(dir);
    const done = add('exited', 'exited');
    appendFileSync(done, record('x'.repeat(100)));
    const gone = add('gone');
    rmSync(gone);
    const m = new ContainerLogManager({ runtime, clock, maxSize: 10, maxFiles: 5 });
    await m.rotateLogs();
    assert.deepEqual(reopened, ['gone']);
    assert.ok(existsSync(gone));
    assert.deepEqual(readdirSync(dir).sort(), ['exited.log', 'gone.log']);
  });

  test('a negative maxSize, or a runtime without reopen, turns rotation off', () => {
    const dir = mkdtempSync(join(root, 'e-'));
    const clock = new FakeClock();
    assert.equal(
      new ContainerLogManager({ runtime: stubRuntime(dir).runtime, clock, maxSize: -1 }).enabled,
      false,
    );
    assert.equal(
      new ContainerLogManager({ runtime: stubRuntime(dir, { noReopen: true }).runtime, clock }).enabled,
      false,
    );
    const m = new ContainerLogManager({ runtime: stubRuntime(dir).runtime, clock });
    assert.deepEqual(m.policy, { maxSize: 10 * 1024 * 1024, maxFiles: 5 });
    m.start();
    assert.equal(clock.timers, 1, 'one check pending');
  });
});
