// `kubectl describe pod` (kubectl 1.32, describe.go describePod): the same sections, in the same
// order, with the same indentation and tabwriter alignment.

import type { Container, Event, Pod, ResourceRequirements, Toleration } from 'kubernetes-types/core/v1.js';
import { humanDuration } from '../../util/duration.ts';
import { writeContainers, writeResources } from './describe-containers.ts';
import { writeEvents } from './describe-events.ts';
import { writeExtras } from './describe-extras.ts';
import { LEVEL_0, LEVEL_1, PrefixWriter } from './describe-writer.ts';
import { writeVolumes } from './describe-volumes.ts';
import { goSort } from './go-sort.ts';
import { podQOSClass } from './qos.ts';
import { formatRfc1123z, parseTimestamp, type TimeZone } from './time-format.ts';

/** kubectl hides this annotation in describe. */
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_ANNOTATION_LEN = 140;

export interface DescribeOptions {
  /**
   * The zone times are shown in. kubectl uses the local zone of the machine it runs on; the
   * default 'local' does the same with this process's zone.
   */
  timeZone?: TimeZone;
  /**
   * Add nodelet's "Hooks and Probes:" section (from the lifecycle/probe annotations) before Events.
   * Off by default: with it the output is no longer what kubectl prints.
   */
  extras?: boolean;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** describe's shorten: cut at maxLength bytes and add "...". */
function shorten(s: string, maxLength: number): string {
  const bytes = Buffer.from(s, 'utf8');
  return bytes.length > maxLength ? `${bytes.subarray(0, maxLength).toString('utf8')}...` : s;
}

function age(now: number, value: string | undefined): string {
  const t = parseTimestamp(value);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

/** printLabelsMultiline: "Title:\tk=v" then "\tk2=v2" lines, keys sorted, or "<none>". */
function writeLabels(
  w: PrefixWriter,
  title: string,
  labels: Readonly<Record<string, string>> | undefined,
): void {
  w.write(LEVEL_0, `${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort(byteOrder);
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((key, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, '');
      w.write(LEVEL_0, '\t');
    }
    w.write(LEVEL_0, `${key}=${labels?.[key] ?? ''}\n`);
  });
}

/**
 * printAnnotationsMultiline: "key: value" lines; a value that is multi-line or makes the line
 * longer than 140 bytes goes below its key, line by line, indented two spaces and cut at 138
 * bytes with "...". The last-applied-configuration annotation is left out.
 */
function writeAnnotations(w: PrefixWriter, annotations: Readonly<Record<string, string>> | undefined): void {
  w.write(LEVEL_0, 'Annotations:\t');
  const keys = Object.keys(annotations ?? {})
    .filter((k) => k !== LAST_APPLIED_ANNOTATION)
    .sort(byteOrder);
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  const indent = '\t';
  keys.forEach((key, i) => {
    if (i !== 0) w.write(LEVEL_0, indent);
    const raw = annotations?.[key] ?? '';
    const value = raw.endsWith('\n') ? raw.slice(0, -1) : raw;
    if (byteLength(value) + byteLength(key) + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(LEVEL_0, `${key}:\n`);
      for (const line of value.split('\n'))
        w.write(LEVEL_0, `${indent}  ${shorten(line, MAX_ANNOTATION_LEN - 2)}\n`);
    } else {
      w.write(LEVEL_0, `${key}: ${value}\n`);
    }
  });
}

/** printPodTolerationsMultiline: key[=value][:effect][ op=Exists][ for Ns], sorted by key. */
function writeTolerations(w: PrefixWriter, tolerations: readonly Toleration[] | undefined): void {
  w.write(LEVEL_0, 'Tolerations:\t');
  if ((tolerations ?? []).length === 0) {
    w.writeLine('<none>');
    return;
  }
  const list = goSort(tolerations ?? [], (a, b) => (a.key ?? '') < (b.key ?? ''));
  list.forEach((t, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, '');
      w.write(LEVEL_0, '\t');
    }
    let text = t.key ?? '';
    if ((t.value ?? '') !== '') text += `=${t.value}`;
    if ((t.effect ?? '') !== '') text += `:${t.effect}`;
    if (t.operator === 'Exists' && (t.value ?? '') === '') {
      text += (t.key ?? '') !== '' || (t.effect ?? '') !== '' ? ' op=Exists' : 'op=Exists';
    }
    if (t.tolerationSeconds !== undefined) text += ` for ${t.tolerationSeconds}s`;
    w.write(LEVEL_0, `${text}\n`);
  });
}

/**
 * metav1.FormatLabelSelector: the selector's requirements sorted by key ("k=v", "k in (a,b)",
 * "k notin (a,b)", "k", "!k"), comma-joined, or "<none>" for an empty selector.
 */
function formatLabelSelector(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}): string {
  const requirements: Array<{ key: string; text: string }> = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, text: `${key}=${value}` });
  }
  for (const expr of selector.matchExpressions ?? []) {
    const values = [...(expr.values ?? [])].sort(byteOrder).join(',');
    const text =
      expr.operator === 'In'
        ? `${expr.key} in (${values})`
        : expr.operator === 'NotIn'
          ? `${expr.key} notin (${values})`
          : expr.operator === 'Exists'
            ? expr.key
            : expr.operator === 'DoesNotExist'
              ? `!${expr.key}`
              : `${expr.key} ${expr.operator} (${values})`;
    requirements.push({ key: expr.key, text });
  }
  if (requirements.length === 0) return '<none>';
  return requirements
    .sort((a, b) => byteOrder(a.key, b.key))
    .map((r) => r.text)
    .join(',');
}

function writeTopologySpreadConstraints(w: PrefixWriter, pod: Pod): void {
  const given = pod.spec?.topologySpreadConstraints ?? [];
  if (given.length === 0) return;
  const constraints = goSort(given, (a, b) => a.topologyKey < b.topologyKey);
  w.write(LEVEL_0, 'Topology Spread Constraints:\t');
  constraints.forEach((c, i) => {
    if (i !== 0) {
      w.write(LEVEL_0, '');
      w.write(LEVEL_0, '\t');
    }
    let text = `${c.topologyKey}:${c.whenUnsatisfiable} when max skew ${c.maxSkew} is exceeded`;
    if (c.labelSelector !== undefined) text += ` for selector ${formatLabelSelector(c.labelSelector)}`;
    w.write(LEVEL_0, `${text}\n`);
  });
}

/** Fields newer than the bundled API types. */
interface NewerPodSpec {
  resources?: ResourceRequirements;
}

/**
 * The complete `kubectl describe pod` text. Pass the events kubectl would find (involvedObject.uid
 * = the pod's uid); with `undefined` the Events section is left out, as when kubectl cannot list
 * events.
 */
export function describePod(
  pod: Pod,
  events: readonly Event[] | undefined,
  now: number,
  options: DescribeOptions = {},
): string {
  const zone = options.timeZone ?? 'local';
  const w = new PrefixWriter();
  const meta = pod.metadata ?? {};
  const spec = pod.spec;
  const status = pod.status ?? {};

  w.write(LEVEL_0, `Name:\t${meta.name ?? ''}\n`);
  w.write(LEVEL_0, `Namespace:\t${meta.namespace ?? ''}\n`);
  if (spec?.priority !== undefined) w.write(LEVEL_0, `Priority:\t${spec.priority}\n`);
  if ((spec?.priorityClassName ?? '') !== '')
    w.write(LEVEL_0, `Priority Class Name:\t${spec?.priorityClassName}\n`);
  if ((spec?.runtimeClassName ?? '') !== '')
    w.write(LEVEL_0, `Runtime Class Name:\t${spec?.runtimeClassName}\n`);
  if ((spec?.serviceAccountName ?? '') !== '')
    w.write(LEVEL_0, `Service Account:\t${spec?.serviceAccountName}\n`);
  if ((spec?.nodeName ?? '') === '') w.write(LEVEL_0, 'Node:\t<none>\n');
  else w.write(LEVEL_0, `Node:\t${spec?.nodeName}/${status.hostIP ?? ''}\n`);
  if (status.startTime !== undefined)
    w.write(LEVEL_0, `Start Time:\t${formatRfc1123z(status.startTime, zone)}\n`);
  writeLabels(w, 'Labels', meta.labels);
  writeAnnotations(w, meta.annotations);
  if (meta.deletionTimestamp !== undefined && status.phase !== 'Failed' && status.phase !== 'Succeeded') {
    w.write(LEVEL_0, `Status:\tTerminating (lasts ${age(now, meta.deletionTimestamp)})\n`);
    w.write(LEVEL_0, `Termination Grace Period:\t${meta.deletionGracePeriodSeconds ?? 0}s\n`);
  } else {
    w.write(LEVEL_0, `Status:\t${status.phase ?? ''}\n`);
  }
  if ((status.reason ?? '') !== '') w.write(LEVEL_0, `Reason:\t${status.reason}\n`);
  if ((status.message ?? '') !== '') w.write(LEVEL_0, `Message:\t${status.message}\n`);
  const seccomp = spec?.securityContext?.seccompProfile;
  if (seccomp !== undefined) {
    w.write(LEVEL_0, `SeccompProfile:\t${seccomp.type}\n`);
    if (seccomp.type === 'Localhost')
      w.write(LEVEL_0, `LocalhostProfile:\t${seccomp.localhostProfile ?? ''}\n`);
  }
  w.write(LEVEL_0, `IP:\t${status.podIP ?? ''}\n`);
  const ips = status.podIPs ?? [];
  if (ips.length === 0) {
    w.write(LEVEL_0, 'IPs:\t<none>\n');
  } else {
    w.write(LEVEL_0, 'IPs:\n');
    for (const ip of ips) w.write(LEVEL_1, `IP:\t${ip.ip ?? ''}\n`);
  }
  const controller = (meta.ownerReferences ?? []).find((r) => r.controller === true);
  if (controller !== undefined) w.write(LEVEL_0, `Controlled By:\t${controller.kind}/${controller.name}\n`);
  if ((status.nominatedNodeName ?? '') !== '')
    w.write(LEVEL_0, `NominatedNodeName:\t${status.nominatedNodeName}\n`);

  const podResources = (spec as NewerPodSpec | undefined)?.resources;
  if (podResources !== undefined) {
    w.write(LEVEL_0, 'Resources:\n');
    writeResources(w, podResources, LEVEL_1);
  }

  const initContainers: readonly Container[] = spec?.initContainers ?? [];
  if (initContainers.length > 0) {
    writeContainers(w, 'Init Containers', pod, initContainers, status.initContainerStatuses, zone);
  }
  writeContainers(w, 'Containers', pod, spec?.containers ?? [], status.containerStatuses, zone);
  const ephemeral = spec?.ephemeralContainers ?? [];
  if (ephemeral.length > 0) {
    writeContainers(w, 'Ephemeral Containers', pod, ephemeral, status.ephemeralContainerStatuses, zone);
  }

  const gates = spec?.readinessGates ?? [];
  if (gates.length > 0) {
    w.write(LEVEL_0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const gate of gates) {
      const condition = (status.conditions ?? []).find((c) => c.type === gate.conditionType);
      w.write(LEVEL_1, `${gate.conditionType} \t${condition?.status ?? '<none>'} \n`);
    }
  }
  const conditions = status.conditions ?? [];
  if (conditions.length > 0) {
    w.write(LEVEL_0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conditions) w.write(LEVEL_1, `${c.type} \t${c.status} \n`);
  }
  writeVolumes(w, spec?.volumes);
  w.write(LEVEL_0, `QoS Class:\t${podQOSClass(pod)}\n`);
  writeLabels(w, 'Node-Selectors', spec?.nodeSelector);
  writeTolerations(w, spec?.tolerations);
  writeTopologySpreadConstraints(w, pod);
  if (options.extras === true) writeExtras(w, pod);
  if (events !== undefined) writeEvents(w, events, now);
  return w.finish();
}
