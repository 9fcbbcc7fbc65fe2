// Node configuration for the oci runtime, parsed at the edge: `--registry-mirror REGISTRY=URL`
// (repeatable; mirrors are tried in order, then the registry itself), `--insecure-registry HOST`
// (plain HTTP), the runtime choice (`--runtime oci|process`, default oci where it can run), and the
// data directory.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { RegistryOptions } from '../image/image-manager.ts';
import { ociRuntimeUnavailable } from './oci-runtime.ts';

export class NodeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeConfigError';
  }
}

/** `docker.io=http://127.0.0.1:5000` → registry and mirror URL. */
export function parseRegistryMirror(text: string): { registry: string; url: string } {
  const eq = text.indexOf('=');
  const registry = eq > 0 ? text.slice(0, eq) : '';
  const url = eq > 0 ? text.slice(eq + 1) : '';
  let ok = registry !== '' && url !== '';
  if (ok) {
    try {
      const u = new URL(url);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
  }
  if (!ok)
    throw new NodeConfigError(
      `invalid --registry-mirror "${text}": want REGISTRY=URL, e.g. docker.io=http://127.0.0.1:5000`,
    );
  return { registry, url: url.replace(/\/+$/, '') };
}

export function registryOptions(
  mirrors: readonly string[] = [],
  insecure: readonly string[] = [],
): RegistryOptions {
  const out: Record<string, string[]> = {};
  for (const m of mirrors) {
    const { registry, url } = parseRegistryMirror(m);
    (out[registry] ??= []).push(url);
  }
  return { mirrors: out, insecure: [...insecure] };
}

/** The default data directory: $NODELET_DATA_DIR, else /var/lib/nodelet for root, else ~/.local/share/nodelet. */
export function defaultDataDir(): string {
  if (process.env.NODELET_DATA_DIR) return process.env.NODELET_DATA_DIR;
  if (process.getuid?.() === 0) return '/var/lib/nodelet';
  return join(homedir(), '.local', 'share', 'nodelet');
}

/** Where the oci runtime (and its image store) lives under a data directory. */
export function ociRoot(dataDir: string): string {
  return join(dataDir, 'oci');
}

export type RuntimeName = 'oci' | 'process';

/**
 * The runtime to use: the flag's, or oci where this machine can run it (root, runc, conmon, the CNI
 * plugins), else process. `reason` is the line to print at start; an explicit `oci` that cannot
 * run throws, naming what to install.
 */
export function chooseRuntime(flag: string | undefined): { name: RuntimeName; reason: string } {
  if (flag !== undefined && flag !== 'oci' && flag !== 'process')
    throw new NodeConfigError(`invalid --runtime "${flag}": want oci or process`);
  const missing = ociRuntimeUnavailable();
  if (flag === 'oci') {
    if (missing) throw new NodeConfigError(missing);
    return { name: 'oci', reason: 'runtime: oci (runc under conmon; asked for)' };
  }
  if (flag === 'process') return { name: 'process', reason: 'runtime: process (host processes; asked for)' };
  if (missing) return { name: 'process', reason: `runtime: process (${missing})` };
  return { name: 'oci', reason: 'runtime: oci (runc under conmon)' };
}

/** A pod's runtimeClassName (`process` or `oci`) picks its runtime; anything else is the node's. */
export function runtimeForPod(runtimeClassName: string | undefined, nodeDefault: RuntimeName): RuntimeName {
  return runtimeClassName === 'process' || runtimeClassName === 'oci' ? runtimeClassName : nodeDefault;
}
