// The fuzzer's short mode, inside `npm test`: a fixed seed, a few thousand cases of hostile
// manifests and API requests. `npm run fuzz` runs the long mode (any seed, any count).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from './driver.ts';

const SEED = 20_261_203;
const CASES = 2000;

test(`fuzz: ${CASES} cases of seed ${SEED}: no crash, no hang, always a Status or field errors`, async (t) => {
  const stats = await runFuzz({ seed: SEED, count: CASES, batch: 250 });
  const mib = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MiB`;
  t.diagnostic(
    `${stats.cases} cases (${stats.manifests} manifests, ${stats.requests} requests) in ${(stats.durationMs / 1000).toFixed(1)} s; ` +
      `rss ${mib(stats.rssFirst)} → max ${mib(stats.rssMax)}; outcomes ${JSON.stringify(stats.outcomes)}`,
  );
  assert.equal(stats.cases, CASES);
  // The cases must reach the targets: refusals, successes and validation errors all occur.
  assert.ok((stats.outcomes['manifest:ok'] ?? 0) > 0, 'no manifest was valid');
  assert.ok((stats.outcomes['manifest:ManifestInvalidError'] ?? 0) > 0, 'no manifest had field errors');
  assert.ok((stats.outcomes['201'] ?? 0) > 0, 'no request created anything');
  assert.ok((stats.outcomes['422'] ?? 0) > 0, 'no request was Invalid');
  const report = stats.failures
    .slice(0, 5)
    .map(
      (f) =>
        `seed ${f.seed} case ${f.index} (npm run fuzz -- --seed ${f.seed} --from ${f.index} --count 1)\n  ${f.what.slice(0, 300)}\n  ${f.problem.slice(0, 600)}`,
    )
    .join('\n');
  assert.equal(stats.failures.length, 0, `${stats.failures.length} failures:\n${report}`);
  // Memory stays bounded: alias bombs, 10k-deep nesting and 1 MB strings are refused or handled
  // without keeping them (the whole process, driver and targets together).
  assert.ok(stats.rssMax < 1536 * 2 ** 20, `rss reached ${mib(stats.rssMax)}`);
});
