// A fork bomb in a real container (`--runtime oci`, through `nodelet server` and the real kubectl):
// the container's pids cgroup holds it at the runtime's pidsLimit (pids.current never above
// pids.max), the node keeps answering `kubectl get pods` throughout (each call's time is measured
// and printed, not asserted; each must answer), and deleting the pod with a 1 s grace period leaves
// no process of it on the host.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hasKubectl, ServerUnderTest } from '../e2e/server-harness.ts';
import { buildImages, ociSkip, startRegistry, type TestRegistry } from '../fixtures/images/test-images.ts';
import { removeOciLeftovers } from '../fixtures/oci-leftovers.ts';

const skip = !hasKubectl ? 'kubectl is not at /usr/bin/kubectl' : ociSkip();

/** Host PIDs whose cgroup is under the pod's (any hierarchy). */
function podProcesses(podUid: string): number[] {
  const mark = `/nodelet/pod${podUid.replace(/[^a-zA-Z0-9-]/g, '_')}/`;
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cgroup`, 'utf8').includes(mark)) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

describe('a fork bomb in an oci container', { skip }, () => {
  let s: ServerUnderTest;
  let registry: TestRegistry;

  before(async () => {
    const images = await buildImages();
    registry = await startRegistry();
    await registry.push(images.busyboxArchive, 'library/busybox', 'latest');
    s = new ServerUnderTest();
    await s.start(['--runtime', 'oci', '--registry-mirror', `docker.io=${registry.url}`]);
  });

  after(async () => {
    if (s) await removeOciLeftovers(s);
    await registry?.stop();
  });

  test('held by pids.max; the node answers throughout; deleting the pod leaves no process', async () => {
    await s.ok(['create', '-f', '-'], {
      input: `apiVersion: v1
kind: Pod
metadata:
  name: bomb
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "b() { b | b & }; b; sleep 3600"]
`,
    });
    await s.ok(['wait', '--for=condition=Ready', 'pod/bomb', '--timeout=120s']);
    const uid = (await s.ok(['get', 'pod', 'bomb', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const id = (
      await s.ok(['get', 'pod', 'bomb', '-o', 'jsonpath={.status.containerStatuses[0].containerID}'])
    )
      .trim()
      .replace(/^oci:\/\//, '');
    const cg = join('/sys/fs/cgroup/pids', `nodelet/pod${uid.replace(/[^a-zA-Z0-9-]/g, '_')}`, id);
    assert.ok(existsSync(join(cg, 'pids.max')), `the container's pids cgroup ${cg}`);
    const max = Number(readFileSync(join(cg, 'pids.max'), 'utf8').trim());
    assert.equal(max, 4096, "pids.max is the runtime's default pidsLimit");

    // For 20 s: kubectl get pods must answer every time; pids.current is read between calls.
    const times: number[] = [];
    let peak = 0;
    const end = Date.now() + 20_000;
    while (Date.now() < end) {
      const current = Number(readFileSync(join(cg, 'pids.current'), 'utf8').trim());
      peak = Math.max(peak, current);
      assert.ok(current <= max, `pids.current ${current} ≤ pids.max ${max}`);
      const t0 = Date.now();
      const r = await s.kubectl(['get', 'pods', '--no-headers'], { timeoutMs: 30_000 });
      times.push(Date.now() - t0);
      assert.equal(r.code, 0, `kubectl get pods answers during the fork bomb: ${r.stderr}`);
      assert.match(r.stdout, /^bomb\s+1\/1\s+Running/);
    }
    const events = readFileSync(join(cg, 'pids.events'), 'utf8').trim();
    times.sort((a, b) => a - b);
    process.stderr.write(
      `fork bomb: pids.current peak ${peak} of ${max} (${events}); kubectl get pods ×${times.length}: ` +
        `p50 ${times[Math.floor(times.length / 2)]} ms, max ${times[times.length - 1]} ms\n`,
    );
    assert.ok(peak > max / 2, `the bomb did fork (peak ${peak})`);
    assert.ok(podProcesses(uid).length > 0);

    const t0 = Date.now();
    await s.ok(['delete', 'pod', 'bomb', '--grace-period=1', '--timeout=60s']);
    const gone = await s.until(
      'no process of the pod left on the host',
      () => (podProcesses(uid).length === 0 ? true : undefined),
      30_000,
    );
    assert.equal(gone, true);
    process.stderr.write(`fork bomb: delete --grace-period=1 to no process left ${Date.now() - t0} ms\n`);
  });
});
