import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { realClock } from '../util/clock.ts';
import {
  CriLineWriter,
  CriLogFile,
  formatRfc3339Nano,
  formatRfc3339NanoFixed,
  MAX_LOG_LINE_BYTES,
  parseCriLogLine,
  parseRfc3339Nano,
  readCriLog,
  readCriLogAll,
  removeLogFiles,
  type LogChunk,
} from './cri-log.ts';

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 120);
const dir = mkdtempSync(join(tmpdir(), 'cri-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (content: string): string => {
  const p = join(dir, `${n++}.log`);
  writeFileSync(p, content);
  return p;
};

function collect(opts: { stream?: 'stdout' | 'stderr'; max?: number; now?: () => number } = {}) {
  const records: string[] = [];
  const w = new CriLineWriter({
    stream: opts.stream ?? 'stdout',
    // A sink call may carry several records; each ends with the only '\n' it holds.
    sink: (r) => records.push(...r.toString().split(/(?<=\n)/)),
    now: opts.now ?? (() => T0),
    ...(opts.max ? { maxLineBytes: opts.max } : {}),
  });
  return { w, records };
}

describe('timestamps', () => {
  test('written as Go RFC3339Nano: trailing zeros dropped, no fraction when zero', () => {
    assert.equal(formatRfc3339Nano(T0), '2026-01-02T03:04:05.12Z');
    assert.equal(formatRfc3339Nano(Date.UTC(2026, 0, 2, 3, 4, 5)), '2026-01-02T03:04:05Z');
    assert.equal(formatRfc3339Nano(T0, 5), '2026-01-02T03:04:05.120000005Z');
  });

  test('shown in the fixed nine-digit form', () => {
    assert.equal(formatRfc3339NanoFixed(T0), '2026-01-02T03:04:05.120000000Z');
    assert.equal(formatRfc3339NanoFixed(T0, 123456), '2026-01-02T03:04:05.120123456Z');
  });

  test('parsed leniently, with offsets and up to nine digits', () => {
    assert.deepEqual(parseRfc3339Nano('2026-01-02T03:04:05.12Z'), { ms: T0, nanos: 0 });
    assert.deepEqual(parseRfc3339Nano('2026-01-02T03:04:05.120000789Z'), { ms: T0, nanos: 789 });
    assert.deepEqual(parseRfc3339Nano('2026-01-02T05:04:05.12+02:00'), { ms: T0, nanos: 0 });
    assert.deepEqual(parseRfc3339Nano('2026-01-02T03:04:05Z'), { ms: T0 - 120, nanos: 0 });
    assert.equal(parseRfc3339Nano('2026-01-02 03:04:05Z'), undefined);
    assert.equal(parseRfc3339Nano('yesterday'), undefined);
  });
});

describe('CriLineWriter', () => {
  test('one F record per line, split across chunks as the bytes arrive', () => {
    const { w, records } = collect();
    w.write(Buffer.from('hello\nwor'));
    w.write(Buffer.from('ld\n\nlast'));
    assert.deepEqual(records, [
      '2026-01-02T03:04:05.12Z stdout F hello\n',
      '2026-01-02T03:04:05.12Z stdout F world\n',
      '2026-01-02T03:04:05.12Z stdout F \n',
    ]);
    w.end();
    assert.equal(records[3], '2026-01-02T03:04:05.12Z stdout P last\n');
    w.write(Buffer.from('after end\n'));
    assert.equal(records.length, 4);
  });

  test('a line longer than the limit is cut into P records of the limit; exactly the limit stays F', () => {
    const { w, records } = collect({ stream: 'stderr', max: 4 });
    w.write(Buffer.from('abcd\nabcdefghij\n'));
    assert.deepEqual(
      records.map((r) => r.slice(24)),
      ['stderr F abcd\n', 'stderr P abcd\n', 'stderr P efgh\n', 'stderr F ij\n'],
    );
  });

  test('the default limit is containerd’s 16 KiB', () => {
    const { w, records } = collect();
    w.write(Buffer.from('x'.repeat(MAX_LOG_LINE_BYTES) + '\n' + 'y'.repeat(MAX_LOG_LINE_BYTES + 1) + '\n'));
    assert.deepEqual(
      records.map((r) => [r.split(' ')[2], r.length - 25 - 9]),
      [
        ['F', MAX_LOG_LINE_BYTES],
        ['P', MAX_LOG_LINE_BYTES],
        ['F', 1],
      ],
    );
  });

  test('each record takes the time it is written', () => {
    let t = T0;
    const { w, records } = collect({ now: () => t });
    w.write(Buffer.from('a'));
    t += 1000;
    w.write(Buffer.from('b\n'));
    assert.equal(records[0], '2026-01-02T03:04:06.12Z stdout F ab\n');
  });

  test('CriLogFile appends records of both streams to one file', async () => {
    const p = join(dir, 'both.log');
    const f = new CriLogFile(p);
    const out = f.writer('stdout', () => T0);
    const err = f.writer('stderr', () => T0);
    out.write(Buffer.from('o1\n'));
    err.write(Buffer.from('e1\n'));
    out.write(Buffer.from('o2'));
    out.end();
    err.end();
    f.close();
    const chunks: LogChunk[] = [];
    for await (const c of readCriLog(p)) chunks.push(c);
    assert.deepEqual(
      chunks.map((c) => [c.stream, c.data.toString()]),
      [
        ['stdout', 'o1\n'],
        ['stderr', 'e1\n'],
        ['stdout', 'o2'],
      ],
    );
  });
});

describe('parseCriLogLine', () => {
  test('full and partial records', () => {
    const f = parseCriLogLine(Buffer.from('2026-01-02T03:04:05.12Z stdout F hello world\n'));
    assert.deepEqual(
      { ...f, content: f.content.toString() },
      {
        ms: T0,
        nanos: 0,
        stream: 'stdout',
        partial: false,
        content: 'hello world\n',
      },
    );
    const p = parseCriLogLine(Buffer.from('2026-01-02T03:04:05.12Z stderr P:x piece\n'));
    assert.equal(p.partial, true);
    assert.equal(p.stream, 'stderr');
    assert.equal(p.content.toString(), 'piece');
  });

  test('malformed lines are rejected', () => {
    assert.throws(() => parseCriLogLine(Buffer.from('nothing')), /timestamp is not found/);
    assert.throws(() => parseCriLogLine(Buffer.from('2026-01-02 stdout F x')), /unexpected timestamp/);
    assert.throws(
      () => parseCriLogLine(Buffer.from('2026-01-02T03:04:05Z stdin F x')),
      /unexpected stream type/,
    );
    assert.throws(
      () => parseCriLogLine(Buffer.from('2026-01-02T03:04:05Z stdout')),
      /stream type is not found/,
    );
    assert.throws(
      () => parseCriLogLine(Buffer.from('2026-01-02T03:04:05Z stdout F')),
      /log tag is not found/,
    );
  });
});

const sample = [
  '2026-01-02T03:04:01Z stdout F one\n',
  '2026-01-02T03:04:02Z stderr F two\n',
  '2026-01-02T03:04:03Z stdout P thr\n',
  '2026-01-02T03:04:04Z stdout F ee\n',
  'garbage line\n',
  '2026-01-02T03:04:05Z stdout F five\n',
].join('');

describe('readCriLog', () => {
  test('all content, partial pieces joined, bad lines skipped', async () => {
    assert.equal((await readCriLogAll(file(sample))).toString(), 'one\ntwo\nthree\nfive\n');
  });

  test('timestamps prefix each logical line once, in the fixed form', async () => {
    assert.equal(
      (await readCriLogAll(file(sample), { timestamps: true })).toString(),
      [
        '2026-01-02T03:04:01.000000000Z one',
        '2026-01-02T03:04:02.000000000Z two',
        '2026-01-02T03:04:03.000000000Z three',
        '2026-01-02T03:04:05.000000000Z five',
        '',
      ].join('\n'),
    );
  });

  test('tailLines counts records from the end of the file', async () => {
    const p = file(sample);
    assert.equal((await readCriLogAll(p, { tailLines: 1 })).toString(), 'five\n');
    assert.equal((await readCriLogAll(p, { tailLines: 3 })).toString(), 'ee\nfive\n');
    assert.equal((await readCriLogAll(p, { tailLines: 0 })).toString(), '');
    assert.equal((await readCriLogAll(p, { tailLines: 100 })).toString(), 'one\ntwo\nthree\nfive\n');
  });

  test('tailLines over a file larger than one read block', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `2026-01-02T03:04:05Z stdout F line ${i}\n`);
    const p = file(lines.join(''));
    assert.equal((await readCriLogAll(p, { tailLines: 2 })).toString(), 'line 4998\nline 4999\n');
    assert.equal((await readCriLogAll(p, { tailLines: 4000 })).toString().split('\n')[0], 'line 1000');
  });

  test('an incomplete last line is still shown', async () => {
    const p = file('2026-01-02T03:04:01Z stdout F one\n2026-01-02T03:04:02Z stdout F two');
    assert.equal((await readCriLogAll(p)).toString(), 'one\ntwo');
  });

  test('sinceTime skips older records', async () => {
    const since = Date.UTC(2026, 0, 2, 3, 4, 3);
    assert.equal((await readCriLogAll(file(sample), { sinceTime: since })).toString(), 'three\nfive\n');
  });

  test('limitBytes cuts the output, timestamps included', async () => {
    assert.equal((await readCriLogAll(file(sample), { limitBytes: 6 })).toString(), 'one\ntw');
    const ts = await readCriLogAll(file(sample), { limitBytes: 35, timestamps: true });
    assert.equal(ts.toString(), '2026-01-02T03:04:01.000000000Z one\n');
  });

  test('stream selects stdout or stderr', async () => {
    assert.equal((await readCriLogAll(file(sample), { stream: 'Stderr' })).toString(), 'two\n');
    assert.equal((await readCriLogAll(file(sample), { stream: 'Stdout' })).toString(), 'one\nthree\nfive\n');
  });

  test('follow reads new records while the container runs and ends after it stopped', async () => {
    const p = file('2026-01-02T03:04:01Z stdout F one\n');
    let running = true;
    const seen: string[] = [];
    const reader = (async () => {
      for await (const c of readCriLog(p, { follow: true, isRunning: () => running, clock: realClock })) {
        seen.push(c.data.toString());
      }
    })();
    const until = async (cond: () => boolean): Promise<void> => {
      for (let i = 0; i < 500 && !cond(); i++) await realClock.sleep(10);
      assert.ok(cond());
    };
    await until(() => seen.length === 1);
    // A record written in two pieces is only read once it is whole.
    appendFileSync(p, '2026-01-02T03:04:02Z stdout F t');
    await realClock.sleep(50);
    assert.deepEqual(seen, ['one\n']);
    appendFileSync(p, 'wo\n');
    await until(() => seen.length === 2);
    appendFileSync(p, '2026-01-02T03:04:03Z stderr F three\n');
    running = false;
    await reader;
    assert.deepEqual(seen, ['one\n', 'two\n', 'three\n']);
  });

  test('follow with tailLines starts at the tail and keeps going', async () => {
    const p = file(sample);
    let running = true;
    const seen: string[] = [];
    const reader = (async () => {
      for await (const c of readCriLog(p, { follow: true, tailLines: 1, isRunning: () => running })) {
        seen.push(c.data.toString());
      }
    })();
    for (let i = 0; i < 500 && seen.length < 1; i++) await realClock.sleep(10);
    appendFileSync(p, '2026-01-02T03:04:06Z stdout F six\n');
    running = false;
    await reader;
    assert.deepEqual(seen, ['five\n', 'six\n']);
  });

  test('an aborted follow ends quietly', async () => {
    const p = file('2026-01-02T03:04:01Z stdout F one\n');
    const ac = new AbortController();
    const seen: string[] = [];
    const reader = (async () => {
      for await (const c of readCriLog(p, { follow: true, isRunning: () => true, signal: ac.signal })) {
        seen.push(c.data.toString());
        ac.abort();
      }
    })();
    await reader;
    assert.deepEqual(seen, ['one\n']);
  });

  test('follow goes on in the new file once the log was rotated, and reads the old one to its end first', async () => {
    const p = file('2026-01-02T03:04:01Z stdout F one\n');
    let running = true;
    const seen: string[] = [];
    const reader = (async () => {
      for await (const c of readCriLog(p, { follow: true, isRunning: () => running, clock: realClock })) {
        seen.push(c.data.toString());
      }
    })();
    const until = async (cond: () => boolean): Promise<void> => {
      for (let i = 0; i < 500 && !cond(); i++) await realClock.sleep(10);
      assert.ok(cond(), JSON.stringify(seen));
    };
    await until(() => seen.length === 1);
    // The log manager renames the file; the writer adds one more record to the old file before
    // it reopens, then writes to a new file at the path.
    renameSync(p, `${p}.20260102-030402`);
    appendFileSync(`${p}.20260102-030402`, '2026-01-02T03:04:02Z stdout F two\n');
    writeFileSync(p, '2026-01-02T03:04:03Z stdout F three\n');
    await until(() => seen.join('') === 'one\ntwo\nthree\n');
    appendFileSync(p, '2026-01-02T03:04:04Z stdout F four\n');
    await until(() => seen.join('') === 'one\ntwo\nthree\nfour\n');
    running = false;
    await reader;
  });

  test('a read without follow reads only the current file, as the kubelet', async () => {
    const p = file('2026-01-02T03:04:03Z stdout F three\n');
    writeFileSync(`${p}.20260102-030402`, '2026-01-02T03:04:02Z stdout F two\n');
    assert.equal((await readCriLogAll(p)).toString(), 'three\n');
  });
});

describe('CriLogFile.reopen and removeLogFiles', () => {
  test('records after reopen go to a new file at the path; the renamed one keeps what it had', () => {
    const p = join(dir, 'reopen.log');
    const f = new CriLogFile(p);
    const w = f.writer('stdout', () => T0);
    w.write(Buffer.from('before\n'));
    renameSync(p, `${p}.1`);
    w.write(Buffer.from('still old\n'));
    f.reopen();
    w.write(Buffer.from('after\n'));
    f.close();
    assert.match(readFileSync(`${p}.1`, 'utf8'), /F before\n.*F still old\n$/s);
    assert.match(readFileSync(p, 'utf8'), /^\S+ stdout F after\n$/);
  });

  test('removeLogFiles removes the log and its rotated files, nothing else', () => {
    const d = mkdtempSync(join(dir, 'rm-'));
    for (const n of ['0.log', '0.log.20260101-000000.gz', '0.log.20260101-000010', '1.log', '1.log.x'])
      writeFileSync(join(d, n), '');
    removeLogFiles(join(d, '0.log'));
    assert.deepEqual(readdirSync(d).sort(), ['1.log', '1.log.x']);
    removeLogFiles(join(d, 'missing.log'));
    assert.ok(existsSync(join(d, '1.log')));
  });
});
