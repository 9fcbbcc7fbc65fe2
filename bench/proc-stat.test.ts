import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { parseRss, parseStat, sample, sampleNode } from './proc-stat.ts';

test('parseStat reads utime, stime, cutime and cstime after the command name', () => {
  const line =
    '22063 (cat) R 22019 22019 14564 0 -1 4194304 100 0 0 0 17 4 3 2 20 0 1 0 253007 3133440 410 18446744073709551615';
  assert.deepEqual(parseStat(line), { utime: 17, stime: 4, cutime: 3, cstime: 2, ppid: 22019 });
});

test('a command name with spaces and parentheses does not shift the fields', () => {
  const line = '7 (node (bench) x) S 1 7 7 0 -1 0 0 0 0 0 250 50 10 5 20 0 11 0 1 1 1 1';
  assert.deepEqual(parseStat(line), { utime: 250, stime: 50, cutime: 10, cstime: 5, ppid: 1 });
});

test('parseStat refuses what is not a stat line', () => {
  assert.throws(() => parseStat('nothing here'));
  assert.throws(() => parseStat('1 (x) S 1 2'));
});

test('parseRss reads VmRSS in kB as bytes', () => {
  assert.equal(parseRss('Name:\tnode\nVmHWM:\t  2000 kB\nVmRSS:\t    1972 kB\nThreads: 7\n'), 1972 * 1024);
  assert.throws(() => parseRss('Name: x\n'));
});

test('sampleNode adds the spawner helper of a process to it (its CPU, its children, its memory)', async () => {
  // This test process plays nodelet: a child named spawner-child.ts is its helper.
  const helper = fork(join(import.meta.dirname, '..', 'src', 'runtime', 'process', 'spawner-child.ts'), [], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  try {
    await new Promise((r) => helper.once('spawn', r));
    await new Promise((r) => setTimeout(r, 200));
    const own = sample(process.pid);
    const both = sampleNode(process.pid);
    const h = sample(helper.pid as number);
    assert.ok(both.rssBytes >= own.rssBytes + h.rssBytes * 0.5, 'the helper’s memory is counted');
    assert.ok(both.cpuMicros >= own.cpuMicros + h.cpuMicros * 0.5, 'the helper’s CPU is counted');
  } finally {
    helper.kill('SIGKILL');
  }
});
