// The ImageService of the oci runtime: pulls through the registry client (mirrors first, then the
// registry itself, as containerd's hosts configuration orders them), picks linux/<this arch> out of
// an OCI index or Docker manifest list, verifies every manifest, config and layer against its
// digest, unpacks layers once, and imports `docker save` and OCI archives.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { x as untar } from 'tar';
import type { Clock } from '../../util/clock.ts';
import {
  ImageError,
  type ImageInfo,
  type ImageService,
  type PullPolicy,
  type PullResult,
} from './image-service.ts';
import {
  DigestMismatchError,
  ImageStore,
  sha256,
  type ImageConfig,
  type ImageRecord,
  type LayerRecord,
} from './image-store.ts';
import {
  defaultEndpoint,
  formatReference,
  InvalidReferenceError,
  manifestReference,
  parseReference,
  repoName,
  type ImageReference,
} from './reference.ts';
import { MEDIA, RegistryClient, type Credentials } from './registry-client.ts';

export interface RegistryOptions {
  /** Registry host → mirror endpoints (URLs), tried in order before the registry itself. */
  mirrors?: Record<string, string[]>;
  /** Registry hosts spoken to over plain HTTP (loopback hosts always may be). */
  insecure?: string[];
  /** Credentials per registry host or mirror endpoint. */
  credentials?: Record<string, Credentials>;
}

export interface ImageManagerOptions {
  /** Directory of the image store. */
  root: string;
  clock: Clock;
  registries?: RegistryOptions;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

interface Manifest {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

interface ConfigBlob {
  config?: ImageConfig;
  rootfs?: { diff_ids?: string[] };
  os?: string;
  architecture?: string;
}

/** Go's GOARCH for this Node's architecture (the platform an index entry is chosen by). */
export function hostArchitecture(): string {
  const map: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    ppc64: 'ppc64le',
    s390x: 's390x',
  };
  return map[process.arch] ?? process.arch;
}

const NON_DISTRIBUTABLE = /nondistributable|foreign/;

function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '');
  return h === 'localhost' || h.startsWith('127.') || h === '[::1]';
}

export class ImageManager implements ImageService {
  readonly store: ImageStore;
  private readonly clock: Clock;
  private readonly registries: RegistryOptions;
  private readonly pulls = new Map<string, Promise<ImageRecord>>();
  /** Layers in use by containers (so `rm` keeps them); set by the runtime. */
  inUse: (diffId: string) => boolean = () => false;

  constructor(options: ImageManagerOptions) {
    this.store = new ImageStore(options.root);
    this.clock = options.clock;
    this.registries = options.registries ?? {};
  }

  // ---------------------------------------------------------------------------------------------
  // ImageService

  imageStatus(image: string): Promise<ImageInfo | undefined> {
    const rec = this.lookup(image);
    return Promise.resolve(rec ? info(rec) : undefined);
  }

  /** The full record (config, layers) of a present image. */
  record(image: string): ImageRecord | undefined {
    return this.lookup(image);
  }

  async pullImage(image: string, policy: PullPolicy, signal?: AbortSignal): Promise<PullResult> {
    const present = this.lookup(image);
    if (present && policy !== 'Always')
      return {
        pulled: false,
        image: info(present),
        imageRef: imageRefOf(present),
        durationMs: 0,
        size: present.size,
      };
    if (!present && policy === 'Never') {
      throw new ImageError(
        'ErrImageNeverPull',
        `Container image "${image}" is not present with pull policy of Never`,
      );
    }
    const ref = parse(image);
    const key = formatReference(ref);
    const started = this.clock.now();
    let p = this.pulls.get(key);
    if (!p) {
      p = this.pull(ref, signal).finally(() => this.pulls.delete(key));
      this.pulls.set(key, p);
    }
    let rec: ImageRecord;
    try {
      rec = await p;
    } catch (e) {
      if (e instanceof ImageError) throw e;
      throw new ImageError(
        'ErrImagePull',
        `failed to pull and unpack image "${key}": ${(e as Error).message}`,
      );
    }
    return {
      pulled: true,
      image: info(rec),
      imageRef: imageRefOf(rec),
      durationMs: this.clock.now() - started,
      size: rec.size,
    };
  }

  listImages(): Promise<ImageInfo[]> {
    return Promise.resolve(this.store.list().map(info));
  }

  async removeImage(image: string): Promise<void> {
    const rec = this.lookup(image);
    if (!rec) return;
    let name: string | undefined;
    try {
      name = formatReference(parseReference(image));
    } catch {
      name = undefined;
    }
    if (name && (rec.names.includes(name) || rec.repoDigests.includes(name)))
      await this.store.untag(name, this.inUse);
    else await this.store.remove(rec.id, this.inUse);
  }

  // ---------------------------------------------------------------------------------------------
  // Lookup

  private lookup(image: string): ImageRecord | undefined {
    const byId = /^(sha256:)?[a-f0-9]{6,64}$/.test(image) ? this.store.find(image) : undefined;
    if (byId) return byId;
    const ref = parse(image);
    const name = formatReference(ref);
    const found = this.store.find(name);
    if (found) return found;
    // A digest-pinned reference with a tag beside it is the digest's image.
    if (ref.digest) return this.store.find(`${repoName(ref)}@${ref.digest}`);
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // Pull

  /** Mirror endpoints, then the registry's own endpoint. */
  endpoints(registry: string): string[] {
    const insecure = new Set(this.registries.insecure ?? []);
    const withScheme = (e: string): string =>
      /^[a-z]+:\/\//.test(e) ? e : insecure.has(e) || isLoopback(e) ? `http://${e}` : `https://${e}`;
    const mirrors = (this.registries.mirrors?.[registry] ?? []).map(withScheme);
    const own =
      insecure.has(registry) || isLoopback(registry) ? `http://${registry}` : defaultEndpoint(registry);
    return [...new Set([...mirrors, own])];
  }

  private client(endpoint: string, registry: string): RegistryClient {
    const host = new URL(endpoint).host;
    const creds =
      this.registries.credentials?.[endpoint] ??
      this.registries.credentials?.[host] ??
      this.registries.credentials?.[registry];
    return new RegistryClient({ endpoint, ...(creds ? { credentials: creds } : {}) });
  }

  private async pull(ref: ImageReference, signal?: AbortSignal): Promise<ImageRecord> {
    const errors: string[] = [];
    for (const endpoint of this.endpoints(ref.registry)) {
      signal?.throwIfAborted();
      try {
        return await this.pullFrom(this.client(endpoint, ref.registry), ref, signal);
      } catch (e) {
        // A corrupt blob is not a reason to try elsewhere silently: say so, but do try the next host.
        if (signal?.aborted) throw e;
        errors.push(e instanceof Error ? errorText(e) : String(e));
      }
    }
    throw new Error(errors.join('; '));
  }

  private async pullFrom(
    client: RegistryClient,
    ref: ImageReference,
    signal?: AbortSignal,
  ): Promise<ImageRecord> {
    const name = formatReference(ref);
    let fetched = await client.getManifest(ref.repository, manifestReference(ref), signal);
    const manifestDigest = sha256(fetched.body);
    if (ref.digest && manifestDigest !== ref.digest)
      throw new DigestMismatchError(ref.digest, manifestDigest);
    let manifest = JSON.parse(fetched.body.toString('utf8')) as Manifest;
    if (
      fetched.mediaType === MEDIA.ociIndex ||
      fetched.mediaType === MEDIA.dockerList ||
      (manifest.manifests && !manifest.layers)
    ) {
      this.store.putBlob(fetched.body, manifestDigest);
      const chosen = choosePlatform(manifest.manifests ?? []);
      if (!chosen) throw new Error(`no match for platform in manifest ${manifestDigest}: not found`);
      fetched = await client.getManifest(ref.repository, chosen.digest, signal);
      const d = sha256(fetched.body);
      if (d !== chosen.digest) throw new DigestMismatchError(chosen.digest, d);
      // The repo digest the kubelet reports is the one the reference resolved (the index's).
      manifest = JSON.parse(fetched.body.toString('utf8')) as Manifest;
      this.store.putBlob(fetched.body, d);
    } else {
      this.store.putBlob(fetched.body, manifestDigest);
    }
    if (!manifest.config || !manifest.layers)
      throw new Error(`unsupported manifest type ${fetched.mediaType || 'unknown'}`);
    const configDigest = manifest.config.digest;
    if (!this.store.hasBlob(configDigest)) {
      await this.store.putBlobStream(
        await client.getBlob(ref.repository, configDigest, signal),
        configDigest,
        signal,
      );
    }
    const config = JSON.parse(this.store.readBlob(configDigest).toString('utf8')) as ConfigBlob;
    const diffIds = config.rootfs?.diff_ids ?? [];
    const layers: LayerRecord[] = [];
    const wanted = manifest.layers.filter((l) => !NON_DISTRIBUTABLE.test(l.mediaType ?? ''));
    if (wanted.length !== diffIds.length)
      throw new Error(
        `mismatched image rootfs and manifest layers: ${wanted.length} layers, ${diffIds.length} diff_ids`,
      );
    for (const [i, l] of wanted.entries()) {
      if (!this.store.hasBlob(l.digest)) {
        await this.store.putBlobStream(
          await client.getBlob(ref.repository, l.digest, signal),
          l.digest,
          signal,
        );
      }
      layers.push({
        digest: l.digest,
        diffId: diffIds[i] as string,
        mediaType: l.mediaType ?? '',
        size: l.size ?? this.store.blobSize(l.digest),
      });
    }
    for (const l of layers) await this.store.unpackLayer(l);
    return this.store.add({
      id: configDigest,
      names: ref.tag !== undefined && !ref.digest ? [name] : [],
      repoDigests: [`${repoName(ref)}@${manifestDigest}`],
      size: layers.reduce((n, l) => n + l.size, manifest.config.size ?? 0),
      createdAt: this.clock.now(),
      manifestDigest,
      configDigest,
      config: config.config ?? {},
      layers,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Import

  /**
   * Imports a `docker save` archive (manifest.json with RepoTags) or an OCI image layout archive
   * (index.json; names from org.opencontainers.image.ref.name or io.containerd.image.name
   * annotations, or `name` when given). Returns the images imported.
   */
  async importArchive(file: string, options: { name?: string } = {}): Promise<ImageInfo[]> {
    const dir = this.store.tmpPath();
    mkdirSync(dir, { recursive: true });
    try {
      await untar({ file, cwd: dir, strict: true });
      if (existsSync(join(dir, 'manifest.json'))) return await this.importDockerArchive(dir, options.name);
      if (existsSync(join(dir, 'index.json'))) return await this.importOciLayout(dir, options.name);
      throw new Error(
        `${file}: neither a docker save archive (manifest.json) nor an OCI archive (index.json)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private async importDockerArchive(dir: string, name?: string): Promise<ImageInfo[]> {
    const entries = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      Config: string;
      RepoTags?: string[] | null;
      Layers: string[];
    }[];
    const out: ImageInfo[] = [];
    for (const e of entries) {
      const configBytes = readFileSync(join(dir, e.Config));
      const configDigest = this.store.putBlob(configBytes);
      const config = JSON.parse(configBytes.toString('utf8')) as ConfigBlob;
      const diffIds = config.rootfs?.diff_ids ?? [];
      const layers: LayerRecord[] = [];
      for (const [i, path] of e.Layers.entries()) {
        const bytes = readFileSync(join(dir, path));
        const digest = this.store.putBlob(bytes);
        layers.push({
          digest,
          diffId: diffIds[i] ?? digest,
          mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
          size: bytes.length,
        });
      }
      for (const l of layers) await this.store.unpackLayer(l);
      // docker load gives no repo digest; the manifest is synthesized so the record has one to keep.
      const manifestBody = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA.dockerManifest,
          config: {
            mediaType: 'application/vnd.docker.container.image.v1+json',
            digest: configDigest,
            size: configBytes.length,
          },
          layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
        }),
      );
      const manifestDigest = this.store.putBlob(manifestBody);
      const names = (name ? [name] : (e.RepoTags ?? [])).map((t) => formatReference(parse(t)));
      out.push(
        info(
          this.store.add({
            id: configDigest,
            names,
            repoDigests: [],
            size: layers.reduce((n, l) => n + l.size, configBytes.length),
            createdAt: this.clock.now(),
            manifestDigest,
            configDigest,
            config: config.config ?? {},
            layers,
          }),
        ),
      );
    }
    return out;
  }

  private async importOciLayout(dir: string, name?: string): Promise<ImageInfo[]> {
    const blob = (d: string): Buffer => readFileSync(join(dir, 'blobs', 'sha256', d.replace(/^sha256:/, '')));
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Manifest;
    const out: ImageInfo[] = [];
    for (const desc of index.manifests ?? []) {
      let body = blob(desc.digest);
      if (sha256(body) !== desc.digest) throw new DigestMismatchError(desc.digest, sha256(body));
      let manifest = JSON.parse(body.toString('utf8')) as Manifest;
      let manifestDigest = desc.digest;
      if (manifest.manifests && !manifest.layers) {
        const chosen = choosePlatform(manifest.manifests);
        if (!chosen) continue;
        body = blob(chosen.digest);
        manifestDigest = chosen.digest;
        manifest = JSON.parse(body.toString('utf8')) as Manifest;
      }
      this.store.putBlob(body, manifestDigest);
      if (!manifest.config || !manifest.layers) continue;
      const configBytes = blob(manifest.config.digest);
      const configDigest = this.store.putBlob(configBytes, manifest.config.digest);
      const config = JSON.parse(configBytes.toString('utf8')) as ConfigBlob;
      const diffIds = config.rootfs?.diff_ids ?? [];
      const layers: LayerRecord[] = [];
      for (const [i, l] of manifest.layers.entries()) {
        const bytes = blob(l.digest);
        this.store.putBlob(bytes, l.digest);
        layers.push({
          digest: l.digest,
          diffId: diffIds[i] ?? l.digest,
          mediaType: l.mediaType ?? '',
          size: bytes.length,
        });
      }
      for (const l of layers) await this.store.unpackLayer(l);
      const annotated =
        desc.annotations?.['io.containerd.image.name'] ??
        desc.annotations?.['org.opencontainers.image.ref.name'];
      const raw = name ?? annotated;
      if (!raw) throw new Error(`OCI archive entry ${desc.digest} has no name: give one with --name`);
      // A bare tag (`latest`) is not a name on its own; it needs --name.
      const names = /[/:]/.test(raw) || name ? [formatReference(parse(raw))] : [];
      if (names.length === 0)
        throw new Error(
          `OCI archive entry ${desc.digest} is only tagged ${JSON.stringify(raw)}: give a name with --name`,
        );
      out.push(
        info(
          this.store.add({
            id: configDigest,
            names,
            repoDigests: [],
            size: layers.reduce((n, l) => n + l.size, configBytes.length),
            createdAt: this.clock.now(),
            manifestDigest,
            configDigest,
            config: config.config ?? {},
            layers,
          }),
        ),
      );
    }
    return out;
  }
}

function parse(image: string): ImageReference {
  try {
    return parseReference(image);
  } catch (e) {
    if (e instanceof InvalidReferenceError)
      throw new ImageError('InvalidImageName', `Failed to apply default image tag "${image}": ${e.message}`);
    throw e;
  }
}

function choosePlatform(list: Descriptor[]): Descriptor | undefined {
  const arch = hostArchitecture();
  const matches = list.filter((m) => m.platform?.os === 'linux' && m.platform.architecture === arch);
  return matches.find((m) => !m.platform?.variant) ?? matches[0];
}

function errorText(e: Error): string {
  const cause = (e as { cause?: unknown }).cause;
  if (e.message === 'fetch failed' && cause instanceof Error) return `fetch failed: ${cause.message}`;
  return e.message;
}

export function info(rec: ImageRecord): ImageInfo {
  return {
    id: rec.id,
    names: [...rec.names],
    repoDigests: [...rec.repoDigests],
    size: rec.size,
    createdAt: rec.createdAt,
  };
}

/** The container's imageID: a repo digest when there is one (as containerd reports), else the image ID. */
export function imageRefOf(rec: ImageRecord): string {
  return rec.repoDigests[0] ?? rec.id;
}

/** Bytes on disk of an unpacked layer directory (for `nodelet image ls`). */
export function layerExists(store: ImageStore, diffId: string): boolean {
  return existsSync(store.layerPath(diffId)) && statSync(store.layerPath(diffId)).isDirectory();
}
