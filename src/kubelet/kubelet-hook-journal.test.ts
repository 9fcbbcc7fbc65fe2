// postStart exactly once across a nodelet restart, on the fake runtime and clock: a second Kubelet
// on the same runtime, store and journal plays the restarted nodelet (lifecycle/hook-journal.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { createBoundPod } from '../cli/scheduler.ts';
import { StoreEventSink, StorePodSource, StoreStatusWriter } from '../cli/store-ports.ts';
import { MemoryStore } from '../store/memory-store.ts';
import { FakeClock } from '../testing/fake-clock.ts';
import { FakeRuntime } from '../testing/fake-runtime.ts';
import { ctr, makePod } from '../testing/kubelet-harness.ts';
import { Kubelet } from './kubelet.ts';
import { FileHookJournal, MemoryHookJournal, type HookJournal } from './lifecycle/hook-journal.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function node() {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const runtime = new FakeRuntime({ clock });
  const store = new MemoryStore();
  const journal = new MemoryHookJournal();
  const boot = (j: HookJournal = journal): Kubelet => {
    const k = new Kubelet({
      nodeName: 'nodelet',
      clock,
      runtime,
      podSource: new StorePodSource(store, 'nodelet'),
      statusWriter: new StoreStatusWriter(store),
      eventSink: new StoreEventSink(store),
      random: () => 0,
      hookJournal: j,
    });
    k.start();
    return k;
  };
  const create = (pod: Pod): void =>
    void createBoundPod(store, new StoreEventSink(store), pod, 'nodelet', clock);
  const pod = (): Pod => {
    const p = store.get<Pod>({ resource: 'pods', namespace: 'default', name: 'p' });
    assert.ok(p, 'the pod exists');
    return p;
  };
  const events = (): string[] =>
    store
      .list<Event>('events')
      .items.filter((e) => e.involvedObject.name === 'p')
      .map((e) => `${e.type} ${e.reason}`);
  const hookExecs = (): number =>
    runtime.calls.filter((c) => c.op === 'execSync' && c.command?.[0] === 'hook').length;
  const starts = (): number => runtime.calls.filter((c) => c.op === 'startContainer').length;
  const appId = async (): Promise<string> => {
    const c = (await runtime.listContainers()).find((x) => x.name === 'app' && x.state === 'running');
    assert.ok(c, 'app runs');
    return c.id;
  };
  return { clock, runtime, store, journal, boot, create, pod, events, hookExecs, starts, appId };
}

const hooked = (): Pod =>
  makePod('p', { containers: [ctr('app', { lifecycle: { postStart: { exec: { command: ['hook'] } } } })] });

describe('postStart across a nodelet restart', () => {
  test('a normal run leaves the entry settled, with the run; a restart does nothing more', async () => {
    const n = node();
    n.runtime.script('app', { exec: () => ({ exitCode: 0, delayMs: 1000 }) });
    const k1 = n.boot();
    n.create(hooked());
    await n.clock.advance(2000);
    const id = await n.appId();
    assert.equal(n.journal.get(id)?.state, 'settled');
    assert.equal(n.journal.get(id)?.run?.ok, true);
    await k1.stop();
    const k2 = n.boot();
    await n.clock.advance(5000);
    assert.equal(n.hookExecs(), 1);
    assert.equal(n.starts(), 1);
    await k2.stop();
  });

  test('stopped while the hook ran: not run again, not killed for it, recorded as interrupted', async () => {
    const n = node();
    n.runtime.script('app', { exec: () => ({ exitCode: 0, delayMs: 10_000 }) });
    const k1 = n.boot();
    n.create(hooked());
    await n.clock.advance(1000);
    const id = await n.appId();
    assert.equal(n.journal.get(id)?.state, 'running');
    await k1.stop(); // the hook is cut off with the node agent
    assert.equal(n.journal.get(id)?.state, 'running', 'a stop mid-hook leaves the hook unsettled');
    const k2 = n.boot();
    await n.clock.advance(5000);
    assert.equal(n.hookExecs(), 1, 'the hook is not run a second time');
    assert.equal(n.starts(), 1, 'the container is not restarted');
    assert.equal(await n.appId(), id);
    assert.equal(n.journal.get(id)?.state, 'settled');
    assert.equal(n.journal.get(id)?.run?.interrupted, true);
    assert.ok(n.events().includes('Warning PostStartHookInterrupted'), n.events().join(', '));
    assert.match(
      n.pod().metadata?.annotations?.['lifecycle.nodelet.dev/app.postStart'] ?? '',
      /^interrupted at /,
    );
    assert.equal(n.pod().status?.containerStatuses?.[0]?.restartCount, 0);
    assert.ok(n.pod().status?.containerStatuses?.[0]?.state?.running);
    await k2.stop();
  });

  test('started but the hook never began (pending): the restarted node runs it, once', async () => {
    const n = node();
    const k1 = n.boot();
    n.create(hooked());
    await n.clock.advance(1000);
    const id = await n.appId();
    await k1.stop();
    // As if nodelet had died between the container's start and its hook.
    n.journal.put({
      containerId: id,
      podUid: 'uid-p',
      container: 'app',
      state: 'pending',
      at: n.clock.now(),
    });
    const before = n.hookExecs();
    const k2 = n.boot();
    await n.clock.advance(5000);
    assert.equal(n.hookExecs(), before + 1);
    assert.equal(n.journal.get(id)?.state, 'settled');
    assert.equal(n.starts(), 1);
    await k2.stop();
  });

  test('the hook failed but nodelet died before acting on it: the restarted node kills the container', async () => {
    const n = node();
    const k1 = n.boot();
    n.create(hooked());
    await n.clock.advance(1000);
    const id = await n.appId();
    await k1.stop();
    n.journal.put({
      containerId: id,
      podUid: 'uid-p',
      container: 'app',
      state: 'done',
      at: n.clock.now(),
      run: {
        hook: 'postStart',
        container: 'app',
        handler: 'exec',
        at: n.clock.now(),
        durationMs: 5,
        ok: false,
        result: 'exit 1',
        output: 'boom',
        failureMessage: "command 'hook' exited with 1: boom",
      },
    });
    const before = n.hookExecs();
    const k2 = n.boot();
    await n.clock.advance(3000);
    assert.equal(n.hookExecs(), before + 1, 'no second run of the failed hook… only the new instance’s own');
    assert.ok(n.events().includes('Warning FailedPostStartHook'), n.events().join(', '));
    assert.equal(n.journal.get(id)?.state, 'settled');
    assert.ok(n.starts() >= 2, 'the container was restarted per its policy');
    await k2.stop();
  });

  test('housekeeping drops the entries of containers that are gone', async () => {
    const n = node();
    n.journal.put({ containerId: 'gone', podUid: 'x', container: 'c', state: 'settled', at: n.clock.now() });
    const k = n.boot();
    await n.clock.advance(3000);
    assert.equal(n.journal.get('gone'), undefined);
    await k.stop();
  });
});

describe('FileHookJournal', () => {
  test('entries survive a new instance on the same directory; retain keeps what is listed or newer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hook-journal-'));
    dirs.push(dir);
    const j = new FileHookJournal(dir);
    j.put({ containerId: 'a1', podUid: 'u', container: 'c', state: 'running', at: 10 });
    j.put({ containerId: 'b2', podUid: 'u', container: 'c', state: 'settled', at: 10 });
    j.put({ containerId: 'c3', podUid: 'u', container: 'c', state: 'pending', at: 50 });
    const again = new FileHookJournal(dir);
    assert.equal(again.get('a1')?.state, 'running');
    again.retain(new Set(['a1']), 20);
    assert.equal(again.get('b2'), undefined, 'gone and older than the list');
    assert.equal(again.get('c3')?.state, 'pending', 'written after the list: kept');
    assert.throws(() =>
      again.put({ containerId: '../x', podUid: 'u', container: 'c', state: 'pending', at: 0 }),
    );
  });
});
