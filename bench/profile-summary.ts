// Where the time went in a V8 CPU profile (`node --cpu-prof`, as `npm run bench -- --cpu-prof`
// writes them): self and total time per function (file:line), so a missed target can be traced to
// the function that costs most. `node bench/profile-summary.ts FILE.cpuprofile [--top N] [--filter TEXT]`.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionCost {
  /** `name (file:line)` */
  key: string;
  selfMs: number;
  totalMs: number;
}

function frameKey(f: CallFrame, root: string): string {
  const name = f.functionName || '(anonymous)';
  if (!f.url) return name;
  let file = f.url;
  if (file.startsWith('file://')) {
    try {
      file = relative(root, fileURLToPath(file));
    } catch {
      // keep the URL
    }
  }
  return `${name} (${file}:${f.lineNumber + 1})`;
}

/**
 * Self time: the samples whose leaf is the function. Total time: the samples with the function
 * anywhere on their stack, each sample counted once per function even under recursion.
 */
export function summarizeProfile(
  p: CpuProfile,
  root = process.cwd(),
): { wallMs: number; functions: FunctionCost[] } {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of p.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const keyOf = new Map<number, string>();
  for (const n of p.nodes) keyOf.set(n.id, frameKey(n.callFrame, root));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number;
    // The delta that follows a sample is the time it stands for (V8 records the gap before the next one).
    const ms = (p.timeDeltas[i + 1] ?? p.timeDeltas[i] ?? 0) / 1000;
    const leaf = keyOf.get(id) ?? String(id);
    self.set(leaf, (self.get(leaf) ?? 0) + ms);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf.get(cur) ?? String(cur);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + ms);
    }
  }
  const functions = [...total.entries()].map(([key, totalMs]) => ({
    key,
    selfMs: self.get(key) ?? 0,
    totalMs,
  }));
  return { wallMs: (p.endTime - p.startTime) / 1000, functions };
}

function table(rows: FunctionCost[], wallMs: number, by: 'selfMs' | 'totalMs', top: number): string {
  const sorted = [...rows].sort((a, b) => b[by] - a[by]).slice(0, top);
  return sorted
    .map(
      (r) =>
        `${r[by].toFixed(0).padStart(8)} ms ${((r[by] / wallMs) * 100).toFixed(1).padStart(5)} %  ${r.key}`,
    )
    .join('\n');
}

function main(argv: string[]): void {
  const file = argv.find((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: node bench/profile-summary.ts FILE.cpuprofile [--top N] [--filter TEXT]\n');
    process.exitCode = 2;
    return;
  }
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv[topAt + 1]) || 25 : 25;
  const filterAt = argv.indexOf('--filter');
  const filter = filterAt >= 0 ? argv[filterAt + 1] : undefined;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { wallMs, functions } = summarizeProfile(profile);
  const shown = filter ? functions.filter((f) => f.key.includes(filter)) : functions;
  const idle = functions.find((f) => f.key === '(idle)')?.selfMs ?? 0;
  process.stdout.write(
    `${file}: ${(wallMs / 1000).toFixed(1)} s profiled, ${((1 - idle / wallMs) * 100).toFixed(1)} % busy\n\n`,
  );
  process.stdout.write(
    `self time\n${table(shown, wallMs, 'selfMs', top)}\n\ntotal time\n${table(shown, wallMs, 'totalMs', top)}\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
