import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogFollower } from './log-follower.ts';

const cri = (text: string): string => `2026-01-01T00:00:00.000000000Z stdout F ${text}\n`;

test('a rotated log is read to its end, then the new file from its start, no line lost or doubled', () => {
  const dir = mkdtempSync(join(tmpdir(), 'follower-'));
  try {
    const path = join(dir, '0.log');
    const seen: string[] = [];
    const f = new LogFollower((prefix, _s, line) => seen.push(`${prefix} ${line}`));
    writeFileSync(path, cri('one'));
    f.follow(path, '[p/c]');
    f.poll();
    appendFileSync(path, cri('two'));
    renameSync(path, `${path}.20260101-000000`);
    appendFileSync(`${path}.20260101-000000`, cri('three'));
    writeFileSync(path, cri('four'));
    f.poll();
    appendFileSync(path, cri('five'));
    f.poll();
    f.poll();
    f.close();
    assert.deepEqual(seen, ['[p/c] one', '[p/c] two', '[p/c] three', '[p/c] four', '[p/c] five']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a log that does not exist yet is picked up once it appears', () => {
  const dir = mkdtempSync(join(tmpdir(), 'follower-'));
  try {
    const path = join(dir, '0.log');
    const seen: string[] = [];
    const f = new LogFollower((_p, stream, line) => seen.push(`${stream} ${line}`));
    f.follow(path, '[p/c]');
    f.poll();
    writeFileSync(path, cri('hello') + '2026-01-01T00:00:00Z stderr F oops\n');
    f.poll();
    f.close();
    assert.deepEqual(seen, ['stdout hello', 'stderr oops']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
