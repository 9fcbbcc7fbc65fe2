// `nodelet server` stopped by SIGTERM, then killed by SIGKILL, while pods run on the process
// runtime: the next start finds the same processes (same PIDs), restart counts and readiness
// unchanged, logs continuous across both gaps, and a container that exited while no nodelet ran
// reported with its real exit code and restarted as its policy says. As the kubelet: containers
// outlive the node agent, which rebuilds pod status from the runtime when it starts.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findConmon } from '../../src/runtime/process/conmon-shim.ts';
import { hasKubectl, ServerUnderTest } from '../e2e/server-harness.ts';

const skip = !hasKubectl ? 'kubectl is not installed' : !findConmon() ? 'conmon is not installed' : false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface PodJson {
  status: {
    phase: string;
    containerStatuses?: {
      restartCount: number;
      ready: boolean;
      state: { running?: object; terminated?: { exitCode: number } };
      lastState: { terminated?: { exitCode: number; reason: string } };
    }[];
  };
}

describe('nodelet server restarts with pods running', { skip }, () => {
  let s: ServerUnderTest;
  let dir: string;

  before(async () => {
    s = new ServerUnderTest();
    dir = s.dir;
    await s.start();
  });

  after(async () => {
    await s.cleanup();
  });

  const pod = (name: string, policy: string, script: string): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  restartPolicy: ${policy}
  terminationGracePeriodSeconds: 2
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", ${JSON.stringify(script)}]
`;

  const get = async (name: string): Promise<PodJson> =>
    JSON.parse(await s.ok(['get', 'pod', name, '-o', 'json'])) as PodJson;

  /** The ticker's lines: consecutive numbers, none missing, none twice. */
  const assertContinuous = (logs: string, minLast: number): void => {
    const nums = logs
      .trim()
      .split('\n')
      .map((l) => Number(l.replace(/^tick /, '')));
    nums.forEach((n, i) => assert.equal(n, i, `line ${i} of the log is ${n}: the log has a gap`));
    assert.ok(nums.length > minLast, `the log goes on (${nums.length} lines, wanted more than ${minLast})`);
  };

  test('SIGTERM, then SIGKILL: same PIDs, counts, readiness; continuous logs; exits seen with their codes', async () => {
    // ($$ is Kubernetes' escape for a literal $.)
    const ticker = `echo $$$$ > ${dir}/ticker.pid; i=0; while :; do echo tick $$i; i=$$((i+1)); sleep 0.05; done`;
    const finisher = (n: string): string =>
      `while [ ! -e ${dir}/${n}.go ]; do sleep 0.05; done; rm ${dir}/${n}.go; echo finishing; exit 3`;
    await s.ok(['create', '-f', '-'], {
      input: [pod('ticker', 'Always', ticker), pod('fin', 'OnFailure', finisher('fin'))].join('---\n'),
    });
    await s.ok(['wait', '--for=condition=Ready', 'pod/ticker', 'pod/fin', '--timeout=30s']);
    const pid = Number((await s.ok(['exec', 'ticker', '--', 'cat', join(dir, 'ticker.pid')])).trim());

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const logsBefore = await s.ok(['logs', 'ticker']);
      const finBefore = (await get('fin')).status.containerStatuses?.[0]?.restartCount ?? -1;
      const code = await s.stop(signal);
      if (signal === 'SIGTERM') assert.equal(code, 0, s.log);
      // While no nodelet runs: the ticker writes on, the finisher exits with 3.
      writeFileSync(join(dir, 'fin.go'), '');
      await new Promise((r) => setTimeout(r, 700));
      assert.ok(alive(pid), `the container outlives the server's ${signal}`);
      await s.start(['--crash-loop-backoff', '1s:5s']);

      const t = await get('ticker');
      const cs = t.status.containerStatuses?.[0];
      assert.equal(t.status.phase, 'Running');
      assert.equal(cs?.restartCount, 0, `${signal}: the ticker was not restarted`);
      assert.equal(cs?.ready, true, `${signal}: the ticker is still ready`);
      assert.ok(cs?.state.running, `${signal}: the ticker still runs`);
      assert.equal(
        (await s.ok(['exec', 'ticker', '--', 'cat', join(dir, 'ticker.pid')])).trim(),
        String(pid),
        `${signal}: the same process`,
      );
      assert.ok(alive(pid));
      // Lines written while the server was down are in the log, in order, with no gap.
      const lines = logsBefore.trim().split('\n').length;
      await new Promise((r) => setTimeout(r, 200));
      assertContinuous(await s.ok(['logs', 'ticker']), lines + 10);

      // The finisher exited with 3 while no nodelet ran: seen with that code, restarted (OnFailure).
      const fin = await s.until(`fin restarted after ${signal}`, async () => {
        const p = await get('fin');
        const c = p.status.containerStatuses?.[0];
        return c && c.restartCount === finBefore + 1 && c.state.running ? c : undefined;
      });
      assert.equal(fin.lastState.terminated?.exitCode, 3);
      assert.equal(fin.lastState.terminated?.reason, 'Error');
      assert.match(await s.ok(['logs', 'fin', '--previous']), /finishing/);
    }
  });
});
