// The "Init Containers:" / "Containers:" blocks of kubectl describe pod (describe.go
// describeContainers and its helpers, 1.32).

import type {
  Container,
  ContainerPort,
  ContainerState,
  ContainerStatus,
  EnvVar,
  Pod,
  Probe,
  ResourceRequirements,
} from 'kubernetes-types/core/v1.js';
import { LEVEL_0, LEVEL_1, LEVEL_2, LEVEL_3, type PrefixWriter } from './describe-writer.ts';
import { goSort } from './go-sort.ts';
import { parseQuantity, type Quantity } from '../quantity.ts';
import { formatRfc1123z, type TimeZone } from './time-format.ts';

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function printBool(value: boolean | undefined): string {
  return value === true ? 'True' : 'False';
}

function intOrString(value: number | string | undefined): string {
  return value === undefined ? '' : String(value);
}

/** Go's net.JoinHostPort. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** net/url escaping of a path: everything but unreserved characters and $&+,/:;=@ is %XX. */
function escapePath(path: string): string {
  let out = '';
  for (const byte of Buffer.from(path, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c)) out += c;
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** url.URL{Scheme, Host, Path}.String(), as describe builds the http-get target. */
function httpURL(scheme: string, host: string, path: string): string {
  let out = '';
  if (scheme !== '') out += `${scheme}:`;
  if ((scheme !== '' || host !== '') && (host !== '' || path !== '')) out += `//${host}`;
  const escaped = path === '*' ? '*' : escapePath(path);
  if (escaped !== '' && !escaped.startsWith('/') && host !== '') out += '/';
  if (out === '' && (escaped.split('/')[0] ?? '').includes(':')) out += './';
  return out + escaped;
}

/**
 * DescribeProbe: "<kind> <target> delay=Ns timeout=Ns period=Ns #success=N #failure=N", e.g.
 * "http-get http://:80/index1.html delay=1s timeout=1s period=3s #success=1 #failure=3".
 */
export function describeProbe(probe: Probe): string {
  const attrs =
    `delay=${probe.initialDelaySeconds ?? 0}s timeout=${probe.timeoutSeconds ?? 0}s ` +
    `period=${probe.periodSeconds ?? 0}s #success=${probe.successThreshold ?? 0} #failure=${probe.failureThreshold ?? 0}`;
  if (probe.exec !== undefined) return `exec [${(probe.exec.command ?? []).join(' ')}] ${attrs}`;
  if (probe.httpGet !== undefined) {
    const get = probe.httpGet;
    const port = intOrString(get.port);
    const host = port.length > 0 ? joinHostPort(get.host ?? '', port) : (get.host ?? '');
    return `http-get ${httpURL((get.scheme ?? '').toLowerCase(), host, get.path ?? '')} ${attrs}`;
  }
  if (probe.tcpSocket !== undefined) {
    return `tcp-socket ${probe.tcpSocket.host ?? ''}:${intOrString(probe.tcpSocket.port)} ${attrs}`;
  }
  if (probe.grpc !== undefined) return `grpc <pod>:${probe.grpc.port} ${probe.grpc.service ?? ''} ${attrs}`;
  return `unknown ${attrs}`;
}

function describePorts(ports: readonly ContainerPort[], hostPorts: boolean): string {
  return ports
    .map((p) => `${hostPorts ? (p.hostPort ?? 0) : p.containerPort}/${p.protocol ?? ''}`)
    .join(', ');
}

function stringOrNone(value: string): string {
  return value.length > 0 ? value : '<none>';
}

function writeState(w: PrefixWriter, name: string, state: ContainerState | undefined, zone: TimeZone): void {
  if (state?.running !== undefined) {
    w.write(LEVEL_2, `${name}:\tRunning\n`);
    w.write(LEVEL_3, `Started:\t${formatRfc1123z(state.running.startedAt, zone)}\n`);
  } else if (state?.waiting !== undefined) {
    w.write(LEVEL_2, `${name}:\tWaiting\n`);
    if (state.waiting.reason !== undefined && state.waiting.reason !== '') {
      w.write(LEVEL_3, `Reason:\t${state.waiting.reason}\n`);
    }
  } else if (state?.terminated !== undefined) {
    const t = state.terminated;
    w.write(LEVEL_2, `${name}:\tTerminated\n`);
    if (t.reason !== undefined && t.reason !== '') w.write(LEVEL_3, `Reason:\t${t.reason}\n`);
    if (t.message !== undefined && t.message !== '') w.write(LEVEL_3, `Message:\t${t.message}\n`);
    w.write(LEVEL_3, `Exit Code:\t${t.exitCode}\n`);
    if (t.signal !== undefined && t.signal > 0) w.write(LEVEL_3, `Signal:\t${t.signal}\n`);
    w.write(LEVEL_3, `Started:\t${formatRfc1123z(t.startedAt, zone)}\n`);
    w.write(LEVEL_3, `Finished:\t${formatRfc1123z(t.finishedAt, zone)}\n`);
  } else {
    w.write(LEVEL_2, `${name}:\tWaiting\n`);
  }
}

/** Limits and Requests, each resource by name, quantities in canonical form. */
export function writeResources(
  w: PrefixWriter,
  resources: ResourceRequirements | undefined,
  level: number,
): void {
  if (resources === undefined) return;
  for (const [title, list] of [
    ['Limits', resources.limits],
    ['Requests', resources.requests],
  ] as const) {
    const names = Object.keys(list ?? {}).sort(byteOrder);
    if (names.length > 0) w.write(level, `${title}:\n`);
    for (const name of names) w.write(level + 1, `${name}:\t${quantityText(String(list?.[name] ?? ''))}\n`);
  }
}

/**
 * The value describe shows for a fieldRef env var. kubectl resolves only metadata.name and
 * metadata.namespace: its scheme has no pod field-label conversions, so every other path (such as
 * status.podIP) comes out empty — "POD_IP:   (v1:status.podIP)".
 */
function fieldRefValue(pod: Pod, path: string): string {
  if (path === 'metadata.name') return pod.metadata?.name ?? '';
  if (path === 'metadata.namespace') return pod.metadata?.namespace ?? '';
  return '';
}

/** How describe prints a quantity: parsed and printed back (Quantity.String), or as written. */
export function quantityText(value: string): string {
  try {
    return parseQuantity(value).toString();
  } catch {
    return value;
  }
}

function quantityOrZero(value: string | number | undefined): Quantity {
  try {
    return parseQuantity(String(value ?? '0'));
  } catch {
    return parseQuantity('0');
  }
}

function ceilDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

/**
 * resourcehelper.ExtractContainerResourceValue: ceil(value / divisor), CPU in milli-units, memory,
 * ephemeral storage and hugepages in whole units; "" for anything else.
 */
function resourceFieldValue(container: Container, resource: string, divisorText: string | undefined): string {
  let divisor = quantityOrZero(divisorText);
  if (divisor.sign() === 0) divisor = parseQuantity('1');
  const dot = resource.indexOf('.');
  const kind = dot < 0 ? resource : resource.slice(0, dot);
  const name = dot < 0 ? '' : resource.slice(dot + 1);
  if (kind !== 'limits' && kind !== 'requests') return '';
  const list = kind === 'limits' ? container.resources?.limits : container.resources?.requests;
  const value = quantityOrZero(list?.[name]);
  if (name === 'cpu') return ceilDiv(value.milliValue(), divisor.milliValue()).toString();
  if (name === 'memory' || name === 'ephemeral-storage' || name.startsWith('hugepages-')) {
    return ceilDiv(value.value(), divisor.value()).toString();
  }
  return '';
}

function writeEnv(w: PrefixWriter, pod: Pod, container: Container): void {
  const env: readonly EnvVar[] = container.env ?? [];
  w.write(LEVEL_2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
  for (const e of env) {
    const from = e.valueFrom;
    if (from === undefined) {
      (e.value ?? '').split('\n').forEach((s, i) => {
        w.write(LEVEL_3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`);
      });
      continue;
    }
    if (from.fieldRef !== undefined) {
      const value = fieldRefValue(pod, from.fieldRef.fieldPath);
      w.write(
        LEVEL_3,
        `${e.name}:\t${value} (${from.fieldRef.apiVersion ?? ''}:${from.fieldRef.fieldPath})\n`,
      );
    } else if (from.resourceFieldRef !== undefined) {
      const resource = from.resourceFieldRef.resource;
      let value = resourceFieldValue(container, resource, from.resourceFieldRef.divisor);
      if (value === '0' && (resource === 'limits.cpu' || resource === 'limits.memory'))
        value = 'node allocatable';
      w.write(LEVEL_3, `${e.name}:\t${value} (${resource})\n`);
    } else if (from.secretKeyRef !== undefined) {
      const ref = from.secretKeyRef;
      w.write(
        LEVEL_3,
        `${e.name}:\t<set to the key '${ref.key}' in secret '${ref.name ?? ''}'>\tOptional: ${ref.optional === true}\n`,
      );
    } else if (from.configMapKeyRef !== undefined) {
      const ref = from.configMapKeyRef;
      w.write(
        LEVEL_3,
        `${e.name}:\t<set to the key '${ref.key}' of config map '${ref.name ?? ''}'>\tOptional: ${ref.optional === true}\n`,
      );
    }
  }
}

function writeEnvFrom(w: PrefixWriter, container: Container): void {
  const envFrom = container.envFrom ?? [];
  w.write(LEVEL_2, `Environment Variables from:${envFrom.length === 0 ? '\t<none>' : ''}\n`);
  for (const e of envFrom) {
    let from = '';
    let name = '';
    let optional = false;
    if (e.configMapRef !== undefined) {
      from = 'ConfigMap';
      name = e.configMapRef.name ?? '';
      optional = e.configMapRef.optional === true;
    } else if (e.secretRef !== undefined) {
      from = 'Secret';
      name = e.secretRef.name ?? '';
      optional = e.secretRef.optional === true;
    }
    if (e.prefix === undefined || e.prefix === '')
      w.write(LEVEL_3, `${name}\t${from}\tOptional: ${optional}\n`);
    else w.write(LEVEL_3, `${name}\t${from} with prefix '${e.prefix}'\tOptional: ${optional}\n`);
  }
}

function writeMounts(w: PrefixWriter, container: Container): void {
  const mounts = container.volumeMounts ?? [];
  const none = mounts.length === 0 ? '\t<none>' : '';
  w.write(LEVEL_2, `Mounts:${none}\n`);
  for (const m of goSort(mounts, (a, b) => a.mountPath < b.mountPath)) {
    const flags = [m.readOnly === true ? 'ro' : 'rw'];
    if (m.subPath !== undefined && m.subPath !== '') flags.push(`path=${JSON.stringify(m.subPath)}`);
    w.write(LEVEL_3, `${m.mountPath} from ${m.name} (${flags.join(',')})\n`);
  }
  const devices = container.volumeDevices ?? [];
  if (devices.length > 0) {
    w.write(LEVEL_2, `Devices:${none}\n`);
    for (const d of goSort(devices, (a, b) => a.devicePath < b.devicePath)) {
      w.write(LEVEL_3, `${d.devicePath} from ${d.name}\n`);
    }
  }
}

function writeContainer(
  w: PrefixWriter,
  pod: Pod,
  container: Container,
  status: ContainerStatus | undefined,
  zone: TimeZone,
): void {
  w.write(LEVEL_1, `${container.name}:\n`);
  if (status !== undefined) w.write(LEVEL_2, `Container ID:\t${status.containerID ?? ''}\n`);
  w.write(LEVEL_2, `Image:\t${container.image ?? ''}\n`);
  if (status !== undefined) w.write(LEVEL_2, `Image ID:\t${status.imageID}\n`);
  const ports = describePorts(container.ports ?? [], false);
  if (ports.includes(',')) w.write(LEVEL_2, `Ports:\t${ports}\n`);
  else w.write(LEVEL_2, `Port:\t${stringOrNone(ports)}\n`);
  const hostPorts = describePorts(container.ports ?? [], true);
  if (hostPorts.includes(',')) w.write(LEVEL_2, `Host Ports:\t${hostPorts}\n`);
  else w.write(LEVEL_2, `Host Port:\t${stringOrNone(hostPorts)}\n`);
  const seccomp = container.securityContext?.seccompProfile;
  if (seccomp !== undefined) {
    w.write(LEVEL_2, `SeccompProfile:\t${seccomp.type}\n`);
    if (seccomp.type === 'Localhost')
      w.write(LEVEL_3, `LocalhostProfile:\t${seccomp.localhostProfile ?? ''}\n`);
  }

  if ((container.command ?? []).length > 0) {
    w.write(LEVEL_2, 'Command:\n');
    for (const c of container.command ?? []) for (const s of c.split('\n')) w.write(LEVEL_3, `${s}\n`);
  }
  if ((container.args ?? []).length > 0) {
    w.write(LEVEL_2, 'Args:\n');
    for (const a of container.args ?? []) for (const s of a.split('\n')) w.write(LEVEL_3, `${s}\n`);
  }

  if (status !== undefined) {
    writeState(w, 'State', status.state, zone);
    if (status.lastState?.terminated !== undefined) writeState(w, 'Last State', status.lastState, zone);
    w.write(LEVEL_2, `Ready:\t${printBool(status.ready)}\n`);
    w.write(LEVEL_2, `Restart Count:\t${status.restartCount}\n`);
  }
  writeResources(w, container.resources ?? {}, LEVEL_2);
  if (container.livenessProbe !== undefined)
    w.write(LEVEL_2, `Liveness:\t${describeProbe(container.livenessProbe)}\n`);
  if (container.readinessProbe !== undefined) {
    w.write(LEVEL_2, `Readiness:\t${describeProbe(container.readinessProbe)}\n`);
  }
  if (container.startupProbe !== undefined)
    w.write(LEVEL_2, `Startup:\t${describeProbe(container.startupProbe)}\n`);
  if ((container.envFrom ?? []).length > 0) writeEnvFrom(w, container);
  writeEnv(w, pod, container);
  writeMounts(w, container);
}

/** One containers block: its title ("Containers:", or "Containers: <none>") and each container. */
export function writeContainers(
  w: PrefixWriter,
  title: string,
  pod: Pod,
  containers: readonly Container[],
  statuses: readonly ContainerStatus[] | undefined,
  zone: TimeZone,
): void {
  const byName = new Map<string, ContainerStatus>();
  for (const s of statuses ?? []) byName.set(s.name, s);
  w.write(LEVEL_0, `${title}:${containers.length === 0 ? ' <none>' : ''}\n`);
  for (const container of containers) writeContainer(w, pod, container, byName.get(container.name), zone);
}
