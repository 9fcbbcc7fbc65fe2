// The peer: `podman kube play` on the same busybox pod, timed as its user sees it (the command's
// wall time until the pod runs, and `podman kube down` until it is removed). podman needs, on
// these machines, runc with cgroupfs and default ulimits below the hard limits; the harness gives
// it that through its own CONTAINERS_CONF file instead of touching /etc. Its busybox image is
// imported from the static busybox binary, so no registry is needed.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { now } from './pod-api.ts';
import { PEER_COMMAND } from './pods.ts';

const run = promisify(execFile);

export const PEER_IMAGE = 'localhost/nodelet-bench-busybox:latest';
const BUSYBOX = '/bin/busybox';

export type PeerResult =
  { ok: true; version: string; up: number[]; down: number[] } | { ok: false; reason: string };

const CONTAINERS_CONF = `# Written by nodelet's bench for podman on hosts without systemd and with low hard limits.
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
`;

export function peerManifest(name: string): string {
  // JSON is YAML: podman reads it as a manifest.
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      containers: [{ name: 'main', image: PEER_IMAGE, imagePullPolicy: 'Never', command: [...PEER_COMMAND] }],
    },
  });
}

function firstLine(e: unknown): string {
  const err = e as { stderr?: string; message?: string };
  const text = (err.stderr ?? '').trim() || (err.message ?? String(e));
  return (
    text
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? text
  );
}

async function ensureImage(env: NodeJS.ProcessEnv, dir: string): Promise<void> {
  try {
    await run('podman', ['image', 'exists', PEER_IMAGE], { env });
    return;
  } catch {
    // not there yet: build it
  }
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  const { stdout } = await run(BUSYBOX, ['--list']);
  for (const applet of stdout.split('\n').filter((a) => a && a !== 'busybox')) {
    symlinkSync('busybox', join(rootfs, 'bin', applet));
  }
  const tar = join(dir, 'busybox.tar');
  await run('tar', ['-C', rootfs, '-cf', tar, '.']);
  await run('podman', ['import', '--change', 'CMD ["sh"]', '--change', 'ENV PATH=/bin', tar, PEER_IMAGE], {
    env,
  });
}

async function podRunning(env: NodeJS.ProcessEnv, name: string): Promise<boolean> {
  const { stdout } = await run('podman', ['pod', 'inspect', name, '--format', '{{.State}}'], { env });
  return stdout.trim() === 'Running';
}

export async function podmanPeer(runs: number, log: (l: string) => void): Promise<PeerResult> {
  let version: string;
  try {
    version = (await run('podman', ['--version'])).stdout.trim();
  } catch {
    return {
      ok: false,
      reason: 'podman is not installed (it is the Debian package podman: apt-get install -y podman)',
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'nodelet-bench-podman-'));
  const conf = join(dir, 'containers.conf');
  writeFileSync(conf, CONTAINERS_CONF);
  const env = { ...process.env, CONTAINERS_CONF: conf };
  const up: number[] = [];
  const down: number[] = [];
  try {
    try {
      await ensureImage(env, dir);
    } catch (e) {
      return { ok: false, reason: `could not import a busybox image: ${firstLine(e)}` };
    }
    log(`peer: ${version}, ${runs} runs of kube play / kube down`);
    const manifest = join(dir, 'pod.yaml');
    for (let i = 0; i < runs; i++) {
      const name = `nodelet-bench-peer-${i}`;
      writeFileSync(manifest, peerManifest(name));
      const t0 = now();
      try {
        await run('podman', ['kube', 'play', manifest], { env });
      } catch (e) {
        await run('podman', ['kube', 'down', manifest], { env }).catch(() => undefined);
        return { ok: false, reason: `podman kube play failed here: ${firstLine(e)}` };
      }
      const t1 = now();
      if (!(await podRunning(env, name))) {
        await run('podman', ['kube', 'down', manifest], { env }).catch(() => undefined);
        return { ok: false, reason: 'podman kube play returned but the pod is not Running' };
      }
      up.push(t1 - t0);
      const t2 = now();
      await run('podman', ['kube', 'down', manifest], { env });
      down.push(now() - t2);
    }
  } catch (e) {
    return { ok: false, reason: firstLine(e) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { ok: true, version, up, down };
}
