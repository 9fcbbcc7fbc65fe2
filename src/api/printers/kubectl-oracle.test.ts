// The printers against the real kubectl 1.32, live: a loopback API server serves our Tables and
// the fixture pods and events, and kubectl's output must equal ours byte for byte. kubectl renders
// the Tables itself (alignment, wide columns, namespaces, labels, watch lines) and computes
// describe entirely on its own, ages included. Skipped, with a message, where kubectl is missing;
// kubectl-goldens.test.ts replays recorded answers without it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, oracleCases, stableBase, worldRoute } from './testing/oracle-cases.ts';
import {
  kubectlAvailable,
  runKubectl,
  startFakeApiServer,
  type FakeApiServer,
} from './testing/fake-apiserver.ts';

const available = kubectlAvailable();
const skip = available ? false : 'the real kubectl is not installed at /usr/bin/kubectl';
if (!available) process.stdout.write('kubectl oracle tests skipped: /usr/bin/kubectl is not available\n');

const world = buildWorld(stableBase(Date.now()));
let server: FakeApiServer | undefined;

before(async () => {
  if (available) server = await startFakeApiServer(worldRoute(world));
});
after(async () => {
  await server?.close();
});

for (const c of oracleCases(world)) {
  test(`kubectl ${c.id}`, { skip }, async () => {
    if (server === undefined) throw new Error('no server');
    world.watchUpdates = c.watch?.(world) ?? [];
    // kubectl reads its clock somewhere between these two instants. All fixture times are whole
    // seconds, so at most one age boundary falls in between: its output is ours at one of them.
    const before = Date.now();
    const r = await runKubectl(server, c.args);
    const after = Date.now();
    assert.equal(r.code, 0, `kubectl ${c.args.join(' ')} failed: ${r.stderr}`);
    if (r.stdout !== c.ours(world, before)) assert.equal(r.stdout, c.ours(world, after));
  });
}
