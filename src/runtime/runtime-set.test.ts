import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '../testing/fake-clock.ts';
import { FakeRuntime } from '../testing/fake-runtime.ts';
import type { ContainerConfig, PodSandboxConfig, RuntimeEvent } from './runtime.ts';
import {
  RuntimeSet,
  RuntimeUnavailableError,
  UnknownRuntimeHandlerError,
  type RuntimeHandler,
} from './runtime-set.ts';

interface Kit {
  set: RuntimeSet;
  fakes: Map<string, FakeRuntime>;
  creates: string[];
}

function kit(opts: { default?: string; missing?: Record<string, string>; state?: string[] } = {}): Kit {
  const clock = new FakeClock();
  const fakes = new Map<string, FakeRuntime>();
  const creates: string[] = [];
  const handler = (name: string): RuntimeHandler => ({
    name,
    unavailable: () => opts.missing?.[name],
    create: () => {
      creates.push(name);
      const f = new FakeRuntime({ clock, idPrefix: `${name}-` });
      fakes.set(name, f);
      return f;
    },
    hasState: () => opts.state?.includes(name) ?? false,
  });
  const set = new RuntimeSet({
    defaultHandler: opts.default ?? 'process',
    handlers: [handler('process'), handler('oci')],
  });
  return { set, fakes, creates };
}

const sandboxConfig = (uid: string, runtimeHandler?: string): PodSandboxConfig => ({
  podUid: uid,
  podName: uid,
  namespace: 'default',
  attempt: 0,
  hostname: uid,
  ...(runtimeHandler !== undefined ? { runtimeHandler } : {}),
});

const containerConfig = (name: string): ContainerConfig => ({
  name,
  attempt: 0,
  image: 'busybox',
  command: ['sleep', '1000'],
  env: [],
  terminationMessagePath: '/dev/termination-log',
  labels: {},
});

describe('RuntimeSet', () => {
  test('creates only the default runtime at start, and reports its name and version', () => {
    const { set, creates } = kit();
    assert.deepEqual(creates, ['process']);
    assert.equal(set.name, 'fake');
    assert.equal(set.defaultHandler, 'process');
    assert.deepEqual(set.handlerNames, ['process', 'oci']);
  });

  test('an empty handler runs on the default; a named one is created on first use', async () => {
    const { set, fakes, creates } = kit();
    const a = await set.runPodSandbox(sandboxConfig('a'));
    assert.equal(a.runtimeHandler, 'process');
    assert.deepEqual(creates, ['process']);
    const b = await set.runPodSandbox(sandboxConfig('b', 'oci'));
    assert.equal(b.runtimeHandler, 'oci');
    assert.deepEqual(creates, ['process', 'oci']);
    await set.runPodSandbox(sandboxConfig('c', 'oci'));
    assert.deepEqual(creates, ['process', 'oci'], 'one runtime per handler');
    assert.deepEqual(fakes.get('process')?.ops(), ['runPodSandbox']);
    assert.deepEqual(fakes.get('oci')?.ops(), ['runPodSandbox', 'runPodSandbox']);
  });

  test('containers go to the runtime of their sandbox, and every call after that follows them', async () => {
    const { set, fakes } = kit();
    const sp = await set.runPodSandbox(sandboxConfig('p'));
    const so = await set.runPodSandbox(sandboxConfig('o', 'oci'));
    const cp = await set.createContainer(sp.id, containerConfig('web'));
    const co = await set.createContainer(so.id, containerConfig('db'));
    await set.startContainer(cp);
    await set.startContainer(co);
    await set.execSync(co, ['true'], { timeoutMs: 0 });
    await set.stopContainer(co, 1);
    await set.removeContainer(co);
    assert.deepEqual(fakes.get('process')?.ops(), ['runPodSandbox', 'createContainer', 'startContainer']);
    assert.deepEqual(fakes.get('oci')?.ops(), [
      'runPodSandbox',
      'createContainer',
      'startContainer',
      'execSync',
      'stopContainer',
      'removeContainer',
    ]);
    assert.equal((await set.containerStatus(cp)).name, 'web');
  });

  test('lists sandboxes and containers of every runtime, each sandbox with its handler', async () => {
    const { set } = kit();
    const sp = await set.runPodSandbox(sandboxConfig('p'));
    const so = await set.runPodSandbox(sandboxConfig('o', 'oci'));
    await set.createContainer(sp.id, containerConfig('web'));
    await set.createContainer(so.id, containerConfig('db'));
    const sandboxes = await set.listPodSandboxes();
    assert.deepEqual(sandboxes.map((s) => [s.podUid, s.runtimeHandler]).sort(), [
      ['o', 'oci'],
      ['p', 'process'],
    ]);
    assert.deepEqual((await set.listContainers()).map((c) => c.name).sort(), ['db', 'web']);
    assert.deepEqual(
      (await set.listContainers('o')).map((c) => c.name),
      ['db'],
    );
    assert.deepEqual(
      (await set.listPodSandboxes('p')).map((s) => s.runtimeHandler),
      ['process'],
    );
  });

  test('whenCreated: at once for a runtime that exists, else once when the first pod creates it', async () => {
    const { set, fakes } = kit();
    const seen: string[] = [];
    set.whenCreated('process', (rt) => seen.push(`process:${rt === fakes.get('process')}`));
    assert.deepEqual(seen, ['process:true']);
    set.whenCreated('oci', (rt) => seen.push(`oci:${rt === fakes.get('oci')}`));
    assert.deepEqual(seen, ['process:true'], 'nothing before the oci runtime exists');
    await set.runPodSandbox(sandboxConfig('a', 'oci'));
    await set.runPodSandbox(sandboxConfig('b', 'oci'));
    assert.deepEqual(seen, ['process:true', 'oci:true'], 'called once');
  });

  test('whenCreated: a runtime created at start for its earlier sandboxes counts as created', () => {
    const { set } = kit({ state: ['oci'] });
    let called = 0;
    set.whenCreated('oci', () => called++);
    assert.equal(called, 1);
  });

  test('an unknown handler fails RunPodSandbox with containerd’s wording', async () => {
    const { set, creates } = kit();
    await assert.rejects(set.runPodSandbox(sandboxConfig('x', 'gvisor')), (e: unknown) => {
      assert.ok(e instanceof UnknownRuntimeHandlerError);
      assert.equal(e.message, 'failed to get sandbox runtime: no runtime for "gvisor" is configured');
      return true;
    });
    assert.deepEqual(creates, ['process']);
  });

  test('a handler this machine cannot run fails with what to install, and is retried later', async () => {
    const missing: Record<string, string> = { oci: 'the oci runtime needs: apt-get install runc' };
    const { set, creates } = kit({ missing });
    assert.equal(set.unavailable('oci'), 'the oci runtime needs: apt-get install runc');
    await assert.rejects(set.runPodSandbox(sandboxConfig('x', 'oci')), (e: unknown) => {
      assert.ok(e instanceof RuntimeUnavailableError);
      assert.equal(
        e.message,
        'failed to get sandbox runtime "oci": the oci runtime needs: apt-get install runc',
      );
      return true;
    });
    assert.deepEqual(creates, ['process']);
    // Installed meanwhile: the next sandbox gets it.
    delete missing.oci;
    assert.equal((await set.runPodSandbox(sandboxConfig('x', 'oci'))).runtimeHandler, 'oci');
  });

  test('a runtime with state from an earlier run is created at start (its containers are listed)', () => {
    assert.deepEqual(kit({ state: ['oci'] }).creates, ['process', 'oci']);
    // …unless it cannot run here any more.
    assert.deepEqual(kit({ state: ['oci'], missing: { oci: 'no runc' } }).creates, ['process']);
  });

  test('the default may be oci; an unknown default is refused at once', () => {
    const { set } = kit({ default: 'oci' });
    assert.equal(set.defaultHandler, 'oci');
    assert.deepEqual(set.handlerNames, ['oci', 'process']);
    assert.throws(() => kit({ default: 'kata' }), UnknownRuntimeHandlerError);
  });

  test('watchers hear every runtime, including one created after they subscribed', async () => {
    const { set, fakes } = kit();
    const seen: RuntimeEvent[] = [];
    const stop = set.watch((e) => seen.push(e));
    const so = await set.runPodSandbox(sandboxConfig('o', 'oci'));
    const co = await set.createContainer(so.id, containerConfig('db'));
    await set.startContainer(co);
    assert.deepEqual(
      seen.map((e) => [e.type, e.podUid]),
      [['ContainerStarted', 'o']],
    );
    stop();
    fakes.get('oci')?.exit(co, 1);
    assert.equal(seen.length, 1, 'no events after unsubscribing');
  });

  test('an ID no runtime knows is NotFound', async () => {
    const { set } = kit();
    await assert.rejects(set.startContainer('nope'), { name: 'NotFoundError' });
    await assert.rejects(set.removePodSandbox('nope'), { name: 'NotFoundError' });
  });

  test('images: the default runtime’s, and per handler', () => {
    const { set } = kit();
    assert.equal(set.images, undefined);
    assert.equal(set.imagesFor('oci'), undefined);
    assert.equal(set.imagesFor('gvisor'), undefined);
  });
});
