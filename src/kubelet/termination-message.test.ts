// The terminated state's message (reference §1.4): the termination-message file up to 4096 bytes;
// with FallbackToLogsOnError and a failed exit, the last 80 log lines capped at 2048 bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TerminationMessages } from './termination-message.ts';
import { ctr, rt } from '../testing/kubelet-harness.ts';
import type { SpecContainer } from './pod-util.ts';

const dir = mkdtempSync(join(tmpdir(), 'nodelet-termmsg-'));
let n = 0;

function files(message: string | undefined, logLines: string[]): { msgPath: string; logPath: string } {
  n++;
  const msgPath = join(dir, `msg-${n}`);
  const logPath = join(dir, `log-${n}`);
  if (message !== undefined) writeFileSync(msgPath, message);
  writeFileSync(logPath, logLines.map((l) => `2026-01-01T00:00:00.000000000Z stdout F ${l}\n`).join(''));
  return { msgPath, logPath };
}

function message(
  o: { file?: string; logs?: string[]; exitCode?: number; reason?: string; fallback?: boolean } = {},
): string | undefined {
  const { msgPath, logPath } = files(o.file, o.logs ?? []);
  const c = {
    ...rt('app', 'exited', { exitCode: o.exitCode ?? 1, ...(o.reason ? { reason: o.reason } : {}) }),
    logPath,
    terminationMessageHostPath: msgPath,
  };
  const sc: SpecContainer = {
    kind: 'regular',
    index: 0,
    container: ctr('app', o.fallback ? { terminationMessagePolicy: 'FallbackToLogsOnError' } : {}),
  };
  return new TerminationMessages().get(c, sc);
}

test('the termination-message file is the message, up to 4096 bytes', () => {
  assert.equal(message({ file: 'bye\n' }), 'bye\n');
  assert.equal(message({ file: 'x'.repeat(5000) })?.length, 4096);
  assert.equal(message({ file: '' }), undefined);
});

test('without FallbackToLogsOnError the logs are never used', () => {
  assert.equal(message({ logs: ['boom'] }), undefined);
});

test('FallbackToLogsOnError: the log tail when the exit failed and the file is empty', () => {
  assert.equal(message({ fallback: true, logs: ['one', 'two'] }), 'one\ntwo\n');
  assert.equal(message({ fallback: true, logs: ['one'], exitCode: 0 }), undefined, 'not after exit 0');
  assert.equal(message({ fallback: true, logs: ['one'], file: 'from file' }), 'from file', 'the file wins');
  assert.equal(message({ fallback: true, logs: ['one'], reason: 'ContainerCannotRun' }), undefined);
});

test('FallbackToLogsOnError: at most the last 80 lines and 2048 bytes', () => {
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
  const m = message({ fallback: true, logs: lines });
  assert.equal(m?.split('\n').filter(Boolean).length, 80);
  assert.ok(m?.startsWith('line 20\n'));
  const long = Array.from({ length: 50 }, (_, i) => `${i}:${'y'.repeat(100)}`);
  const capped = message({ fallback: true, logs: long });
  assert.equal(capped?.length, 2048);
  assert.ok(capped?.endsWith(`49:${'y'.repeat(100)}\n`));
});

test('a message is read once per container instance', () => {
  const { msgPath, logPath } = files('first', []);
  const c = { ...rt('app', 'exited', { exitCode: 1 }), logPath, terminationMessageHostPath: msgPath };
  const sc: SpecContainer = { kind: 'regular', index: 0, container: ctr('app') };
  const cache = new TerminationMessages();
  assert.equal(cache.get(c, sc), 'first');
  writeFileSync(msgPath, 'second');
  assert.equal(cache.get(c, sc), 'first');
  assert.equal(cache.get({ ...c, state: 'running' }, sc), undefined, 'only exited instances have one');
});
