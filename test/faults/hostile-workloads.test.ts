// Hostile workloads do not hurt the node, on real processes through `nodelet server`: a container
// writing logs as fast as it can (rotated by size as the kubelet does), hooks and probes that never
// return, a container that ignores SIGTERM, and 1,000 pods created at once against max-pods 110.
// Throughout, a client asks the API for /version every 200 ms; every answer must come within 10 s
// (a bound, not a speed: a node that stops answering fails it).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request, Agent } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { findConmon } from '../../src/runtime/process/conmon-shim.ts';
import { hasKubectl, ServerUnderTest } from '../e2e/server-harness.ts';

const skip = !hasKubectl ? 'kubectl is not installed' : !findConmon() ? 'conmon is not installed' : false;

const ANSWER_BOUND_MS = 10_000;

interface Api {
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: string }>;
  close(): void;
}

function api(s: ServerUnderTest): Api {
  const kc = parse(readFileSync(s.kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
  };
  const cluster = kc.clusters[0]?.cluster;
  const token = kc.users[0]?.user.token ?? '';
  assert.ok(cluster);
  const ca = Buffer.from(cluster['certificate-authority-data'], 'base64');
  const base = new URL(cluster.server);
  const agent = new Agent({ keepAlive: true, maxSockets: 64, ca });
  return {
    call: (method, path, body) =>
      new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            host: base.hostname,
            port: base.port,
            path,
            method,
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              ...(data ? { 'content-type': 'application/json' } : {}),
            },
            timeout: ANSWER_BOUND_MS,
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
            res.on('error', reject);
          },
        );
        req.on('timeout', () =>
          req.destroy(new Error(`no answer to ${method} ${path} within ${ANSWER_BOUND_MS} ms`)),
        );
        req.on('error', reject);
        req.end(data);
      }),
    close: () => agent.destroy(),
  };
}

/**
 * Asks /version every 200 ms until stopped, on connections of its own (so it never queues behind
 * the test's own requests); says how many answers, the slowest, and what failed.
 */
function watchAnswers(s: ServerUnderTest): {
  stop(): Promise<{ answers: number; slowestMs: number; failures: string[] }>;
} {
  const a = api(s);
  let running = true;
  const failures: string[] = [];
  let answers = 0;
  let slowestMs = 0;
  const loop = (async () => {
    while (running) {
      const t0 = Date.now();
      try {
        const r = await a.call('GET', '/version');
        if (r.status !== 200) failures.push(`/version answered ${r.status}`);
        else answers++;
      } catch (e) {
        failures.push((e as Error).message);
      }
      slowestMs = Math.max(slowestMs, Date.now() - t0);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      a.close();
      return { answers, slowestMs, failures };
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const podYaml = (name: string, container: string, extra = ''): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 2
${extra}  containers:
  - name: app
    image: busybox
${container}`;

describe('hostile workloads', { skip }, () => {
  let s: ServerUnderTest;
  let a: Api;
  const MAX_SIZE = 1024 * 1024;

  before(async () => {
    s = new ServerUnderTest();
    await s.start([
      '--container-log-max-size',
      '1Mi',
      '--container-log-max-files',
      '5',
      '--container-log-monitor-interval',
      '1s',
    ]);
    a = api(s);
  });

  after(async () => {
    a.close();
    await s.cleanup();
  });

  test('a container writing logs as fast as it can: rotated by size, at most 5 files, the node answers', async () => {
    const answers = watchAnswers(s);
    await s.ok(['create', '-f', '-'], {
      input: podYaml(
        'loud',
        `    command: ["sh", "-c", "exec yes 'a line of output from a container that will not stop talking'"]\n`,
      ),
    });
    await s.ok(['wait', '--for=condition=Ready', 'pod/loud', '--timeout=30s']);
    const logDir = await s.until('the log directory', () => {
      const root = join(s.dataDir, 'runtime', 'logs');
      const d = readdirSync(root).find((n) => n.startsWith('default_loud_'));
      return d ? join(root, d, 'app') : undefined;
    });
    let maxFiles = 0;
    let maxTotal = 0;
    let maxLive = 0;
    const rotated = new Set<string>();
    const end = Date.now() + 10_000;
    while (Date.now() < end) {
      let files: { name: string; size: number }[] = [];
      for (const name of readdirSync(logDir)) {
        try {
          files.push({ name, size: statSync(join(logDir, name)).size });
        } catch {
          // removed meanwhile
        }
      }
      // As the kubelet counts them: temporaries of a compression under way, and a plain file whose
      // .gz is already written (it is removed next), are not kept files.
      const names = new Set(files.map((f) => f.name));
      files = files.filter((f) => !f.name.endsWith('.tmp') && !names.has(`${f.name}.gz`));
      maxFiles = Math.max(maxFiles, files.length);
      maxTotal = Math.max(
        maxTotal,
        files.reduce((n, f) => n + f.size, 0),
      );
      maxLive = Math.max(maxLive, files.find((f) => f.name === '0.log')?.size ?? 0);
      for (const f of files) if (f.name !== '0.log') rotated.add(f.name.replace(/\.gz$/, ''));
      await sleep(100);
    }
    const tail = await s.ok(['logs', 'loud', '--tail=2']);
    const res = await answers.stop();
    process.stdout.write(
      `# log rotation: ${rotated.size} rotations in 10 s, at most ${maxFiles} files, ` +
        `${(maxTotal / 2 ** 20).toFixed(1)} MiB on disk at most, live file at most ${(maxLive / 2 ** 20).toFixed(1)} MiB; ` +
        `/version answered ${res.answers} times, slowest ${res.slowestMs} ms\n`,
    );
    assert.deepEqual(res.failures, []);
    assert.ok(rotated.size >= 3, `the log was rotated again and again (${rotated.size} times)`);
    assert.ok(maxFiles <= 5, `at most containerLogMaxFiles files (${maxFiles})`);
    assert.ok(
      readdirSync(logDir).some((n) => n.endsWith('.gz')),
      'older rotated files are gzipped',
    );
    // Every kept file is at most what one interval lets the live file grow to.
    assert.ok(maxTotal <= 5 * Math.max(maxLive, MAX_SIZE), `bounded: ${maxTotal} bytes`);
    // (The last line may be cut: the container is in the middle of writing it.)
    assert.match(tail, /^a line of output from a container that will not stop talking\n/);
    await s.ok(['delete', 'pod', 'loud', '--grace-period=1', '--wait=true', '--timeout=30s']);
    // A deleted pod's containers are not garbage-collected yet; what they leave stays bounded.
    assert.ok(readdirSync(logDir).filter((n) => !n.endsWith('.tmp')).length <= 5);
  });

  test('a postStart that never returns: the container waits (no timeout, as the kubelet), the delete is bounded by the grace', async () => {
    const answers = watchAnswers(s);
    await s.ok(['create', '-f', '-'], {
      input: podYaml(
        'hang-start',
        `    command: ["sh", "-c", "while :; do sleep 0.2; done"]\n    lifecycle:\n      postStart:\n        exec:\n          command: ["sleep", "100000"]\n`,
      ),
    });
    await s.until('the hook to run', async () => {
      const p = JSON.parse(await s.ok(['get', 'pod', 'hang-start', '-o', 'json'])) as {
        status: { containerStatuses?: { state: { waiting?: { reason: string } } }[] };
      };
      return p.status.containerStatuses?.[0]?.state.waiting?.reason === 'ContainerCreating'
        ? true
        : undefined;
    });
    await sleep(3000);
    const p = JSON.parse(await s.ok(['get', 'pod', 'hang-start', '-o', 'json'])) as {
      status: { phase: string };
    };
    assert.equal(p.status.phase, 'Pending', 'still waiting for its postStart');
    const t0 = Date.now();
    await s.ok(['delete', 'pod', 'hang-start', '--wait=true', '--timeout=60s']);
    const took = Date.now() - t0;
    const res = await answers.stop();
    process.stdout.write(
      `# hung postStart: delete (grace 2 s) took ${took} ms; /version slowest ${res.slowestMs} ms\n`,
    );
    assert.deepEqual(res.failures, []);
    assert.ok(took < 20_000, `the delete is bounded (${took} ms)`);
    assert.equal(s.podProcesses().length, 0, 'nothing of the pod is left, the hook included');
  });

  test('a preStop that never returns is cut off by the grace period; then SIGKILL', async () => {
    const answers = watchAnswers(s);
    await s.ok(['create', '-f', '-'], {
      input: podYaml(
        'hang-stop',
        `    command: ["sh", "-c", "trap '' TERM; while :; do sleep 0.2; done"]\n    lifecycle:\n      preStop:\n        exec:\n          command: ["sleep", "100000"]\n`,
      ),
    });
    await s.ok(['wait', '--for=condition=Ready', 'pod/hang-stop', '--timeout=30s']);
    const t0 = Date.now();
    await s.ok(['delete', 'pod', 'hang-stop', '--grace-period=3', '--wait=true', '--timeout=60s']);
    const took = Date.now() - t0;
    const res = await answers.stop();
    process.stdout.write(
      `# hung preStop, SIGTERM ignored: delete (grace 3 s) took ${took} ms; /version slowest ${res.slowestMs} ms\n`,
    );
    assert.deepEqual(res.failures, []);
    // The grace is given in full (preStop within it, then at least 2 s after the stop signal).
    assert.ok(took >= 3000, `the grace was given (${took} ms)`);
    assert.ok(took < 20_000, `and bounded (${took} ms)`);
    assert.equal(s.podProcesses().length, 0);
  });

  test('a container that ignores SIGTERM is SIGKILLed at the end of its grace period', async () => {
    await s.ok(['create', '-f', '-'], {
      input: podYaml('stubborn', `    command: ["sh", "-c", "trap '' TERM; while :; do sleep 0.2; done"]\n`),
    });
    await s.ok(['wait', '--for=condition=Ready', 'pod/stubborn', '--timeout=30s']);
    const t0 = Date.now();
    await s.ok(['delete', 'pod', 'stubborn', '--wait=true', '--timeout=60s']);
    const took = Date.now() - t0;
    process.stdout.write(`# SIGTERM ignored: delete (grace 2 s) took ${took} ms\n`);
    assert.ok(took >= 2000, `the grace was waited for (${took} ms)`);
    assert.ok(took < 15_000, `then SIGKILL (${took} ms)`);
    assert.equal(s.podProcesses().length, 0);
  });

  test('a probe that never returns is bounded by timeoutSeconds: never ready, no piling up', async () => {
    const answers = watchAnswers(s);
    await s.ok(['create', '-f', '-'], {
      input: podYaml(
        'hang-probe',
        `    command: ["sh", "-c", "while :; do sleep 0.2; done"]\n    readinessProbe:\n      exec:\n        command: ["sleep", "100000"]\n      timeoutSeconds: 1\n      periodSeconds: 1\n`,
      ),
    });
    await s.until('the pod to run', async () => {
      const p = JSON.parse(await s.ok(['get', 'pod', 'hang-probe', '-o', 'json'])) as {
        status: { phase: string };
      };
      return p.status.phase === 'Running' ? true : undefined;
    });
    let most = 0;
    for (let i = 0; i < 30; i++) {
      const probes = s.podProcesses().filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'latin1') === 'sleep\u0000100000\u0000';
        } catch {
          return false;
        }
      });
      most = Math.max(most, probes.length);
      await sleep(200);
    }
    const p = JSON.parse(await s.ok(['get', 'pod', 'hang-probe', '-o', 'json'])) as {
      status: { containerStatuses?: { ready: boolean }[] };
    };
    const res = await answers.stop();
    process.stdout.write(
      `# hung probe: at most ${most} probe processes at once over 6 s; /version slowest ${res.slowestMs} ms\n`,
    );
    assert.deepEqual(res.failures, []);
    assert.equal(p.status.containerStatuses?.[0]?.ready, false, 'a probe that times out is a failure');
    assert.ok(most <= 2, `each probe is killed at its timeout (${most} at once)`);
    const events = await s.ok(['get', 'events', '--field-selector', 'involvedObject.name=hang-probe']);
    assert.match(events, /Readiness probe/);
    await s.ok(['delete', 'pod', 'hang-probe', '--grace-period=1', '--wait=true', '--timeout=30s']);
  });
});

describe('1,000 pods at once against max-pods 110', { skip }, () => {
  let s: ServerUnderTest;
  let a: Api;

  before(async () => {
    s = new ServerUnderTest();
    await s.start(['--max-pods', '110']);
    a = api(s);
  });

  after(async () => {
    a.close();
    await s.cleanup();
  });

  test('110 are admitted and run, the rest are rejected OutOfpods, the API answers throughout', async () => {
    const answers = watchAnswers(s);
    const t0 = Date.now();
    const pod = (i: number): unknown => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `many-${i}` },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }],
      },
    });
    const codes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        a.call('POST', '/api/v1/namespaces/default/pods', pod(i)).then((r) => r.status),
      ),
    );
    const created = Date.now() - t0;
    assert.equal(codes.filter((c) => c === 201).length, 1000, 'every create is accepted by the API');
    interface Item {
      status?: { phase?: string; reason?: string; containerStatuses?: { state?: { running?: object } }[] };
    }
    const list = async (): Promise<Item[]> =>
      (JSON.parse((await a.call('GET', '/api/v1/namespaces/default/pods')).body) as { items: Item[] }).items;
    const settled = await s.until(
      'every pod admitted or rejected',
      async () => {
        const items = await list();
        const rejected = items.filter((p) => p.status?.reason === 'OutOfpods');
        const running = items.filter((p) => p.status?.containerStatuses?.[0]?.state?.running);
        return rejected.length + running.length === 1000 ? { rejected, running } : undefined;
      },
      180_000,
    );
    const took = Date.now() - t0;
    const res = await answers.stop();
    process.stdout.write(
      `# 1000 pods: created in ${created} ms, all settled in ${took} ms (${settled.running.length} running, ` +
        `${settled.rejected.length} OutOfpods); /version answered ${res.answers} times, slowest ${res.slowestMs} ms\n`,
    );
    assert.deepEqual(res.failures, []);
    assert.equal(settled.running.length, 110);
    assert.equal(settled.rejected.length, 890);
    for (const p of settled.rejected) assert.equal(p.status?.phase, 'Failed');
    const events = await s.ok(['get', 'events', '--field-selector', 'reason=OutOfpods', '-o', 'name']);
    assert.ok(events.trim().split('\n').length >= 1);
  });
});
