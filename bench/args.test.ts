import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePlan, runKind, SECTIONS, UsageError } from './args.ts';

test('the full plan by default, frozen', () => {
  const p = parsePlan([]);
  assert.equal(p.quick, false);
  assert.equal(p.runtime, 'process');
  assert.deepEqual(p.sections, SECTIONS);
  assert.deepEqual(p.densityLevels, [100, 500, 1000]);
  assert.equal(p.burst, 100);
  assert.ok(Object.isFrozen(p));
});

test('--quick shortens the run but keeps the burst of 100', () => {
  const p = parsePlan(['--quick']);
  assert.equal(p.quick, true);
  assert.equal(p.burst, 100);
  assert.deepEqual(p.densityLevels, [100, 500]);
  assert.ok(p.windowMs < parsePlan([]).windowMs);
});

test('--runtime, --only, --density, --cpu-prof and --out', () => {
  const p = parsePlan([
    '--runtime',
    'oci',
    '--only',
    'peer,startup',
    '--density',
    '500,50',
    '--cpu-prof',
    '--out',
    '/tmp/x',
  ]);
  assert.equal(p.runtime, 'oci');
  assert.deepEqual(p.sections, ['startup', 'peer']);
  assert.deepEqual(p.densityLevels, [50, 500]);
  assert.equal(p.cpuProf, true);
  assert.equal(p.outDir, '/tmp/x');
});

test('bad flags are usage errors', () => {
  assert.throws(() => parsePlan(['--runtime', 'docker']), UsageError);
  assert.throws(() => parsePlan(['--only', 'speed']), /unknown section speed/);
  assert.throws(() => parsePlan(['--density', '10,x']), UsageError);
  assert.throws(() => parsePlan(['--density', '0']), UsageError);
  assert.throws(() => parsePlan(['--fast']), UsageError);
  assert.throws(() => parsePlan(['extra']), UsageError);
  assert.throws(() => parsePlan(['--help']), UsageError);
});

test('only the default plan is a full run', () => {
  const kind = (argv: string[]) => runKind(parsePlan(argv), argv);
  assert.equal(kind([]), 'full');
  assert.equal(kind(['--runtime', 'oci']), 'full');
  assert.equal(kind(['--quick']), 'quick');
  assert.equal(kind(['--only', 'startup']), 'partial');
  assert.equal(kind(['--density', '100']), 'partial');
  assert.equal(kind(['--api', 'in-process']), 'partial');
  assert.equal(kind(['--cpu-prof']), 'partial');
  assert.equal(kind(['--out', '/tmp/x']), 'partial');
});
