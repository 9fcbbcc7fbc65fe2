// Records what the real kubectl prints for every oracle case into kubectl-goldens.json, so the
// comparisons can be replayed on machines without kubectl. Run it after changing fixtures:
//   npx node src/api/printers/testdata/record-kubectl-goldens.ts

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';
import { buildWorld, oracleCases, stableBase, worldRoute } from '../testing/oracle-cases.ts';
import { kubectlAvailable, runKubectl, startFakeApiServer } from '../testing/fake-apiserver.ts';

if (!kubectlAvailable()) throw new Error('kubectl is not available at /usr/bin/kubectl');
const world = buildWorld(stableBase(Date.now()));
const server = await startFakeApiServer(worldRoute(world));
const answers: Record<string, { args: string[]; stdout: string; at: number }> = {};
try {
  for (const c of oracleCases(world)) {
    world.watchUpdates = c.watch?.(world) ?? [];
    const before = Date.now();
    const r = await runKubectl(server, c.args);
    const after = Date.now();
    if (r.code !== 0) throw new Error(`kubectl ${c.args.join(' ')}: ${r.stderr}`);
    // Keep an instant at which our printers agree with kubectl (its clock read lies in between).
    const at = r.stdout === c.ours(world, before) ? before : after;
    if (r.stdout !== c.ours(world, at))
      throw new Error(`kubectl ${c.args.join(' ')} differs from our printers`);
    answers[c.id] = { args: c.args, stdout: r.stdout, at };
  }
} finally {
  await server.close();
}
const version = 'v1.32.4';
const file = fileURLToPath(new URL('./kubectl-goldens.json', import.meta.url));
// Written in the repository's formatting, so format checks stay clean.
writeFileSync(
  file,
  await format(JSON.stringify({ kubectl: version, base: world.base, answers }), { filepath: file }),
);
process.stdout.write(`recorded ${Object.keys(answers).length} answers into ${file}\n`);
