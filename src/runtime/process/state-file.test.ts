// The process runtime's record journal: a snapshot plus appended changes, read back as one state.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { readRecords, RecordJournal, writeJsonFileAtomic } from './state-file.ts';

interface Rec {
  id: string;
  state: string;
}

describe('RecordJournal', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nodelet-journal-'));
    path = join(dir, 'containers.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const records = (m: Map<string, Rec>) => () => [...m.values()];

  test('a commit appends only the changed records; removals are remembered; a new reader sees the same', () => {
    const j = new RecordJournal<Rec>(path);
    const live = new Map<string, Rec>();
    for (let i = 0; i < 50; i++) live.set(`c${i}`, { id: `c${i}`, state: 'created' });
    j.commit(new Map([...live].map(([id, r]) => [id, r])), records(live));
    const before = statSync(`${path}.log`).size;
    (live.get('c7') as Rec).state = 'running';
    live.delete('c9');
    j.commit(
      new Map<string, Rec | undefined>([
        ['c7', live.get('c7')],
        ['c9', undefined],
      ]),
      records(live),
    );
    const grown = statSync(`${path}.log`).size - before;
    assert.ok(grown < 100, `two changes appended ${grown} bytes`);
    const back = new Map(readRecords<Rec>(path).map((r) => [r.id, r]));
    assert.equal(back.size, 49);
    assert.equal(back.get('c7')?.state, 'running');
    assert.equal(back.has('c9'), false);
    assert.equal(back.get('c8')?.state, 'created');
  });

  test('reads the whole-file format written before the journal (a snapshot without a log)', () => {
    writeJsonFileAtomic(path, [{ id: 'old', state: 'running' }]);
    assert.deepEqual(readRecords<Rec>(path), [{ id: 'old', state: 'running' }]);
  });

  test('a line cut short by a crash is ignored; the lines before it count', () => {
    const j = new RecordJournal<Rec>(path);
    const live = new Map<string, Rec>([['a', { id: 'a', state: 'running' }]]);
    j.commit(new Map([['a', live.get('a')]]), records(live));
    appendFileSync(`${path}.log`, '{"id":"a","state":"exi');
    assert.deepEqual(readRecords<Rec>(path), [{ id: 'a', state: 'running' }]);
  });

  test('the journal is folded into the snapshot once it outgrows it; state unchanged', () => {
    const j = new RecordJournal<Rec>(path);
    const live = new Map<string, Rec>([['a', { id: 'a', state: 'x'.repeat(1000) }]]);
    // Each commit appends ~1 KB; past 256 KiB the next commit rewrites the snapshot instead.
    for (let i = 0; i < 300; i++) {
      (live.get('a') as Rec).state = `${i}`.padEnd(1000, '.');
      j.commit(new Map([['a', live.get('a')]]), records(live));
    }
    assert.ok(existsSync(path), 'a snapshot was written');
    assert.ok(!existsSync(`${path}.log`) || statSync(`${path}.log`).size < 256 * 1024 + 2048);
    assert.equal(readRecords<Rec>(path)[0]?.state, '299'.padEnd(1000, '.'));
  });

  test('a crash between the new snapshot and the log’s removal reads the same state', () => {
    const j = new RecordJournal<Rec>(path);
    const live = new Map<string, Rec>([
      ['a', { id: 'a', state: 'running' }],
      ['b', { id: 'b', state: 'running' }],
    ]);
    j.commit(new Map([...live]), records(live));
    (live.get('a') as Rec).state = 'exited';
    live.delete('b');
    j.commit(
      new Map<string, Rec | undefined>([
        ['a', live.get('a')],
        ['b', undefined],
      ]),
      records(live),
    );
    const log = readFileSync(`${path}.log`, 'utf8');
    // The snapshot is renamed into place, and the crash comes before the log is removed.
    writeJsonFileAtomic(path, [...live.values()]);
    assert.equal(readFileSync(`${path}.log`, 'utf8'), log);
    assert.deepEqual(readRecords<Rec>(path), [{ id: 'a', state: 'exited' }]);
  });
});
