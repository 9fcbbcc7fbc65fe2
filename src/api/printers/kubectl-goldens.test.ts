// Replays answers recorded from the real kubectl 1.32 (testdata/kubectl-goldens.json, written by
// testdata/record-kubectl-goldens.ts) against our printers at the recorded instant, so the
// byte-for-byte comparison also runs where kubectl is not installed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buildWorld, oracleCases } from './testing/oracle-cases.ts';

interface Goldens {
  kubectl: string;
  base: number;
  answers: Record<string, { args: string[]; stdout: string; at: number }>;
}

const goldens = JSON.parse(
  readFileSync(new URL('./testdata/kubectl-goldens.json', import.meta.url), 'utf8'),
) as Goldens;
const world = buildWorld(goldens.base);
const cases = oracleCases(world);

test('every oracle case has a recorded kubectl answer', () => {
  assert.deepEqual(cases.map((c) => c.id).sort(), Object.keys(goldens.answers).sort());
});

for (const c of cases) {
  test(`recorded kubectl ${c.id}`, () => {
    const answer = goldens.answers[c.id];
    assert.ok(answer !== undefined, `no recorded answer for ${c.id}`);
    assert.deepEqual(answer.args, c.args);
    world.watchUpdates = c.watch?.(world) ?? [];
    assert.equal(c.ours(world, answer.at), answer.stdout);
  });
}
