import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import {
  isLive,
  parseStat,
  procInfo,
  procsWithEnv,
  procsWithEnvAsync,
  procsWithEnvSoon,
} from './proc-table.ts';

test('/proc/<pid>/stat is read after the last parenthesis of the command name', () => {
  const line = '4242 (we ird) (name) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 1 1';
  assert.deepEqual(parseStat(line), {
    pid: 4242,
    ppid: 1,
    pgid: 4242,
    sid: 4242,
    state: 'S',
    startTime: 987654,
  });
  assert.equal(parseStat('garbage'), undefined);
});

test('a process is found by an environment entry, and is no longer live once killed', async () => {
  const mark = `PROC_TABLE_TEST=${process.pid}-${Date.now()}`;
  const [name, value] = mark.split('=') as [string, string];
  const child = spawn('sleep', ['1000'], { env: { ...process.env, [name]: value }, stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  await new Promise((r) => child.once('spawn', r));
  const pid = child.pid ?? 0;
  try {
    const start = procInfo(pid)?.startTime;
    assert.ok(isLive(pid, start));
    assert.equal(isLive(pid, (start ?? 0) + 1), false, 'another start time is another process');
    // execve replaces the environment the spawned node-side process had: wait for sleep's own.
    for (let i = 0; i < 100 && procsWithEnv(mark).length === 0; i++)
      await new Promise((r) => setImmediate(r));
    assert.deepEqual(
      procsWithEnv(mark).map((p) => p.pid),
      [pid],
    );
    assert.deepEqual(
      (await procsWithEnvAsync(mark, start)).map((p) => p.pid),
      [pid],
    );
    assert.deepEqual(procsWithEnv(mark, (start ?? 0) + 1), [], 'older than the minimum start time');
    // Queries of one turn share one scan, and each gets only its own answer.
    const [mine, other, tooOld] = await Promise.all([
      procsWithEnvSoon(mark, start),
      procsWithEnvSoon(`${mark}-other`),
      procsWithEnvSoon(mark, (start ?? 0) + 1),
    ]);
    assert.deepEqual(
      mine.map((p) => p.pid),
      [pid],
    );
    assert.deepEqual(other, []);
    assert.deepEqual(tooOld, [], "older than that query's minimum start time");
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  assert.equal(isLive(pid), false);
  assert.deepEqual(procsWithEnv(mark), []);
});
