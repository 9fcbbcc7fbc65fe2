// The seeds' manifests in examples/seeds/ are kept verbatim (for real containers); each Pod among
// them decodes, defaults and validates as `nodelet run` and the API server read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPods } from '../../src/api/load.ts';

const dir = join(import.meta.dirname, '..', '..', 'examples', 'seeds');
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const isPod = (f: string): boolean => /^kind:\s*Pod\s*$/m.test(readFileSync(join(dir, f), 'utf8'));

test('the seeds folder holds Pods and the two Services of the init-container seed', () => {
  assert.deepEqual(files.filter((f) => !isPod(f)).sort(), ['mydb.yml', 'myservice.yml']);
});

for (const file of files.filter(isPod)) {
  test(`examples/seeds/${file} decodes, defaults and validates`, async () => {
    const { pods } = await loadPods([join(dir, file)], { now: 0, uid: () => 'uid' });
    assert.equal(pods.length, 1);
  });
}
