// Runs fuzz cases against the targets in a worker thread and checks the invariants: no crash, no
// unhandled rejection, no hang (a deadline per case), every answer a Kubernetes Status or a field
// error list, `/version` answering after every batch, memory measured.
import { request, Agent, type IncomingHttpHeaders } from 'node:http';
import { Worker } from 'node:worker_threads';
import { MAX_BODY_BYTES } from '../../src/apiserver/http-util.ts';
import { fuzzCase, type FuzzCase, type HttpCase } from './cases.ts';
import { Rng } from './prng.ts';
import type { FromWorker, ToWorker } from './target-worker.ts';
import { TARGET_POD } from './seeds.ts';

export interface FuzzOptions {
  seed: number;
  /** Cases to run, starting at case index `from` (default 0). */
  count: number;
  from?: number;
  /** A case not answered within this is a hang (default 10 s). */
  caseTimeoutMs?: number;
  /** `/version` is asked and memory sampled after every batch (default 200 cases). */
  batch?: number;
  onBatch?: (done: number, stats: FuzzStats) => void;
}

export interface FuzzFailure {
  seed: number;
  index: number;
  /** What the case was, shortly (method and path, or the manifest's first bytes). */
  what: string;
  problem: string;
}

export interface FuzzStats {
  cases: number;
  manifests: number;
  requests: number;
  /** Answers by HTTP code (or manifest outcome). */
  outcomes: Record<string, number>;
  failures: FuzzFailure[];
  durationMs: number;
  /** Resident set size of the whole process (driver and targets), bytes. */
  rssFirst: number;
  rssMax: number;
  rssLast: number;
}

const TOKEN = 'test-token';

class Targets {
  private worker!: Worker;
  url = '';
  private nextId = 0;
  private readonly pending = new Map<number, (m: FromWorker) => void>();
  /** Set when the worker died (a crash in a target); cleared by restart. */
  crashed: string | undefined;
  agent = new Agent({ keepAlive: true, maxSockets: 4 });

  async start(): Promise<void> {
    this.crashed = undefined;
    this.stopping = false;
    this.worker = new Worker(new URL('./target-worker.ts', import.meta.url), {
      stdout: false,
      stderr: false,
    });
    // Events of a worker that was replaced or is being stopped are not this target's crash.
    const worker = this.worker;
    const current = (): boolean => this.worker === worker && !this.stopping;
    this.worker.on('error', (e: Error) => {
      if (current()) this.crashed = `target crashed: ${e.stack ?? String(e)}`;
    });
    this.worker.on('exit', (code) => {
      if (current()) this.crashed ??= `target exited with code ${code}`;
      for (const [, r] of this.pending) r({ type: 'memory', id: -1, rss: 0, heapUsed: 0 });
      this.pending.clear();
    });
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') return;
      const r = this.pending.get(m.id);
      this.pending.delete(m.id);
      r?.(m);
    });
    this.url = await new Promise<string>((resolve, reject) => {
      const onMsg = (m: FromWorker): void => {
        if (m.type === 'ready') {
          this.worker.off('message', onMsg);
          resolve(m.url);
        }
      };
      this.worker.on('message', onMsg);
      this.worker.once('error', reject);
    });
  }

  private stopping = false;

  async stop(): Promise<void> {
    this.stopping = true;
    this.agent.destroy();
    this.agent = new Agent({ keepAlive: true, maxSockets: 4 });
    await this.worker.terminate();
  }

  ask(
    msg: Omit<ToWorker, 'id'> & { bytes?: Uint8Array },
    timeoutMs: number,
  ): Promise<FromWorker | 'timeout'> {
    const id = ++this.nextId;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve('timeout');
      }, timeoutMs);
      this.pending.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      this.worker.postMessage({ ...msg, id });
    });
  }
}

interface HttpAnswer {
  code: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function send(
  targets: Targets,
  c: HttpCase,
  timeoutMs: number,
  fresh = false,
): Promise<HttpAnswer | 'timeout' | Error> {
  return new Promise((resolve) => {
    const url = new URL(targets.url);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: c.method,
        path: c.path,
        agent: fresh ? false : targets.agent,
        headers: {
          authorization: `Bearer ${TOKEN}`,
          ...c.headers,
          ...(c.body ? { 'content-length': String(c.body.length) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        if (c.streaming && res.statusCode === 200) {
          // A watch or follow answers 200 and keeps streaming; the first bytes are enough.
          clearTimeout(timer);
          res.destroy();
          resolve({ code: 200, headers: res.headers, body: Buffer.alloc(0) });
          return;
        }
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ code: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          resolve(e);
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      resolve('timeout');
    }, timeoutMs);
    req.on('error', (e) => {
      clearTimeout(timer);
      resolve(e);
    });
    req.end(c.body);
  });
}

/** The invariant on an API answer; a string says what is wrong. */
export function checkAnswer(c: HttpCase, a: HttpAnswer): string | undefined {
  if (c.method === 'HEAD' || a.code === 101) return undefined;
  if (a.code >= 200 && a.code < 300) {
    if (c.streaming) return undefined;
    const type = String(a.headers['content-type'] ?? '');
    if (type.startsWith('text/plain')) return undefined; // /healthz, logs
    try {
      JSON.parse(a.body.toString('utf8'));
      return undefined;
    } catch {
      return `${a.code} with a body that is not JSON: ${a.body.subarray(0, 200).toString('utf8')}`;
    }
  }
  let status: { kind?: unknown; code?: unknown; reason?: unknown; status?: unknown; message?: unknown };
  try {
    status = JSON.parse(a.body.toString('utf8')) as typeof status;
  } catch {
    return `${a.code} with a body that is not a Status: ${a.body.subarray(0, 200).toString('utf8')}`;
  }
  if (status.kind !== 'Status' || status.status !== 'Failure')
    return `${a.code} answered with a ${String(status.kind)}`;
  if (status.code !== a.code) return `${a.code} answered with a Status of code ${String(status.code)}`;
  if (typeof status.reason !== 'string' || status.reason === '')
    return `${a.code} Status without a reason: ${String(status.message)}`;
  if (a.code < 400) return `a failure answered with ${a.code}`;
  if (a.code >= 500) return `internal error: ${String(status.message).slice(0, 300)}`;
  return undefined;
}

function describe(c: FuzzCase): string {
  if (c.kind === 'http') {
    const body = c.body ? ` body(${c.body.length}): ${c.body.subarray(0, 80).toString('utf8')}` : '';
    return `${c.method} ${c.path.slice(0, 200)} ${JSON.stringify(c.headers)}${body}`;
  }
  return `manifest(${c.bytes.length}): ${JSON.stringify(c.bytes.subarray(0, 120).toString('utf8'))}`;
}

/** loadPods may refuse a manifest only with these errors; anything else escapes as a crash trace. */
const MANIFEST_ERRORS = new Set(['ManifestError', 'ManifestInvalidError']);

export async function runFuzz(options: FuzzOptions): Promise<FuzzStats> {
  const from = options.from ?? 0;
  const timeoutMs = options.caseTimeoutMs ?? 10_000;
  const batch = options.batch ?? 200;
  const started = performance.now();
  const stats: FuzzStats = {
    cases: 0,
    manifests: 0,
    requests: 0,
    outcomes: {},
    failures: [],
    durationMs: 0,
    rssFirst: 0,
    rssMax: 0,
    rssLast: 0,
  };
  const count = (k: string): void => {
    stats.outcomes[k] = (stats.outcomes[k] ?? 0) + 1;
  };
  const targets = new Targets();
  await targets.start();
  const fail = (index: number, c: FuzzCase | undefined, problem: string): void => {
    stats.failures.push({ seed: options.seed, index, what: c ? describe(c) : '', problem });
  };
  const resetTarget = async (): Promise<void> => {
    // The pod most cases address, put back after deletes and patches.
    await send(
      targets,
      {
        kind: 'http',
        method: 'POST',
        path: '/api/v1/namespaces/default/pods',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(TARGET_POD)),
        streaming: false,
      },
      timeoutMs,
    );
  };
  try {
    await resetTarget();
    for (let i = from; i < from + options.count; i++) {
      const c = fuzzCase(Rng.forCase(options.seed, i));
      stats.cases++;
      if (c.kind === 'manifest') {
        stats.manifests++;
        const m = await targets.ask({ type: 'decode', bytes: c.bytes }, timeoutMs);
        if (m === 'timeout') fail(i, c, `no answer within ${timeoutMs} ms (hang)`);
        else if (m.type === 'decoded') {
          count(m.ok ? 'manifest:ok' : `manifest:${m.name}`);
          if (!m.ok && !MANIFEST_ERRORS.has(m.name)) fail(i, c, `${m.name}: ${m.message}\n${m.stack}`);
        }
      } else {
        stats.requests++;
        let a = await send(targets, c, timeoutMs);
        // A kept-alive connection the server closed as idle (5 s) while a slow case ran: the
        // request never reached it. Sent again on a new connection, as HTTP clients do.
        if (a instanceof Error && /ECONNRESET|socket hang up/.test(a.message))
          a = await send(targets, c, timeoutMs, true);
        if (a === 'timeout') fail(i, c, `no answer within ${timeoutMs} ms (hang)`);
        else if (a instanceof Error) {
          // The server closes the connection of a body over the limit after its 413, unread; the
          // client may still be writing then. Any other broken connection is a failure.
          if ((c.body?.length ?? 0) > MAX_BODY_BYTES) count('413:closed');
          else fail(i, c, `connection error: ${a.message}`);
        } else {
          count(String(a.code));
          const problem = checkAnswer(c, a);
          if (problem) fail(i, c, problem);
        }
      }
      const hung = stats.failures.at(-1)?.index === i && stats.failures.at(-1)?.problem.includes('(hang)');
      if (targets.crashed || hung) {
        // A new target, so that the cases after a crash or a hang are judged on their own.
        if (targets.crashed) fail(i, c, targets.crashed);
        await targets.stop().catch(() => undefined);
        await targets.start();
        await resetTarget();
      }
      const done = i - from + 1;
      if (done % batch === 0 || done === options.count) {
        const v = await send(
          targets,
          { kind: 'http', method: 'GET', path: '/version', headers: {}, streaming: false },
          timeoutMs,
        );
        if (v === 'timeout' || v instanceof Error || v.code !== 200)
          fail(i, undefined, `/version did not answer after case ${i}`);
        const mem = process.memoryUsage().rss;
        if (stats.rssFirst === 0) stats.rssFirst = mem;
        stats.rssMax = Math.max(stats.rssMax, mem);
        stats.rssLast = mem;
        await resetTarget();
        stats.durationMs = performance.now() - started;
        options.onBatch?.(done, stats);
      }
    }
  } finally {
    await targets.stop();
  }
  stats.durationMs = performance.now() - started;
  return stats;
}
