// `npm run bench [-- --quick] [--runtime process|oci] [--cpu-prof] …`: flags → one frozen plan, so
// the scenarios never see a flag or a missing default.
import { parseArgs } from 'node:util';

export const SECTIONS = ['startup', 'deletion', 'density', 'peer'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Plan {
  readonly quick: boolean;
  readonly runtime: 'process' | 'oci';
  /** https: `nodelet server` driven through its HTTPS API by a real client; in-process: the store, no HTTP. */
  readonly api: 'https' | 'in-process';
  readonly sections: readonly Section[];
  readonly outDir: string;
  /** Write V8 CPU profiles of the nodelet process (node --cpu-prof) into outDir/profiles. */
  readonly cpuProf: boolean;
  /** Pods created one at a time (create → Running, and create → Ready with a probe). */
  readonly sequential: number;
  /** Pods per burst, and how many bursts. */
  readonly burst: number;
  readonly bursts: number;
  readonly deletions: number;
  /** Pods running at once; the quick run stops at 500 (1000 alone takes minutes to ramp on 2 cores). */
  readonly densityLevels: readonly number[];
  /** After the last pod of a level is Ready: one probe period, so every probe is on its ticker. */
  readonly settleMs: number;
  /** The steady-state window for CPU, RSS and probe lateness. */
  readonly windowMs: number;
  readonly listSamples: number;
  readonly watchSamples: number;
  /** The most time each of the list and watch series may take per level. */
  readonly samplingBudgetMs: number;
  readonly peerRuns: number;
}

export const USAGE = `usage: npm run bench [-- [--quick] [--runtime process|oci] [--api https|in-process] [--cpu-prof]
                           [--only startup,deletion,density,peer] [--density 100,500,1000]
                           [--out DIR]]

  --quick       a shorter run (under 5 minutes on 2 cores); the full run takes under 20
  --runtime     process (default) or oci
  --api         https (default: nodelet server through @kubernetes/client-node) or in-process
                (the kubelet's own store, no HTTP)
  --cpu-prof    write V8 CPU profiles of the nodelet process under DIR/profiles
  --only        run only these sections
  --density     the density levels (pods running at once)
  --out         where results go (default bench/results)
`;

export class UsageError extends Error {}

function positiveInts(text: string, flag: string): number[] {
  const vs = text.split(',').map((s) => Number(s.trim()));
  if (vs.length === 0 || vs.some((v) => !Number.isInteger(v) || v <= 0)) {
    throw new UsageError(`${flag}: want positive whole numbers separated by commas, got "${text}"`);
  }
  return vs;
}

export function parsePlan(argv: readonly string[]): Plan {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        quick: { type: 'boolean', default: false },
        runtime: { type: 'string', default: 'process' },
        api: { type: 'string', default: 'https' },
        'cpu-prof': { type: 'boolean', default: false },
        only: { type: 'string' },
        density: { type: 'string' },
        out: { type: 'string', default: 'bench/results' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (values.help) throw new UsageError('');
  const runtime = values.runtime;
  if (runtime !== 'process' && runtime !== 'oci') {
    throw new UsageError(`--runtime: want process or oci, got "${runtime}"`);
  }
  const api = values.api;
  if (api !== 'https' && api !== 'in-process')
    throw new UsageError(`--api: want https or in-process, got "${api}"`);
  let sections: Section[] = [...SECTIONS];
  if (values.only !== undefined) {
    const wanted = values.only.split(',').map((s) => s.trim());
    const unknown = wanted.filter((s) => !(SECTIONS as readonly string[]).includes(s));
    if (unknown.length)
      throw new UsageError(`--only: unknown section ${unknown.join(', ')} (have ${SECTIONS.join(', ')})`);
    sections = SECTIONS.filter((s) => wanted.includes(s));
  }
  const quick = values.quick;
  const densityLevels =
    values.density !== undefined
      ? positiveInts(values.density, '--density')
      : quick
        ? [100, 500]
        : [100, 500, 1000];
  return Object.freeze({
    quick,
    runtime,
    api,
    sections: Object.freeze(sections),
    outDir: values.out,
    cpuProf: values['cpu-prof'],
    sequential: quick ? 20 : 100,
    burst: 100,
    bursts: quick ? 1 : 3,
    deletions: quick ? 20 : 100,
    densityLevels: Object.freeze([...densityLevels].sort((a, b) => a - b)),
    settleMs: 10_000,
    windowMs: quick ? 20_000 : 60_000,
    listSamples: quick ? 30 : 100,
    watchSamples: quick ? 50 : 200,
    samplingBudgetMs: quick ? 20_000 : 40_000,
    peerRuns: quick ? 3 : 5,
  });
}

/**
 * full: the default plan (the only kind whose results are committed and shown in the README);
 * quick: --quick; partial: anything else (fewer sections, other levels or output, another API path,
 * or profiled).
 */
export function runKind(plan: Plan, argv: readonly string[]): 'full' | 'quick' | 'partial' {
  if (plan.quick) return 'quick';
  const defaults = parsePlan([]);
  const same =
    plan.sections.length === defaults.sections.length &&
    plan.densityLevels.join() === defaults.densityLevels.join() &&
    plan.api === defaults.api &&
    // Profiled figures carry the profiler's cost: never the README's table.
    !plan.cpuProf &&
    !argv.some((a) => a.startsWith('--out'));
  return same ? 'full' : 'partial';
}
