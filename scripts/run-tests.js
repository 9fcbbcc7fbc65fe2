// Runs every *.test.ts under src/ and test/ with node:test and fails when a test failed or none ran.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { globSync } from 'node:fs';
import process from 'node:process';

const patterns = process.argv.slice(2);
const files = globSync(patterns.length ? patterns : ['src/**/*.test.ts', 'test/**/*.test.ts']).sort();
let passed = 0;
let failed = 0;
let skipped = 0;
const stream = run({ files, concurrency: 2, timeout: 120_000 });
stream.on('test:pass', (e) => {
  if (e.details.type === 'suite') return;
  if (e.skip || e.todo) skipped++;
  else passed++;
});
stream.on('test:fail', (e) => {
  if (e.details.type !== 'suite') failed++;
  process.exitCode = 1;
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  process.stdout.write(`\n${files.length} files, ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  if (passed === 0) {
    process.stdout.write('no test ran: failing\n');
    process.exitCode = 1;
  }
});
