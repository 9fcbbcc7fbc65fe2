// The CRI container log format, written by the runtime and read back for `kubectl logs`.
//
// One record per line: `<RFC3339Nano timestamp> <stdout|stderr> <F|P> <content>\n`. A record
// tagged P is a piece of a longer line (the next record continues it); F ends a line. The writer
// follows containerd's redirectLogs (internal/cri/io/logger.go): output is split on '\n', a line
// longer than max_container_log_line_size (16 KiB) is cut into P records of that size, and what is
// left without a newline when the stream closes is written as P. The reader follows the kubelet's
// ReadLogs (pkg/kubelet/kuberuntime/logs/logs.go): tailLines counts records from the end of the
// file, sinceTime skips older records, limitBytes cuts the output, timestamps prefix each logical
// line (once, not per P piece) with the fixed-width RFC3339Nano form, and follow keeps reading
// while the container runs.
import { closeSync, openSync, readdirSync, rmSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { realClock, type Clock } from '../util/clock.ts';

export type LogStream = 'stdout' | 'stderr';

/** containerd's default max_container_log_line_size. */
export const MAX_LOG_LINE_BYTES = 16 * 1024;

/** How often a follower re-checks the file and the container even without a change notice (logForceCheckPeriod). */
export const LOG_FORCE_CHECK_MS = 1000;

const NL = 0x0a;

// ---------------------------------------------------------------------------------------------
// Timestamps

/**
 * Go's time.RFC3339Nano of a UTC instant, as containerd stamps records: trailing zeros of the
 * fraction are dropped, and an all-zero fraction is left out.
 */
export function formatRfc3339Nano(ms: number, extraNanos = 0): string {
  const iso = new Date(ms).toISOString(); // 2026-01-01T00:00:00.123Z
  const base = iso.slice(0, 19);
  const frac = (iso.slice(20, 23) + String(extraNanos).padStart(6, '0')).replace(/0+$/, '');
  return frac ? `${base}.${frac}Z` : `${base}Z`;
}

/** The kubelet's RFC3339NanoFixed output form: always nine fraction digits. */
export function formatRfc3339NanoFixed(ms: number, extraNanos = 0): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}${String(extraNanos).padStart(6, '0')}Z`;
}

const TS_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC3339 timestamp with an optional fraction of up to nine digits (Go's lenient
 * RFC3339Nano input form). Returns milliseconds since the epoch and the nanoseconds beyond them.
 */
export function parseRfc3339Nano(s: string): { ms: number; nanos: number } | undefined {
  const m = TS_RE.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac = '', zone = 'Z'] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec));
  if (Number.isNaN(ms)) return undefined;
  const digits = frac.padEnd(9, '0');
  ms += Number(digits.slice(0, 3));
  const nanos = Number(digits.slice(3));
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const offMin = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
    ms -= sign * offMin * 60_000;
  }
  return { ms, nanos };
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Where finished records go; each call gets one or more whole records. */
export type RecordSink = (records: Buffer) => void;

export interface CriLineWriterOptions {
  stream: LogStream;
  sink: RecordSink;
  /** The record timestamp source (the runtime's clock). */
  now: () => number;
  maxLineBytes?: number;
}

const NL_BUF = Buffer.from('\n');

/** Turns one output stream of a container into CRI log records. */
export class CriLineWriter {
  readonly stream: LogStream;
  private readonly sink: RecordSink;
  private readonly now: () => number;
  private readonly max: number;
  private pending: Buffer[] = [];
  private pendingLen = 0;
  private ended = false;
  /** Records of the current write, handed to the sink together (one write to the file). */
  private out: Buffer[] = [];
  private headMs = NaN;
  private heads: Record<'F' | 'P', Buffer> | undefined;

  constructor(opts: CriLineWriterOptions) {
    this.stream = opts.stream;
    this.sink = opts.sink;
    this.now = opts.now;
    this.max = opts.maxLineBytes ?? MAX_LOG_LINE_BYTES;
  }

  write(chunk: Buffer): void {
    if (this.ended) return;
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(NL, start);
      const end = nl < 0 ? chunk.length : nl;
      if (end > start) this.append(chunk.subarray(start, end), nl >= 0);
      if (nl < 0) break;
      this.emit('F');
      start = nl + 1;
    }
    this.flush();
  }

  /** The stream closed: what is left without a newline is written as a partial record. */
  end(): void {
    if (this.ended) return;
    if (this.pendingLen > 0) this.emit('P');
    this.flush();
    this.ended = true;
  }

  /** Adds a piece of the current line; transient pieces (ending in this chunk) need no copy. */
  private append(piece: Buffer, endsHere: boolean): void {
    this.pending.push(endsHere ? piece : Buffer.from(piece));
    this.pendingLen += piece.length;
    // As containerd: a line only becomes partial once it is longer than the limit, so a line of
    // exactly the limit is still one F record.
    while (this.pendingLen > this.max) {
      const all = Buffer.concat(this.pending, this.pendingLen);
      this.pending = [all.subarray(0, this.max)];
      this.pendingLen = this.max;
      this.emit('P');
      const rest = all.subarray(this.max);
      this.pending = [rest];
      this.pendingLen = rest.length;
    }
  }

  private head(tag: 'F' | 'P'): Buffer {
    const ms = this.now();
    if (ms !== this.headMs || !this.heads) {
      const ts = formatRfc3339Nano(ms);
      this.heads = { F: Buffer.from(`${ts} ${this.stream} F `), P: Buffer.from(`${ts} ${this.stream} P `) };
      this.headMs = ms;
    }
    return this.heads[tag];
  }

  private emit(tag: 'F' | 'P'): void {
    this.out.push(this.head(tag), ...this.pending, NL_BUF);
    this.pending = [];
    this.pendingLen = 0;
  }

  private flush(): void {
    if (this.out.length === 0) return;
    const records = Buffer.concat(this.out);
    this.out = [];
    this.sink(records);
  }
}

/**
 * A container's log file, opened for appending. Records are written synchronously, so records of
 * stdout and stderr never interleave inside a line and a reader sees each record once it is written.
 * Each write of a stream's output becomes one write to the file, however many lines it holds.
 */
export class CriLogFile {
  readonly path: string;
  private fd: number | undefined;

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, 'a', 0o640);
  }

  readonly write: RecordSink = (records) => {
    if (this.fd === undefined) return;
    let off = 0;
    while (off < records.length) off += writeSync(this.fd, records, off);
  };

  /** A line writer for one stream of this file. */
  writer(stream: LogStream, now: () => number, maxLineBytes?: number): CriLineWriter {
    return new CriLineWriter({ stream, sink: this.write, now, ...(maxLineBytes ? { maxLineBytes } : {}) });
  }

  /**
   * Closes the file and opens its path again (CRI ReopenContainerLog, after the log manager renamed
   * it): the records that follow go to a new file. Records are written whole and synchronously, so
   * none is split between the two files.
   */
  reopen(): void {
    if (this.fd === undefined) return;
    const fd = openSync(this.path, 'a', 0o640);
    closeSync(this.fd);
    this.fd = fd;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface CriLogRecord {
  /** Milliseconds since the epoch, and the nanoseconds beyond them. */
  ms: number;
  nanos: number;
  stream: LogStream;
  partial: boolean;
  /** The content: a full record's keeps its '\n', a partial record's has none. */
  content: Buffer;
}

let lastTs: { text: string; value: { ms: number; nanos: number } | undefined } = {
  text: '',
  value: undefined,
};

/** Parses one record (with or without its trailing '\n'); throws on a malformed line. */
export function parseCriLogLine(line: Buffer): CriLogRecord {
  const sp1 = line.indexOf(0x20);
  if (sp1 < 0) throw new Error('timestamp is not found');
  const tsText = line.subarray(0, sp1).toString('latin1');
  // Records of one burst share their timestamp: parse each distinct one once.
  if (tsText !== lastTs.text) lastTs = { text: tsText, value: parseRfc3339Nano(tsText) };
  const ts = lastTs.value;
  if (!ts) throw new Error(`unexpected timestamp format ${JSON.stringify(line.subarray(0, sp1).toString())}`);
  const sp2 = line.indexOf(0x20, sp1 + 1);
  if (sp2 < 0) throw new Error('stream type is not found');
  const stream = line.subarray(sp1 + 1, sp2).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr')
    throw new Error(`unexpected stream type ${JSON.stringify(stream)}`);
  const sp3 = line.indexOf(0x20, sp2 + 1);
  if (sp3 < 0) throw new Error('log tag is not found');
  // Tags are ':'-separated for forward compatibility; only the first one (P or F) is known.
  const tags = line
    .subarray(sp2 + 1, sp3)
    .toString('latin1')
    .split(':');
  const partial = tags[0] === 'P';
  let content = line.subarray(sp3 + 1);
  const endsNl = content.length > 0 && content[content.length - 1] === NL;
  if (partial && endsNl) content = content.subarray(0, content.length - 1);
  return { ms: ts.ms, nanos: ts.nanos, stream, partial, content };
}

export interface ReadLogOptions {
  /** Prefix each line with its RFC3339NanoFixed timestamp and a space. */
  timestamps?: boolean;
  /** Only the last N records of the file (N < 0 or unset: all). */
  tailLines?: number;
  /**
   * Skip records older than this (ms since the epoch). The API's sinceSeconds becomes
   * `now - sinceSeconds*1000`; with both, the later one wins (kubelet NewLogOptions).
   */
  sinceTime?: number;
  /** Stop after this many bytes of output (timestamps included). */
  limitBytes?: number;
  /** Keep reading while the container runs; needs isRunning. */
  follow?: boolean;
  /** Which streams to return (PodLogOptions.stream); All by default. */
  stream?: 'All' | 'Stdout' | 'Stderr';
  /** Asked at each end of file while following: the follower ends once this is false. */
  isRunning?: () => boolean | Promise<boolean>;
  /** Clock for the periodic re-check while following (LOG_FORCE_CHECK_MS). */
  clock?: Clock;
  /** Ends the read (a client went away); the generator returns quietly. */
  signal?: AbortSignal;
}

export interface LogChunk {
  stream: LogStream;
  data: Buffer;
}

const READ_BLOCK = 64 * 1024;
const BATCH_BYTES = 64 * 1024;

/** Byte offset where the last n lines of the file start (the kubelet's tail.FindTailLineStartIndex). */
export async function findTailStart(fh: FileHandle, n: number): Promise<number> {
  if (n < 0) return 0;
  const { size } = await fh.stat();
  let count = 0;
  let left = size;
  let buf = Buffer.alloc(0);
  for (let right = size; right > 0 && count <= n; right -= READ_BLOCK) {
    left = Math.max(0, right - READ_BLOCK);
    buf = Buffer.alloc(right - left);
    await fh.read(buf, 0, buf.length, left);
    for (let i = 0; i < buf.length; i++) if (buf[i] === NL) count++;
  }
  // Drop whole lines from the front of the last block read until n newlines remain.
  let idx = 0;
  for (; count > n; count--) {
    idx = buf.indexOf(NL, idx) + 1;
  }
  return left + idx;
}

/**
 * Reads a CRI log file the way the kubelet serves `kubectl logs`, yielding output chunks in order.
 * A record that cannot be parsed is skipped. With follow, the generator ends when isRunning says
 * the container stopped and the file holds nothing more, or when the signal aborts.
 */
export async function* readCriLog(path: string, opts: ReadLogOptions = {}): AsyncGenerator<LogChunk> {
  let fh = await open(path, 'r');
  let watcher: FSWatcher | undefined;
  let wake: (() => void) | undefined;
  const onAbort = (): void => wake?.();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const tail = opts.tailLines ?? -1;
    let pos = await findTailStart(fh, tail);
    const follow = opts.follow === true;
    const limited = tail >= 0 && !follow;
    let remainingLines = tail;
    let remainingBytes = opts.limitBytes !== undefined && opts.limitBytes >= 0 ? opts.limitBytes : Infinity;
    const since = opts.sinceTime ?? -Infinity;
    const want = opts.stream ?? 'All';
    const clock = opts.clock ?? realClock;
    let newLine = true;
    let found = true;
    let carry = Buffer.alloc(0);
    let draining = false;
    const block = Buffer.alloc(READ_BLOCK);
    // Consecutive output of one stream is handed out in chunks, not record by record.
    let batch: Buffer[] = [];
    let batchLen = 0;
    let batchStream: LogStream = 'stdout';
    const take = (): LogChunk | undefined => {
      if (batchLen === 0) return undefined;
      const chunk = { stream: batchStream, data: Buffer.concat(batch, batchLen) };
      batch = [];
      batchLen = 0;
      return chunk;
    };

    const nextLine = async (): Promise<Buffer | undefined> => {
      for (;;) {
        const nl = carry.indexOf(NL);
        if (nl >= 0) {
          const line = carry.subarray(0, nl + 1);
          carry = carry.subarray(nl + 1);
          return line;
        }
        const { bytesRead } = await fh.read(block, 0, block.length, pos);
        if (bytesRead === 0) return undefined;
        pos += bytesRead;
        carry = Buffer.concat([carry, block.subarray(0, bytesRead)]);
      }
    };

    /** The path now names another file than the one being read (it was rotated). */
    const replaced = async (): Promise<boolean> => {
      const now = await stat(path).catch(() => undefined);
      if (!now) return false;
      const mine = await fh.stat();
      return now.ino !== mine.ino || now.dev !== mine.dev;
    };

    const waitForChange = async (): Promise<boolean> => {
      if (opts.signal?.aborted) return false;
      if (!opts.isRunning || !(await opts.isRunning())) return false;
      if (!watcher) {
        try {
          watcher = watch(path, { persistent: false }, () => wake?.());
          watcher.on('error', () => undefined);
        } catch {
          // No change notices (the file went away, or no inotify): the periodic check still works.
        }
        return true; // read once more: a write may have landed before the watch began
      }
      await new Promise<void>((resolve) => {
        const timer = clock.setTimer(LOG_FORCE_CHECK_MS, () => done());
        function done(): void {
          timer.cancel();
          wake = undefined;
          resolve();
        }
        wake = done;
      });
      return !opts.signal?.aborted;
    };

    for (;;) {
      if (limited && remainingLines === 0) break;
      if (opts.signal?.aborted) break;
      let line = await nextLine();
      let last = false;
      if (line === undefined) {
        if (follow) {
          // As the kubelet's ReadLogs: when the log manager rotated the file (a new one is at the
          // path), what the old one holds has been read; go on from the start of the new one.
          if (await replaced()) {
            // Read the old file to its end once more: the writer may have added to it until it
            // reopened.
            if (!draining) {
              draining = true;
              continue;
            }
            draining = false;
            const next = await open(path, 'r').catch(() => undefined);
            if (next) {
              await fh.close();
              fh = next;
              pos = 0;
              carry = Buffer.alloc(0);
              watcher?.close();
              watcher = undefined;
              continue;
            }
          }
          if (!found) break;
          // Hand out what was read before waiting for more.
          const ready = take();
          if (ready) yield ready;
          found = await waitForChange();
          if (opts.signal?.aborted) break;
          continue;
        }
        // End of file: an incomplete last line is still shown, then the read ends.
        if (carry.length === 0) break;
        line = carry;
        carry = Buffer.alloc(0);
        last = true;
      }
      let rec: CriLogRecord;
      try {
        rec = parseCriLogLine(line);
      } catch {
        if (last) break;
        continue;
      }
      const instant = rec.ms + rec.nanos / 1e6;
      const selected = want === 'All' || (want === 'Stdout') === (rec.stream === 'stdout');
      if (instant >= since && selected) {
        let out = rec.content;
        if (opts.timestamps && newLine) {
          out = Buffer.concat([Buffer.from(`${formatRfc3339NanoFixed(rec.ms, rec.nanos)} `), out]);
        }
        if (out.length > remainingBytes) out = out.subarray(0, remainingBytes);
        remainingBytes -= out.length;
        if (out.length > 0) {
          if (batchLen > 0 && (rec.stream !== batchStream || batchLen >= BATCH_BYTES))
            yield take() as LogChunk;
          batchStream = rec.stream;
          batch.push(out);
          batchLen += out.length;
        }
        if (remainingBytes <= 0) break;
      }
      if (limited) remainingLines--;
      newLine = rec.content.length === 0 || rec.content[rec.content.length - 1] === NL;
      if (last) break;
    }
    const rest = take();
    if (rest) yield rest;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    watcher?.close();
    await fh.close();
  }
}

/** Reads the whole (non-following) output into one buffer, both streams interleaved as written. */
export async function readCriLogAll(
  path: string,
  opts: Omit<ReadLogOptions, 'follow'> = {},
): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of readCriLog(path, opts)) parts.push(chunk.data);
  return Buffer.concat(parts);
}

/**
 * Removes a container's log and the files the log manager rotated out of it (`<log>.*`), as the
 * kubelet's ContainerLogManager.Clean does when the container is removed.
 */
export function removeLogFiles(logPath: string): void {
  rmSync(logPath, { force: true });
  const dir = dirname(logPath);
  const prefix = `${basename(logPath)}.`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix)) rmSync(join(dir, n), { force: true });
}
