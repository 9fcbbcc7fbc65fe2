// postStart exactly once across a SIGKILL of `nodelet server` (src/kubelet/lifecycle/hook-journal.ts),
// on real processes: killed while the hook runs, the next start does not run it again, does not
// kill the container for it (restartCount stays 0, same PID), and records it as interrupted; the
// hook's own process, which outlived nodelet, finishes its work once. Killed after the hook
// finished: nothing runs again and the success stays on record.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findConmon } from '../../src/runtime/process/conmon-shim.ts';
import { hasKubectl, ServerUnderTest } from '../e2e/server-harness.ts';

const skip = !hasKubectl ? 'kubectl is not installed' : !findConmon() ? 'conmon is not installed' : false;

interface PodJson {
  metadata: { annotations?: Record<string, string> };
  status: {
    phase: string;
    containerStatuses?: { restartCount: number; state: { running?: object; waiting?: { reason: string } } }[];
  };
}

const lines = (f: string): string[] =>
  existsSync(f)
    ? readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];

describe('postStart exactly once across a SIGKILL of nodelet server', { skip }, () => {
  let s: ServerUnderTest;

  before(async () => {
    s = new ServerUnderTest();
    await s.start();
  });

  after(async () => {
    await s.cleanup();
  });

  const get = async (name: string): Promise<PodJson> =>
    JSON.parse(await s.ok(['get', 'pod', name, '-o', 'json'])) as PodJson;

  const pod = (name: string, hook: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo $$$$ > ${s.dir}/${name}.pid; while :; do sleep 0.2; done"]
    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", ${JSON.stringify(hook)}]
`;

  test('killed mid-hook: not run again, the container kept, the hook on record as interrupted', async () => {
    const d = s.dir;
    // The hook appends a line when it begins and another when it ends, 2 s later.
    const hook = `echo began >> ${d}/mid.began; sleep 2; echo ended >> ${d}/mid.ended`;
    await s.ok(['create', '-f', '-'], { input: pod('mid', hook) });
    await s.until('the hook to begin', () => (lines(join(d, 'mid.began')).length > 0 ? true : undefined));
    const waiting = await get('mid');
    assert.equal(waiting.status.containerStatuses?.[0]?.state.waiting?.reason, 'ContainerCreating');
    const pid = readFileSync(join(d, 'mid.pid'), 'utf8').trim();

    await s.stop('SIGKILL');
    await s.start();

    const running = await s.until('the pod to run after the restart', async () => {
      const p = await get('mid');
      return p.status.containerStatuses?.[0]?.state.running ? p : undefined;
    });
    assert.equal(running.status.containerStatuses?.[0]?.restartCount, 0, 'the container was not restarted');
    assert.equal(readFileSync(join(d, 'mid.pid'), 'utf8').trim(), pid, 'the same container process');
    // The hook's process outlived nodelet and finishes its work; nothing starts it again.
    await s.until('the hook to end', () => (lines(join(d, 'mid.ended')).length > 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(lines(join(d, 'mid.began')), ['began'], 'the hook began exactly once');
    assert.deepEqual(lines(join(d, 'mid.ended')), ['ended'], 'the hook ended exactly once');
    const p = await get('mid');
    assert.equal(p.status.containerStatuses?.[0]?.restartCount, 0);
    assert.match(p.metadata.annotations?.['lifecycle.nodelet.dev/app.postStart'] ?? '', /^interrupted at /);
    const events = await s.ok(['get', 'events', '--field-selector', 'involvedObject.name=mid']);
    assert.match(events, /PostStartHookInterrupted/);
  });

  test('killed after the hook finished: nothing runs again, the success stays on record', async () => {
    const d = s.dir;
    await s.ok(['create', '-f', '-'], { input: pod('done', `echo ran >> ${d}/done.ran`) });
    await s.ok(['wait', '--for=condition=Ready', 'pod/done', '--timeout=30s']);
    await s.stop('SIGKILL');
    await s.start();
    await s.ok(['wait', '--for=condition=Ready', 'pod/done', '--timeout=30s']);
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(lines(join(d, 'done.ran')), ['ran'], 'the hook ran exactly once');
    const p = await get('done');
    assert.equal(p.status.containerStatuses?.[0]?.restartCount, 0);
    assert.match(p.metadata.annotations?.['lifecycle.nodelet.dev/app.postStart'] ?? '', /^succeeded at /);
  });
});
