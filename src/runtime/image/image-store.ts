// The content-addressed image store under the data directory:
//   blobs/sha256/<hex>          manifests, configs and layer blobs, each verified against its digest
//   layers/<diffID hex>/        each layer unpacked once, in overlayfs form (whiteouts as 0:0 character
//                               devices, opaque directories marked with trusted.overlay.opaque=y), as
//                               containerd's overlayfs snapshotter keeps them; shared by every image
//                               and container that uses the layer
//   images.json                 the image records: names, config, layer list
// Layers are unpacked into a temporary directory and renamed into place, so a half-unpacked layer
// is never used.
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import { x as untar } from 'tar';
import { readJsonFile, writeJsonFileAtomic } from '../process/state-file.ts';
import type { ImageInfo } from './image-service.ts';

const execFileP = promisify(execFile);

/** The parts of an OCI image config the runtime uses (image-spec config.md). */
export interface ImageConfig {
  User?: string;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  StopSignal?: string;
  ExposedPorts?: Record<string, unknown>;
  Volumes?: Record<string, unknown>;
  Labels?: Record<string, string>;
}

export interface LayerRecord {
  /** Digest of the blob as stored/transferred (compressed or not). */
  digest: string;
  /** Digest of the uncompressed tar (config rootfs.diff_ids). */
  diffId: string;
  mediaType: string;
  size: number;
}

export interface ImageRecord extends ImageInfo {
  manifestDigest: string;
  configDigest: string;
  config: ImageConfig;
  layers: LayerRecord[];
}

export class DigestMismatchError extends Error {
  constructor(expected: string, actual: string) {
    super(`unexpected commit digest ${actual}, expected ${expected}: failed precondition`);
    this.name = 'DigestMismatchError';
  }
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function hexOf(digest: string): string {
  const m = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!m?.[1]) throw new Error(`unsupported digest ${JSON.stringify(digest)}`);
  return m[1];
}

/** A pass-through that hashes what flows through it. */
function hasher(): { stream: Transform; digest: () => string; bytes: () => number } {
  const h = createHash('sha256');
  let n = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      n += chunk.length;
      cb(null, chunk);
    },
  });
  return { stream, digest: () => `sha256:${h.digest('hex')}`, bytes: () => n };
}

/** Picks the decompressor from the first bytes: gzip, zstd, or a plain tar. */
function decompressor(head: Buffer): Transform {
  if (head[0] === 0x1f && head[1] === 0x8b) return zlib.createGunzip();
  if (head.readUInt32LE(0) === 0xfd2fb528) {
    const z = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
    if (!z) throw new Error('zstd-compressed layer, and this Node has no zstd decompressor');
    return z();
  }
  return new PassThrough();
}

function readHead(path: string): Buffer {
  const buf = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  return buf;
}

export class ImageStore {
  readonly root: string;
  private images: ImageRecord[];
  /** Layer unpacks under way, so two pulls of one layer share one unpack. */
  private readonly unpacking = new Map<string, Promise<string>>();

  constructor(root: string) {
    this.root = resolve(root);
    mkdirSync(join(this.root, 'blobs', 'sha256'), { recursive: true });
    mkdirSync(join(this.root, 'layers'), { recursive: true });
    mkdirSync(join(this.root, 'tmp'), { recursive: true });
    this.images = readJsonFile<ImageRecord[]>(this.imagesFile, []);
  }

  private get imagesFile(): string {
    return join(this.root, 'images.json');
  }

  private persist(): void {
    writeJsonFileAtomic(this.imagesFile, this.images);
  }

  // ---------------------------------------------------------------------------------------------
  // Blobs

  blobPath(digest: string): string {
    return join(this.root, 'blobs', 'sha256', hexOf(digest));
  }

  hasBlob(digest: string): boolean {
    return existsSync(this.blobPath(digest));
  }

  readBlob(digest: string): Buffer {
    return readFileSync(this.blobPath(digest));
  }

  tmpPath(): string {
    return join(this.root, 'tmp', randomBytes(8).toString('hex'));
  }

  /** Stores bytes whose digest is known in advance; a mismatch is rejected and nothing is kept. */
  putBlob(data: Buffer, expected?: string): string {
    const digest = sha256(data);
    if (expected !== undefined && digest !== expected) throw new DigestMismatchError(expected, digest);
    const path = this.blobPath(digest);
    if (!existsSync(path)) {
      const tmp = this.tmpPath();
      writeFileSync(tmp, data);
      renameSync(tmp, path);
    }
    return digest;
  }

  /** Streams a blob in, hashing as it goes; a digest mismatch removes it again. */
  async putBlobStream(source: Readable, expected: string, signal?: AbortSignal): Promise<number> {
    const tmp = this.tmpPath();
    const h = hasher();
    try {
      await pipeline(source, h.stream, createWriteStream(tmp), signal ? { signal } : {});
      const digest = h.digest();
      if (digest !== expected) throw new DigestMismatchError(expected, digest);
      renameSync(tmp, this.blobPath(expected));
      return h.bytes();
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Layers

  layerPath(diffId: string): string {
    return join(this.root, 'layers', hexOf(diffId));
  }

  hasLayer(diffId: string): boolean {
    return existsSync(this.layerPath(diffId));
  }

  /**
   * Unpacks a stored layer blob into layers/<diffID>, checking the uncompressed digest against the
   * config's diff_id. Whiteouts become overlayfs whiteouts (image-spec layer.md).
   */
  unpackLayer(layer: LayerRecord): Promise<string> {
    const target = this.layerPath(layer.diffId);
    if (existsSync(target)) return Promise.resolve(target);
    const running = this.unpacking.get(layer.diffId);
    if (running) return running;
    const p = this.doUnpack(layer, target).finally(() => this.unpacking.delete(layer.diffId));
    this.unpacking.set(layer.diffId, p);
    return p;
  }

  private async doUnpack(layer: LayerRecord, target: string): Promise<string> {
    const blob = this.blobPath(layer.digest);
    const tmp = this.tmpPath();
    mkdirSync(tmp, { recursive: true, mode: 0o755 });
    const whiteouts: string[] = [];
    const opaque: string[] = [];
    const modes: [string, number][] = [];
    const links: [string, string, number, number][] = [];
    const h = hasher();
    try {
      await pipeline(
        createReadStream(blob),
        decompressor(readHead(blob)),
        h.stream,
        untar({
          cwd: tmp,
          preserveOwner: true,
          chmod: true,
          processUmask: 0,
          noMtime: false,
          strict: false,
          filter: (path: string, entry) => {
            const clean = path.replace(/^\.?\/+/, '');
            // Symlinks are made here, not by tar: targets in a root filesystem are absolute or climb
            // above the layer's root (/var/log/nginx/error.log -> /dev/stderr), which tar rewrites or refuses.
            if ('type' in entry && entry.type === 'SymbolicLink') {
              links.push([clean, String(entry.linkpath ?? ''), entry.uid ?? 0, entry.gid ?? 0]);
              return false;
            }
            const base = clean.slice(clean.lastIndexOf('/') + 1);
            if (base === '.wh..wh..opq') {
              opaque.push(dirname(clean));
              return false;
            }
            if (base.startsWith('.wh.')) {
              whiteouts.push(join(dirname(clean), base.slice(4)));
              return false;
            }
            return true;
          },
          onReadEntry: (entry) => {
            // Directories and files are created through the process umask; their modes are set
            // exactly afterwards (a layer's /tmp is 1777, setuid bits stay).
            if (entry.type !== 'SymbolicLink' && typeof entry.mode === 'number')
              modes.push([entry.path, entry.mode & 0o7777]);
          },
        }),
      );
      // The tar stream may end before the compressed stream's padding; the digest covers what tar read.
      const diffId = h.digest();
      if (diffId !== layer.diffId) throw new DigestMismatchError(layer.diffId, diffId);
      for (const [path, mode] of modes) {
        try {
          const at = join(tmp, path);
          if ((lstatSync(at).mode & 0o7777) !== mode) chmodSync(at, mode);
        } catch {
          // filtered out or replaced by a later entry
        }
      }
      for (const [path, target, uid, gid] of links) {
        if (path.replace(/\/+$/, '') === '') continue;
        const at = join(tmp, path);
        mkdirSync(dirname(at), { recursive: true });
        try {
          if (!lstatSync(at).isDirectory()) rmSync(at);
        } catch {
          // nothing there
        }
        symlinkSync(target, at);
        lchownSync(at, uid, gid);
      }
      for (const w of whiteouts) {
        const at = join(tmp, w);
        mkdirSync(dirname(at), { recursive: true });
        rmSync(at, { recursive: true, force: true });
        await execFileP('mknod', [at, 'c', '0', '0']);
      }
      for (const d of opaque) {
        const at = join(tmp, d);
        mkdirSync(at, { recursive: true });
        await execFileP('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', at]);
      }
      if (!existsSync(target)) renameSync(tmp, target);
      return target;
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Image records

  list(): ImageRecord[] {
    return this.images.map((i) => ({ ...i }));
  }

  /** Finds an image by normalized name, repo digest, image ID, or a unique ID prefix. */
  find(name: string): ImageRecord | undefined {
    return (
      this.images.find((i) => i.names.includes(name) || i.repoDigests.includes(name) || i.id === name) ??
      (/^(sha256:)?[a-f0-9]{6,64}$/.test(name)
        ? unique(
            this.images.filter((i) => i.id.startsWith(name.startsWith('sha256:') ? name : `sha256:${name}`)),
          )
        : undefined)
    );
  }

  /**
   * Records an image (keyed by its config digest), moving each name from any other image to this
   * one, as a tag moves on a pull or import.
   */
  add(rec: ImageRecord): ImageRecord {
    for (const other of this.images) {
      if (other.id === rec.id) continue;
      other.names = other.names.filter((n) => !rec.names.includes(n));
      other.repoDigests = other.repoDigests.filter((n) => !rec.repoDigests.includes(n));
    }
    const existing = this.images.find((i) => i.id === rec.id);
    let out: ImageRecord;
    if (existing) {
      existing.names = [...new Set([...existing.names, ...rec.names])];
      existing.repoDigests = [...new Set([...existing.repoDigests, ...rec.repoDigests])];
      existing.manifestDigest = rec.manifestDigest;
      out = existing;
    } else {
      this.images.push(rec);
      out = rec;
    }
    this.images = this.images.filter((i) => i.names.length > 0 || i.repoDigests.length > 0 || i === out);
    this.persist();
    return { ...out };
  }

  /** Removes an image record; blobs and layers no other image uses go too. */
  async remove(id: string, inUse: (diffId: string) => boolean = () => false): Promise<void> {
    const rec = this.images.find((i) => i.id === id);
    if (!rec) return;
    this.images = this.images.filter((i) => i !== rec);
    this.persist();
    const keptBlobs = new Set<string>();
    const keptLayers = new Set<string>();
    for (const i of this.images) {
      keptBlobs.add(i.manifestDigest);
      keptBlobs.add(i.configDigest);
      for (const l of i.layers) {
        keptBlobs.add(l.digest);
        keptLayers.add(l.diffId);
      }
    }
    for (const d of [rec.manifestDigest, rec.configDigest, ...rec.layers.map((l) => l.digest)]) {
      if (!keptBlobs.has(d)) rmSync(this.blobPath(d), { force: true });
    }
    for (const l of rec.layers) {
      if (!keptLayers.has(l.diffId) && !inUse(l.diffId))
        rmSync(this.layerPath(l.diffId), { recursive: true, force: true });
    }
    // Leftovers of interrupted pulls.
    for (const f of await readdir(join(this.root, 'tmp')))
      rmSync(join(this.root, 'tmp', f), { recursive: true, force: true });
  }

  /** Untags one name; the image goes when it has no name left. */
  async untag(name: string, inUse?: (diffId: string) => boolean): Promise<boolean> {
    const rec = this.find(name);
    if (!rec) return false;
    const live = this.images.find((i) => i.id === rec.id);
    if (!live) return false;
    if (live.names.includes(name) || live.repoDigests.includes(name)) {
      live.names = live.names.filter((n) => n !== name);
      live.repoDigests = live.repoDigests.filter((n) => n !== name);
      if (live.names.length > 0) {
        this.persist();
        return true;
      }
    }
    await this.remove(live.id, inUse);
    return true;
  }

  /** Bytes of a stored blob. */
  blobSize(digest: string): number {
    return statSync(this.blobPath(digest)).size;
  }
}

function unique<T>(xs: T[]): T | undefined {
  return xs.length === 1 ? xs[0] : undefined;
}
