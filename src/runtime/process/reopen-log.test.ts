// CRI ReopenContainerLog on the process runtime, on real processes: under conmon (the message on its
// control FIFO) and with nodelet as the parent. After the log is renamed and reopened, the output
// goes on in a new file at the log path and the renamed one keeps what came before: no line is lost
// or written twice across the two files.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { realClock } from '../../util/clock.ts';
import { readCriLogAll } from '../cri-log.ts';
import { findConmon } from './conmon-shim.ts';
import { ProcessRuntime } from './process-runtime.ts';

const roots: string[] = [];
const runtimes: ProcessRuntime[] = [];
after(async () => {
  for (const r of runtimes) {
    for (const c of await r.listContainers()) await r.removeContainer(c.id).catch(() => undefined);
    await r.close();
  }
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});

async function until(cond: () => boolean | Promise<boolean>, what: string, maxMs = 10_000): Promise<void> {
  const end = Date.now() + maxMs;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await realClock.sleep(10);
  }
}

async function ticker(shim: 'conmon' | 'none') {
  const root = mkdtempSync(join(tmpdir(), 'reopen-log-'));
  roots.push(root);
  const rt = new ProcessRuntime({ root, clock: realClock, shim });
  runtimes.push(rt);
  const sb = await rt.runPodSandbox({
    podUid: `u-${shim}`,
    podName: 'p',
    namespace: 'ns',
    attempt: 0,
    hostname: 'p',
  });
  const id = await rt.createContainer(sb.id, {
    name: 'app',
    attempt: 0,
    image: 'busybox',
    command: ['sh', '-c', 'i=0; while :; do echo tick $i; i=$((i+1)); sleep 0.01; done'],
    env: [],
    terminationMessagePath: '/dev/termination-log',
    labels: {},
  });
  await rt.startContainer(id);
  const { logPath } = await rt.containerStatus(id);
  return { rt, id, logPath };
}

const ticks = async (path: string): Promise<number[]> =>
  (await readCriLogAll(path))
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => Number(l.replace(/^tick /, '')));

for (const shim of ['conmon', 'none'] as const) {
  describe(
    `reopenContainerLog (${shim === 'conmon' ? 'under conmon' : 'nodelet the parent'})`,
    {
      skip: shim === 'conmon' && !findConmon() ? 'conmon is not installed' : false,
    },
    () => {
      test('output goes on in a new file at the path; the renamed one keeps the lines before', async () => {
        const { rt, id, logPath } = await ticker(shim);
        await until(async () => (await ticks(logPath)).length >= 5, 'first ticks');
        renameSync(logPath, `${logPath}.1`);
        await rt.reopenContainerLog(id);
        assert.ok(existsSync(logPath), 'a new log file at the path');
        await until(async () => (await ticks(logPath)).length >= 5, 'ticks in the new file');
        await rt.stopContainer(id, 0);
        const before = await ticks(`${logPath}.1`);
        const afterwards = await ticks(logPath);
        const all = [...before, ...afterwards];
        all.forEach((n, i) =>
          assert.equal(n, i, `tick ${i} is ${n}: a line lost or doubled across the files`),
        );
        assert.ok(readFileSync(logPath, 'utf8').length > 0);
      });

      test('a container that is not running cannot have its log reopened', async () => {
        const { rt, id } = await ticker(shim);
        await rt.stopContainer(id, 0);
        await assert.rejects(rt.reopenContainerLog(id), /is not running/);
        await assert.rejects(rt.reopenContainerLog('nope'), /not found/);
      });
    },
  );
}
