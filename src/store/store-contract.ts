// The behaviour every Store implementation must show, as a reusable node:test suite. Each
// implementation's test file calls storeContract() with a factory.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AlreadyExistsError,
  ConflictError,
  GoneError,
  NotFoundError,
  type ObjectKey,
  type Store,
  type StoredObject,
  type WatchEvent,
} from './store.ts';
import { InvalidResourceVersionError, type VersionedStoreOptions } from './versioned-store.ts';

/** Objects in these tests carry a free-form spec. */
type TestObject = StoredObject & { spec?: unknown };

export type StoreFactory = (options?: VersionedStoreOptions) => Store;

const pod = (name: string, namespace = 'default', extra: Record<string, unknown> = {}): TestObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, uid: `uid-${name}` },
  ...extra,
});
const key = (name: string, namespace = 'default', resource = 'pods'): ObjectKey => ({
  resource,
  namespace,
  name,
});

function collect(store: Store, resource: string, options: Parameters<Store['watch']>[1] = {}) {
  const events: WatchEvent[] = [];
  const stop = store.watch(resource, options, (e) => events.push(e));
  return {
    events,
    stop,
    summary: () => events.map((e) => `${e.type} ${e.object.metadata?.name} ${rvOf(e.object)}`),
  };
}
const rvOf = (o: StoredObject | undefined): string => o?.metadata?.resourceVersion ?? '';

export function storeContract(name: string, make: StoreFactory): void {
  describe(`${name}: the Store contract`, () => {
    test('resourceVersions increase with every write, across resources', () => {
      const s = make();
      const a = s.create(key('a'), pod('a'));
      const e = s.create(key('e1', 'default', 'events'), { metadata: { name: 'e1', namespace: 'default' } });
      const a2 = s.update(key('a'), { ...a, spec: { x: 1 } });
      const gone = s.delete(key('a'));
      const rvs = [a, e, a2, gone].map((o) => Number(rvOf(o)));
      assert.deepEqual(
        rvs,
        [...rvs].sort((x, y) => x - y),
      );
      assert.equal(new Set(rvs).size, 4);
      assert.equal(s.currentResourceVersion(), String(rvs[3]));
      s.close();
    });

    test('get and list hand out copies; list is in namespace/name order with the current resourceVersion', () => {
      const s = make();
      s.create(key('b', 'ns2'), pod('b', 'ns2'));
      s.create(key('b'), pod('b'));
      s.create(key('a'), pod('a'));
      const got = s.get<StoredObject>(key('a'));
      assert.ok(got?.metadata);
      got.metadata.name = 'changed';
      assert.equal(s.get(key('a'))?.metadata?.name, 'a');
      const all = s.list('pods');
      assert.deepEqual(
        all.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`),
        ['default/a', 'default/b', 'ns2/b'],
      );
      assert.equal(all.resourceVersion, s.currentResourceVersion());
      assert.deepEqual(
        s.list('pods', { namespace: 'ns2' }).items.map((o) => o.metadata?.name),
        ['b'],
      );
      assert.equal(s.get(key('missing')), undefined);
      s.close();
    });

    test('listShared and shared watches hand out the stored objects: frozen, one per version', () => {
      const s = make();
      s.create(key('a'), pod('a', 'default', { spec: { n: 1 } }));
      s.create(key('b', 'ns2'), pod('b', 'ns2'));
      const first = s.listShared<TestObject>('pods');
      assert.deepEqual(
        first.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`),
        ['default/a', 'ns2/b'],
      );
      const a = first.items[0]!;
      assert.ok(Object.isFrozen(a) && Object.isFrozen(a.metadata) && Object.isFrozen(a.spec));
      assert.throws(() => {
        (a.spec as { n: number }).n = 2;
      }, TypeError);
      // The same version is the same object; a write replaces it and leaves the old one as it was.
      assert.equal(s.listShared('pods', { namespace: 'default' }).items[0], a);
      const shared: WatchEvent[] = [];
      const copies: WatchEvent[] = [];
      s.watch('pods', { shared: true }, (e) => shared.push(e));
      s.watch('pods', {}, (e) => copies.push(e));
      s.update(key('a'), { ...pod('a'), spec: { n: 3 } });
      const now = s.listShared<TestObject>('pods').items[0]!;
      assert.notEqual(now, a);
      assert.deepEqual([a.spec, now.spec], [{ n: 1 }, { n: 3 }]);
      assert.equal(shared[0]?.object, now);
      assert.equal(shared[0]?.previous, a);
      assert.notEqual(copies[0]?.object, now);
      assert.ok(!Object.isFrozen(copies[0]?.object));
      // Plain list and get still hand out copies that can be changed.
      const copy = s.list<TestObject>('pods').items[0]!;
      assert.ok(!Object.isFrozen(copy));
      assert.notEqual(copy, now);
      s.close();
    });

    test('create refuses an existing name with the API server wording', () => {
      const s = make();
      s.create(key('web'), pod('web'));
      assert.throws(
        () => s.create(key('web'), pod('web')),
        (err: unknown) => {
          assert.ok(err instanceof AlreadyExistsError);
          assert.equal(err.message, 'pods "web" already exists');
          return true;
        },
      );
      s.close();
    });

    test('update: optimistic concurrency on metadata.resourceVersion', () => {
      const s = make();
      const v1 = s.create(key('web'), pod('web'));
      const v2 = s.update(key('web'), { ...v1, spec: { n: 2 } });
      assert.ok(Number(rvOf(v2)) > Number(rvOf(v1)));
      // Stale resourceVersion → 409 Conflict, worded as the API server words it.
      assert.throws(
        () => s.update(key('web'), { ...v1, spec: { n: 3 } }),
        (err: unknown) => {
          assert.ok(err instanceof ConflictError);
          assert.equal(
            err.message,
            'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
          );
          return true;
        },
      );
      assert.deepEqual(s.get<TestObject>(key('web'))?.spec, { n: 2 });
      // Without a resourceVersion the update is unconditional (pods allow it).
      const v3 = s.update(key('web'), { ...pod('web'), spec: { n: 4 } });
      assert.deepEqual(v3.spec, { n: 4 });
      assert.throws(() => s.update(key('nope'), pod('nope')), NotFoundError);
      s.close();
    });

    test('delete returns the last state with a new resourceVersion and honours preconditions', () => {
      const s = make();
      const v1 = s.create(key('web'), pod('web'));
      assert.throws(
        () => s.delete(key('web'), { uid: 'other' }),
        (err: unknown) =>
          err instanceof ConflictError &&
          err.message ===
            'Operation cannot be fulfilled on pods "web": Precondition failed: UID in precondition: other, UID in object meta: uid-web',
      );
      assert.throws(
        () => s.delete(key('web'), { resourceVersion: '999' }),
        (err: unknown) =>
          err instanceof ConflictError &&
          err.message ===
            `Operation cannot be fulfilled on pods "web": Precondition failed: ResourceVersion in precondition: 999, ResourceVersion in object meta: ${rvOf(v1)}`,
      );
      assert.ok(s.get(key('web')), 'a failed precondition leaves the object');
      const gone = s.delete(key('web'), { uid: 'uid-web', resourceVersion: rvOf(v1) });
      assert.equal(gone.metadata?.name, 'web');
      assert.ok(Number(rvOf(gone)) > Number(rvOf(v1)));
      assert.equal(s.get(key('web')), undefined);
      assert.throws(
        () => s.delete(key('web')),
        (err: unknown) => err instanceof NotFoundError && err.message === 'pods "web" not found',
      );
      s.close();
    });

    test('watch without a resourceVersion delivers only later changes, filtered by resource and namespace', () => {
      const s = make();
      s.create(key('before'), pod('before'));
      const all = collect(s, 'pods');
      const ns2 = collect(s, 'pods', { namespace: 'ns2' });
      const a = s.create(key('a'), pod('a'));
      s.create(key('x', 'ns2'), pod('x', 'ns2'));
      s.create(key('ev', 'default', 'events'), { metadata: { name: 'ev', namespace: 'default' } });
      s.update(key('a'), a);
      s.delete(key('a'));
      assert.deepEqual(
        all.events.map((e) => `${e.type} ${e.object.metadata?.name}`),
        ['ADDED a', 'ADDED x', 'MODIFIED a', 'DELETED a'],
      );
      assert.deepEqual(
        ns2.events.map((e) => `${e.type} ${e.object.metadata?.name}`),
        ['ADDED x'],
      );
      // Every event carries the resourceVersion of its own change.
      for (const e of all.events) assert.ok(Number(rvOf(e.object)) > 0);
      all.stop();
      s.create(key('after'), pod('after'));
      assert.equal(all.events.length, 4, 'no delivery after unsubscribe');
      s.close();
    });

    test('watch from a resourceVersion replays history after it, then continues live', () => {
      const s = make();
      const a = s.create(key('a'), pod('a'));
      const b = s.create(key('b'), pod('b'));
      s.update(key('a'), { ...a, spec: { v: 2 } });
      const w = collect(s, 'pods', { resourceVersion: rvOf(b) });
      assert.deepEqual(
        w.events.map((e) => `${e.type} ${e.object.metadata?.name}`),
        ['MODIFIED a'],
      );
      s.delete(key('b'));
      assert.deepEqual(
        w.events.map((e) => `${e.type} ${e.object.metadata?.name}`),
        ['MODIFIED a', 'DELETED b'],
      );
      // Replayed events hold the object as it was at that change, not as it is now.
      const fromStart = collect(s, 'pods', { resourceVersion: '0' });
      assert.deepEqual(
        fromStart.events.map(
          (e) =>
            `${e.type} ${e.object.metadata?.name} ${JSON.stringify((e.object as TestObject).spec ?? null)}`,
        ),
        ['ADDED a null', 'ADDED b null', 'MODIFIED a {"v":2}', 'DELETED b null'],
      );
      // Watching from the current resourceVersion replays nothing.
      const now = collect(s, 'pods', { resourceVersion: s.currentResourceVersion() });
      assert.equal(now.events.length, 0);
      s.close();
    });

    test('watch from a resourceVersion older than the kept history throws GoneError', () => {
      const s = make({ historyLimit: 3 });
      const first = s.create(key('p0'), pod('p0'));
      for (let i = 1; i < 6; i++) s.create(key(`p${i}`), pod(`p${i}`));
      // Kept: the last three changes (p3, p4, p5); p2's change is the newest compacted one.
      const p2rv = rvOf(s.get(key('p2')));
      assert.throws(
        () => s.watch('pods', { resourceVersion: rvOf(first) }, () => {}),
        (err: unknown) =>
          err instanceof GoneError && err.message === `too old resource version: ${rvOf(first)} (${p2rv})`,
      );
      const w = collect(s, 'pods', { resourceVersion: p2rv });
      assert.deepEqual(
        w.events.map((e) => e.object.metadata?.name),
        ['p3', 'p4', 'p5'],
      );
      // History is per resource: noisy events do not push pods out.
      for (let i = 0; i < 10; i++)
        s.create(key(`e${i}`, 'default', 'events'), { metadata: { name: `e${i}` } });
      assert.equal(collect(s, 'pods', { resourceVersion: p2rv }).events.length, 3);
      assert.throws(() => s.watch('pods', { resourceVersion: 'abc' }, () => {}), InvalidResourceVersionError);
      s.close();
    });

    test('MODIFIED events carry the object as it was before the change, in history too', () => {
      const s = make();
      const v1 = s.create(key('a'), pod('a', 'default', { spec: { v: 1 } }));
      const live = collect(s, 'pods');
      s.update(key('a'), { ...v1, spec: { v: 2 } });
      const replayed = collect(s, 'pods', { resourceVersion: rvOf(v1) });
      for (const w of [live, replayed]) {
        const e = w.events[0];
        assert.equal(e?.type, 'MODIFIED');
        assert.deepEqual((e?.object as TestObject).spec, { v: 2 });
        assert.deepEqual((e?.previous as TestObject | undefined)?.spec, { v: 1 });
        assert.equal(e?.previous?.metadata?.resourceVersion, rvOf(v1));
      }
      s.close();
    });

    test('a listener writing during delivery cannot reorder what other listeners see', () => {
      const s = make();
      const seen: string[] = [];
      s.watch('pods', {}, (e) => {
        if (e.type === 'ADDED' && e.object.metadata?.name === 'a') s.create(key('b'), pod('b'));
      });
      const w = collect(s, 'pods');
      s.create(key('a'), pod('a'));
      seen.push(...w.summary());
      const rvs = w.events.map((e) => Number(rvOf(e.object)));
      assert.deepEqual(
        w.events.map((e) => e.object.metadata?.name),
        ['a', 'b'],
      );
      assert.ok(rvs[0]! < rvs[1]!, seen.join(', '));
      s.close();
    });

    test('an aborted signal ends the watch; listeners get their own copies', () => {
      const s = make();
      const ac = new AbortController();
      const got: WatchEvent[] = [];
      s.watch('pods', { signal: ac.signal }, (e) => {
        got.push(e);
        if (e.object.metadata) e.object.metadata.name = 'mutated';
      });
      const other = collect(s, 'pods');
      s.create(key('a'), pod('a'));
      ac.abort();
      s.create(key('b'), pod('b'));
      assert.equal(got.length, 1);
      assert.deepEqual(
        other.events.map((e) => e.object.metadata?.name),
        ['a', 'b'],
      );
      assert.equal(s.get(key('a'))?.metadata?.name, 'a');
      s.close();
    });
  });
}
