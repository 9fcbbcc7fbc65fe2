// Builds the runtime's ContainerConfig from the pod spec the way the kubelet does: env from values,
// the downward API, ConfigMaps and Secrets (env and envFrom) and the Service links, `$(VAR)`
// expansion in env, command and args (Kubernetes expansion rules).
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { isEnvVarName, isRelaxedEnvVarName } from '../api/names.ts';
import type { ContainerConfig, KeyValue } from '../runtime/runtime.ts';
import type { SpecContainer } from './pod-util.ts';
import { containerHash } from './pod-util.ts';
import type { ObjectSource } from './ports.ts';
import { serviceEnvMap } from './service-env.ts';

/** Thrown when the config cannot be generated: the container waits with CreateContainerConfigError. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * Kubernetes' `$(VAR)` expansion: a defined variable is replaced, `$$` escapes a `$`, anything else
 * (undefined names, unterminated references) is left as written.
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close === -1) {
        // An incomplete reference is copied as written and scanning goes on after it (so a later
        // `$$` still becomes `$`), as the expansion package does.
        out += '$(';
        i++;
        continue;
      }
      const name = input.slice(i + 2, close);
      const value = lookup(name);
      out += value ?? `$(${name})`;
      i = close;
      continue;
    }
    out += ch;
  }
  return out;
}

export interface NodeInfo {
  nodeName: string;
  hostIP: string;
}

function fieldValue(pod: Pod, fieldPath: string, podIP: string | undefined, node: NodeInfo): string {
  const md = pod.metadata ?? {};
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (m) {
    const map = m[1] === 'labels' ? md.labels : md.annotations;
    return map?.[m[2] ?? ''] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? 'default';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'metadata.labels':
      return Object.entries(md.labels ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    case 'metadata.annotations':
      return Object.entries(md.annotations ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? node.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return node.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return podIP ?? '';
    default:
      throw new ConfigError(`unsupported fieldPath: ${fieldPath}`);
  }
}

/** How a container's environment reaches beyond the pod spec. */
export interface EnvOptions {
  /** ConfigMaps, Secrets and Services; without it none exist (every reference is "not found"). */
  objects?: ObjectSource;
  /**
   * The kubelet's minor version: envFrom keys that are not environment variable names are skipped
   * (with an InvalidEnvironmentVariableNames event) by the strict rule before 1.32 and by the
   * relaxed one from 1.32, where RelaxedEnvironmentVariableValidation is on by default. 32 by default.
   */
  kubeMinor?: number;
  /** Receives the kubelet's Warning events about the pod (reason, message). */
  warn?: (reason: string, message: string) => void;
}

function decodeSecretValue(v: string): string {
  return Buffer.from(v, 'base64').toString('utf8');
}

/** A Secret's data as strings: `data` (base64) with `stringData` written over it, as the API server merges them. */
function secretData(s: Secret): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.data ?? {})) out[k] = decodeSecretValue(v);
  for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
  return out;
}

/**
 * The container's environment as the kubelet's makeEnvironmentVariables builds it: envFrom
 * sources first (ConfigMap data, Secret data, each key with its prefix), then `env` in order —
 * values with `$(VAR)` expanded against what is defined so far and then the service variables,
 * valueFrom resolved — each replacing what came before under its name, then the service link
 * variables no one else defined. A missing ConfigMap or Secret, or key, is a ConfigError with the
 * kubelet's words, unless the reference is optional.
 */
export function containerEnv(
  pod: Pod,
  c: Container,
  podIP: string | undefined,
  node: NodeInfo,
  opts: EnvOptions = {},
): KeyValue[] {
  const namespace = pod.metadata?.namespace ?? 'default';
  const objects = opts.objects;
  const services = objects
    ? serviceEnvMap(objects, namespace, pod.spec?.enableServiceLinks ?? true)
    : new Map<string, string>();
  const configMaps = new Map<string, ConfigMap>();
  const secrets = new Map<string, Record<string, string>>();
  // The kubelet's configMapManager/secretManager answer NotFound with the singular resource name.
  const configMap = (name: string, optional: boolean): ConfigMap | undefined => {
    let cm = configMaps.get(name);
    if (!cm) {
      cm = objects?.configMap(namespace, name);
      if (!cm) {
        if (optional) return undefined;
        throw new ConfigError(`configmap "${name}" not found`);
      }
      configMaps.set(name, cm);
    }
    return cm;
  };
  const secret = (name: string, optional: boolean): Record<string, string> | undefined => {
    let data = secrets.get(name);
    if (!data) {
      const s = objects?.secret(namespace, name);
      if (!s) {
        if (optional) return undefined;
        throw new ConfigError(`secret "${name}" not found`);
      }
      data = secretData(s);
      secrets.set(name, data);
    }
    return data;
  };
  const isValidName = (opts.kubeMinor ?? 32) >= 32 ? isRelaxedEnvVarName : isEnvVarName;

  const values = new Map<string, string>();
  const put = (name: string, value: string): void => {
    // Declared order, a redefinition taking the later place.
    values.delete(name);
    values.set(name, value);
  };
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    let kind: string;
    let name: string;
    if (from.configMapRef) {
      kind = 'configMap';
      name = from.configMapRef.name ?? '';
      data = configMap(name, from.configMapRef.optional === true)?.data;
    } else if (from.secretRef) {
      kind = 'secret';
      name = from.secretRef.name ?? '';
      data = secret(name, from.secretRef.optional === true);
    } else continue;
    if (!data) continue;
    const invalid: string[] = [];
    // Go ranges over the map in random order; sorted keys keep the result stable.
    for (const key of Object.keys(data).sort()) {
      const k = prefix + key;
      if (isValidName(k).length) {
        invalid.push(k);
        continue;
      }
      put(k, data[key] ?? '');
    }
    if (invalid.length) {
      opts.warn?.(
        'InvalidEnvironmentVariableNames',
        `Keys [${invalid.sort().join(', ')}] from the EnvFrom ${kind} ${namespace}/${name} were skipped since they are considered invalid environment variable names.`,
      );
    }
  }
  for (const e of c.env ?? []) {
    let value: string;
    if (e.value) {
      // Only what is defined so far (envFrom and earlier env) and the service variables expand.
      value = expand(e.value, (n) => values.get(n) ?? services.get(n));
    } else if (e.valueFrom?.fieldRef) {
      value = fieldValue(pod, e.valueFrom.fieldRef.fieldPath, podIP, node);
    } else if (e.valueFrom?.resourceFieldRef) {
      value = resourceValue(c, e.valueFrom.resourceFieldRef.resource);
    } else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      const optional = ref.optional === true;
      const cm = configMap(ref.name ?? '', optional);
      if (!cm) continue;
      const v = cm.data?.[ref.key];
      if (v === undefined) {
        if (optional) continue;
        throw new ConfigError(`couldn't find key ${ref.key} in ConfigMap ${namespace}/${ref.name ?? ''}`);
      }
      value = v;
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const optional = ref.optional === true;
      const data = secret(ref.name ?? '', optional);
      if (!data) continue;
      const v = data[ref.key];
      if (v === undefined) {
        if (optional) continue;
        throw new ConfigError(`couldn't find key ${ref.key} in Secret ${namespace}/${ref.name ?? ''}`);
      }
      value = v;
    } else {
      value = '';
    }
    put(e.name, value);
  }
  const env: KeyValue[] = [...values].map(([name, value]) => ({ name, value }));
  for (const [name, value] of services) if (!values.has(name)) env.push({ name, value });
  return env;
}

function resourceValue(c: Container, resource: string): string {
  const [kind, name] = resource.split('.') as [string, string];
  const q = (kind === 'limits' ? c.resources?.limits : c.resources?.requests)?.[name];
  if (q === undefined) return name === 'cpu' ? '1' : '0';
  return String(q);
}

/** `lifecycle.stopSignal` (Kubernetes 1.33+, newer than the types package). */
export function stopSignal(c: Container): string | undefined {
  return (c.lifecycle as { stopSignal?: string } | undefined)?.stopSignal;
}

export function buildContainerConfig(
  pod: Pod,
  sc: SpecContainer,
  attempt: number,
  podIP: string | undefined,
  node: NodeInfo,
  envOptions: EnvOptions = {},
): ContainerConfig {
  const c = sc.container;
  const env = containerEnv(pod, c, podIP, node, envOptions);
  const lookup = (n: string): string | undefined => env.find((e) => e.name === n)?.value;
  const command = [...(c.command ?? []), ...(c.args ?? [])].map((s) => expand(s, lookup));
  return {
    name: c.name,
    attempt,
    image: c.image ?? '',
    command,
    env,
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
    terminationMessagePath: c.terminationMessagePath ?? '/dev/termination-log',
    ...(stopSignal(c) ? { stopSignal: stopSignal(c) as NodeJS.Signals } : {}),
    ...(c.stdin ? { stdin: true } : {}),
    ...(c.stdinOnce ? { stdinOnce: true } : {}),
    ...(c.tty ? { tty: true } : {}),
    labels: {
      'io.kubernetes.pod.uid': pod.metadata?.uid ?? '',
      'io.kubernetes.pod.name': pod.metadata?.name ?? '',
      'io.kubernetes.pod.namespace': pod.metadata?.namespace ?? 'default',
      'io.kubernetes.container.name': c.name,
      'io.kubernetes.container.hash': containerHash(c),
      'nodelet.dev/container-kind': sc.kind,
    },
  };
}
