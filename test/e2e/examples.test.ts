// Every example is a valid manifest, as `nodelet run` and the API server would read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadPods } from '../../src/api/load.ts';

const dir = join(import.meta.dirname, '..', '..', 'examples');

for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
  test(`examples/${file} decodes, defaults and validates`, async () => {
    const { pods } = await loadPods([join(dir, file)], { now: 0, uid: () => 'uid' });
    assert.ok(pods.length > 0);
    for (const p of pods) assert.ok((p.spec?.containers ?? []).every((c) => (c.command ?? []).length > 0));
  });
}
