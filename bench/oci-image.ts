// A busybox image without a registry or a network, for the OCI rows: the static busybox of
// Debian's busybox-static with its applets linked, written as a `docker save` archive (one layer,
// an image config, manifest.json) that the oci runtime's image store imports.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const BENCH_IMAGE = 'docker.io/library/busybox:latest';

/** The image config and manifest of a one-layer image whose layer tar has the given sha256. */
export function dockerArchiveFiles(layerSha256: string): {
  config: string;
  configName: string;
  manifest: string;
} {
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerSha256}`] },
  });
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const manifest = JSON.stringify([{ Config: configName, RepoTags: [BENCH_IMAGE], Layers: ['layer.tar'] }]);
  return { config, configName, manifest };
}

/** Builds DIR/busybox.tar and returns its path. */
export async function buildBusyboxArchive(dir: string, busybox = '/bin/busybox'): Promise<string> {
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  for (const d of ['tmp', 'etc', 'proc', 'sys', 'dev']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync(busybox, join(rootfs, 'bin', 'busybox'));
  const { stdout } = await run(busybox, ['--list']);
  for (const applet of stdout.split('\n').filter((a) => a && a !== 'busybox')) {
    symlinkSync('busybox', join(rootfs, 'bin', applet));
  }
  const image = join(dir, 'image');
  mkdirSync(image, { recursive: true });
  await run('tar', ['-C', rootfs, '-cf', join(image, 'layer.tar'), '.']);
  const sha = createHash('sha256')
    .update(readFileSync(join(image, 'layer.tar')))
    .digest('hex');
  const files = dockerArchiveFiles(sha);
  writeFileSync(join(image, files.configName), files.config);
  writeFileSync(join(image, 'manifest.json'), files.manifest);
  const archive = join(dir, 'busybox.tar');
  await run('tar', ['-C', image, '-cf', archive, 'manifest.json', files.configName, 'layer.tar']);
  return archive;
}
