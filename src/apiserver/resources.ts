// The resources nodelet serves and their strategies (what pkg/registry/core/<kind>/strategy.go does
// for each kind): selectable fields, patch metadata, create/update preparation, and discovery data.
import type {
  ConfigMap,
  Endpoints,
  Event,
  Namespace,
  Node,
  Pod,
  Secret,
  Service,
} from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import {
  applySecretDefaults,
  validateConfigMap,
  validateConfigMapUpdate,
  validateSecret,
  validateSecretUpdate,
} from '../api/configmap-validation.ts';
import {
  applyEndpointSliceDefaults,
  applyEndpointsDefaults,
  validateEndpointSlice,
  validateEndpointSliceUpdate,
  validateEndpoints,
  validateEndpointsUpdate,
} from '../api/endpoints-validation.ts';
import type { FieldError } from '../api/field-errors.ts';
import { validateRuntimeClass, validateRuntimeClassUpdate } from '../api/runtimeclass-validation.ts';
import { validateServiceStatusUpdate } from '../api/service-validation.ts';
import type { Store } from '../store/store.ts';
import {
  applyPodDefaults,
  applyPodSchemeDefaults,
  invalidStatus,
  validatePod,
  validatePodStatusUpdate,
  validatePodUpdate,
} from './api-adapter.ts';
import { eventFromV1, eventToV1 } from './event-conversion.ts';
import type { ApiObject } from './meta.ts';
import {
  genericPatchMeta,
  namespacePatchMeta,
  nodePatchMeta,
  podPatchMeta,
  type PatchMeta,
} from './patch/patch-meta.ts';
import { servicePatchMeta } from './patch/network-patch-meta.ts';
import { prepareServiceCreate, prepareServiceUpdate } from './service-strategy.ts';
import { ApiError, internalError, invalid, type GroupResource } from './status.ts';

export interface StrategyContext {
  now: number;
  uid: () => string;
  /** The store being written (Services allocate their addresses against it). */
  store?: Store;
}

export interface SubresourceDef {
  name: string;
  kind: string;
  verbs: string[];
}

export interface ResourceDef {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceDef[];
  /** The store's resource name. */
  storage: string;
  /** The schema bodies are checked against (strict field validation); '' for none. Default: kind. */
  schemaKind?: string;
  /** Stored form → served form, for versions stored as another (events.k8s.io/v1 Events). */
  fromStorage?: (obj: ApiObject) => ApiObject;
  /** Served form → stored form. */
  toStorage?: (obj: ApiObject) => ApiObject;
  selectableFields: readonly string[];
  fields(obj: ApiObject): Record<string, string>;
  patchMeta: PatchMeta;
  /** A status subresource exists: writes to the main resource keep the stored status. */
  hasStatus: boolean;
  /** Defaults and validation of a new object (after the generic metadata preparation). */
  prepareCreate(obj: ApiObject, ctx: StrategyContext): ApiObject;
  /** Scheme defaults and validation of a changed object written through the main resource. */
  prepareUpdate(obj: ApiObject, old: ApiObject, ctx?: StrategyContext): ApiObject;
  /** Validation of a status subresource write. */
  validateStatusUpdate(obj: ApiObject, old: ApiObject): void;
}

export const apiVersionOf = (def: Pick<ResourceDef, 'group' | 'version'>): string =>
  def.group ? `${def.group}/${def.version}` : def.version;

export const groupResource = (def: Pick<ResourceDef, 'group' | 'resource'>): GroupResource => ({
  group: def.group,
  resource: def.resource,
});

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function metaFields(obj: ApiObject, namespaced: boolean): Record<string, string> {
  return {
    'metadata.name': obj.metadata?.name ?? '',
    ...(namespaced ? { 'metadata.namespace': obj.metadata?.namespace ?? '' } : {}),
  };
}

function throwInvalid(kind: string, name: string, errors: FieldError[], group = ''): void {
  if (errors.length === 0) return;
  throw new ApiError(invalidStatus(kind, name, errors, group));
}

// pkg/registry/core/pod/strategy.go ToSelectableFields.
const podFields = [
  'metadata.name',
  'metadata.namespace',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.schedulerName',
  'spec.serviceAccountName',
  'spec.hostNetwork',
  'status.phase',
  'status.podIP',
  'status.nominatedNodeName',
] as const;

export const pods: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  verbs: ALL_VERBS,
  subresources: [
    { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'binding', kind: 'Binding', verbs: ['create'] },
    { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'log', kind: 'Pod', verbs: ['get'] },
    { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
    { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
  ],
  storage: 'pods',
  selectableFields: podFields,
  fields(obj) {
    const pod = obj as Pod;
    return {
      ...metaFields(obj, true),
      'spec.nodeName': pod.spec?.nodeName ?? '',
      'spec.restartPolicy': pod.spec?.restartPolicy ?? '',
      'spec.schedulerName': pod.spec?.schedulerName ?? '',
      'spec.serviceAccountName': pod.spec?.serviceAccountName ?? '',
      'spec.hostNetwork': String(pod.spec?.hostNetwork ?? false),
      'status.phase': pod.status?.phase ?? '',
      'status.podIP': pod.status?.podIP ?? '',
      'status.nominatedNodeName': pod.status?.nominatedNodeName ?? '',
    };
  },
  patchMeta: podPatchMeta,
  hasStatus: true,
  prepareCreate(obj, ctx) {
    const md = obj.metadata ?? {};
    const pod = applyPodDefaults(obj as Pod, {
      now: ctx.now,
      uid: () => md.uid ?? ctx.uid(),
      ...(md.namespace ? { namespace: md.namespace } : {}),
    });
    // The create-time metadata the generic registry chose wins over anything defaulting did.
    // As the pod strategy's PrepareForCreate: status starts over as Pending.
    const out: Pod = {
      ...pod,
      metadata: { ...pod.metadata, ...md },
      status: { phase: 'Pending', ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}) },
    };
    throwInvalid('Pod', md.name ?? '', validatePod(out));
    return out as ApiObject;
  },
  prepareUpdate(obj, old) {
    // Every decoded Pod gets the scheme defaults, on update as on create.
    const pod = applyPodSchemeDefaults(obj as Pod);
    throwInvalid('Pod', obj.metadata?.name ?? '', validatePodUpdate(pod, old as Pod));
    return pod as ApiObject;
  },
  validateStatusUpdate(obj, old) {
    throwInvalid('Pod', obj.metadata?.name ?? '', validatePodStatusUpdate(obj as Pod, old as Pod));
  },
};

// pkg/registry/core/event/strategy.go ToSelectableFields.
export const events: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  storage: 'events',
  selectableFields: [
    'metadata.name',
    'metadata.namespace',
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  fields(obj) {
    const e = obj as unknown as Event;
    const io = e.involvedObject ?? {};
    return {
      ...metaFields(obj, true),
      'involvedObject.kind': io.kind ?? '',
      'involvedObject.namespace': io.namespace ?? '',
      'involvedObject.name': io.name ?? '',
      'involvedObject.uid': io.uid ?? '',
      'involvedObject.apiVersion': io.apiVersion ?? '',
      'involvedObject.resourceVersion': io.resourceVersion ?? '',
      'involvedObject.fieldPath': io.fieldPath ?? '',
      reason: e.reason ?? '',
      reportingComponent: e.reportingComponent ?? '',
      source: e.source?.component ?? '',
      type: e.type ?? '',
    };
  },
  patchMeta: genericPatchMeta,
  hasStatus: false,
  prepareCreate(obj) {
    const e = obj as unknown as Event;
    const errors: FieldError[] = [];
    const ns = obj.metadata?.namespace ?? '';
    // ValidateEventCreate: the involved object must live in the event's namespace.
    if (e.involvedObject?.namespace && e.involvedObject.namespace !== ns) {
      throw invalid('Event', '', obj.metadata?.name ?? '', [
        {
          reason: 'FieldValueInvalid',
          field: 'involvedObject.namespace',
          message: `Invalid value: "${e.involvedObject.namespace}": does not match event.namespace`,
        },
      ]);
    }
    throwInvalid('Event', obj.metadata?.name ?? '', errors);
    return obj;
  },
  prepareUpdate: (obj) => obj,
  validateStatusUpdate() {},
};

export const namespaces: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: [
    { name: 'finalize', kind: 'Namespace', verbs: ['update'] },
    { name: 'status', kind: 'Namespace', verbs: ['get', 'patch', 'update'] },
  ],
  storage: 'namespaces',
  selectableFields: ['metadata.name', 'status.phase'],
  fields(obj) {
    return { ...metaFields(obj, false), 'status.phase': (obj as Namespace).status?.phase ?? '' };
  },
  patchMeta: namespacePatchMeta,
  hasStatus: true,
  prepareCreate(obj) {
    const ns = obj as Namespace;
    const name = ns.metadata?.name ?? '';
    // The namespace strategy: the kubernetes finalizer, phase Active, and the immutable name label.
    return {
      ...ns,
      metadata: {
        ...ns.metadata,
        labels: { ...(ns.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': name },
      },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    };
  },
  prepareUpdate: (obj) => obj,
  validateStatusUpdate() {},
};

export const nodes: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'nodes',
  kind: 'Node',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [{ name: 'status', kind: 'Node', verbs: ['get', 'patch', 'update'] }],
  storage: 'nodes',
  selectableFields: ['metadata.name', 'spec.unschedulable'],
  fields(obj) {
    return {
      ...metaFields(obj, false),
      'spec.unschedulable': String((obj as Node).spec?.unschedulable ?? false),
    };
  },
  patchMeta: nodePatchMeta,
  hasStatus: true,
  prepareCreate(obj) {
    return obj;
  },
  prepareUpdate: (obj) => obj,
  validateStatusUpdate() {},
};

// coordination.k8s.io Leases: the node heartbeat lives in kube-node-lease (kubectl describe node reads it).
export const leases: ResourceDef = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  singular: 'lease',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  storage: 'leases',
  selectableFields: ['metadata.name', 'metadata.namespace'],
  fields: (obj) => metaFields(obj, true),
  patchMeta: genericPatchMeta,
  hasStatus: false,
  prepareCreate: (obj) => obj,
  prepareUpdate: (obj) => obj,
  validateStatusUpdate() {},
};

// events.k8s.io/v1: the same Events, in the newer shape (regarding, note, reportingController…).
export const eventsV1: ResourceDef = {
  ...events,
  group: 'events.k8s.io',
  version: 'v1',
  shortNames: ['ev'],
  selectableFields: [
    'metadata.name',
    'metadata.namespace',
    'regarding.kind',
    'regarding.namespace',
    'regarding.name',
    'regarding.uid',
    'regarding.apiVersion',
    'regarding.resourceVersion',
    'regarding.fieldPath',
    'reason',
    'reportingController',
    'type',
  ],
  fields(obj) {
    const core = events.fields(eventFromV1(obj));
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(core)) {
      out[
        k.replace(/^involvedObject\./, 'regarding.').replace(/^reportingComponent$/, 'reportingController')
      ] = v;
    }
    return out;
  },
  fromStorage: eventToV1,
  toStorage: eventFromV1,
  // The field schema nodelet carries is core/v1's; the newer shape is not checked field by field.
  schemaKind: '',
  prepareCreate(obj, ctx) {
    return eventToV1(events.prepareCreate(eventFromV1(obj), ctx));
  },
};

/**
 * AllowUnconditionalUpdate: these kinds' strategies accept a PUT without a resourceVersion; the
 * generic registry then updates the stored version, so the object takes the current one.
 */
function unconditional(obj: ApiObject, old: ApiObject): ApiObject {
  if (obj.metadata?.resourceVersion) return obj;
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: old.metadata?.resourceVersion ?? '' } };
}

function storeOf(ctx: StrategyContext | undefined): Store {
  if (!ctx?.store) throw internalError(new Error('the Service strategy needs the store'));
  return ctx.store;
}

// pkg/registry/core/service/strategy.go: spec through the main resource, status through /status.
export const services: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  verbs: ALL_VERBS,
  // services/proxy is not served, so discovery does not list it.
  subresources: [{ name: 'status', kind: 'Service', verbs: ['get', 'patch', 'update'] }],
  storage: 'services',
  // ServiceToSelectableFields (1.31+): spec.clusterIP and spec.type next to the metadata.
  selectableFields: ['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type'],
  fields(obj) {
    const svc = obj as Service;
    return {
      ...metaFields(obj, true),
      'spec.clusterIP': svc.spec?.clusterIP ?? '',
      'spec.type': svc.spec?.type ?? '',
    };
  },
  patchMeta: servicePatchMeta,
  hasStatus: true,
  prepareCreate(obj, ctx) {
    return prepareServiceCreate(obj as Service, storeOf(ctx)) as ApiObject;
  },
  prepareUpdate(obj, old, ctx) {
    obj = unconditional(obj, old);
    return prepareServiceUpdate(obj as Service, old as Service, storeOf(ctx)) as ApiObject;
  },
  validateStatusUpdate(obj, old) {
    throwInvalid(
      'Service',
      obj.metadata?.name ?? '',
      validateServiceStatusUpdate(obj as Service, old as Service),
    );
  },
};

export const endpoints: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'endpoints',
  kind: 'Endpoints',
  singular: 'endpoints',
  namespaced: true,
  shortNames: ['ep'],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  storage: 'endpoints',
  selectableFields: ['metadata.name', 'metadata.namespace'],
  fields: (obj) => metaFields(obj, true),
  patchMeta: genericPatchMeta,
  hasStatus: false,
  prepareCreate(obj) {
    const ep = applyEndpointsDefaults(obj as Endpoints);
    throwInvalid('Endpoints', ep.metadata?.name ?? '', validateEndpoints(ep));
    return ep as ApiObject;
  },
  prepareUpdate(obj, old) {
    obj = unconditional(obj, old);
    const ep = applyEndpointsDefaults(obj as Endpoints);
    throwInvalid('Endpoints', ep.metadata?.name ?? '', validateEndpointsUpdate(ep, old as Endpoints));
    return ep as ApiObject;
  },
  validateStatusUpdate() {},
};

export const endpointSlices: ResourceDef = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  singular: 'endpointslice',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  storage: 'endpointslices',
  selectableFields: ['metadata.name', 'metadata.namespace'],
  fields: (obj) => metaFields(obj, true),
  patchMeta: genericPatchMeta,
  hasStatus: false,
  prepareCreate(obj) {
    const slice = applyEndpointSliceDefaults(obj as unknown as EndpointSlice);
    throwInvalid(
      'EndpointSlice',
      slice.metadata?.name ?? '',
      validateEndpointSlice(slice),
      'discovery.k8s.io',
    );
    return slice as unknown as ApiObject;
  },
  prepareUpdate(obj, old) {
    obj = unconditional(obj, old);
    const slice = applyEndpointSliceDefaults(obj as unknown as EndpointSlice);
    throwInvalid(
      'EndpointSlice',
      slice.metadata?.name ?? '',
      validateEndpointSliceUpdate(slice, old as unknown as EndpointSlice),
      'discovery.k8s.io',
    );
    return slice as unknown as ApiObject;
  },
  validateStatusUpdate() {},
};

export const configMaps: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  storage: 'configmaps',
  selectableFields: ['metadata.name', 'metadata.namespace'],
  fields: (obj) => metaFields(obj, true),
  patchMeta: genericPatchMeta,
  hasStatus: false,
  prepareCreate(obj) {
    throwInvalid('ConfigMap', obj.metadata?.name ?? '', validateConfigMap(obj as ConfigMap));
    return obj;
  },
  prepareUpdate(obj, old) {
    obj = unconditional(obj, old);
    throwInvalid(
      'ConfigMap',
      obj.metadata?.name ?? '',
      validateConfigMapUpdate(obj as ConfigMap, old as ConfigMap),
    );
    return obj;
  },
  validateStatusUpdate() {},
};

// pkg/registry/core/secret/strategy.go: `type` is a selectable field.
export const secrets: ResourceDef = {
  group: '',
  version: 'v1',
  resource: 'secrets',
  kind: 'Secret',
  singular: 'secret',
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  storage: 'secrets',
  selectableFields: ['metadata.name', 'metadata.namespace', 'type'],
  fields: (obj) => ({ ...metaFields(obj, true), type: (obj as Secret).type ?? '' }),
  patchMeta: genericPatchMeta,
  hasStatus: false,
  prepareCreate(obj) {
    const secret = applySecretDefaults(obj as Secret);
    throwInvalid('Secret', secret.metadata?.name ?? '', validateSecret(secret));
    return secret as ApiObject;
  },
  prepareUpdate(obj, old) {
    obj = unconditional(obj, old);
    const secret = applySecretDefaults(obj as Secret);
    throwInvalid('Secret', secret.metadata?.name ?? '', validateSecretUpdate(secret, old as Secret));
    return secret as ApiObject;
  },
  validateStatusUpdate() {},
};

export const runtimeClasses: ResourceDef = {
  group: 'node.k8s.io',
  version: 'v1',
  resource: 'runtimeclasses',
  kind: 'RuntimeClass',
  singular: 'runtimeclass',
  namespaced: false,
  shortNames: [],
  categories: [],
  verbs: ALL_VERBS,
  subresources: [],
  storage: 'runtimeclasses',
  selectableFields: ['metadata.name'],
  fields: (obj) => metaFields(obj, false),
  patchMeta: genericPatchMeta,
  hasStatus: false,
  prepareCreate(obj) {
    throwInvalid(
      'RuntimeClass',
      obj.metadata?.name ?? '',
      validateRuntimeClass(obj as unknown as RuntimeClass),
      'node.k8s.io',
    );
    return obj;
  },
  prepareUpdate(obj, old) {
    obj = unconditional(obj, old);
    throwInvalid(
      'RuntimeClass',
      obj.metadata?.name ?? '',
      validateRuntimeClassUpdate(obj as unknown as RuntimeClass, old as unknown as RuntimeClass),
      'node.k8s.io',
    );
    return obj;
  },
  validateStatusUpdate() {},
};

export const RESOURCES: readonly ResourceDef[] = [
  pods,
  events,
  namespaces,
  nodes,
  leases,
  eventsV1,
  services,
  endpoints,
  configMaps,
  secrets,
  endpointSlices,
  runtimeClasses,
];

export function findResource(group: string, version: string, resource: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.resource === resource);
}
