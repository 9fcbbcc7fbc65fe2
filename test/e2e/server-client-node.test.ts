// `nodelet server` driven by @kubernetes/client-node, the official JavaScript client: list,
// watch and informers, create, patch, delete, logs and exec.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { ServerUnderTest } from './server-harness.ts';

const pod = (name: string): k8s.V1Pod => ({
  metadata: { name, labels: { suite: 'client-node' } },
  spec: {
    terminationGracePeriodSeconds: 5,
    containers: [
      {
        name: 'app',
        image: 'busybox',
        command: ['sh', '-c', "echo hello from $(POD); trap 'exit 0' TERM; while true; do sleep 0.2; done"],
        env: [{ name: 'POD', value: name }],
      },
    ],
  },
});

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
}

describe('nodelet server with @kubernetes/client-node', () => {
  const s = new ServerUnderTest();
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;

  before(async () => {
    await s.start();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(s.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
  });
  after(async () => {
    await s.cleanup();
  });

  test('create (no apiVersion/kind in the body), read, list with a label selector', async () => {
    const created = await core.createNamespacedPod({ namespace: 'default', body: pod('cn-a') });
    assert.equal(created.metadata?.name, 'cn-a');
    assert.ok(created.metadata?.uid);
    const read = await core.readNamespacedPod({ namespace: 'default', name: 'cn-a' });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    const list = await core.listNamespacedPod({ namespace: 'default', labelSelector: 'suite=client-node' });
    assert.deepEqual(
      list.items.map((p) => p.metadata?.name),
      ['cn-a'],
    );
    assert.ok(list.metadata?.resourceVersion);
    await assert.rejects(
      core.readNamespacedPod({ namespace: 'default', name: 'missing' }),
      (err: unknown) => err instanceof k8s.ApiException && err.code === 404,
    );
  });

  test('an informer lists, then sees the pod become Running', async () => {
    const informer = k8s.makeInformer(
      kc,
      '/api/v1/namespaces/default/pods',
      () => core.listNamespacedPod({ namespace: 'default' }),
      'suite=client-node',
    );
    const phases: string[] = [];
    const running = new Promise<void>((resolve) => {
      informer.on('update', (p: k8s.V1Pod) => {
        phases.push(p.status?.phase ?? '');
        if (p.metadata?.name === 'cn-a' && p.status?.phase === 'Running') resolve();
      });
      informer.on('add', (p: k8s.V1Pod) => {
        if (p.metadata?.name === 'cn-a' && p.status?.phase === 'Running') resolve();
      });
    });
    await informer.start();
    await running;
    await informer.stop();
  });

  test('a raw watch delivers ADDED, MODIFIED and DELETED', async () => {
    const list = await core.listNamespacedPod({ namespace: 'default' });
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    let abort: AbortController | undefined;
    const deleted = new Promise<void>((resolve, reject) => {
      void watch
        .watch(
          '/api/v1/namespaces/default/pods',
          { resourceVersion: list.metadata?.resourceVersion, labelSelector: 'suite=client-node' },
          (type: string, obj: k8s.V1Pod) => {
            if (obj.metadata?.name !== 'cn-w') return;
            seen.push(type);
            if (type === 'DELETED') resolve();
          },
          (err: unknown) => {
            if (err) reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
          },
        )
        .then((a) => (abort = a));
    });
    // Watching from the list's resourceVersion: the creation is delivered however late the watch connects.
    await core.createNamespacedPod({ namespace: 'default', body: pod('cn-w') });
    await s.until('cn-w scheduled', async () => {
      const p = await core.readNamespacedPod({ namespace: 'default', name: 'cn-w' });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    // client-node sends DeleteOptions as query parameters.
    await core.deleteNamespacedPod({ namespace: 'default', name: 'cn-w', gracePeriodSeconds: 0 });
    await deleted;
    abort?.abort();
    assert.equal(seen[0], 'ADDED');
    assert.ok(seen.includes('MODIFIED'));
    assert.equal(seen[seen.length - 1], 'DELETED');
  });

  test('patch: the default JSON patch, and a strategic merge patch', async () => {
    const jsonPatched = await core.patchNamespacedPod({
      namespace: 'default',
      name: 'cn-a',
      body: [{ op: 'add', path: '/metadata/labels/patched', value: 'json' }],
    });
    assert.equal(jsonPatched.metadata?.labels?.patched, 'json');
    const smp = await core.patchNamespacedPod(
      { namespace: 'default', name: 'cn-a', body: { metadata: { labels: { patched: 'smp' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    assert.equal(smp.metadata?.labels?.patched, 'smp');
  });

  test('logs: readNamespacedPodLog (text/plain) and the streaming Log', async () => {
    await s.until('cn-a Running', async () => {
      const p = await core.readNamespacedPod({ namespace: 'default', name: 'cn-a' });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const text = await s.until('the first log line', async () => {
      const t = await core.readNamespacedPodLog({ namespace: 'default', name: 'cn-a', container: 'app' });
      return t.includes('hello') ? t : undefined;
    });
    assert.equal(text, 'hello from cn-a\n');
    const out = collect();
    const controller = await new k8s.Log(kc).log('default', 'cn-a', 'app', out.stream, {
      follow: true,
      tailLines: 10,
    });
    await s.until('streamed log', () => (out.text().includes('hello from cn-a') ? true : undefined));
    controller.abort();
  });

  test('exec: stdout, stderr, stdin and the exit status', async () => {
    const stdout = collect();
    const stderr = collect();
    const stdin = new PassThrough();
    const status = await new Promise<k8s.V1Status>((resolve) => {
      void new k8s.Exec(kc).exec(
        'default',
        'cn-a',
        'app',
        ['sh', '-c', 'read line; echo "got $line"; echo oops >&2; exit 4'],
        stdout.stream,
        stderr.stream,
        stdin,
        false,
        resolve,
      );
      stdin.end('input\n');
    });
    assert.equal(status.status, 'Failure');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.deepEqual(status.details?.causes, [{ reason: 'ExitCode', message: '4' }]);
    assert.equal(stdout.text(), 'got input\n');
    assert.equal(stderr.text(), 'oops\n');
    const quiet = collect();
    const ok = await new Promise<k8s.V1Status>((resolve) => {
      void new k8s.Exec(kc).exec(
        'default',
        'cn-a',
        'app',
        ['true'],
        quiet.stream,
        null,
        null,
        false,
        resolve,
      );
    });
    assert.equal(ok.status, 'Success');
    // Asking for no stream at all is refused before the upgrade, as the API server does.
    await assert.rejects(new k8s.Exec(kc).exec('default', 'cn-a', 'app', ['true'], null, null, null, false));
  });

  test('delete with a grace period: Terminating, then gone', async () => {
    const marked = await core.deleteNamespacedPod({
      namespace: 'default',
      name: 'cn-a',
      gracePeriodSeconds: 5,
    });
    assert.equal(marked.metadata?.deletionGracePeriodSeconds, 5);
    assert.ok(marked.metadata?.deletionTimestamp);
    await s.until('cn-a gone', async () => {
      try {
        await core.readNamespacedPod({ namespace: 'default', name: 'cn-a' });
        return undefined;
      } catch (err) {
        return err instanceof k8s.ApiException && err.code === 404 ? true : undefined;
      }
    });
  });
});
