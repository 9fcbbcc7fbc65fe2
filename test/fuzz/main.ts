// `npm run fuzz -- [--seed N] [--count N] [--from I]`: the long fuzz run. Prints progress, every
// failure with its seed and case index (replay one with `--seed S --from I --count 1`) and
// exits non-zero when any case failed.
import { parseArgs } from 'node:util';
import { runFuzz } from './driver.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    count: { type: 'string', default: '50000' },
    from: { type: 'string', default: '0' },
    timeout: { type: 'string', default: '10000' },
  },
});
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 32);
const count = Number(values.count);
const from = Number(values.from);
const mib = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MiB`;
process.stdout.write(`fuzz: seed ${seed}, cases ${from}..${from + count - 1}\n`);
const stats = await runFuzz({
  seed,
  count,
  from,
  caseTimeoutMs: Number(values.timeout),
  batch: 500,
  onBatch(done, s) {
    process.stdout.write(
      `  ${done} cases, ${s.failures.length} failures, ${(s.durationMs / 1000).toFixed(1)} s, rss ${mib(s.rssLast)}\n`,
    );
  },
});
for (const f of stats.failures) {
  process.stdout.write(
    `\nFAIL seed ${f.seed} case ${f.index} (replay: npm run fuzz -- --seed ${f.seed} --from ${f.index} --count 1)\n  ${f.what}\n  ${f.problem}\n`,
  );
}
process.stdout.write(
  `\nfuzz: seed ${seed}: ${stats.cases} cases (${stats.manifests} manifests, ${stats.requests} requests) in ${(stats.durationMs / 1000).toFixed(1)} s; ` +
    `${stats.failures.length} failures; rss first ${mib(stats.rssFirst)}, max ${mib(stats.rssMax)}, last ${mib(stats.rssLast)}\n` +
    `outcomes: ${JSON.stringify(stats.outcomes)}\n`,
);
process.exitCode = stats.failures.length > 0 ? 1 : 0;
