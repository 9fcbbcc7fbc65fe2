import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeProfile, type CpuProfile } from './profile-summary.ts';

const frame = (functionName: string, url = '', lineNumber = 0) => ({
  functionName,
  url,
  lineNumber,
  columnNumber: 0,
});

// (root) → main → persist → write ; main → spawn ; (root) → (idle); recursion: main → main
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 6] },
    { id: 2, callFrame: frame('main', 'file:///repo/src/a.ts', 9), children: [3, 5, 7] },
    { id: 3, callFrame: frame('persist', 'file:///repo/src/b.ts', 194), children: [4] },
    { id: 4, callFrame: frame('write') },
    { id: 5, callFrame: frame('spawn', 'node:internal/child_process', 355) },
    { id: 6, callFrame: frame('(idle)') },
    { id: 7, callFrame: frame('main', 'file:///repo/src/a.ts', 9), children: [8] },
    { id: 8, callFrame: frame('write') },
  ],
  startTime: 0,
  endTime: 10_000,
  // Each sample stands for the delta after it: 1 ms each here.
  samples: [4, 4, 5, 6, 8, 3],
  timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000],
};

test('self time is by leaf, total time by every function on the stack, names with file:line', () => {
  const { wallMs, functions } = summarizeProfile(profile, '/repo');
  assert.equal(wallMs, 10);
  const get = (k: string) => functions.find((f) => f.key === k);
  assert.deepEqual(get('write'), { key: 'write', selfMs: 3, totalMs: 3 });
  assert.deepEqual(get('persist (src/b.ts:195)'), { key: 'persist (src/b.ts:195)', selfMs: 1, totalMs: 3 });
  assert.equal(get('spawn (node:internal/child_process:356)')?.totalMs, 1);
  assert.equal(get('(idle)')?.selfMs, 1);
  // main appears twice on one stack (recursion) but that sample counts once.
  assert.equal(get('main (src/a.ts:10)')?.totalMs, 5);
  assert.equal(get('(root)')?.totalMs, 6);
});
