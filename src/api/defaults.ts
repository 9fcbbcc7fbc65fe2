// What the API server fills into a Pod on create, so that `kubectl get pod -o yaml` shows what a
// real cluster shows. Three sources, applied in the API server's order:
//  1. scheme defaulting (pkg/apis/core/v1/defaults.go, SetObjectDefaults_Pod) — also on update;
//  2. the default admission plugins: ServiceAccount (serviceAccountName; the token volume is left
//     out on purpose), Priority (priority 0, PreemptLowerPriority) and DefaultTolerationSeconds;
//  3. the pod registry strategy and generic registry (status, uid, creationTimestamp).
// Everything here is pure: the input is never modified.
import { randomInt } from 'node:crypto';
import type { Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { parseQuantity, Quantity } from './quantity.ts';

export interface PodDefaultsOptions {
  /** Creation time, epoch milliseconds (from the injected Clock). */
  now: number;
  /** Produces the new object's UID. */
  uid: () => string;
  /** Namespace to use when the pod names none (the request's namespace); `default` otherwise. */
  namespace?: string;
  /** Produces the 5-character suffix for generateName; random by default. */
  nameSuffix?: () => string;
}

type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Image pull policy

// The reference grammar of distribution/reference (what the kubelet's parsers.ParseImageName uses).
const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const namePattern = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const referenceRe = new RegExp(
  `^(${namePattern})(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);

/** The tag the kubelet reads from an image reference: `latest` when neither tag nor digest is given. */
export function imageTag(image: string): string {
  const m = referenceRe.exec(image);
  // An unparseable reference has no tag (parsers.ParseImageName fails; defaulting ignores the error).
  if (m === null || (m[1]?.length ?? 0) > 255) return '';
  const tag = m[2] ?? '';
  const digest = m[3] ?? '';
  return tag === '' && digest === '' ? 'latest' : tag;
}

/** SetDefaults_Container: `Always` for the `latest` tag (or none), otherwise `IfNotPresent`. */
export function defaultImagePullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}

// ---------------------------------------------------------------------------------------------
// Scheme defaulting

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * SetDefaults_ResourceList: quantities are rounded up to milli units and written back in the
 * canonical form (`0.5` → `500m`, `1024Mi` → `1Gi`). Values that do not parse are left for
 * validation to report.
 */
function defaultResourceList(list: unknown): void {
  if (!isObj(list)) return;
  for (const [name, raw] of Object.entries(list)) {
    const q = canonicalQuantity(raw, true);
    if (q !== undefined) list[name] = q;
  }
}

function canonicalQuantity(raw: unknown, roundToMilli: boolean): string | undefined {
  let q: Quantity;
  try {
    if (typeof raw === 'string') q = parseQuantity(raw.trim());
    else if (typeof raw === 'number' && Number.isFinite(raw)) q = parseQuantity(String(raw));
    else return undefined;
  } catch {
    return undefined;
  }
  if (roundToMilli && q.scale < -3) {
    const div = 10n ** BigInt(-3 - q.scale);
    const r = q.unscaled % div;
    const base = q.unscaled / div;
    q = new Quantity(r === 0n ? base : q.unscaled > 0n ? base + 1n : base - 1n, -3, q.format);
  }
  return q.toString();
}

function defaultHTTPGet(handler: unknown): void {
  if (!isObj(handler) || !isObj(handler.httpGet)) return;
  const h = handler.httpGet;
  if (h.path === undefined || h.path === '') h.path = '/';
  if (h.scheme === undefined || h.scheme === '') h.scheme = 'HTTP';
}

/** SetDefaults_Probe: 0 means unset, as the Go zero value does. */
function defaultProbe(probe: unknown): void {
  if (!isObj(probe)) return;
  if (!probe.timeoutSeconds) probe.timeoutSeconds = 1;
  if (!probe.periodSeconds) probe.periodSeconds = 10;
  if (!probe.successThreshold) probe.successThreshold = 1;
  if (!probe.failureThreshold) probe.failureThreshold = 3;
  defaultHTTPGet(probe);
  // SetDefaults_GRPCAction: an unset service becomes the empty string (the server's overall health).
  if (isObj(probe.grpc) && probe.grpc.service === undefined) probe.grpc.service = '';
}

function defaultFieldRef(ref: unknown): void {
  if (isObj(ref) && (ref.apiVersion === undefined || ref.apiVersion === '')) ref.apiVersion = 'v1';
}

function objects(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}

function unset(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function defaultContainer(c: Obj): void {
  if (unset(c.imagePullPolicy))
    c.imagePullPolicy = defaultImagePullPolicy(typeof c.image === 'string' ? c.image : '');
  if (unset(c.terminationMessagePath)) c.terminationMessagePath = '/dev/termination-log';
  if (unset(c.terminationMessagePolicy)) c.terminationMessagePolicy = 'File';
  // resources is a struct, not a pointer, in Go: it is always written, `{}` when empty.
  if (!isObj(c.resources)) c.resources = {};
  const resources = c.resources as Obj;
  defaultResourceList(resources.limits);
  defaultResourceList(resources.requests);
  for (const port of objects(c.ports)) if (unset(port.protocol)) port.protocol = 'TCP';
  for (const env of objects(c.env)) {
    if (!isObj(env.valueFrom)) continue;
    defaultFieldRef(env.valueFrom.fieldRef);
    const rf = env.valueFrom.resourceFieldRef;
    if (isObj(rf) && rf.divisor !== undefined) {
      const q = canonicalQuantity(rf.divisor, false);
      if (q !== undefined) rf.divisor = q;
    }
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  if (isObj(c.lifecycle)) {
    defaultHTTPGet(c.lifecycle.postStart);
    defaultHTTPGet(c.lifecycle.preStop);
  }
}

const volumeSourceKeys = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

/** 0644, the default file mode of secret, configMap, downwardAPI and projected volumes. */
const DEFAULT_MODE = 0o644;

function defaultDownwardItems(items: unknown): void {
  for (const item of objects(items)) defaultFieldRef(item.fieldRef);
}

function defaultVolume(o: Obj): void {
  // SetDefaults_Volume: a volume without any source is an emptyDir.
  if (!volumeSourceKeys.some((k) => o[k] !== undefined && o[k] !== null)) o.emptyDir = {};
  if (isObj(o.hostPath) && o.hostPath.type === undefined) o.hostPath.type = '';
  if (isObj(o.emptyDir) && o.emptyDir.sizeLimit !== undefined) {
    const q = canonicalQuantity(o.emptyDir.sizeLimit, false);
    if (q !== undefined) o.emptyDir.sizeLimit = q;
  }
  for (const key of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = o[key];
    if (isObj(src) && src.defaultMode === undefined) src.defaultMode = DEFAULT_MODE;
  }
  if (isObj(o.downwardAPI)) defaultDownwardItems(o.downwardAPI.items);
  if (isObj(o.projected)) {
    for (const s of objects(o.projected.sources)) {
      if (isObj(s.downwardAPI)) defaultDownwardItems(s.downwardAPI.items);
      if (isObj(s.serviceAccountToken) && s.serviceAccountToken.expirationSeconds === undefined) {
        s.serviceAccountToken.expirationSeconds = 3600;
      }
    }
  }
  if (isObj(o.iscsi) && o.iscsi.iscsiInterface === undefined) o.iscsi.iscsiInterface = 'default';
  if (isObj(o.rbd)) {
    o.rbd.pool ??= 'rbd';
    o.rbd.user ??= 'admin';
    o.rbd.keyring ??= '/etc/ceph/keyring';
  }
  if (isObj(o.ephemeral) && isObj(o.ephemeral.volumeClaimTemplate)) {
    const spec = o.ephemeral.volumeClaimTemplate.spec;
    if (isObj(spec) && spec.volumeMode === undefined) spec.volumeMode = 'Filesystem';
  }
}

/** defaultHostNetworkPorts: with hostNetwork, a port's hostPort is its containerPort. */
function defaultHostNetworkPorts(containers: Obj[]): void {
  for (const c of containers) for (const p of objects(c.ports)) if (!p.hostPort) p.hostPort = p.containerPort;
}

/** SetDefaults_Pod: limits without requests become requests too (pods only, not templates). */
function defaultRequestsFromLimits(containers: Obj[]): void {
  for (const c of containers) {
    const r = c.resources;
    if (!isObj(r) || !isObj(r.limits)) continue;
    if (!isObj(r.requests)) r.requests = {};
    const requests = r.requests as Obj;
    for (const [name, value] of Object.entries(r.limits)) if (!(name in requests)) requests[name] = value;
  }
}

/**
 * The scheme defaults (SetObjectDefaults_Pod) that the API server applies to every Pod it
 * decodes, on create and on update alike. Returns a new object.
 */
export function applyPodSchemeDefaults(pod: Pod): Pod {
  const out = structuredClone(pod) as unknown as Obj;
  if (!isObj(out.spec)) out.spec = {};
  const spec = out.spec as Obj;
  const containers = objects(spec.containers);
  const initContainers = objects(spec.initContainers);
  const ephemeral = objects(spec.ephemeralContainers);

  // SetDefaults_Pod
  defaultRequestsFromLimits(containers);
  defaultRequestsFromLimits(initContainers);
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null)
    spec.enableServiceLinks = true;
  if (spec.hostNetwork === true) {
    defaultHostNetworkPorts(containers);
    defaultHostNetworkPorts(initContainers);
  }
  // SetDefaults_PodSpec
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (!isObj(spec.securityContext)) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    spec.terminationGracePeriodSeconds = 30;
  } else if (
    typeof spec.terminationGracePeriodSeconds === 'number' &&
    spec.terminationGracePeriodSeconds < 0
  ) {
    // Since 1.27 a negative grace period is stored as 1 (kubernetes#115606): the kubelet would
    // treat it as 1 anyway, and validation no longer has to reject old manifests.
    spec.terminationGracePeriodSeconds = 1;
  }
  if (!spec.schedulerName) spec.schedulerName = 'default-scheduler';
  // The v1 ↔ internal conversion keeps the deprecated serviceAccount field equal to serviceAccountName.
  if (!spec.serviceAccountName && typeof spec.serviceAccount === 'string' && spec.serviceAccount !== '') {
    spec.serviceAccountName = spec.serviceAccount;
  }
  for (const v of objects(spec.volumes)) defaultVolume(v);
  for (const c of [...initContainers, ...containers, ...ephemeral]) defaultContainer(c);
  defaultResourceList(spec.overhead);
  if (isObj(spec.resources)) {
    defaultResourceList(spec.resources.limits);
    defaultResourceList(spec.resources.requests);
  }
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') {
    spec.serviceAccount = spec.serviceAccountName;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Admission and registry

/** The tolerations the DefaultTolerationSeconds admission plugin adds (300 s each). */
const defaultTolerations: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

function addDefaultTolerations(spec: Obj): void {
  const tolerations: unknown[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  const tolerates = (key: string): boolean =>
    objects(tolerations).some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const add = defaultTolerations.filter((t) => !tolerates(t.key ?? ''));
  if (add.length > 0) spec.tolerations = [...tolerations, ...structuredClone(add)];
}

/** Priorities of the built-in PriorityClasses every cluster has. */
const systemPriorities: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

/** The characters of apiserver's name generator (utilrand.String: no vowels, no confusables). */
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += suffixAlphabet[randomInt(suffixAlphabet.length)] ?? 'x';
  return s;
}

/** RFC 3339 with whole seconds, as metav1.Time serializes. */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The QoS class the API server records in status.qosClass (pkg/apis/core/helper/qos ComputePodQOS):
 * Guaranteed when every regular and init container has cpu and memory limits and requests equal
 * to them; BestEffort when no container requests or limits cpu or memory; Burstable otherwise.
 * Expects requests already defaulted from limits.
 */
export function computeQOSClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const add = (into: Map<string, Quantity>, name: string, raw: unknown): boolean => {
    if (name !== 'cpu' && name !== 'memory') return false;
    let q: Quantity;
    try {
      q = parseQuantity(typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw : '');
    } catch {
      return false;
    }
    if (q.sign() <= 0) return false;
    const prev = into.get(name);
    into.set(name, prev === undefined ? q : prev.add(q));
    return true;
  };
  const spec = isObj(pod.spec) ? (pod.spec as unknown as Obj) : {};
  for (const c of [...objects(spec.containers), ...objects(spec.initContainers)]) {
    const r = isObj(c.resources) ? c.resources : {};
    for (const [name, q] of Object.entries(isObj(r.requests) ? r.requests : {})) add(requests, name, q);
    const found = new Set<string>();
    for (const [name, q] of Object.entries(isObj(r.limits) ? r.limits : {}))
      if (add(limits, name, q)) found.add(name);
    if (!found.has('memory') || !found.has('cpu')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || lim.cmp(req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

/**
 * A freshly created Pod as the API server stores it: scheme defaults, the default admission
 * plugins' changes, metadata (namespace, uid, creationTimestamp, name from
 * generateName) and the initial status. resourceVersion is the store's job. Returns a new object.
 */
export function applyPodDefaults(pod: Pod, options: PodDefaultsOptions): Pod {
  const out = applyPodSchemeDefaults(pod) as unknown as Obj;
  const spec = out.spec as Obj;

  // ServiceAccount admission (without the projected token volume; nodelet mounts no tokens).
  if (!spec.serviceAccountName) {
    spec.serviceAccountName = 'default';
    spec.serviceAccount = 'default';
  }
  // Priority admission.
  if (spec.priority === undefined || spec.priority === null) {
    spec.priority =
      systemPriorities[typeof spec.priorityClassName === 'string' ? spec.priorityClassName : ''] ?? 0;
  }
  if (!spec.preemptionPolicy) spec.preemptionPolicy = 'PreemptLowerPriority';
  // DefaultTolerationSeconds admission.
  addDefaultTolerations(spec);

  // Generic registry: metadata the server owns.
  const meta: Obj = isObj(out.metadata) ? out.metadata : {};
  out.metadata = meta;
  if (!meta.namespace) meta.namespace = options.namespace ?? 'default';
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName !== '') {
    // names.SimpleNameGenerator: at most 58 characters of the prefix, then 5 random ones.
    meta.name = meta.generateName.slice(0, 58) + (options.nameSuffix ?? randomSuffix)();
  }
  meta.uid = options.uid();
  meta.creationTimestamp = rfc3339Seconds(options.now);
  // Kubernetes 1.32 leaves a pod's generation as the client sent it (unset by default); only 1.33+
  // (KEP-5067, pod generation) sets 1 on create.
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;

  // Pod strategy PrepareForCreate: the status is reset.
  const status: Obj = { phase: 'Pending', qosClass: computeQOSClass(out) };
  if (Array.isArray(spec.schedulingGates) && spec.schedulingGates.length > 0) {
    status.conditions = [
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: rfc3339Seconds(options.now),
        reason: 'SchedulingGated',
        message: 'Scheduling is blocked due to non-empty scheduling gates',
      },
    ];
  }
  out.status = status;
  return out;
}

/**
 * What the API server does to a Pod on update before validating it: scheme defaults, then the
 * registry (BeforeUpdate and the pod strategy's PrepareForUpdate) and the admission plugins that
 * act on updates. The identity the server owns (uid when missing, creationTimestamp, generation)
 * and the whole status come from the stored pod; Priority admission keeps the stored priority and
 * preemption policy; DefaultTolerationSeconds adds its tolerations again when missing. Pure.
 */
export function applyPodUpdateDefaults(newPod: Pod, oldPod: Pod): Pod {
  const out = applyPodSchemeDefaults(newPod) as unknown as Obj;
  const old = oldPod as unknown as Obj;
  const oldMeta: Obj = isObj(old.metadata) ? old.metadata : {};
  const meta: Obj = isObj(out.metadata) ? out.metadata : {};
  out.metadata = meta;
  if (unset(meta.uid) && oldMeta.uid !== undefined) meta.uid = oldMeta.uid;
  if (oldMeta.creationTimestamp !== undefined) meta.creationTimestamp = oldMeta.creationTimestamp;
  if (oldMeta.generation !== undefined) meta.generation = oldMeta.generation;
  else delete meta.generation;
  const spec = out.spec as Obj;
  const oldSpec: Obj = isObj(old.spec) ? old.spec : {};
  if (oldSpec.priority !== undefined) spec.priority = oldSpec.priority;
  if (oldSpec.preemptionPolicy !== undefined) spec.preemptionPolicy = oldSpec.preemptionPolicy;
  addDefaultTolerations(spec);
  if (old.status !== undefined) out.status = structuredClone(old.status);
  else delete out.status;
  return out;
}
