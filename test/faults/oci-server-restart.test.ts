// `nodelet server --runtime oci` stopped by SIGTERM, then killed by SIGKILL, while pods run in real
// containers (runc under conmon): the next start finds the same containers (same IDs, same host
// PIDs from runc's pidfile in each bundle), restart counts and readiness unchanged, logs continuous
// across both gaps, a container that exited while no nodelet ran reported with its real exit code
// and restarted as its policy says, and a postStart hook that ran once is not run again.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hasKubectl, ServerUnderTest } from '../e2e/server-harness.ts';
import { buildImages, ociSkip, startRegistry, type TestRegistry } from '../fixtures/images/test-images.ts';
import { removeOciLeftovers } from '../fixtures/oci-leftovers.ts';

const skip = !hasKubectl ? 'kubectl is not at /usr/bin/kubectl' : ociSkip();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface ContainerStatus {
  containerID?: string;
  restartCount: number;
  ready: boolean;
  state: { running?: object; terminated?: { exitCode: number } };
  lastState: { terminated?: { exitCode: number; reason: string } };
}
interface PodJson {
  status: { phase: string; containerStatuses?: ContainerStatus[] };
}

describe('nodelet server --runtime oci restarts with pods running', { skip }, () => {
  let s: ServerUnderTest;
  let registry: TestRegistry;
  let args: string[];

  before(async () => {
    const images = await buildImages();
    registry = await startRegistry();
    await registry.push(images.busyboxArchive, 'library/busybox', 'latest');
    args = [
      '--runtime',
      'oci',
      '--registry-mirror',
      `docker.io=${registry.url}`,
      '--crash-loop-backoff',
      '1s:5s',
    ];
    s = new ServerUnderTest();
    await s.start(args);
  });

  after(async () => {
    if (s) await removeOciLeftovers(s);
    await registry?.stop();
  });

  const get = async (name: string): Promise<PodJson> =>
    JSON.parse(await s.ok(['get', 'pod', name, '-o', 'json'])) as PodJson;

  /** The host PID of a container's process: runc's pidfile in its bundle. */
  const hostPid = (containerID: string): number =>
    Number(
      readFileSync(
        join(s.dataDir, 'oci', 'containers', containerID.replace(/^oci:\/\//, ''), 'pidfile'),
        'utf8',
      ).trim(),
    );

  const assertContinuous = (logs: string, minLast: number): void => {
    const nums = logs
      .trim()
      .split('\n')
      .map((l) => Number(l.replace(/^tick /, '')));
    nums.forEach((n, i) => assert.equal(n, i, `line ${i} of the log is ${n}: the log has a gap`));
    assert.ok(nums.length > minLast, `the log goes on (${nums.length} lines, wanted more than ${minLast})`);
  };

  test('SIGTERM, then SIGKILL: same containers and host PIDs, counts, readiness; continuous logs; exits seen; hook once', async () => {
    // ($$ is Kubernetes' escape for a literal $.) The finisher waits for a file on a hostPath.
    const manifest = `apiVersion: v1
kind: Pod
metadata:
  name: ticker
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - name: hook
    emptyDir: {}
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "i=0; while :; do echo tick $$i; i=$$((i+1)); sleep 0.05; done"]
    volumeMounts:
    - {name: hook, mountPath: /hook}
    lifecycle:
      postStart:
        exec:
          command: ["sh", "-c", "echo ran >> /hook/poststart"]
---
apiVersion: v1
kind: Pod
metadata:
  name: fin
spec:
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 1
  volumes:
  - name: ctl
    hostPath: {path: ${s.dir}, type: Directory}
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "while [ ! -e /ctl/fin.go ]; do sleep 0.05; done; rm /ctl/fin.go; echo finishing; exit 3"]
    volumeMounts:
    - {name: ctl, mountPath: /ctl}
`;
    await s.ok(['create', '-f', '-'], { input: manifest });
    await s.ok(['wait', '--for=condition=Ready', 'pod/ticker', 'pod/fin', '--timeout=120s']);
    const first = (await get('ticker')).status.containerStatuses?.[0];
    const id = first?.containerID ?? '';
    assert.match(id, /^oci:\/\//);
    const pid = hostPid(id);
    assert.ok(pid > 1 && alive(pid), `the ticker's host PID ${pid} runs`);
    const hookRuns = async (): Promise<number> =>
      (await s.ok(['exec', 'ticker', '--', 'cat', '/hook/poststart'])).trim().split('\n').length;
    assert.equal(await hookRuns(), 1, 'postStart ran once');

    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      const logsBefore = await s.ok(['logs', 'ticker']);
      const finBefore = (await get('fin')).status.containerStatuses?.[0]?.restartCount ?? -1;
      const code = await s.stop(signal);
      if (signal === 'SIGTERM') assert.equal(code, 0, s.log);
      // While no nodelet runs: the ticker writes on, the finisher exits with 3.
      writeFileSync(join(s.dir, 'fin.go'), '');
      await new Promise((r) => setTimeout(r, 1000));
      assert.ok(alive(pid), `the container outlives the server's ${signal}`);
      const t0 = Date.now();
      await s.start(args);
      await s.ok(['wait', '--for=condition=Ready', 'pod/ticker', '--timeout=60s']);
      process.stderr.write(`oci ${signal}: restart to ticker Ready ${Date.now() - t0} ms\n`);

      const t = await get('ticker');
      const cs = t.status.containerStatuses?.[0];
      assert.equal(t.status.phase, 'Running');
      assert.equal(cs?.containerID, id, `${signal}: the same container`);
      assert.equal(hostPid(id), pid, `${signal}: the same host process`);
      assert.ok(alive(pid));
      assert.equal(cs?.restartCount, 0, `${signal}: the ticker was not restarted`);
      assert.equal(cs?.ready, true, `${signal}: the ticker is still ready`);
      assert.ok(cs?.state.running, `${signal}: the ticker still runs`);
      const lines = logsBefore.trim().split('\n').length;
      await new Promise((r) => setTimeout(r, 300));
      assertContinuous(await s.ok(['logs', 'ticker']), lines + 10);
      assert.equal(await hookRuns(), 1, `${signal}: postStart not run again`);

      const fin = await s.until(
        `fin restarted after ${signal}`,
        async () => {
          const c = (await get('fin')).status.containerStatuses?.[0];
          return c && c.restartCount === finBefore + 1 && c.state.running ? c : undefined;
        },
        60_000,
      );
      assert.equal(fin.lastState.terminated?.exitCode, 3);
      assert.equal(fin.lastState.terminated?.reason, 'Error');
      assert.match(await s.ok(['logs', 'fin', '--previous']), /finishing/);
    }
  });
});
