// Builds the runtime's ContainerConfig from the pod spec the way the kubelet does: env from values
// and the downward API, `$(VAR)` expansion in env, command and args (Kubernetes expansion rules).
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import type { ContainerConfig, KeyValue } from '../runtime/runtime.ts';
import type { SpecContainer } from './pod-util.ts';
import { containerHash } from './pod-util.ts';

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

export function containerEnv(pod: Pod, c: Container, podIP: string | undefined, node: NodeInfo): KeyValue[] {
  const env: KeyValue[] = [];
  const values = new Map<string, string>();
  for (const e of c.env ?? []) {
    let value: string;
    if (e.valueFrom?.fieldRef) {
      value = fieldValue(pod, e.valueFrom.fieldRef.fieldPath, podIP, node);
    } else if (e.valueFrom?.configMapKeyRef) {
      const ref = e.valueFrom.configMapKeyRef;
      if (ref.optional) continue;
      throw new ConfigError(`configmap "${ref.name ?? ''}" not found`);
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      if (ref.optional) continue;
      throw new ConfigError(`secret "${ref.name ?? ''}" not found`);
    } else if (e.valueFrom?.resourceFieldRef) {
      value = resourceValue(c, e.valueFrom.resourceFieldRef.resource);
    } else {
      // Only earlier variables of the list (and none of the image's) are expanded, as the kubelet.
      value = expand(e.value ?? '', (n) => values.get(n));
    }
    values.set(e.name, value);
    const at = env.findIndex((x) => x.name === e.name);
    if (at >= 0) env.splice(at, 1);
    env.push({ name: e.name, value });
  }
  for (const from of c.envFrom ?? []) {
    if (from.configMapRef && !from.configMapRef.optional)
      throw new ConfigError(`configmap "${from.configMapRef.name ?? ''}" not found`);
    if (from.secretRef && !from.secretRef.optional)
      throw new ConfigError(`secret "${from.secretRef.name ?? ''}" not found`);
  }
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
): ContainerConfig {
  const c = sc.container;
  const env = containerEnv(pod, c, podIP, node);
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
