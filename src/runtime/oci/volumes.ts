// Pod volumes on the host, prepared as the kubelet's volume plugins prepare them, and the bind
// mounts a container's volumeMounts turn into:
//   emptyDir     pods/<uid>/volumes/kubernetes.io~empty-dir/<name>; `medium: Memory` is a tmpfs
//   hostPath     the host path itself, after the `type` check (pkg/volume/hostpath)
//   configMap, secret, downwardAPI, projected
//                files written under pods/<uid>/volumes/kubernetes.io~<kind>/<name>, with `items`,
//                `defaultMode`/`mode` and `optional` as the API defines them
import type {
  ConfigMap,
  DownwardAPIVolumeFile,
  KeyToPath,
  Pod,
  Secret,
  Volume,
  VolumeMount,
} from 'kubernetes-types/core/v1.js';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { parseQuantity } from '../../api/quantity.ts';
import type { OciMount } from './oci-spec.ts';

const execFileP = promisify(execFile);

/** Where ConfigMap and Secret objects come from (the API store, or the documents beside a pod). */
export interface ObjectSource {
  configMap?(namespace: string, name: string): ConfigMap | undefined;
  secret?(namespace: string, name: string): Secret | undefined;
}

export class VolumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VolumeError';
  }
}

export interface PreparedVolume {
  name: string;
  hostPath: string;
  /** A tmpfs this runtime mounted (unmounted with the pod). */
  tmpfs?: boolean;
}

function escape(kind: string): string {
  return `kubernetes.io~${kind}`;
}

/** The kubelet's hostPath type check (pkg/volume/hostpath/host_path.go checkType). */
export function checkHostPath(path: string, type: string | undefined): void {
  const t = type ?? '';
  const st = (): ReturnType<typeof statSync> | undefined => {
    try {
      return statSync(path);
    } catch {
      return undefined;
    }
  };
  const fail = (what: string): never => {
    throw new VolumeError(`hostPath type check failed: ${path} is not a ${what}`);
  };
  switch (t) {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!st()) mkdirSync(path, { recursive: true, mode: 0o755 });
      if (!st()?.isDirectory()) fail('directory');
      return;
    case 'Directory':
      if (!st()?.isDirectory()) fail('directory');
      return;
    case 'FileOrCreate':
      if (!st()) {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, '', { mode: 0o644 });
      }
      if (!st()?.isFile()) fail('file');
      return;
    case 'File':
      if (!st()?.isFile()) fail('file');
      return;
    case 'Socket':
      if (!st()?.isSocket()) fail('socket');
      return;
    case 'CharDevice':
      if (!st()?.isCharacterDevice()) fail('character device');
      return;
    case 'BlockDevice':
      if (!st()?.isBlockDevice()) fail('block device');
      return;
    default:
      throw new VolumeError(`invalid HostPathType ${JSON.stringify(t)}`);
  }
}

function writeProjected(dir: string, files: { path: string; data: Buffer; mode: number }[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const f of files) {
    const rel = normalize(f.path);
    if (rel.startsWith('..') || rel.startsWith('/'))
      throw new VolumeError(`invalid path ${JSON.stringify(f.path)}: must not contain '..' or be absolute`);
    const at = join(dir, rel);
    mkdirSync(dirname(at), { recursive: true });
    writeFileSync(at, f.data);
    chmodSync(at, f.mode);
  }
}

function keyFiles(
  what: string,
  data: Record<string, Buffer>,
  items: KeyToPath[] | undefined,
  mode: number,
  optional: boolean,
): { path: string; data: Buffer; mode: number }[] {
  if (!items || items.length === 0) return Object.entries(data).map(([k, v]) => ({ path: k, data: v, mode }));
  const out: { path: string; data: Buffer; mode: number }[] = [];
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeError(
        `configmap references non-existent config key: ${it.key}`.replace('configmap', what),
      );
    }
    out.push({ path: it.path, data: v, mode: it.mode ?? mode });
  }
  return out;
}

function configMapData(cm: ConfigMap): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(cm.data ?? {})) out[k] = Buffer.from(v);
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) out[k] = Buffer.from(v, 'base64');
  return out;
}

function secretData(s: Secret): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64');
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = Buffer.from(v);
  return out;
}

/** Values of the downward API's fieldRef / resourceFieldRef for a volume file. */
function downwardValue(pod: Pod, f: DownwardAPIVolumeFile): string {
  const md = pod.metadata ?? {};
  const fmtMap = (m: Record<string, string> | undefined): string =>
    Object.entries(m ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}="${v}"`)
      .join('\n');
  if (f.fieldRef) {
    const p = f.fieldRef.fieldPath;
    const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(p);
    if (m) return (m[1] === 'labels' ? md.labels : md.annotations)?.[m[2] ?? ''] ?? '';
    switch (p) {
      case 'metadata.name':
        return md.name ?? '';
      case 'metadata.namespace':
        return md.namespace ?? 'default';
      case 'metadata.uid':
        return md.uid ?? '';
      case 'metadata.labels':
        return fmtMap(md.labels);
      case 'metadata.annotations':
        return fmtMap(md.annotations);
      default:
        throw new VolumeError(`unsupported fieldPath: ${p}`);
    }
  }
  if (f.resourceFieldRef) {
    const c = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find(
      (x) => x.name === f.resourceFieldRef?.containerName,
    );
    const [kind, res] = f.resourceFieldRef.resource.split('.') as [string, string];
    const q = (kind === 'limits' ? c?.resources?.limits : c?.resources?.requests)?.[res];
    if (q === undefined) return res === 'cpu' ? '1' : '0';
    const divisor =
      f.resourceFieldRef.divisor !== undefined
        ? parseQuantity(String(f.resourceFieldRef.divisor))
        : undefined;
    if (res === 'cpu') {
      const milli = Number(parseQuantity(String(q)).milliValue());
      const d = divisor ? Number(divisor.milliValue()) : 1000;
      return String(Math.ceil(milli / d));
    }
    const v = Number(parseQuantity(String(q)).value());
    const d = divisor ? Number(divisor.value()) : 1;
    return String(Math.ceil(v / d));
  }
  return '';
}

export interface VolumeContext {
  pod: Pod;
  podDir: string;
  objects: ObjectSource;
}

/** Prepares one volume on the host. Throws VolumeError with the kubelet's wording. */
export async function prepareVolume(v: Volume, ctx: VolumeContext): Promise<PreparedVolume> {
  const ns = ctx.pod.metadata?.namespace ?? 'default';
  const base = (kind: string): string => join(ctx.podDir, 'volumes', escape(kind), v.name);
  if (v.hostPath) {
    checkHostPath(v.hostPath.path, v.hostPath.type);
    return { name: v.name, hostPath: v.hostPath.path };
  }
  if (v.emptyDir) {
    const dir = base('empty-dir');
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o777);
    if (v.emptyDir.medium === 'Memory') {
      const size =
        v.emptyDir.sizeLimit !== undefined
          ? `,size=${String(parseQuantity(String(v.emptyDir.sizeLimit)).value())}`
          : '';
      await execFileP('mount', ['-t', 'tmpfs', '-o', `mode=1777${size}`, 'tmpfs', dir]);
      return { name: v.name, hostPath: dir, tmpfs: true };
    }
    return { name: v.name, hostPath: dir };
  }
  if (v.configMap) {
    const src = v.configMap;
    const cm = ctx.objects.configMap?.(ns, src.name ?? '');
    if (!cm && !src.optional) throw new VolumeError(`configmap "${src.name ?? ''}" not found`);
    const dir = base('configmap');
    writeProjected(
      dir,
      cm
        ? keyFiles('configmap', configMapData(cm), src.items, src.defaultMode ?? 0o644, src.optional ?? false)
        : [],
    );
    return { name: v.name, hostPath: dir };
  }
  if (v.secret) {
    const src = v.secret;
    const s = ctx.objects.secret?.(ns, src.secretName ?? '');
    if (!s && !src.optional) throw new VolumeError(`secret "${src.secretName ?? ''}" not found`);
    const dir = base('secret');
    writeProjected(
      dir,
      s ? keyFiles('secret', secretData(s), src.items, src.defaultMode ?? 0o644, src.optional ?? false) : [],
    );
    return { name: v.name, hostPath: dir };
  }
  if (v.downwardAPI) {
    const dir = base('downward-api');
    const mode = v.downwardAPI.defaultMode ?? 0o644;
    writeProjected(
      dir,
      (v.downwardAPI.items ?? []).map((f) => ({
        path: f.path,
        data: Buffer.from(downwardValue(ctx.pod, f)),
        mode: f.mode ?? mode,
      })),
    );
    return { name: v.name, hostPath: dir };
  }
  if (v.projected) {
    const dir = base('projected');
    const mode = v.projected.defaultMode ?? 0o644;
    const files: { path: string; data: Buffer; mode: number }[] = [];
    for (const s of v.projected.sources ?? []) {
      if (s.configMap) {
        const cm = ctx.objects.configMap?.(ns, s.configMap.name ?? '');
        if (!cm && !s.configMap.optional)
          throw new VolumeError(`configmap "${s.configMap.name ?? ''}" not found`);
        if (cm)
          files.push(
            ...keyFiles(
              'configmap',
              configMapData(cm),
              s.configMap.items,
              mode,
              s.configMap.optional ?? false,
            ),
          );
      } else if (s.secret) {
        const sec = ctx.objects.secret?.(ns, s.secret.name ?? '');
        if (!sec && !s.secret.optional) throw new VolumeError(`secret "${s.secret.name ?? ''}" not found`);
        if (sec)
          files.push(
            ...keyFiles('secret', secretData(sec), s.secret.items, mode, s.secret.optional ?? false),
          );
      } else if (s.downwardAPI) {
        for (const f of s.downwardAPI.items ?? [])
          files.push({ path: f.path, data: Buffer.from(downwardValue(ctx.pod, f)), mode: f.mode ?? mode });
      } else {
        throw new VolumeError(`volume "${v.name}": projected source not supported by this runtime`);
      }
    }
    writeProjected(dir, files);
    return { name: v.name, hostPath: dir };
  }
  throw new VolumeError(`volume "${v.name}": this volume type is not supported by the oci runtime`);
}

/** Unmounts the pod's memory-backed volumes and removes its volume directories (never a hostPath). */
export async function cleanUpVolumes(podDir: string, prepared: PreparedVolume[]): Promise<void> {
  for (const p of prepared) {
    if (p.tmpfs) await execFileP('umount', ['-l', p.hostPath]).catch(() => undefined);
  }
  rmSync(join(podDir, 'volumes'), { recursive: true, force: true });
}

/** A container's volumeMounts as OCI bind mounts. */
export function volumeMounts(
  mounts: VolumeMount[] | undefined,
  prepared: PreparedVolume[],
  container: string,
): OciMount[] {
  const out: OciMount[] = [];
  for (const m of mounts ?? []) {
    const v = prepared.find((p) => p.name === m.name);
    if (!v) throw new VolumeError(`container "${container}": volume "${m.name}" not found`);
    let source = v.hostPath;
    if (m.subPath) {
      const rel = normalize(m.subPath);
      if (rel.startsWith('..') || rel.startsWith('/'))
        throw new VolumeError(`subPath ${JSON.stringify(m.subPath)} must not be absolute or contain '..'`);
      source = join(source, rel);
      if (!existsSync(source)) mkdirSync(source, { recursive: true, mode: 0o755 });
    }
    out.push({
      destination: m.mountPath,
      type: 'bind',
      source,
      options: ['rbind', 'rprivate', ...(m.readOnly ? ['ro'] : ['rw'])],
    });
  }
  return out;
}
