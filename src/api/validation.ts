// Pod validation as the API server does it (pkg/apis/core/validation/validation.go and
// k8s.io/apimachinery/pkg/api/validation, Kubernetes 1.32): the same checks, in the same order,
// with the same field paths and words, so that nodelet rejects exactly what a cluster rejects and
// says so the same way. All errors are collected at once.
//
// The input is a Pod after defaulting (see defaults.ts) and after type checking (schema.ts);
// values of an unexpected type are read as Go's zero values rather than crashing.
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  aggregateMessage,
  duplicate,
  FieldError,
  FieldPath,
  forbidden,
  goQuote,
  invalid,
  notFound,
  notSupported,
  required,
  StringerValue,
  tooLong,
} from './field-errors.ts';
import {
  byteLength,
  inclusiveRangeError,
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isHTTPHeaderName,
  isIP,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidGroupID,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  isValidUserID,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from './names.ts';
import { parseQuantity, type Quantity } from './quantity.ts';

export interface PodValidationOptions {
  /**
   * RelaxedEnvironmentVariableValidation (beta, on by default in 1.32): env names may be any
   * printable ASCII except '='. Set false for the older C-identifier-like rule.
   */
  relaxedEnvVarNames?: boolean;
  /** kube-apiserver --allow-privileged; nodelet allows privileged containers. */
  allowPrivileged?: boolean;
}

type Obj = Record<string, unknown>;
type Errs = FieldError[];

const isNegativeErrorMsg = 'must be greater than or equal to 0';
const fieldImmutableErrorMsg = 'field is immutable';
const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';
const maxInt32 = 2147483647;
const totalAnnotationSizeLimit = 256 * 1024;

// ---------------------------------------------------------------------------------------------
// Reading loosely typed objects with Go's zero values

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
function objs(v: unknown): Obj[] {
  return arr(v).map((x) => obj(x) ?? {});
}
function strMap(v: unknown): [string, string][] {
  const o = obj(v);
  return o === undefined ? [] : Object.entries(o).map(([k, x]) => [k, str(x)]);
}
function set(v: unknown): boolean {
  return v !== undefined && v !== null;
}

// ---------------------------------------------------------------------------------------------
// Small shared validators

function validateNonnegative(value: number, path: FieldPath): Errs {
  return value < 0 ? [invalid(path, value, isNegativeErrorMsg)] : [];
}

function validateDNS1123Label(value: string, path: FieldPath): Errs {
  return isDNS1123Label(value).map((m) => invalid(path, value, m));
}

function validateDNS1123Subdomain(value: string, path: FieldPath): Errs {
  return isDNS1123Subdomain(value).map((m) => invalid(path, value, m));
}

function validateQualifiedName(value: string, path: FieldPath): Errs {
  return isQualifiedName(value).map((m) => invalid(path, value, m));
}

/** ValidateLabels: every message at the map's path (not per key), as the API server does. */
export function validateLabels(labels: unknown, path: FieldPath): Errs {
  const errs: Errs = [];
  for (const [k, v] of strMap(labels)) {
    errs.push(...validateQualifiedName(k, path));
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: FieldPath): Errs {
  const errs: Errs = [];
  let total = 0;
  for (const [k, v] of strMap(annotations)) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    total += byteLength(k) + byteLength(v);
  }
  if (total > totalAnnotationSizeLimit) errs.push(tooLong(path, totalAnnotationSizeLimit));
  return errs;
}

/** validateLocalDescendingPath: relative, and no `..` element. */
function validateLocalDescendingPath(target: string, path: FieldPath): Errs {
  const errs: Errs = [];
  if (target.startsWith('/')) errs.push(invalid(path, target, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(target, path));
  return errs;
}

function validatePathNoBacksteps(target: string, path: FieldPath): Errs {
  return target.split('/').includes('..') ? [invalid(path, target, "must not contain '..'")] : [];
}

function validateLocalNonReservedPath(target: string, path: FieldPath): Errs {
  const errs = validateLocalDescendingPath(target, path);
  if (target.startsWith('..') && !target.startsWith('../'))
    errs.push(invalid(path, target, "must not start with '..'"));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Object metadata

export type NameValidator = (name: string, prefix: boolean) => string[];

const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

function validateFinalizers(finalizers: unknown, path: FieldPath): Errs {
  const errs: Errs = [];
  const list = arr(finalizers).map(str);
  for (const f of list) errs.push(...validateQualifiedName(f, path));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  // core's validateKubeFinalizerName runs on top, per index.
  list.forEach((f, i) => {
    const p = path.index(i);
    const qn = validateQualifiedName(f, p);
    if (qn.length > 0) errs.push(...qn);
    else if (!f.includes('/') && !standardFinalizers.has(f)) {
      errs.push(invalid(p, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

function validateOwnerReferences(refs: unknown, path: FieldPath): Errs {
  const errs: Errs = [];
  let firstController = '';
  for (const ref of objs(refs)) {
    const apiVersion = str(ref.apiVersion);
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (version.length === 0)
      errs.push(invalid(path.child('apiVersion'), apiVersion, 'version must not be empty'));
    if (str(ref.kind).length === 0)
      errs.push(invalid(path.child('kind'), str(ref.kind), 'kind must not be empty'));
    if (str(ref.name).length === 0)
      errs.push(invalid(path.child('name'), str(ref.name), 'name must not be empty'));
    if (str(ref.uid).length === 0)
      errs.push(invalid(path.child('uid'), str(ref.uid), 'uid must not be empty'));
    if (apiVersion === 'v1' && ref.kind === 'Event') {
      errs.push(invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const name = `${str(ref.kind)}/${str(ref.name)}`;
      if (firstController !== '') {
        errs.push(
          invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${name}`,
          ),
        );
      } else firstController = name;
    }
  }
  return errs;
}

/**
 * ValidateObjectMeta for create: name (or generateName), namespace, generation, labels,
 * annotations, owner references and finalizers.
 */
export function validateObjectMeta(
  metadata: unknown,
  requiresNamespace: boolean,
  nameFn: NameValidator,
  path: FieldPath = FieldPath.of('metadata'),
): Errs {
  const meta = obj(metadata) ?? {};
  const errs: Errs = [];
  const generateName = str(meta.generateName);
  if (generateName.length > 0) {
    for (const m of nameFn(generateName, true))
      errs.push(invalid(path.child('generateName'), generateName, m));
  }
  const name = str(meta.name);
  if (name.length === 0) errs.push(required(path.child('name'), 'name or generateName is required'));
  else for (const m of nameFn(name, false)) errs.push(invalid(path.child('name'), name, m));
  const namespace = str(meta.namespace);
  if (requiresNamespace) {
    if (namespace.length === 0) errs.push(required(path.child('namespace')));
    else
      for (const m of nameIsDNSLabel(namespace, false))
        errs.push(invalid(path.child('namespace'), namespace, m));
  } else if (namespace.length > 0) {
    errs.push(forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  errs.push(...validateNonnegative(num(meta.generation) ?? 0, path.child('generation')));
  errs.push(...validateLabels(meta.labels, path.child('labels')));
  errs.push(...validateAnnotations(meta.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(meta.ownerReferences, path.child('ownerReferences')));
  errs.push(...validateFinalizers(meta.finalizers, path.child('finalizers')));
  return errs;
}

/** metav1.Time's String(), which the immutable-field error prints: `2025-01-02 03:04:05 +0000 UTC`. */
function goTimeString(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const [date = '', time = ''] = d.toISOString().split('T');
  return new StringerValue(`${date} ${time.replace(/\.000Z$/, '').replace(/Z$/, '')} +0000 UTC`);
}

function immutable(newVal: unknown, oldVal: unknown, path: FieldPath, shown: unknown = newVal): Errs {
  return semanticEqual(newVal, oldVal) ? [] : [invalid(path, shown, fieldImmutableErrorMsg)];
}

/** ValidateObjectMetaUpdate: identity fields may not change, labels and annotations stay valid. */
export function validateObjectMetaUpdate(
  newMetadata: unknown,
  oldMetadata: unknown,
  path: FieldPath = FieldPath.of('metadata'),
): Errs {
  const n = obj(newMetadata) ?? {};
  const o = obj(oldMetadata) ?? {};
  const errs: Errs = [];
  if (set(o.deletionTimestamp)) {
    const oldF = new Set(arr(o.finalizers).map(str));
    const extra = [...new Set(arr(n.finalizers).map(str))].filter((f) => !oldF.has(f)).sort();
    if (extra.length > 0) {
      errs.push(
        forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map(goQuote).join(', ')}}`,
        ),
      );
    }
  }
  if (str(n.resourceVersion).length === 0) {
    errs.push(
      invalid(path.child('resourceVersion'), str(n.resourceVersion), 'must be specified for an update'),
    );
  }
  if ((num(n.generation) ?? 0) < (num(o.generation) ?? 0)) {
    errs.push(invalid(path.child('generation'), num(n.generation) ?? 0, 'must not be decremented'));
  }
  errs.push(...immutable(str(n.name), str(o.name), path.child('name')));
  errs.push(...immutable(str(n.namespace), str(o.namespace), path.child('namespace')));
  errs.push(...immutable(str(n.uid), str(o.uid), path.child('uid')));
  errs.push(
    ...immutable(
      n.creationTimestamp ?? null,
      o.creationTimestamp ?? null,
      path.child('creationTimestamp'),
      goTimeString(n.creationTimestamp),
    ),
  );
  errs.push(
    ...immutable(
      n.deletionTimestamp ?? null,
      o.deletionTimestamp ?? null,
      path.child('deletionTimestamp'),
      goTimeString(n.deletionTimestamp),
    ),
  );
  errs.push(
    ...immutable(
      n.deletionGracePeriodSeconds ?? null,
      o.deletionGracePeriodSeconds ?? null,
      path.child('deletionGracePeriodSeconds'),
    ),
  );
  errs.push(...validateLabels(n.labels, path.child('labels')));
  errs.push(...validateAnnotations(n.annotations, path.child('annotations')));
  errs.push(...validateOwnerReferences(n.ownerReferences, path.child('ownerReferences')));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Volumes

const supportedHostPathTypes = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];

function validateFileMode(mode: unknown, path: FieldPath): Errs {
  const m = num(mode);
  return m !== undefined && (m > 0o777 || m < 0) ? [invalid(path, m, fileModeErrorMsg)] : [];
}

function validateKeyToPath(kp: Obj, path: FieldPath): Errs {
  const errs: Errs = [];
  if (str(kp.key).length === 0) errs.push(required(path.child('key')));
  if (str(kp.path).length === 0) errs.push(required(path.child('path')));
  errs.push(...validateLocalNonReservedPath(str(kp.path), path.child('path')));
  errs.push(...validateFileMode(kp.mode, path.child('mode')));
  return errs;
}

const volumeDownwardFieldPaths = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];

function validateDownwardAPIFile(file: Obj, path: FieldPath): Errs {
  const errs: Errs = [];
  if (str(file.path).length === 0) errs.push(required(path.child('path')));
  errs.push(...validateLocalNonReservedPath(str(file.path), path.child('path')));
  const fieldRef = obj(file.fieldRef);
  const resourceFieldRef = obj(file.resourceFieldRef);
  if (fieldRef !== undefined) {
    errs.push(...validateObjectFieldSelector(fieldRef, volumeDownwardFieldPaths, path.child('fieldRef')));
    if (resourceFieldRef !== undefined) {
      errs.push(
        invalid(path, 'resource', 'fieldRef and resourceFieldRef can not be specified simultaneously'),
      );
    }
  } else if (resourceFieldRef !== undefined) {
    errs.push(
      ...validateContainerResourceFieldSelector(resourceFieldRef, path.child('resourceFieldRef'), true),
    );
  } else {
    errs.push(required(path, 'one of fieldRef and resourceFieldRef is required'));
  }
  errs.push(...validateFileMode(file.mode, path.child('mode')));
  return errs;
}

function validateProjectionSources(projected: Obj, path: FieldPath): Errs {
  const errs: Errs = [];
  const allPaths = new Set<string>();
  const track = (p: string, bad: unknown): void => {
    if (p.length === 0) return;
    if (allPaths.has(p)) errs.push(invalid(path, bad, 'conflicting duplicate paths'));
    else allPaths.add(p);
  };
  objs(projected.sources).forEach((source, i) => {
    let numSources = 0;
    const srcPath = path.child('sources').index(i);
    for (const kind of ['secret', 'configMap'] as const) {
      const s = obj(source[kind]);
      if (s === undefined) continue;
      numSources++;
      const projPath = srcPath.child(kind);
      if (str(s.name).length === 0) errs.push(required(projPath.child('name')));
      objs(s.items).forEach((kp, j) => {
        errs.push(...validateKeyToPath(kp, projPath.child('items').index(j)));
        track(str(kp.path), str(s.name));
      });
    }
    const dapi = obj(source.downwardAPI);
    if (dapi !== undefined) {
      numSources++;
      for (const file of objs(dapi.items)) {
        errs.push(...validateDownwardAPIFile(file, srcPath.child('downwardAPI')));
        track(str(file.path), str(file.path));
      }
    }
    const sat = obj(source.serviceAccountToken);
    if (sat !== undefined) {
      numSources++;
      const satPath = srcPath.child('serviceAccountToken');
      const exp = num(sat.expirationSeconds) ?? 0;
      if (exp < 600)
        errs.push(
          invalid(satPath.child('expirationSeconds'), exp, 'may not specify a duration less than 10 minutes'),
        );
      if (exp > 2 ** 32)
        errs.push(
          invalid(
            satPath.child('expirationSeconds'),
            exp,
            'may not specify a duration larger than 2^32 seconds',
          ),
        );
      if (str(sat.path).length === 0) errs.push(required(path.child('path')));
      else errs.push(...validateLocalNonReservedPath(str(sat.path), path.child('path')));
    }
    if (obj(source.clusterTrustBundle) !== undefined) numSources++;
    if (numSources > 1) errs.push(forbidden(srcPath, 'may not specify more than 1 volume type per source'));
  });
  return errs;
}

type VolumeCheck = (src: Obj, path: FieldPath) => Errs;

function requireFields(...names: string[]): VolumeCheck {
  return (src, path) =>
    names.filter((n) => !set(src[n]) || src[n] === '').map((n) => required(path.child(n)));
}

/**
 * The volume source types in validateVolumeSource's order, each with the path it validates under
 * (a few differ from the JSON name in the API server too) and its checks.
 */
const volumeSources: [key: string, errPath: string, check: VolumeCheck][] = [
  [
    'emptyDir',
    'emptyDir',
    (src, path) => {
      const limit = quantityOf(src.sizeLimit);
      if (limit !== undefined && limit.sign() < 0) {
        return [forbidden(path.child('sizeLimit'), 'SizeLimit field must be a valid resource quantity')];
      }
      return [];
    },
  ],
  [
    'hostPath',
    'hostPath',
    (src, path) => {
      const p = str(src.path);
      if (p.length === 0) return [required(path.child('path'))];
      const errs = validatePathNoBacksteps(p, path.child('path'));
      if (set(src.type) && !supportedHostPathTypes.includes(str(src.type))) {
        errs.push(notSupported(path.child('type'), str(src.type), supportedHostPathTypes));
      }
      return errs;
    },
  ],
  [
    'gitRepo',
    'gitRepo',
    (src, path) => [
      ...requireFields('repository')(src, path),
      ...validateLocalDescendingPath(str(src.directory), path.child('directory')),
    ],
  ],
  ['gcePersistentDisk', 'persistentDisk', requireFields('pdName')],
  ['awsElasticBlockStore', 'awsElasticBlockStore', requireFields('volumeID')],
  [
    'secret',
    'secret',
    (src, path) => {
      const errs = requireFields('secretName')(src, path);
      errs.push(...validateFileMode(src.defaultMode, path.child('defaultMode')));
      objs(src.items).forEach((kp, i) => errs.push(...validateKeyToPath(kp, path.child('items').index(i))));
      return errs;
    },
  ],
  [
    'nfs',
    'nfs',
    (src, path) => {
      const errs = requireFields('server', 'path')(src, path);
      if (!str(src.path).startsWith('/'))
        errs.push(invalid(path.child('path'), str(src.path), 'must be an absolute path'));
      return errs;
    },
  ],
  ['iscsi', 'iscsi', requireFields('targetPortal', 'iqn')],
  ['glusterfs', 'glusterfs', requireFields('endpoints', 'path')],
  ['flocker', 'flocker', () => []],
  ['persistentVolumeClaim', 'persistentVolumeClaim', requireFields('claimName')],
  ['rbd', 'rbd', requireFields('monitors', 'image')],
  ['cinder', 'cinder', requireFields('volumeID')],
  ['cephfs', 'cephfs', requireFields('monitors')],
  ['quobyte', 'quobyte', requireFields('registry', 'volume')],
  [
    'downwardAPI',
    'downwardAPI',
    (src, path) => {
      const errs = validateFileMode(src.defaultMode, path.child('defaultMode'));
      for (const file of objs(src.items)) errs.push(...validateDownwardAPIFile(file, path));
      return errs;
    },
  ],
  ['fc', 'fc', () => []],
  ['flexVolume', 'flexVolume', requireFields('driver')],
  [
    'configMap',
    'configMap',
    (src, path) => {
      const errs = requireFields('name')(src, path);
      errs.push(...validateFileMode(src.defaultMode, path.child('defaultMode')));
      objs(src.items).forEach((kp, i) => errs.push(...validateKeyToPath(kp, path.child('items').index(i))));
      return errs;
    },
  ],
  ['azureFile', 'azureFile', requireFields('secretName', 'shareName')],
  ['vsphereVolume', 'vsphereVolume', requireFields('volumePath')],
  ['photonPersistentDisk', 'photonPersistentDisk', requireFields('pdID')],
  ['portworxVolume', 'portworxVolume', requireFields('volumeID')],
  ['azureDisk', 'azureDisk', requireFields('diskName', 'diskURI')],
  ['storageos', 'storageos', () => []],
  [
    'projected',
    'projected',
    (src, path) => [
      ...validateFileMode(src.defaultMode, path.child('defaultMode')),
      ...validateProjectionSources(src, path),
    ],
  ],
  ['scaleIO', 'scaleIO', requireFields('gateway', 'system', 'volumeName')],
  ['csi', 'csi', requireFields('driver')],
  [
    'ephemeral',
    'ephemeral',
    (src, path) =>
      obj(src.volumeClaimTemplate) === undefined ? [required(path.child('volumeClaimTemplate'))] : [],
  ],
  ['image', 'image', () => []],
];

/** The path used for "may not specify more than 1 volume type" where it differs (validation.go's spelling). */
const forbiddenPathOf: Record<string, string> = { downwardAPI: 'downwarAPI', cephfs: 'cephFS' };

function validateVolumeSource(vol: Obj, path: FieldPath): Errs {
  let count = 0;
  const errs: Errs = [];
  for (const [key, errPath, check] of volumeSources) {
    const src = vol[key];
    if (src === undefined || src === null) continue;
    if (count > 0) {
      errs.push(
        forbidden(path.child(forbiddenPathOf[key] ?? key), 'may not specify more than 1 volume type'),
      );
      continue;
    }
    count++;
    errs.push(...check(obj(src) ?? {}, path.child(errPath)));
  }
  if (count === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

/** ValidateVolumes: returns the volumes that are valid (by name) and the errors. */
function validateVolumes(volumes: unknown, path: FieldPath): { vols: Map<string, Obj>; errs: Errs } {
  const errs: Errs = [];
  const vols = new Map<string, Obj>();
  objs(volumes).forEach((vol, i) => {
    const idxPath = path.index(i);
    const namePath = idxPath.child('name');
    const name = str(vol.name);
    const el = validateVolumeSource(vol, idxPath);
    if (name.length === 0) el.push(required(namePath));
    else el.push(...validateDNS1123Label(name, namePath));
    if (vols.has(name)) el.push(duplicate(namePath, name));
    // A volume with errors is not registered, so mounts of it are "Not found" too.
    if (el.length === 0) vols.set(name, vol);
    else errs.push(...el);
  });
  return { vols, errs };
}

// ---------------------------------------------------------------------------------------------
// Containers

const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'];

function validateContainerPorts(ports: unknown, path: FieldPath): Errs {
  const errs: Errs = [];
  const names = new Set<string>();
  objs(ports).forEach((port, i) => {
    const idxPath = path.index(i);
    const name = str(port.name);
    if (name.length > 0) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const m of msgs) errs.push(invalid(idxPath.child('name'), name, m));
      else if (names.has(name)) errs.push(duplicate(idxPath.child('name'), name));
      else names.add(name);
    }
    const containerPort = num(port.containerPort) ?? 0;
    if (containerPort === 0) errs.push(required(idxPath.child('containerPort')));
    else
      for (const m of isValidPortNum(containerPort))
        errs.push(invalid(idxPath.child('containerPort'), containerPort, m));
    const hostPort = num(port.hostPort) ?? 0;
    if (hostPort !== 0)
      for (const m of isValidPortNum(hostPort)) errs.push(invalid(idxPath.child('hostPort'), hostPort, m));
    const protocol = str(port.protocol);
    if (protocol.length === 0) errs.push(required(idxPath.child('protocol')));
    else if (!supportedPortProtocols.includes(protocol))
      errs.push(notSupported(idxPath.child('protocol'), protocol, supportedPortProtocols));
  });
  return errs;
}

/** Field paths the downward API offers to environment variables (sets.List order). */
const envDownwardFieldPaths = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

/** Labels podshelper.ConvertDownwardAPIFieldLabel accepts for apiVersion v1. */
const convertibleFieldLabels = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

/** fieldpath.SplitMaybeSubscriptedPath: `metadata.labels['key']`. */
function splitSubscript(p: string): { path: string; subscript: string } | undefined {
  if (!p.endsWith("']")) return undefined;
  const open = p.indexOf("['");
  if (open < 0) return undefined;
  return { path: p.slice(0, open), subscript: p.slice(open + 2, -2) };
}

function validateObjectFieldSelector(fs: Obj, expressions: readonly string[], path: FieldPath): Errs {
  const apiVersion = str(fs.apiVersion);
  const fieldPath = str(fs.fieldPath);
  if (apiVersion.length === 0) return [required(path.child('apiVersion'))];
  if (fieldPath.length === 0) return [required(path.child('fieldPath'))];
  // ConvertDownwardAPIFieldLabel
  let convertErr: string | undefined;
  let internal = fieldPath;
  if (apiVersion !== 'v1') convertErr = `unsupported pod version: ${apiVersion}`;
  else {
    const sub = splitSubscript(fieldPath);
    if (sub !== undefined) {
      if (sub.path !== 'metadata.annotations' && sub.path !== 'metadata.labels') {
        convertErr = `field label does not support subscript: ${fieldPath}`;
      }
    } else if (fieldPath === 'spec.host') internal = 'spec.nodeName';
    else if (!convertibleFieldLabels.has(fieldPath)) convertErr = `field label not supported: ${fieldPath}`;
  }
  if (convertErr !== undefined) {
    return [invalid(path.child('fieldPath'), fieldPath, `error converting fieldPath: ${convertErr}`)];
  }
  const sub = splitSubscript(internal);
  if (sub !== undefined) {
    if (sub.path === 'metadata.annotations') return validateQualifiedName(sub.subscript.toLowerCase(), path);
    if (sub.path === 'metadata.labels') return validateQualifiedName(sub.subscript, path);
    return [invalid(path, sub.path, 'does not support subscript')];
  }
  if (!expressions.includes(internal)) return [notSupported(path.child('fieldPath'), internal, expressions)];
  return [];
}

const containerResourceFieldPaths = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const cpuDivisors = new Set(['1m', '1']);
const byteDivisors = new Set([
  '1',
  '1k',
  '1M',
  '1G',
  '1T',
  '1P',
  '1E',
  '1Ki',
  '1Mi',
  '1Gi',
  '1Ti',
  '1Pi',
  '1Ei',
]);

function validateContainerResourceFieldSelector(fs: Obj, path: FieldPath, volume: boolean): Errs {
  const errs: Errs = [];
  const resource = str(fs.resource);
  if (volume && str(fs.containerName).length === 0) errs.push(required(path.child('containerName')));
  else if (resource.length === 0) errs.push(required(path.child('resource')));
  else if (!containerResourceFieldPaths.includes(resource)) {
    if (!resource.startsWith('requests.hugepages-') && !resource.startsWith('limits.hugepages-')) {
      errs.push(notSupported(path.child('resource'), resource, containerResourceFieldPaths));
    }
  }
  // validateContainerResourceDivisor
  if (set(fs.divisor)) {
    const d = quantityOf(fs.divisor);
    if (d !== undefined && !d.isZero()) {
      const ds = d.toString();
      const divisorPath = path.child('divisor');
      if ((resource === 'limits.cpu' || resource === 'requests.cpu') && !cpuDivisors.has(ds)) {
        errs.push(
          invalid(
            divisorPath,
            resource,
            "only divisor's values 1m and 1 are supported with the cpu resource",
          ),
        );
      } else if ((resource === 'limits.memory' || resource === 'requests.memory') && !byteDivisors.has(ds)) {
        errs.push(
          invalid(
            divisorPath,
            resource,
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory resource",
          ),
        );
      } else if (
        (resource === 'limits.ephemeral-storage' || resource === 'requests.ephemeral-storage') &&
        !byteDivisors.has(ds)
      ) {
        errs.push(
          invalid(
            divisorPath,
            resource,
            "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the local ephemeral storage resource",
          ),
        );
      }
    }
  }
  return errs;
}

function validateKeySelector(s: Obj, path: FieldPath): Errs {
  const errs: Errs = [];
  const name = str(s.name);
  for (const m of nameIsDNSSubdomain(name, false)) errs.push(invalid(path.child('name'), name, m));
  const key = str(s.key);
  if (key.length === 0) errs.push(required(path.child('key')));
  else for (const m of isConfigMapKey(key)) errs.push(invalid(path.child('key'), key, m));
  return errs;
}

function validateEnv(env: unknown, path: FieldPath, opts: Required<PodValidationOptions>): Errs {
  const errs: Errs = [];
  objs(env).forEach((ev, i) => {
    const idxPath = path.index(i);
    const name = str(ev.name);
    if (name.length === 0) errs.push(required(idxPath.child('name')));
    else {
      const msgs = opts.relaxedEnvVarNames ? isRelaxedEnvVarName(name) : isEnvVarName(name);
      for (const m of msgs) errs.push(invalid(idxPath.child('name'), name, m));
    }
    errs.push(...validateEnvVarValueFrom(ev, idxPath.child('valueFrom')));
  });
  return errs;
}

function validateEnvVarValueFrom(ev: Obj, path: FieldPath): Errs {
  const from = obj(ev.valueFrom);
  if (from === undefined) return [];
  const errs: Errs = [];
  let numSources = 0;
  const fieldRef = obj(from.fieldRef);
  if (fieldRef !== undefined) {
    numSources++;
    errs.push(...validateObjectFieldSelector(fieldRef, envDownwardFieldPaths, path.child('fieldRef')));
  }
  const resourceFieldRef = obj(from.resourceFieldRef);
  if (resourceFieldRef !== undefined) {
    numSources++;
    errs.push(
      ...validateContainerResourceFieldSelector(resourceFieldRef, path.child('resourceFieldRef'), false),
    );
  }
  const cm = obj(from.configMapKeyRef);
  if (cm !== undefined) {
    numSources++;
    errs.push(...validateKeySelector(cm, path.child('configMapKeyRef')));
  }
  const secret = obj(from.secretKeyRef);
  if (secret !== undefined) {
    numSources++;
    errs.push(...validateKeySelector(secret, path.child('secretKeyRef')));
  }
  if (numSources === 0) {
    errs.push(
      invalid(
        path,
        '',
        'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ),
    );
  } else if (str(ev.value).length !== 0) {
    errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (numSources > 1) {
    errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: FieldPath, opts: Required<PodValidationOptions>): Errs {
  const errs: Errs = [];
  objs(envFrom).forEach((ev, i) => {
    const idxPath = path.index(i);
    const prefix = str(ev.prefix);
    if (prefix.length > 0) {
      const msgs = opts.relaxedEnvVarNames ? isRelaxedEnvVarName(prefix) : isEnvVarName(prefix);
      for (const m of msgs) errs.push(invalid(idxPath.child('prefix'), prefix, m));
    }
    let numSources = 0;
    for (const key of ['configMapRef', 'secretRef'] as const) {
      const ref = obj(ev[key]);
      if (ref === undefined) continue;
      numSources++;
      const name = str(ref.name);
      if (name.length === 0) errs.push(required(idxPath.child(key).child('name')));
      else
        for (const m of nameIsDNSSubdomain(name, true))
          errs.push(invalid(idxPath.child(key).child('name'), name, m));
    }
    if (numSources === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (numSources > 1)
      errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

const supportedMountPropagations = ['Bidirectional', 'HostToContainer', 'None'];
const supportedRecursiveReadOnly = ['Disabled', 'Enabled', 'IfPossible'];

function validateVolumeMounts(
  mounts: unknown,
  devices: Map<string, string>,
  vols: Map<string, Obj>,
  container: Obj,
  path: FieldPath,
): Errs {
  const errs: Errs = [];
  const mountpoints = new Set<string>();
  objs(mounts).forEach((mnt, i) => {
    const idxPath = path.index(i);
    const name = str(mnt.name);
    const mountPath = str(mnt.mountPath);
    if (name.length === 0) errs.push(required(idxPath.child('name')));
    if (!vols.has(name)) errs.push(notFound(idxPath.child('name'), name));
    if (mountPath.length === 0) errs.push(required(idxPath.child('mountPath')));
    if (mountpoints.has(mountPath))
      errs.push(invalid(idxPath.child('mountPath'), mountPath, 'must be unique'));
    mountpoints.add(mountPath);
    if (devices.has(name))
      errs.push(invalid(idxPath.child('name'), name, 'must not already exist in volumeDevices'));
    if ([...devices.values()].includes(mountPath)) {
      errs.push(
        invalid(idxPath.child('mountPath'), mountPath, 'must not already exist as a path in volumeDevices'),
      );
    }
    const subPath = str(mnt.subPath);
    const subPathExpr = str(mnt.subPathExpr);
    // validation.go reports subPath problems at the list's path, without the index; so do we.
    if (subPath.length > 0) errs.push(...validateLocalDescendingPath(subPath, path.child('subPath')));
    if (subPathExpr.length > 0) {
      if (subPath.length > 0) {
        errs.push(
          invalid(
            idxPath.child('subPathExpr'),
            subPathExpr,
            'subPathExpr and subPath are mutually exclusive',
          ),
        );
      }
      errs.push(...validateLocalDescendingPath(subPathExpr, path.child('subPathExpr')));
    }
    if (set(mnt.mountPropagation)) {
      const mp = str(mnt.mountPropagation);
      const mpPath = path.child('mountPropagation');
      if (!supportedMountPropagations.includes(mp))
        errs.push(notSupported(mpPath, mp, supportedMountPropagations));
      const sc = obj(container.securityContext);
      if (mp === 'Bidirectional' && sc?.privileged !== true) {
        errs.push(
          forbidden(mpPath, 'Bidirectional mount propagation is available only to privileged containers'),
        );
      }
    }
    if (set(mnt.recursiveReadOnly)) {
      const rro = str(mnt.recursiveReadOnly);
      const rroPath = path.child('recursiveReadOnly');
      if (rro === 'Enabled' || rro === 'IfPossible') {
        if (mnt.readOnly !== true)
          errs.push(forbidden(rroPath, 'may only be specified when readOnly is true'));
        if (set(mnt.mountPropagation) && mnt.mountPropagation !== 'None') {
          errs.push(
            forbidden(rroPath, 'may only be specified when mountPropagation is None or not specified'),
          );
        }
      } else if (rro !== 'Disabled') errs.push(notSupported(rroPath, rro, supportedRecursiveReadOnly));
    }
  });
  return errs;
}

function validateVolumeDevices(
  devices: unknown,
  mounts: Map<string, string>,
  vols: Map<string, Obj>,
  path: FieldPath,
): Errs {
  const errs: Errs = [];
  const paths = new Set<string>();
  const names = new Set<string>();
  objs(devices).forEach((dev, i) => {
    const idxPath = path.index(i);
    const name = str(dev.name);
    const devicePath = str(dev.devicePath);
    const vol = vols.get(name);
    const isPVC = vol !== undefined && (set(vol.persistentVolumeClaim) || set(vol.ephemeral));
    if (name.length === 0) errs.push(required(idxPath.child('name')));
    if (names.has(name)) errs.push(invalid(idxPath.child('name'), name, 'must be unique'));
    if (vol !== undefined && !isPVC) {
      errs.push(
        invalid(
          idxPath.child('name'),
          name,
          'can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode',
        ),
      );
    }
    if (vol === undefined) errs.push(notFound(idxPath.child('name'), name));
    if (devicePath.length === 0) errs.push(required(idxPath.child('devicePath')));
    if (paths.has(devicePath)) errs.push(invalid(idxPath.child('devicePath'), devicePath, 'must be unique'));
    if (devicePath.length > 0 && devicePath.split('/').includes('..')) {
      errs.push(invalid(idxPath.child('devicePath'), devicePath, "can not contain backsteps ('..')"));
    } else paths.add(devicePath);
    if (mounts.has(name))
      errs.push(invalid(idxPath.child('name'), name, 'must not already exist in volumeMounts'));
    if ([...mounts.values()].includes(devicePath)) {
      errs.push(
        invalid(idxPath.child('devicePath'), devicePath, 'must not already exist as a path in volumeMounts'),
      );
    }
    if (name.length > 0) names.add(name);
  });
  return errs;
}

const supportedPullPolicies = ['Always', 'IfNotPresent', 'Never'];

// Resource names (pkg/apis/core/helper).
const standardContainerResources = new Set(['cpu', 'memory', 'ephemeral-storage']);
const standardResources = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);

function isHugePage(name: string): boolean {
  return name.startsWith('hugepages-');
}
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}
function isExtendedResource(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}
function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePage(name);
}

function validateContainerResourceName(name: string, path: FieldPath): Errs {
  // validateResourceName, then the container-specific rule (which runs even after a bad name).
  const errs = validateQualifiedName(name, path);
  if (errs.length === 0 && !name.includes('/') && !standardResources.has(name) && !isHugePage(name)) {
    errs.push(invalid(path, name, 'must be a standard resource type or fully qualified'));
  }
  if (!name.includes('/')) {
    if (!standardContainerResources.has(name) && !isHugePage(name)) {
      errs.push(invalid(path, name, 'must be a standard resource for containers'));
    }
  } else if (!isNativeResource(name) && !isExtendedResource(name)) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

function quantityOf(v: unknown): Quantity | undefined {
  try {
    return parseQuantity(typeof v === 'number' ? String(v) : str(v).trim());
  } catch {
    return undefined;
  }
}

function validateResourceQuantityValue(name: string, q: Quantity, path: FieldPath): Errs {
  const errs: Errs = [];
  if (q.sign() < 0) errs.push(invalid(path, q.toString(), isNegativeErrorMsg));
  if (isExtendedResource(name) && q.milliValue() % 1000n !== 0n)
    errs.push(invalid(path, q.toString(), 'must be an integer'));
  return errs;
}

function validateResourceRequirements(resources: unknown, path: FieldPath): Errs {
  const r = obj(resources) ?? {};
  const errs: Errs = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const limits = new Map<string, Quantity>();
  let limCpuMem = false;
  let reqCpuMem = false;
  let hugePages = false;
  for (const [name, raw] of Object.entries(obj(r.limits) ?? {})) {
    const p = limPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    const q = quantityOf(raw);
    if (q === undefined) continue;
    limits.set(name, q);
    errs.push(...validateResourceQuantityValue(name, q, p));
    if (isHugePage(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') limCpuMem = true;
  }
  for (const [name, raw] of Object.entries(obj(r.requests) ?? {})) {
    const p = reqPath.key(name);
    errs.push(...validateContainerResourceName(name, p));
    const q = quantityOf(raw);
    if (q === undefined) continue;
    errs.push(...validateResourceQuantityValue(name, q, p));
    const limit = limits.get(name);
    if (limit !== undefined) {
      if (q.cmp(limit) !== 0 && !isOvercommitAllowed(name)) {
        errs.push(invalid(reqPath, q.toString(), `must be equal to ${name} limit of ${limit.toString()}`));
      } else if (q.cmp(limit) > 0) {
        errs.push(
          invalid(
            reqPath,
            q.toString(),
            `must be less than or equal to ${name} limit of ${limit.toString()}`,
          ),
        );
      }
    } else if (!isOvercommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
    if (isHugePage(name)) hugePages = true;
    if (name === 'cpu' || name === 'memory') reqCpuMem = true;
  }
  if (!limCpuMem && !reqCpuMem && hugePages) errs.push(forbidden(path, 'HugePages require cpu or memory'));
  return errs;
}

function validateResizePolicy(policies: unknown, path: FieldPath, podRestartPolicy: string): Errs {
  const errs: Errs = [];
  const seen = new Set<string>();
  objs(policies).forEach((p, i) => {
    const resourceName = str(p.resourceName);
    const restartPolicy = str(p.restartPolicy);
    if (seen.has(resourceName)) errs.push(duplicate(path.index(i), resourceName));
    seen.add(resourceName);
    if (resourceName === '') errs.push(required(path));
    else if (resourceName !== 'cpu' && resourceName !== 'memory')
      errs.push(notSupported(path, resourceName, ['cpu', 'memory']));
    if (restartPolicy === '') errs.push(required(path));
    else if (restartPolicy !== 'NotRequired' && restartPolicy !== 'RestartContainer') {
      errs.push(notSupported(path, restartPolicy, ['NotRequired', 'RestartContainer']));
    }
    if (podRestartPolicy === 'Never' && restartPolicy !== 'NotRequired') {
      errs.push(invalid(path, restartPolicy, "must be 'NotRequired' when `restartPolicy` is 'Never'"));
    }
  });
  return errs;
}

function validateSeccompProfile(sp: unknown, path: FieldPath): Errs {
  const p = obj(sp);
  if (p === undefined) return [];
  const errs: Errs = [];
  const type = str(p.type);
  if (type === '') errs.push(required(path.child('type'), 'type is required when seccompProfile is set'));
  else if (!['Localhost', 'RuntimeDefault', 'Unconfined'].includes(type)) {
    errs.push(notSupported(path.child('type'), type, ['Localhost', 'RuntimeDefault', 'Unconfined']));
  }
  if (type === 'Localhost') {
    if (!set(p.localhostProfile))
      errs.push(required(path.child('localhostProfile'), 'must be set when seccomp type is Localhost'));
    else errs.push(...validateLocalDescendingPath(str(p.localhostProfile), path.child('localhostProfile')));
  } else if (set(p.localhostProfile)) {
    errs.push(invalid(path.child('localhostProfile'), p, 'can only be set when seccomp type is Localhost'));
  }
  return errs;
}

function validateAppArmorProfile(ap: unknown, path: FieldPath): Errs {
  const p = obj(ap);
  if (p === undefined) return [];
  const type = str(p.type);
  const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
  if (type === 'Localhost') {
    if (!set(p.localhostProfile))
      return [required(path.child('localhostProfile'), 'must be set when AppArmor type is Localhost')];
    const profile = str(p.localhostProfile);
    const errs: Errs = [];
    if (profile.trim() !== profile)
      errs.push(invalid(path.child('localhostProfile'), profile, 'must not be padded with whitespace'));
    else if (profile === '')
      errs.push(required(path.child('localhostProfile'), 'must be set when AppArmor type is Localhost'));
    if (byteLength(profile) > 4095) errs.push(tooLong(path.child('localhostProfile'), 4095));
    return errs;
  }
  if (type === 'RuntimeDefault' || type === 'Unconfined') {
    return set(p.localhostProfile)
      ? [
          invalid(
            path.child('localhostProfile'),
            p.localhostProfile,
            'can only be set when AppArmor type is Localhost',
          ),
        ]
      : [];
  }
  if (type === '') return [required(path.child('type'), 'type is required when appArmorProfile is set')];
  return [notSupported(path.child('type'), type, types)];
}

function validateSecurityContext(
  securityContext: unknown,
  path: FieldPath,
  hostUsers: boolean,
  opts: Required<PodValidationOptions>,
): Errs {
  const sc = obj(securityContext);
  if (sc === undefined) return [];
  const errs: Errs = [];
  if (sc.privileged === true && !opts.allowPrivileged)
    errs.push(forbidden(path.child('privileged'), 'disallowed by cluster policy'));
  const runAsUser = num(sc.runAsUser);
  if (runAsUser !== undefined)
    for (const m of isValidUserID(runAsUser)) errs.push(invalid(path.child('runAsUser'), runAsUser, m));
  const runAsGroup = num(sc.runAsGroup);
  if (runAsGroup !== undefined)
    for (const m of isValidGroupID(runAsGroup)) errs.push(invalid(path.child('runAsGroup'), runAsGroup, m));
  if (set(sc.procMount)) {
    const pm = str(sc.procMount);
    if (pm !== 'Default' && pm !== 'Unmasked')
      errs.push(notSupported(path.child('procMount'), pm, ['Default', 'Unmasked']));
    if (hostUsers && pm === 'Unmasked')
      errs.push(invalid(path.child('procMount'), pm, '`hostUsers` must be false to use `Unmasked`'));
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child('seccompProfile')));
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) {
      errs.push(invalid(path, sc, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
    }
    for (const cap of arr(obj(sc.capabilities)?.add)) {
      if (cap === 'CAP_SYS_ADMIN') {
        errs.push(
          invalid(
            path,
            sc,
            'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN',
          ),
        );
      }
    }
  }
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path.child('appArmorProfile')));
  return errs;
}

/** validateContainerCommon: what regular, init and ephemeral containers share. */
function validateContainerCommon(
  c: Obj,
  vols: Map<string, Obj>,
  path: FieldPath,
  podRestartPolicy: string,
  hostUsers: boolean,
  opts: Required<PodValidationOptions>,
): Errs {
  const errs: Errs = [];
  const name = str(c.name);
  if (name.length === 0) errs.push(required(path.child('name')));
  else errs.push(...validateDNS1123Label(name, path.child('name')));
  if (str(c.image).length === 0) errs.push(required(path.child('image')));
  const tmp = str(c.terminationMessagePolicy);
  if (tmp === '') errs.push(required(path.child('terminationMessagePolicy')));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
    errs.push(notSupported(path.child('terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  }
  const mounts = new Map(objs(c.volumeMounts).map((m) => [str(m.name), str(m.mountPath)]));
  const devices = new Map(objs(c.volumeDevices).map((d) => [str(d.name), str(d.devicePath)]));
  errs.push(...validateContainerPorts(c.ports, path.child('ports')));
  errs.push(...validateEnv(c.env, path.child('env'), opts));
  errs.push(...validateEnvFrom(c.envFrom, path.child('envFrom'), opts));
  errs.push(...validateVolumeMounts(c.volumeMounts, devices, vols, c, path.child('volumeMounts')));
  errs.push(...validateVolumeDevices(c.volumeDevices, mounts, vols, path.child('volumeDevices')));
  const pull = str(c.imagePullPolicy);
  if (pull === '') errs.push(required(path.child('imagePullPolicy')));
  else if (!supportedPullPolicies.includes(pull))
    errs.push(notSupported(path.child('imagePullPolicy'), pull, supportedPullPolicies));
  errs.push(...validateResourceRequirements(c.resources, path.child('resources')));
  errs.push(...validateResizePolicy(c.resizePolicy, path.child('resizePolicy'), podRestartPolicy));
  errs.push(...validateSecurityContext(c.securityContext, path.child('securityContext'), hostUsers, opts));
  return errs;
}

// Handlers: probes and lifecycle hooks.

const supportedHTTPSchemes = ['HTTP', 'HTTPS'];

/** ValidatePortNumOrName for an IntOrString: numbers as ports, strings as IANA names. */
function validatePortNumOrName(port: unknown, path: FieldPath): Errs {
  if (typeof port === 'string') return isValidPortName(port).map((m) => invalid(path, port, m));
  const n = typeof port === 'number' ? port : 0;
  return isValidPortNum(n).map((m) => invalid(path, n, m));
}

type HandlerKind = 'exec' | 'httpGet' | 'tcpSocket' | 'grpc' | 'sleep';

function validateHandler(
  handler: Obj,
  kinds: readonly HandlerKind[],
  gracePeriod: number | undefined,
  path: FieldPath,
): Errs {
  const errs: Errs = [];
  let count = 0;
  for (const kind of kinds) {
    const h = handler[kind];
    if (h === undefined || h === null) continue;
    if (count > 0) {
      errs.push(forbidden(path.child(kind), 'may not specify more than 1 handler type'));
      continue;
    }
    count++;
    const action = obj(h) ?? {};
    const p = path.child(kind);
    switch (kind) {
      case 'exec':
        if (arr(action.command).length === 0) errs.push(required(p.child('command')));
        break;
      case 'httpGet': {
        if (str(action.path).length === 0) errs.push(required(p.child('path')));
        errs.push(...validatePortNumOrName(action.port, p.child('port')));
        const scheme = str(action.scheme);
        if (!supportedHTTPSchemes.includes(scheme))
          errs.push(notSupported(p.child('scheme'), scheme, supportedHTTPSchemes));
        for (const header of objs(action.httpHeaders)) {
          for (const m of isHTTPHeaderName(str(header.name)))
            errs.push(invalid(p.child('httpHeaders'), str(header.name), m));
        }
        break;
      }
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(action.port, p.child('port')));
        break;
      case 'grpc':
        errs.push(...validatePortNumOrName(num(action.port) ?? 0, p.child('port')));
        break;
      case 'sleep': {
        // A missing grace period is reported elsewhere; do not add a second error for it.
        const seconds = num(action.seconds) ?? 0;
        if (gracePeriod !== undefined && (seconds <= 0 || seconds > gracePeriod)) {
          errs.push(
            invalid(
              p,
              seconds,
              `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
            ),
          );
        }
        break;
      }
    }
  }
  if (count === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

const probeHandlers: readonly HandlerKind[] = ['exec', 'httpGet', 'tcpSocket', 'grpc'];
const lifecycleHandlers: readonly HandlerKind[] = ['exec', 'httpGet', 'tcpSocket', 'sleep'];

function validateProbe(probe: Obj, gracePeriod: number | undefined, path: FieldPath): Errs {
  const errs = validateHandler(probe, probeHandlers, gracePeriod, path);
  for (const f of [
    'initialDelaySeconds',
    'timeoutSeconds',
    'periodSeconds',
    'successThreshold',
    'failureThreshold',
  ]) {
    errs.push(...validateNonnegative(num(probe[f]) ?? 0, path.child(f)));
  }
  const tgps = num(probe.terminationGracePeriodSeconds);
  if (tgps !== undefined && tgps <= 0)
    errs.push(invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  return errs;
}

function validateProbes(c: Obj, gracePeriod: number | undefined, path: FieldPath): Errs {
  const errs: Errs = [];
  const liveness = obj(c.livenessProbe);
  if (liveness !== undefined) {
    errs.push(...validateProbe(liveness, gracePeriod, path.child('livenessProbe')));
    const st = num(liveness.successThreshold) ?? 0;
    if (st !== 1) errs.push(invalid(path.child('livenessProbe').child('successThreshold'), st, 'must be 1'));
  }
  const readiness = obj(c.readinessProbe);
  if (readiness !== undefined) {
    errs.push(...validateProbe(readiness, gracePeriod, path.child('readinessProbe')));
    if (set(readiness.terminationGracePeriodSeconds)) {
      errs.push(
        invalid(
          path.child('readinessProbe').child('terminationGracePeriodSeconds'),
          readiness.terminationGracePeriodSeconds,
          'must not be set for readinessProbes',
        ),
      );
    }
  }
  const startup = obj(c.startupProbe);
  if (startup !== undefined) {
    errs.push(...validateProbe(startup, gracePeriod, path.child('startupProbe')));
    const st = num(startup.successThreshold) ?? 0;
    if (st !== 1) errs.push(invalid(path.child('startupProbe').child('successThreshold'), st, 'must be 1'));
  }
  return errs;
}

// The signals a Linux container may ask for as its stop signal (Kubernetes 1.33+ validation).
const LINUX_STOP_SIGNALS = [
  'SIGABRT',
  'SIGALRM',
  'SIGBUS',
  'SIGCHLD',
  'SIGCLD',
  'SIGCONT',
  'SIGFPE',
  'SIGHUP',
  'SIGILL',
  'SIGINT',
  'SIGIO',
  'SIGIOT',
  'SIGKILL',
  'SIGPIPE',
  'SIGPOLL',
  'SIGPROF',
  'SIGPWR',
  'SIGQUIT',
  'SIGSEGV',
  'SIGSTKFLT',
  'SIGSTOP',
  'SIGSYS',
  'SIGTERM',
  'SIGTRAP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGUSR1',
  'SIGUSR2',
  'SIGVTALRM',
  'SIGWINCH',
  'SIGXCPU',
  'SIGXFSZ',
];

function validateStopSignal(signal: unknown, osName: string | undefined, path: FieldPath): Errs {
  if (!set(signal)) return [];
  if (osName === undefined || osName === '')
    return [forbidden(path, 'may not be set for containers with empty `spec.os.name`')];
  if (osName === 'windows' && signal !== 'SIGTERM' && signal !== 'SIGKILL')
    return [forbidden(path, 'may only be set to SIGTERM or SIGKILL for windows containers')];
  if (osName === 'linux' && !LINUX_STOP_SIGNALS.includes(str(signal)))
    return [notSupported(path, str(signal), LINUX_STOP_SIGNALS)];
  return [];
}

function validateLifecycle(
  lifecycle: Obj,
  gracePeriod: number | undefined,
  path: FieldPath,
  osName?: string,
): Errs {
  const errs: Errs = [...validateStopSignal(lifecycle.stopSignal, osName, path.child('stopSignal'))];
  const postStart = obj(lifecycle.postStart);
  if (postStart !== undefined)
    errs.push(...validateHandler(postStart, lifecycleHandlers, gracePeriod, path.child('postStart')));
  const preStop = obj(lifecycle.preStop);
  if (preStop !== undefined)
    errs.push(...validateHandler(preStop, lifecycleHandlers, gracePeriod, path.child('preStop')));
  return errs;
}

/** checkHostPortConflicts: the same protocol/hostIP/hostPort twice. */
function checkHostPortConflicts(containers: Obj[], path: FieldPath, seen = new Set<string>()): Errs {
  const errs: Errs = [];
  containers.forEach((c, ci) => {
    objs(c.ports).forEach((p, pi) => {
      const hostPort = num(p.hostPort) ?? 0;
      if (hostPort === 0) return;
      const key = `${str(p.protocol)}/${str(p.hostIP)}/${hostPort}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

interface SpecContext {
  vols: Map<string, Obj>;
  gracePeriod: number | undefined;
  osName: string | undefined;
  restartPolicy: string;
  hostUsers: boolean;
  opts: Required<PodValidationOptions>;
}

function validateContainers(containers: unknown, ctx: SpecContext, path: FieldPath): Errs {
  const list = objs(containers);
  if (list.length === 0) return [required(path)];
  const errs: Errs = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, ctx.vols, p, ctx.restartPolicy, ctx.hostUsers, ctx.opts));
    const name = str(c.name);
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    else names.add(name);
    const lifecycle = obj(c.lifecycle);
    if (lifecycle !== undefined)
      errs.push(...validateLifecycle(lifecycle, ctx.gracePeriod, p.child('lifecycle'), ctx.osName));
    errs.push(...validateProbes(c, ctx.gracePeriod, p));
    if (set(c.restartPolicy))
      errs.push(forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(list, path));
  return errs;
}

function validateInitContainers(
  initContainers: unknown,
  containers: unknown,
  ctx: SpecContext,
  path: FieldPath,
): Errs {
  const errs: Errs = [];
  const names = new Set(objs(containers).map((c) => str(c.name)));
  objs(initContainers).forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, ctx.vols, p, ctx.restartPolicy, ctx.hostUsers, ctx.opts));
    let restartAlways = false;
    if (set(c.restartPolicy)) {
      const rp = str(c.restartPolicy);
      if (rp !== 'Always') errs.push(notSupported(p.child('restartPolicy'), rp, ['Always']));
      restartAlways = rp === 'Always';
    }
    const name = str(c.name);
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    else if (name.length > 0) names.add(name);
    // Init containers run one at a time, so their host ports only conflict within one container.
    errs.push(...checkHostPortConflicts([c], path));
    if (restartAlways) {
      const lifecycle = obj(c.lifecycle);
      if (lifecycle !== undefined)
        errs.push(...validateLifecycle(lifecycle, ctx.gracePeriod, p.child('lifecycle'), ctx.osName));
      errs.push(...validateProbes(c, ctx.gracePeriod, p));
    } else {
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (set(c[f]))
          errs.push(forbidden(p.child(f), 'may not be set for init containers without restartPolicy=Always'));
      }
    }
    if (arr(c.resizePolicy).length > 0)
      errs.push(invalid(p.child('resizePolicy'), c.resizePolicy, 'must not be set for init containers'));
  });
  return errs;
}

/**
 * Fields an ephemeral container may not set ("cannot be set for an Ephemeral Container"), in the
 * Go struct's field order, which decides the order of the errors.
 */
const ephemeralDisallowed = [
  'ports',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
];

function isZeroValue(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === '';
}

function validateEphemeralContainers(
  ephemeral: unknown,
  containers: unknown,
  initContainers: unknown,
  ctx: SpecContext,
  path: FieldPath,
): Errs {
  const list = objs(ephemeral);
  if (list.length === 0) return [];
  const errs: Errs = [];
  const other = new Set([...objs(containers), ...objs(initContainers)].map((c) => str(c.name)));
  const all = new Set(other);
  list.forEach((ec, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(ec, ctx.vols, p, ctx.restartPolicy, ctx.hostUsers, ctx.opts));
    errs.push(...validateContainerOnlyForPod(ec, p));
    const name = str(ec.name);
    if (all.has(name)) errs.push(duplicate(p.child('name'), name));
    else all.add(name);
    const target = str(ec.targetContainerName);
    if (target !== '' && !other.has(target)) errs.push(notFound(p.child('targetContainerName'), target));
    for (const f of ephemeralDisallowed) {
      // resources is a struct in Go: only a non-empty one counts as set.
      const v = ec[f];
      const isSet = f === 'resources' ? Object.keys(obj(v) ?? {}).length > 0 : !isZeroValue(v);
      if (isSet) errs.push(forbidden(p.child(f), 'cannot be set for an Ephemeral Container'));
    }
    objs(ec.volumeMounts).forEach((vm, j) => {
      if (str(vm.subPath) !== '')
        errs.push(
          forbidden(
            p.child('volumeMounts').index(j).child('subPath'),
            'cannot be set for an Ephemeral Container',
          ),
        );
      if (str(vm.subPathExpr) !== '') {
        errs.push(
          forbidden(
            p.child('volumeMounts').index(j).child('subPathExpr'),
            'cannot be set for an Ephemeral Container',
          ),
        );
      }
    });
  });
  return errs;
}

function validateContainerOnlyForPod(c: Obj, path: FieldPath): Errs {
  const image = str(c.image);
  return image.length !== image.trim().length
    ? [invalid(path.child('image'), image, 'must not have leading or trailing whitespace')]
    : [];
}

// ---------------------------------------------------------------------------------------------
// Pod spec

function validateTolerations(tolerations: unknown, path: FieldPath): Errs {
  const errs: Errs = [];
  objs(tolerations).forEach((t, i) => {
    const p = path.index(i);
    const key = str(t.key);
    const operator = str(t.operator);
    const effect = str(t.effect);
    const value = str(t.value);
    if (key.length > 0) errs.push(...validateQualifiedName(key, p.child('key')));
    if (key.length === 0 && operator !== 'Exists') {
      errs.push(
        invalid(
          p.child('operator'),
          operator,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (set(t.tolerationSeconds) && effect !== 'NoExecute') {
      errs.push(
        invalid(p.child('effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"),
      );
    }
    if (operator === 'Equal' || operator === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length > 0) errs.push(invalid(p.child('operator'), value, msgs.join(';')));
    } else if (operator === 'Exists') {
      if (value.length > 0)
        errs.push(invalid(p.child('operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(p.child('operator'), operator, ['Equal', 'Exists']));
    }
    if (effect.length > 0 && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect)) {
      errs.push(notSupported(p.child('effect'), effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    }
  });
  return errs;
}

function validateDNSConfig(dnsConfig: unknown, dnsPolicy: string, path: FieldPath): Errs {
  const cfg = obj(dnsConfig);
  if (dnsPolicy === 'None') {
    if (cfg === undefined) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (arr(cfg.nameservers).length === 0) {
      return [
        required(
          path.child('nameservers'),
          'must provide at least one DNS nameserver when `dnsPolicy` is None',
        ),
      ];
    }
  }
  if (cfg === undefined) return [];
  const errs: Errs = [];
  const nameservers = arr(cfg.nameservers).map(str);
  if (nameservers.length > 3)
    errs.push(invalid(path.child('nameservers'), nameservers, 'must not have more than 3 nameservers'));
  nameservers.forEach((ns, i) => {
    if (!isIP(ns))
      errs.push(
        invalid(
          path.child('nameservers').index(i),
          ns,
          'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        ),
      );
  });
  const searches = arr(cfg.searches).map(str);
  if (searches.length > 32)
    errs.push(invalid(path.child('searches'), searches, 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) {
    errs.push(
      invalid(
        path.child('searches'),
        searches,
        'must not have more than 2048 characters (including spaces) in the search list',
      ),
    );
  }
  searches.forEach((s, i) =>
    errs.push(...validateDNS1123Subdomain(s.replace(/\.$/, ''), path.child('searches').index(i))),
  );
  objs(cfg.options).forEach((o, i) => {
    if (str(o.name).length === 0) errs.push(required(path.child('options').index(i), 'must not be empty'));
  });
  return errs;
}

const sysctlSegment = '[a-z0-9]([-_a-z0-9]*[a-z0-9])?';
/** The regex as Go prints it (validation.go SysctlContainSlashFmt). */
const sysctlReText = `^(${sysctlSegment}[\\./])*${sysctlSegment}$`;
const sysctlRe = new RegExp(sysctlReText);

function validatePodSecurityContext(securityContext: unknown, path: FieldPath, spec: Obj): Errs {
  const sc = obj(securityContext);
  if (sc === undefined) return [];
  const errs: Errs = [];
  const fsGroup = num(sc.fsGroup);
  if (fsGroup !== undefined)
    for (const m of isValidGroupID(fsGroup)) errs.push(invalid(path.child('fsGroup'), fsGroup, m));
  const runAsUser = num(sc.runAsUser);
  if (runAsUser !== undefined)
    for (const m of isValidUserID(runAsUser)) errs.push(invalid(path.child('runAsUser'), runAsUser, m));
  const runAsGroup = num(sc.runAsGroup);
  if (runAsGroup !== undefined)
    for (const m of isValidGroupID(runAsGroup)) errs.push(invalid(path.child('runAsGroup'), runAsGroup, m));
  arr(sc.supplementalGroups).forEach((g, i) => {
    const gid = typeof g === 'number' ? g : 0;
    for (const m of isValidGroupID(gid))
      errs.push(invalid(path.child('supplementalGroups').index(i), gid, m));
  });
  // hostPID and shareProcessNamespace live in the pod's security context internally, but their
  // errors name the spec fields.
  if (spec.shareProcessNamespace === true && spec.hostPID === true) {
    errs.push(
      invalid(
        path.child('shareProcessNamespace'),
        true,
        'ShareProcessNamespace and HostPID cannot both be enabled',
      ),
    );
  }
  const sysctlNames = new Set<string>();
  objs(sc.sysctls).forEach((s, i) => {
    const name = str(s.name);
    const p = path.child('sysctls').index(i).child('name');
    if (name.length === 0) errs.push(required(p));
    else if (name.length > 253 || !sysctlRe.test(name)) {
      errs.push(invalid(p, name, `must have at most 253 characters and match regex ${sysctlReText}`));
    } else if (sysctlNames.has(name)) errs.push(duplicate(p, name));
    sysctlNames.add(name);
  });
  if (set(sc.fsGroupChangePolicy) && !['Always', 'OnRootMismatch'].includes(str(sc.fsGroupChangePolicy))) {
    errs.push(
      notSupported(path.child('fsGroupChangePolicy'), str(sc.fsGroupChangePolicy), [
        'Always',
        'OnRootMismatch',
      ]),
    );
  }
  errs.push(...validateSeccompProfile(sc.seccompProfile, path.child('seccompProfile')));
  errs.push(...validateAppArmorProfile(sc.appArmorProfile, path.child('appArmorProfile')));
  if (set(sc.supplementalGroupsPolicy) && !['Merge', 'Strict'].includes(str(sc.supplementalGroupsPolicy))) {
    errs.push(
      notSupported(path.child('supplementalGroupsPolicy'), str(sc.supplementalGroupsPolicy), [
        'Merge',
        'Strict',
      ]),
    );
  }
  return errs;
}

function validateTopologySpreadConstraints(constraints: unknown, path: FieldPath): Errs {
  const errs: Errs = [];
  const seen = new Set<string>();
  objs(constraints).forEach((c, i) => {
    const p = path.index(i);
    const maxSkew = num(c.maxSkew) ?? 0;
    if (maxSkew <= 0) errs.push(invalid(p.child('maxSkew'), maxSkew, 'must be greater than zero'));
    const key = str(c.topologyKey);
    if (key.length === 0) errs.push(required(p.child('topologyKey'), 'can not be empty'));
    else errs.push(...validateQualifiedName(key, p.child('topologyKey')));
    const when = str(c.whenUnsatisfiable);
    const supported = ['DoNotSchedule', 'ScheduleAnyway'];
    if (when.length === 0) errs.push(required(p.child('whenUnsatisfiable'), 'can not be empty'));
    else if (!supported.includes(when))
      errs.push(notSupported(p.child('whenUnsatisfiable'), when, supported));
    const pair = `{${key}, ${when}}`;
    if (seen.has(pair)) errs.push(duplicate(p, pair));
    seen.add(pair);
  });
  return errs;
}

/** ValidatePodSpec (Kubernetes 1.32), in its order. */
function validatePodSpec(specValue: unknown, path: FieldPath, opts: Required<PodValidationOptions>): Errs {
  const spec = obj(specValue) ?? {};
  const errs: Errs = [];
  if (!set(spec.terminationGracePeriodSeconds))
    errs.push(required(path.child('terminationGracePeriodSeconds')));
  const gracePeriod = num(spec.terminationGracePeriodSeconds);
  const sc = obj(spec.securityContext);
  const hostUsers = sc?.hostUsers !== false;
  const { vols, errs: volErrs } = validateVolumes(spec.volumes, path.child('volumes'));
  errs.push(...volErrs);
  const restartPolicy = str(spec.restartPolicy);
  const osName = typeof obj(spec.os)?.name === 'string' ? str(obj(spec.os)?.name) : undefined;
  const ctx: SpecContext = { vols, gracePeriod, restartPolicy, hostUsers, opts, osName };
  errs.push(...validateContainers(spec.containers, ctx, path.child('containers')));
  errs.push(
    ...validateInitContainers(spec.initContainers, spec.containers, ctx, path.child('initContainers')),
  );
  errs.push(
    ...validateEphemeralContainers(
      spec.ephemeralContainers,
      spec.containers,
      spec.initContainers,
      ctx,
      path.child('ephemeralContainers'),
    ),
  );
  // validatePodHostNetworkDeps: in a Pod, hostPort must equal containerPort with hostNetwork.
  if (spec.hostNetwork === true) {
    objs(spec.containers).forEach((c, i) => {
      objs(c.ports).forEach((port, j) => {
        const hp = num(port.hostPort) ?? 0;
        if (hp !== (num(port.containerPort) ?? 0)) {
          errs.push(
            invalid(
              path.child('containers').index(i).child('ports').index(j).child('hostPort'),
              hp,
              'must match `containerPort` when `hostNetwork` is true',
            ),
          );
        }
      });
    });
  }
  if (restartPolicy === '') errs.push(required(path.child('restartPolicy')));
  else if (!['Always', 'OnFailure', 'Never'].includes(restartPolicy)) {
    errs.push(notSupported(path.child('restartPolicy'), restartPolicy, ['Always', 'OnFailure', 'Never']));
  }
  const dnsPolicy = str(spec.dnsPolicy);
  const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (dnsPolicy === '') errs.push(required(path.child('dnsPolicy')));
  else if (!dnsPolicies.includes(dnsPolicy))
    errs.push(notSupported(path.child('dnsPolicy'), dnsPolicy, dnsPolicies));
  errs.push(...validateLabels(spec.nodeSelector, path.child('nodeSelector')));
  errs.push(...validatePodSecurityContext(spec.securityContext, path.child('securityContext'), spec));
  objs(spec.imagePullSecrets).forEach((s, i) => {
    if (Object.keys(s).some((k) => k !== 'name'))
      errs.push(invalid(path.child('imagePullSecrets').index(i), s, 'only name may be set'));
  });
  errs.push(...validateDNSConfig(spec.dnsConfig, dnsPolicy, path.child('dnsConfig')));
  objs(spec.readinessGates).forEach((g, i) => {
    errs.push(
      ...validateQualifiedName(
        str(g.conditionType),
        path.child('readinessGates').index(i).child('conditionType'),
      ),
    );
  });
  const gates = new Set<string>();
  objs(spec.schedulingGates).forEach((g, i) => {
    const name = str(g.name);
    errs.push(...validateQualifiedName(name, path.child('schedulingGates').index(i)));
    if (gates.has(name)) errs.push(duplicate(path.child('schedulingGates').index(i), name));
    gates.add(name);
  });
  errs.push(
    ...validateTopologySpreadConstraints(
      spec.topologySpreadConstraints,
      path.child('topologySpreadConstraints'),
    ),
  );
  if (!hostUsers) {
    if (spec.hostNetwork === true)
      errs.push(forbidden(path.child('hostNetwork'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostPID === true)
      errs.push(forbidden(path.child('HostPID'), 'when `pod.Spec.HostUsers` is false'));
    if (spec.hostIPC === true)
      errs.push(forbidden(path.child('HostIPC'), 'when `pod.Spec.HostUsers` is false'));
  }
  const sa = str(spec.serviceAccountName);
  if (sa.length > 0)
    for (const m of nameIsDNSSubdomain(sa, false))
      errs.push(invalid(path.child('serviceAccountName'), sa, m));
  const nodeName = str(spec.nodeName);
  if (nodeName.length > 0)
    for (const m of nameIsDNSSubdomain(nodeName, false))
      errs.push(invalid(path.child('nodeName'), nodeName, m));
  const ads = num(spec.activeDeadlineSeconds);
  if (ads !== undefined && (ads < 1 || ads > maxInt32)) {
    errs.push(invalid(path.child('activeDeadlineSeconds'), ads, inclusiveRangeError(1, maxInt32)));
  }
  if (str(spec.hostname).length > 0)
    errs.push(...validateDNS1123Label(str(spec.hostname), path.child('hostname')));
  if (str(spec.subdomain).length > 0)
    errs.push(...validateDNS1123Label(str(spec.subdomain), path.child('subdomain')));
  errs.push(...validateTolerations(spec.tolerations, path.child('tolerations')));
  objs(spec.hostAliases).forEach((a, i) => {
    const ip = str(a.ip);
    if (!isIP(ip))
      errs.push(
        invalid(
          path.child('hostAliases').index(i).child('ip'),
          ip,
          'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
        ),
      );
    arr(a.hostnames).forEach((h, j) =>
      errs.push(
        ...validateDNS1123Subdomain(str(h), path.child('hostAliases').index(i).child('hostnames').index(j)),
      ),
    );
  });
  const pcn = str(spec.priorityClassName);
  if (pcn.length > 0)
    for (const m of nameIsDNSSubdomain(pcn, false))
      errs.push(invalid(path.child('priorityClassName'), pcn, m));
  if (set(spec.runtimeClassName)) {
    const rcn = str(spec.runtimeClassName);
    for (const m of nameIsDNSSubdomain(rcn, false))
      errs.push(invalid(path.child('runtimeClassName'), rcn, m));
  }
  if (set(spec.preemptionPolicy)) {
    const pp = str(spec.preemptionPolicy);
    if (pp === '') errs.push(required(path.child('preemptionPolicy')));
    else if (pp !== 'PreemptLowerPriority' && pp !== 'Never') {
      errs.push(notSupported(path.child('preemptionPolicy'), pp, ['PreemptLowerPriority', 'Never']));
    }
  }
  if (set(spec.overhead))
    errs.push(...validateResourceRequirements({ limits: spec.overhead }, path.child('overhead')));
  const os = obj(spec.os);
  if (os !== undefined) {
    const osName = str(os.name);
    if (osName.length === 0) errs.push(required(path.child('os').child('name'), 'cannot be empty'));
    else if (osName !== 'linux' && osName !== 'windows')
      errs.push(notSupported(path.child('os'), osName, ['linux', 'windows']));
    else if (osName === 'linux') {
      if (set(sc?.windowsOptions)) {
        errs.push(
          forbidden(
            path.child('securityContext').child('windowsOptions'),
            'windows options cannot be set for a linux pod',
          ),
        );
      }
      for (const [list, name] of [
        [spec.containers, 'containers'],
        [spec.initContainers, 'initContainers'],
        [spec.ephemeralContainers, 'ephemeralContainers'],
      ] as const) {
        objs(list).forEach((c, i) => {
          if (set(obj(c.securityContext)?.windowsOptions)) {
            errs.push(
              forbidden(
                path.child(name).index(i).child('securityContext').child('windowsOptions'),
                'windows options cannot be set for a linux pod',
              ),
            );
          }
        });
      }
    }
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Pod

const seccompPodAnnotation = 'seccomp.security.alpha.kubernetes.io/pod';
const seccompContainerAnnotationPrefix = 'container.seccomp.security.alpha.kubernetes.io/';
const appArmorAnnotationPrefix = 'container.apparmor.security.beta.kubernetes.io/';
const mirrorAnnotation = 'kubernetes.io/config.mirror';
const deletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

function validSeccompProfileName(p: string): boolean {
  return (
    p === 'runtime/default' ||
    p === 'docker/default' ||
    p === 'unconfined' ||
    (p.startsWith('localhost/') && !p.slice(10).split('/').includes('..'))
  );
}

function validatePodSpecificAnnotations(annotations: unknown, spec: Obj, path: FieldPath): Errs {
  const errs: Errs = [];
  const a = new Map(strMap(annotations));
  const mirror = a.get(mirrorAnnotation);
  if (mirror !== undefined && str(spec.nodeName).length === 0) {
    errs.push(
      invalid(path.key(mirrorAnnotation), mirror, 'must set spec.nodeName if mirror pod annotation is set'),
    );
  }
  const cost = a.get(deletionCostAnnotation);
  if (cost !== undefined) {
    const n = /^-?\d+$/.test(cost) ? Number(cost) : NaN;
    if (!Number.isInteger(n) || n < -2147483648 || n > maxInt32) {
      errs.push(invalid(path.key(deletionCostAnnotation), cost, 'must be a 32bit integer'));
    }
  }
  for (const [k, v] of a) {
    if (k === seccompPodAnnotation || k.startsWith(seccompContainerAnnotationPrefix)) {
      if (!validSeccompProfileName(v)) errs.push(invalid(path.key(k), v, 'must be a valid seccomp profile'));
    }
  }
  const containerNames = new Set(
    [...objs(spec.containers), ...objs(spec.initContainers), ...objs(spec.ephemeralContainers)].map((c) =>
      str(c.name),
    ),
  );
  for (const [k, v] of a) {
    if (!k.startsWith(appArmorAnnotationPrefix)) continue;
    const container = k.slice(appArmorAnnotationPrefix.length);
    if (!containerNames.has(container)) errs.push(invalid(path.key(k), container, 'container not found'));
    if (v !== '' && v !== 'runtime/default' && v !== 'unconfined' && !v.startsWith('localhost/')) {
      errs.push(invalid(path.key(k), v, `invalid AppArmor profile name: ${goQuote(v)}`));
    }
  }
  return errs;
}

function podParts(pod: Pod): { meta: Obj; spec: Obj } {
  const p = pod as unknown as Obj;
  return { meta: obj(p.metadata) ?? {}, spec: obj(p.spec) ?? {} };
}

function fullOptions(opts: PodValidationOptions): Required<PodValidationOptions> {
  return {
    relaxedEnvVarNames: opts.relaxedEnvVarNames ?? true,
    allowPrivileged: opts.allowPrivileged ?? true,
  };
}

/** validatePodMetadataAndSpec: shared by create and update. */
function validatePodMetadataAndSpec(pod: Pod, opts: Required<PodValidationOptions>): Errs {
  const { meta, spec } = podParts(pod);
  const metaPath = FieldPath.of('metadata');
  const specPath = FieldPath.of('spec');
  const errs = validateObjectMeta(meta, true, nameIsDNSSubdomain, metaPath);
  errs.push(...validatePodSpecificAnnotations(meta.annotations, spec, metaPath.child('annotations')));
  errs.push(...validatePodSpec(spec, specPath, opts));
  if (str(spec.serviceAccountName) === '') {
    objs(spec.volumes).forEach((v, vi) => {
      objs(obj(v.projected)?.sources).forEach((s, si) => {
        if (set(s.serviceAccountToken)) {
          errs.push(
            forbidden(
              specPath
                .child('volumes')
                .index(vi)
                .child('projected')
                .child('sources')
                .index(si)
                .child('serviceAccountToken'),
              'must not be specified when serviceAccountName is not set',
            ),
          );
        }
      });
    });
  }
  objs(spec.containers).forEach((c, i) =>
    errs.push(...validateContainerOnlyForPod(c, specPath.child('containers').index(i))),
  );
  objs(spec.initContainers).forEach((c, i) =>
    errs.push(...validateContainerOnlyForPod(c, specPath.child('initContainers').index(i))),
  );
  return errs;
}

/**
 * Every validation error of a Pod being created (ValidatePodCreate), in the API server's order.
 * Expects the pod after applyPodDefaults.
 */
export function validatePod(pod: Pod, options: PodValidationOptions = {}): FieldError[] {
  const opts = fullOptions(options);
  const { spec } = podParts(pod);
  const errs = validatePodMetadataAndSpec(pod, opts);
  const specPath = FieldPath.of('spec');
  if (arr(spec.ephemeralContainers).length > 0)
    errs.push(forbidden(specPath.child('ephemeralContainers'), 'cannot be set on create'));
  if (str(spec.nodeName) !== '' && arr(spec.schedulingGates).length > 0) {
    errs.push(
      forbidden(specPath.child('nodeName'), 'cannot be set until all schedulingGates have been cleared'),
    );
  }
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Updates

/** The fields a pod update may change, in the API server's wording (1.32). */
export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/**
 * apiequality.Semantic.DeepEqual on JSON-shaped values: empty lists and maps equal missing ones,
 * Go zero values equal missing fields, quantities compare by value.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown): boolean =>
    v === undefined ||
    v === null ||
    v === false ||
    v === 0 ||
    v === '' ||
    (Array.isArray(v) && v.length === 0);
  if (empty(a) && empty(b)) return true;
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  const oa = obj(a);
  const ob = obj(b);
  if (oa !== undefined && ob !== undefined) {
    const keys = new Set([...Object.keys(oa), ...Object.keys(ob)]);
    for (const k of keys) if (!semanticEqual(oa[k], ob[k])) return false;
    return true;
  }
  return a === b;
}

/** A readable account of what differs (the API server appends a Go cmp.Diff here). */
function specDiff(oldSpec: unknown, newSpec: unknown, path = 'spec', out: string[] = []): string[] {
  if (semanticEqual(oldSpec, newSpec)) return out;
  const oa = obj(oldSpec);
  const ob = obj(newSpec);
  if (oa !== undefined && ob !== undefined) {
    for (const k of new Set([...Object.keys(oa), ...Object.keys(ob)]))
      specDiff(oa[k], ob[k], `${path}.${k}`, out);
    return out;
  }
  if (Array.isArray(oldSpec) && Array.isArray(newSpec) && oldSpec.length === newSpec.length) {
    oldSpec.forEach((x, i) => specDiff(x, newSpec[i], `${path}[${i}]`, out));
    return out;
  }
  if (oldSpec !== undefined) out.push(`- \t${path}: ${JSON.stringify(oldSpec)}`);
  if (newSpec !== undefined) out.push(`+ \t${path}: ${JSON.stringify(newSpec)}`);
  return out;
}

function validateOnlyAddedTolerations(newT: unknown, oldT: unknown, path: FieldPath): Errs {
  const news = objs(newT);
  for (const old of objs(oldT)) {
    const found = news.some((n) => semanticEqual({ ...old, tolerationSeconds: n.tolerationSeconds }, n));
    if (!found)
      return [forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(newT, path);
}

/**
 * ValidatePodUpdate: the new pod must be valid, its identity unchanged, and only images,
 * activeDeadlineSeconds (set, or lowered), added tolerations, removed scheduling gates and a
 * negative grace period turned into 1 may differ. Both pods after defaulting.
 */
export function validatePodUpdate(
  newPod: Pod,
  oldPod: Pod,
  options: PodValidationOptions = {},
): FieldError[] {
  const opts = fullOptions(options);
  const n = podParts(newPod);
  const o = podParts(oldPod);
  const metaPath = FieldPath.of('metadata');
  const specPath = FieldPath.of('spec');
  const errs = validateObjectMetaUpdate(n.meta, o.meta, metaPath);
  errs.push(...validatePodMetadataAndSpec(newPod, opts));
  // ValidatePodSpecificAnnotationUpdates: the mirror and AppArmor annotations are fixed.
  const newA = new Map(strMap(n.meta.annotations));
  const oldA = new Map(strMap(o.meta.annotations));
  const annPath = metaPath.child('annotations');
  for (const [k, v] of oldA) {
    if (newA.get(k) === v) continue;
    if (k.startsWith(appArmorAnnotationPrefix))
      errs.push(forbidden(annPath.key(k), 'may not remove or update AppArmor annotations'));
    if (k === mirrorAnnotation)
      errs.push(forbidden(annPath.key(k), 'may not remove or update mirror pod annotation'));
  }
  for (const k of newA.keys()) {
    if (oldA.has(k)) continue;
    if (k.startsWith(appArmorAnnotationPrefix))
      errs.push(forbidden(annPath.key(k), 'may not add AppArmor annotations'));
    if (k === mirrorAnnotation) errs.push(forbidden(annPath.key(k), 'may not add mirror pod annotation'));
  }

  for (const list of ['containers', 'initContainers'] as const) {
    const newC = objs(n.spec[list]);
    const oldC = objs(o.spec[list]);
    if (newC.length !== oldC.length) {
      errs.push(forbidden(specPath.child(list), 'pod updates may not add or remove containers'));
      return errs;
    }
    newC.forEach((c, i) => {
      const image = str(c.image);
      if (image.length === 0) errs.push(required(specPath.child(list).index(i).child('image')));
      if (image.trim().length !== image.length) {
        errs.push(
          invalid(
            specPath.child(list).index(i).child('image'),
            image,
            'must not have leading or trailing whitespace',
          ),
        );
      }
    });
  }

  const newADS = num(n.spec.activeDeadlineSeconds);
  const oldADS = num(o.spec.activeDeadlineSeconds);
  if (set(n.spec.activeDeadlineSeconds)) {
    const v = newADS ?? 0;
    if (v < 0 || v > maxInt32) {
      errs.push(invalid(specPath.child('activeDeadlineSeconds'), v, inclusiveRangeError(0, maxInt32)));
      return errs;
    }
    if (oldADS !== undefined && oldADS < v) {
      errs.push(
        invalid(specPath.child('activeDeadlineSeconds'), v, 'must be less than or equal to previous value'),
      );
      return errs;
    }
  } else if (oldADS !== undefined) {
    errs.push(
      invalid(
        specPath.child('activeDeadlineSeconds'),
        null,
        'must not update from a positive integer to nil value',
      ),
    );
  }

  errs.push(
    ...validateOnlyAddedTolerations(n.spec.tolerations, o.spec.tolerations, specPath.child('tolerations')),
  );
  // Scheduling gates may only be removed.
  const oldGates = new Set(objs(o.spec.schedulingGates).map((g) => str(g.name)));
  objs(n.spec.schedulingGates).forEach((g, i) => {
    const name = str(g.name);
    if (!oldGates.has(name)) {
      errs.push(
        forbidden(
          specPath.child('schedulingGates').index(i).child('name'),
          `only deletion is allowed, but found new scheduling gate '${name}'`,
        ),
      );
    }
  });

  if (semanticEqual(n.spec, o.spec)) return errs;
  // Put back what may change, then anything still different is forbidden.
  const munged: Obj = structuredClone(n.spec);
  for (const list of ['containers', 'initContainers'] as const) {
    const oldC = objs(o.spec[list]);
    if (Array.isArray(munged[list])) {
      munged[list] = objs(munged[list]).map((c, i) => ({ ...c, image: oldC[i]?.image }));
    }
  }
  munged.activeDeadlineSeconds = o.spec.activeDeadlineSeconds;
  munged.schedulingGates = o.spec.schedulingGates;
  munged.tolerations = o.spec.tolerations;
  const oldGrace = num(o.spec.terminationGracePeriodSeconds);
  if (oldGrace !== undefined && oldGrace < 0 && munged.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldGrace;
  }
  // While scheduling gates remain, node selector additions are allowed too.
  if (oldGates.size > 0) {
    const oldSel = new Map(strMap(o.spec.nodeSelector));
    const newSel = new Map(strMap(munged.nodeSelector));
    const onlyAdded = [...oldSel].every(([k, v]) => newSel.get(k) === v);
    if (onlyAdded) munged.nodeSelector = o.spec.nodeSelector;
    else
      errs.push(
        invalid(
          specPath.child('nodeSelector'),
          Object.fromEntries(newSel),
          'only additions to spec.nodeSelector are allowed (no mutations or deletions)',
        ),
      );
  }
  if (!semanticEqual(munged, o.spec)) {
    const diff = ['  core.PodSpec{', ...specDiff(o.spec, munged), '  }'].join('\n');
    errs.push(
      forbidden(
        specPath,
        `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`,
      ),
    );
  }
  return errs;
}

/**
 * ValidatePodStatusUpdate, the parts that matter to nodelet: identity unchanged, nodeName and
 * qosClass fixed, condition types well formed.
 */
export function validatePodStatusUpdate(newPod: Pod, oldPod: Pod): FieldError[] {
  const n = podParts(newPod);
  const o = podParts(oldPod);
  const errs = validateObjectMetaUpdate(n.meta, o.meta, FieldPath.of('metadata'));
  const statusPath = FieldPath.of('status');
  const nStatus = obj((newPod as unknown as Obj).status) ?? {};
  const oStatus = obj((oldPod as unknown as Obj).status) ?? {};
  objs(nStatus.conditions).forEach((c, i) => {
    const type = str(c.type);
    if (type === 'PodScheduled' || type === 'Ready' || type === 'Initialized') return;
    errs.push(
      ...validateQualifiedName(type, FieldPath.of('metadata').child('conditions').index(i).child('Type')),
    );
  });
  if (str(n.spec.nodeName) !== str(o.spec.nodeName))
    errs.push(forbidden(statusPath.child('nodeName'), 'may not be changed directly'));
  errs.push(...immutable(str(nStatus.qosClass), str(oStatus.qosClass), statusPath.child('qosClass')));
  return errs;
}

// ---------------------------------------------------------------------------------------------
// Namespaces

/**
 * ValidateNamespace: a cluster-scoped object whose name is a DNS label, with finalizers in its
 * spec that must be qualified names (or the standard `kubernetes`).
 */
export function validateNamespace(namespace: unknown): FieldError[] {
  const ns = obj(namespace) ?? {};
  const errs = validateObjectMeta(ns.metadata, false, nameIsDNSLabel, FieldPath.of('metadata'));
  arr(obj(ns.spec)?.finalizers).forEach((f, i) => {
    const name = str(f);
    const p = FieldPath.of('spec', 'finalizers').index(i);
    const qn = validateQualifiedName(name, p);
    if (qn.length > 0) errs.push(...qn);
    else if (!name.includes('/') && !standardFinalizers.has(name)) {
      errs.push(invalid(p, name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  });
  return errs;
}

// ---------------------------------------------------------------------------------------------
// The 422 answer

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

export interface InvalidStatus {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason: 'Invalid';
  details: { name: string; group?: string; kind: string; causes: StatusCause[] };
  code: 422;
}

/**
 * The metav1.Status the API server answers with for invalid objects (apierrors.NewInvalid):
 * `Pod "x" is invalid: [a, b]`, one cause per error. details.kind is the Kind (not the resource).
 */
export function invalidStatus(
  kind: string,
  name: string,
  errors: readonly FieldError[],
  group = '',
): InvalidStatus {
  const qualified = group === '' ? kind : `${kind}.${group}`;
  const message =
    errors.length === 0
      ? `${qualified} ${goQuote(name)} is invalid`
      : `${qualified} ${goQuote(name)} is invalid: ${aggregateMessage(errors)}`;
  const details: InvalidStatus['details'] = {
    name,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.body(), field: e.field })),
  };
  if (group !== '') details.group = group;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Invalid',
    details,
    code: 422,
  };
}
