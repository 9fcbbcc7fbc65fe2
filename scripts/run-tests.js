// Runs every *.test.ts under src/, test/ and bench/ with node:test and fails when a test failed or none ran.
//
// Two lanes, one file at a time each: the files that start real containers on the pod network
// (they call ociSkip()), and the rest. A node's cluster DNS binds the bridge address and its
// service rules answer the cluster's addresses, so two nodes with pod networks on one machine
// would answer each other's pods; the pod-network files therefore never overlap one another.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { globSync, readFileSync } from 'node:fs';
import process from 'node:process';

const patterns = process.argv.slice(2);
const files = globSync(patterns.length ? patterns : ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts']).sort();
const podNetwork = files.filter((f) => readFileSync(f, 'utf8').includes('ociSkip('));
const others = files.filter((f) => !podNetwork.includes(f));
let passed = 0;
let failed = 0;
let skipped = 0;

function lane(laneFiles) {
  if (laneFiles.length === 0) return Promise.resolve();
  const stream = run({ files: laneFiles, concurrency: 1, timeout: 120_000 });
  stream.on('test:pass', (e) => {
    if (e.details.type === 'suite') return;
    if (e.skip || e.todo) skipped++;
    else passed++;
  });
  stream.on('test:fail', (e) => {
    if (e.details.type !== 'suite') failed++;
    process.exitCode = 1;
  });
  const out = stream.compose(spec);
  out.pipe(process.stdout, { end: false });
  return new Promise((resolve) => out.on('end', resolve));
}

await Promise.all([lane(podNetwork), lane(others)]);
process.stdout.write(`\n${files.length} files, ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
if (passed === 0) {
  process.stdout.write('no test ran: failing\n');
  process.exitCode = 1;
}
