// `nodelet image pull|import|ls|rm`: the oci runtime's image store under the data directory,
// without starting a node (like `crictl pull|images|rmi` and `ctr images import`).
import { Command } from 'commander';
import { ImageManager } from '../runtime/image/image-manager.ts';
import type { ImageInfo } from '../runtime/image/image-service.ts';
import { defaultDataDir, ociRoot, registryOptions } from '../runtime/oci/node-config.ts';
import { realClock } from '../util/clock.ts';
import { join } from 'node:path';

interface StoreFlags {
  dataDir?: string;
  registryMirror?: string[];
  insecureRegistry?: string[];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function manager(flags: StoreFlags): ImageManager {
  return new ImageManager({
    root: join(ociRoot(flags.dataDir ?? defaultDataDir()), 'images'),
    clock: realClock,
    registries: registryOptions(flags.registryMirror, flags.insecureRegistry),
  });
}

/** crictl's human size: 2.15MB (decimal units, three significant digits). */
export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i] ?? ''}`;
}

/** `crictl images` columns: IMAGE, TAG, IMAGE ID (13 characters), SIZE. */
export function imageRows(images: ImageInfo[]): string[][] {
  const rows: string[][] = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']];
  for (const img of images) {
    const id = img.id.replace(/^sha256:/, '').slice(0, 13);
    const names = img.names.length ? img.names : img.repoDigests.map((d) => `${d.split('@')[0] ?? d}:<none>`);
    for (const n of names) {
      const colon = n.lastIndexOf(':');
      rows.push([n.slice(0, colon), n.slice(colon + 1), id, humanSize(img.size)]);
    }
  }
  return rows;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return (
    rows
      .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd((widths[i] ?? 0) + 3))).join(''))
      .join('\n') + '\n'
  );
}

/** Prints a failure as one line (the registry's or the store's own words) and exits 1. */
function guarded<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.stderr.write(`error: ${(e as Error).message}\n`);
      process.exitCode = 1;
    }
  };
}

function withStoreFlags(cmd: Command): Command {
  return cmd
    .option(
      '--data-dir <dir>',
      'nodelet data directory (default $NODELET_DATA_DIR, /var/lib/nodelet as root)',
    )
    .option('--registry-mirror <registry=url>', 'pull REGISTRY through URL first (repeatable)', collect)
    .option('--insecure-registry <host>', 'speak plain HTTP to this registry (repeatable)', collect);
}

export function imageCommand(): Command {
  const image = new Command('image').description('Manage the images of the oci runtime');

  image.addCommand(
    withStoreFlags(new Command('pull'))
      .description('Pull an image from its registry (or a mirror)')
      .argument('<image>', 'image reference, e.g. nginx or docker.io/library/busybox:1.36')
      .action(
        guarded(async (ref: string, flags: StoreFlags) => {
          const r = await manager(flags).pullImage(ref, 'Always');
          process.stdout.write(`Image is up to date for ${r.image.id}\n`);
        }),
      ),
  );

  image.addCommand(
    withStoreFlags(new Command('import'))
      .description('Import a `docker save` archive or an OCI image archive')
      .argument('<archive>', 'tar file')
      .option('--name <ref>', 'name for an OCI archive whose entries carry only a tag')
      .action(
        guarded(async (file: string, flags: StoreFlags & { name?: string }) => {
          const imported = await manager(flags).importArchive(file, flags.name ? { name: flags.name } : {});
          for (const i of imported)
            process.stdout.write(`unpacked image: ${i.names.join(', ') || i.id} (${i.id})\n`);
        }),
      ),
  );

  image.addCommand(
    withStoreFlags(new Command('ls'))
      .alias('list')
      .description('List the images on this node')
      .action(
        guarded(async (flags: StoreFlags) => {
          process.stdout.write(table(imageRows(await manager(flags).listImages())));
        }),
      ),
  );

  image.addCommand(
    withStoreFlags(new Command('rm'))
      .description('Remove images (by name, digest or ID)')
      .argument('<images...>', 'image references or IDs')
      .action(
        guarded(async (refs: string[], flags: StoreFlags) => {
          const m = manager(flags);
          let failed = false;
          for (const ref of refs) {
            const found = await m.imageStatus(ref).catch(() => undefined);
            if (!found) {
              process.stderr.write(`no such image ${JSON.stringify(ref)}\n`);
              failed = true;
              continue;
            }
            await m.removeImage(ref);
            process.stdout.write(`Deleted: ${ref}\n`);
          }
          if (failed) process.exitCode = 1;
        }),
      ),
  );
  return image;
}
