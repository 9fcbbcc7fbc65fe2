// `nodelet get pods` prints exactly what `kubectl get pods` prints for the same pods.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasKubectl, ServerUnderTest } from './server-harness.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'nodelet.js');

describe(
  'nodelet get pods',
  { skip: hasKubectl ? false : 'kubectl is not installed at /usr/bin/kubectl' },
  () => {
    const s = new ServerUnderTest();
    before(async () => {
      await s.start();
    });
    after(async () => {
      await s.cleanup();
    });

    test('the same table as kubectl, plain and wide', async () => {
      const manifest = join(s.dir, 'pods.yaml');
      writeFileSync(
        manifest,
        ['a', 'b']
          .map(
            (n) => `apiVersion: v1
kind: Pod
metadata: {name: ${n}}
spec:
  restartPolicy: Never
  containers: [{name: c, image: x, command: ["true"]}]
`,
          )
          .join('---\n'),
      );
      await s.ok(['create', '-f', manifest]);
      await s.until('both pods Succeeded', async () => {
        const out = await s.ok(['get', 'pods', '-o', 'jsonpath={.items[*].status.phase}']);
        return out === 'Succeeded Succeeded' ? true : undefined;
      });
      for (const extra of [[], ['-o', 'wide']]) {
        const kubectl = await s.ok(['get', 'pods', ...extra]);
        const ours = spawnSync(process.execPath, [BIN, 'get', 'pods', '--data-dir', s.dataDir, ...extra], {
          encoding: 'utf8',
        });
        assert.equal(ours.status, 0, ours.stderr);
        // AGE may tick between the two calls; compare everything else exactly.
        const noAge = (t: string): string => t.replace(/\b\d+s\b/g, 'Ns');
        assert.equal(noAge(ours.stdout), noAge(kubectl));
        assert.match(ours.stdout, /^a\s+0\/1\s+Completed\s+0\s+/m);
      }
    });
  },
);
