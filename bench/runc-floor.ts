// The OCI floor: bare `runc run` of `true` on a busybox bundle, start to exit, as the machine
// itself can do it. The bundle is built from the static busybox (Debian's busybox-static) and
// `runc spec`, with the terminal off and limits within the host's hard limits.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { now } from './pod-api.ts';

const run = promisify(execFile);

export type RuncFloor = { ok: true; version: string; samples: number[] } | { ok: false; reason: string };

interface OciSpec {
  process: {
    terminal: boolean;
    args: string[];
    rlimits?: Array<{ type: string; hard: number; soft: number }>;
  };
}

export async function runcFloor(count: number, log: (l: string) => void): Promise<RuncFloor> {
  let version: string;
  try {
    version = (await run('runc', ['--version'])).stdout.split('\n')[0]?.trim() ?? 'runc';
  } catch {
    return { ok: false, reason: 'runc is not installed (the Debian package runc: apt-get install -y runc)' };
  }
  if (process.getuid?.() !== 0) return { ok: false, reason: 'bare runc run needs root here' };
  const dir = mkdtempSync(join(tmpdir(), 'nodelet-bench-runc-'));
  try {
    mkdirSync(join(dir, 'rootfs', 'bin'), { recursive: true });
    try {
      copyFileSync('/bin/busybox', join(dir, 'rootfs', 'bin', 'busybox'));
    } catch {
      return { ok: false, reason: 'no static busybox at /bin/busybox (the Debian package busybox-static)' };
    }
    await run('runc', ['spec'], { cwd: dir });
    const specPath = join(dir, 'config.json');
    const spec = JSON.parse(readFileSync(specPath, 'utf8')) as OciSpec;
    spec.process.terminal = false;
    spec.process.args = ['/bin/busybox', 'true'];
    spec.process.rlimits = [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }];
    writeFileSync(specPath, JSON.stringify(spec));
    log(`runc floor: ${count} × runc run (${version})`);
    const samples: number[] = [];
    for (let i = 0; i < count; i++) {
      const id = `nodelet-bench-${process.pid}-${i}`;
      const t0 = now();
      try {
        await run('runc', ['run', '--bundle', dir, id]);
      } catch (e) {
        await run('runc', ['delete', '--force', id]).catch(() => undefined);
        const err = e as { stderr?: string; message: string };
        return { ok: false, reason: `runc run failed: ${(err.stderr ?? err.message).trim().split('\n')[0]}` };
      }
      samples.push(now() - t0);
    }
    return { ok: true, version, samples };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
