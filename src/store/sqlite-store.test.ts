import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { SqliteStore } from './sqlite-store.ts';
import { storeContract } from './store-contract.ts';
import { GoneError, type StoredObject } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'nodelet-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshFile = (): string => join(dir, `store-${n++}.db`);

storeContract('SqliteStore', (options) => SqliteStore.open(freshFile(), options));

describe('SqliteStore persistence', () => {
  test('objects and the resourceVersion counter survive a reopen', () => {
    const file = freshFile();
    const s1 = SqliteStore.open(file);
    s1.create({ resource: 'pods', namespace: 'default', name: 'a' }, { metadata: { name: 'a' } });
    const b = s1.create<StoredObject>(
      { resource: 'pods', namespace: 'default', name: 'b' },
      { metadata: { name: 'b' } },
    );
    s1.update(
      { resource: 'pods', namespace: 'default', name: 'a' },
      { metadata: { name: 'a' }, spec: { v: 2 } },
    );
    s1.delete({ resource: 'pods', namespace: 'default', name: 'b' });
    const rv = s1.currentResourceVersion();
    s1.close();

    const s2 = SqliteStore.open(file);
    assert.equal(s2.currentResourceVersion(), rv, 'a delete advances the counter durably too');
    assert.deepEqual(
      s2.list('pods').items.map((o) => o.metadata?.name),
      ['a'],
    );
    assert.deepEqual(
      s2.get<StoredObject & { spec?: unknown }>({ resource: 'pods', namespace: 'default', name: 'a' })?.spec,
      { v: 2 },
    );
    const c = s2.create<StoredObject>(
      { resource: 'pods', namespace: 'default', name: 'c' },
      { metadata: { name: 'c' } },
    );
    assert.ok(Number(c.metadata?.resourceVersion) > Number(rv));
    // History does not survive: a watch from before the restart must re-list (410).
    assert.throws(
      () => s2.watch('pods', { resourceVersion: b.metadata?.resourceVersion ?? '' }, () => {}),
      GoneError,
    );
    // ...but a watch from the revision at open replays what happened since.
    const seen: string[] = [];
    s2.watch('pods', { resourceVersion: rv }, (e) => seen.push(`${e.type} ${e.object.metadata?.name}`));
    assert.deepEqual(seen, ['ADDED c']);
    s2.close();
  });

  test('a second opener of the same file is refused while the first holds it', () => {
    const file = freshFile();
    const s1 = SqliteStore.open(file);
    assert.throws(() => SqliteStore.open(file), /in use by another process/);
    s1.close();
    SqliteStore.open(file).close();
  });

  test('an acknowledged write survives SIGKILL of the writing process', async () => {
    const file = freshFile();
    // The child acknowledges each write on stdout after create() returned, then waits to be killed.
    const script = `
      const { SqliteStore } = await import(${JSON.stringify(new URL('./sqlite-store.ts', import.meta.url).href)});
      const s = SqliteStore.open(${JSON.stringify(file)});
      for (let i = 0; i < 20; i++) {
        s.create({ resource: 'pods', namespace: 'default', name: 'p' + i }, { metadata: { name: 'p' + i } });
        process.stdout.write('ack ' + i + '\\n');
      }
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('ack 19\n')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const s = SqliteStore.open(file);
    assert.equal(s.list('pods').items.length, 20);
    assert.equal(s.currentResourceVersion(), '20');
    s.close();
  });
});
