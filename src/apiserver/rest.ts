// The REST verbs over the Store, as the API server's generic registry and handlers do them
// (apiserver pkg/endpoints/handlers and pkg/registry/generic/registry/store.go): get, list, watch,
// create, update, patch, delete, deletecollection, with dry runs, field validation, selectors,
// Table conversion and the graceful deletion of pods.
import { parse as parseYaml } from 'yaml';
import { tableObjectFor } from '../api/printers/table-objects.ts';
import type { IncludeObject } from '../api/printers/table.ts';
import type { StoredObject } from '../store/store.ts';
import type { RequestContext } from './context.ts';
import { fieldValidationParam, validateFields } from './field-validation.ts';
import {
  boolParam,
  deleteOptionsBody,
  intParam,
  negotiate,
  parseJsonBody,
  readBody,
  requireObjectMeta,
  sendJson,
  sendJsonText,
  setWarnings,
  wantsPretty,
} from './http-util.ts';
import { applyServerSide, recordAppliedCreate, recordManagedFields } from './managed-fields.ts';
import { admitRuntimeClass } from './runtime-class-admission.ts';
import { prepareCreateMeta, prepareUpdateMeta, rfc3339, sameObject, type ApiObject } from './meta.ts';
import { applyJsonPatch, JsonPatchError } from './patch/json-patch.ts';
import { decodeProtobuf } from './protobuf.ts';
import { cannotBeHandledMessage } from './api-adapter.ts';
import { applyMergePatch } from './patch/merge-patch.ts';
import { applyStrategicMergePatch, StrategicMergeError } from './patch/strategic-merge.ts';
import { apiVersionOf, groupResource, type ResourceDef } from './resources.ts';
import { parseFieldSelector, parseLabelSelector, selectedName } from './selectors.ts';
import {
  ApiError,
  badRequest,
  conflict,
  forbidden,
  invalid,
  methodNotSupported,
  notFound,
  unsupportedMediaType,
} from './status.ts';
import { planDelete, type DeleteOptions } from './deletion.ts';
import { serveWatch } from './watch.ts';
import { encodedObject, withTypeMeta } from './object-encoding.ts';

export interface ObjectFilter {
  namespace: string;
  matches(obj: StoredObject): boolean;
}

const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

// Namespaces that NamespaceLifecycle admission never lets go.
const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

function filterFor(ctx: RequestContext): ObjectFilter {
  const { def, query, info } = ctx;
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(query.get('fieldSelector'), def.selectableFields);
  const namespace = def.namespaced ? info.namespace : '';
  // GET …/pods/web?watch=true: a watch on one object is a watch with a metadata.name selector.
  const pinnedName = info.name;
  return {
    namespace,
    matches: (obj) =>
      (pinnedName === '' || obj.metadata?.name === pinnedName) &&
      labels.matches(obj.metadata?.labels) &&
      fields.matches(def.fields(obj as ApiObject)),
  };
}

function includeObjectParam(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  if (v === 'None' || v === 'Object' || v === 'Metadata') return v;
  if (v === null || v === '') return 'Metadata';
  throw badRequest(`includeObject must be one of "None", "Metadata", or "Object"`);
}

function dryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All') throw badRequest(`Invalid value: "${v}": supported values: "All"`);
  }
  return values.length > 0;
}

/** The object as an answer: itself, its Table, or its PartialObjectMetadata. */
function respondObject(ctx: RequestContext, code: number, obj: ApiObject): void {
  const shape = negotiate(ctx.req.headers.accept);
  setWarnings(ctx.res, ctx.warnings);
  const pretty = wantsPretty(ctx.req, ctx.query);
  const full = withTypeMeta(ctx.def, obj);
  if (shape === 'table') {
    const table = tableObjectFor(ctx.def.kind, apiVersionOf(ctx.def), [full], ctx.services.clock.now(), {
      includeObject: includeObjectParam(ctx.query),
      resourceVersion: obj.metadata?.resourceVersion ?? '',
    });
    sendJson(ctx.res, code, table, { pretty });
  } else if (shape === 'partial') {
    sendJson(
      ctx.res,
      code,
      { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} },
      { pretty },
    );
  } else {
    sendJson(ctx.res, code, full, { pretty });
  }
}

export function handleGet(ctx: RequestContext): void {
  const { def, info, storage } = ctx;
  const obj = storage.get(info.namespace, info.name);
  if (!obj) throw notFound(groupResource(def), info.name);
  respondObject(ctx, 200, obj);
}

interface ContinueToken {
  v: string;
  rv: number;
  start: string;
}

export function handleList(ctx: RequestContext): void {
  const { def, query, services, storage } = ctx;
  const filter = filterFor(ctx);
  const shape = negotiate(ctx.req.headers.accept);
  const includeObject = includeObjectParam(query);
  if (boolParam(query, 'watch')) {
    serveWatch(ctx, filter, shape, includeObject);
    return;
  }
  const fieldSel = parseFieldSelector(query.get('fieldSelector'), def.selectableFields);
  const onlyName = selectedName(fieldSel);
  let items: readonly ApiObject[];
  let resourceVersion: string;
  if (onlyName !== undefined && (def.namespaced ? filter.namespace !== '' : true)) {
    // metadata.name=x in one namespace: one lookup instead of a scan (kubectl wait/delete).
    const o = storage.get(filter.namespace, onlyName);
    items = o && filter.matches(o) ? [o] : [];
    resourceVersion = services.store.currentResourceVersion();
  } else {
    // The stored objects themselves: this answer only reads and encodes them.
    const listed = storage.listShared(filter.namespace);
    items = listed.items.filter((o) => filter.matches(o));
    resourceVersion = listed.resourceVersion;
  }
  // Pagination: limit + continue (a key to start after). Later pages are read from the current
  // state, not a snapshot at the first page's resourceVersion.
  const limit = intParam(query, 'limit');
  const cont = query.get('continue');
  if (cont) {
    let token: ContinueToken;
    try {
      token = JSON.parse(Buffer.from(cont, 'base64url').toString('utf8')) as ContinueToken;
      if (typeof (token as Partial<ContinueToken> | null)?.start !== 'string')
        throw new TypeError('no start');
    } catch {
      throw badRequest('continue key is not valid: illegal base64 data at input byte 0');
    }
    items = items.filter((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}` > token.start);
  }
  let next: string | undefined;
  let remaining: number | undefined;
  if (limit !== undefined && limit > 0 && items.length > limit) {
    remaining = items.length - limit;
    items = items.slice(0, limit);
    const last = items[items.length - 1];
    const token: ContinueToken = {
      v: 'meta.k8s.io/v1',
      rv: Number(resourceVersion),
      start: `${last?.metadata?.namespace ?? ''}/${last?.metadata?.name ?? ''}`,
    };
    next = Buffer.from(JSON.stringify(token)).toString('base64url');
  }
  const pretty = wantsPretty(ctx.req, query);
  setWarnings(ctx.res, ctx.warnings);
  if (shape === 'table') {
    const typed = items.map((o) => withTypeMeta(def, o));
    sendJson(
      ctx.res,
      200,
      tableObjectFor(def.kind, apiVersionOf(def), typed, services.clock.now(), {
        includeObject,
        resourceVersion,
        ...(next ? { continue: next } : {}),
        ...(remaining !== undefined ? { remainingItemCount: remaining } : {}),
      }),
      { pretty },
    );
    return;
  }
  const metadata = {
    resourceVersion,
    ...(next ? { continue: next } : {}),
    ...(remaining !== undefined ? { remainingItemCount: remaining } : {}),
  };
  if (shape === 'partial') {
    sendJson(
      ctx.res,
      200,
      {
        kind: 'PartialObjectMetadataList',
        apiVersion: 'meta.k8s.io/v1',
        metadata,
        items: items.map((o) => ({
          kind: 'PartialObjectMetadata',
          apiVersion: 'meta.k8s.io/v1',
          metadata: o.metadata ?? {},
        })),
      },
      { pretty },
    );
    return;
  }
  if (pretty) {
    const typed = items.map((o) => withTypeMeta(def, o));
    sendJson(
      ctx.res,
      200,
      { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata, items: typed },
      { pretty },
    );
    return;
  }
  // The same bytes as JSON.stringify of the list, from each object's remembered text.
  const head = `{"kind":${JSON.stringify(`${def.kind}List`)},"apiVersion":${JSON.stringify(apiVersionOf(def))},"metadata":${JSON.stringify(metadata)},"items":[`;
  sendJsonText(ctx.res, 200, `${head}${items.map((o) => encodedObject(def, o)).join(',')}]}\n`);
}

/** Reads and decodes the body of a create/update: JSON, or YAML when the client sent YAML. */
async function readObjectBody(ctx: RequestContext): Promise<{ obj: ApiObject; raw: string | undefined }> {
  const body = await readBody(ctx.req);
  const type = (ctx.req.headers['content-type'] ?? 'application/json').split(';')[0]?.trim() ?? '';
  let value: unknown;
  let raw: string | undefined;
  if (type === 'application/yaml') {
    try {
      value = parseYaml(body.toString('utf8'), {
        version: '1.1',
        uniqueKeys: false,
        logLevel: 'error',
      }) as unknown;
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message}`);
    }
  } else if (type === 'application/vnd.kubernetes.protobuf') {
    // kubectl's typed clients (`kubectl create namespace`) write protobuf.
    value = decodeProtobuf(body);
  } else if (type === 'application/json' || type === '' || type === '*/*') {
    raw = body.toString('utf8');
    value = parseJsonBody(body);
  } else {
    throw unsupportedMediaType([
      'application/json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
    ]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`the object provided is unrecognized (must be of type ${ctx.def.kind})`);
  }
  return { obj: value as ApiObject, raw };
}

/** The body names the kind and version the URL addresses (kubectl always sends them; client-node may not). */
function checkTypeMeta(def: ResourceDef, obj: ApiObject): void {
  requireObjectMeta(obj, def.kind, def.version);
  const want = apiVersionOf(def);
  if (obj.apiVersion && obj.apiVersion !== want) {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`,
    );
  }
  if (obj.kind && obj.kind !== def.kind) {
    throw badRequest(
      `${obj.kind} in version "${def.version}" cannot be handled as a ${def.kind}: no kind "${obj.kind}" is registered for version "${want}" in scheme "pkg/api/legacyscheme/scheme.go:30"`,
    );
  }
}

function strictPrefix(def: ResourceDef): string {
  return cannotBeHandledMessage(def.kind, def.version, '');
}

function fieldManager(ctx: RequestContext, fallback: string): string {
  const m = ctx.query.get('fieldManager');
  if (m !== null && m !== '') {
    if (m.length > 128) throw badRequest('fieldManager: Too long: may not be more than 128 bytes');
    return m;
  }
  // As the server's default: the user agent's first word ("kubectl", "node-fetch", …).
  const ua = ctx.req.headers['user-agent'] ?? '';
  return ua.split('/')[0]?.trim() || fallback;
}

/** NamespaceLifecycle admission: namespaced objects need a live namespace to be created in. */
function admitNamespace(ctx: RequestContext, name: string): void {
  const { def, info, services } = ctx;
  if (!def.namespaced) return;
  const ns = services.store.get<ApiObject & { status?: { phase?: string } }>({
    resource: 'namespaces',
    namespace: '',
    name: info.namespace,
  });
  if (!ns) throw notFound({ group: '', resource: 'namespaces' }, info.namespace);
  if (ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') {
    throw forbidden(
      groupResource(def),
      name,
      `unable to create new content in namespace ${info.namespace} because it is being terminated`,
    );
  }
}

/** Creates obj (already decoded and validated for fields). */
function createObject(
  ctx: RequestContext,
  input: ApiObject,
  manager: string,
  operation: 'Update' | 'Apply',
): ApiObject {
  const { def, info, services, query } = ctx;
  const now = services.clock.now();
  let obj = prepareCreateMeta(input, {
    gr: groupResource(def),
    namespaced: def.namespaced,
    namespace: info.namespace,
    now,
    uid: services.uid,
  });
  const name = obj.metadata?.name ?? '';
  if (!name) {
    throw invalid(def.kind, def.group, '', [
      {
        reason: 'FieldValueRequired',
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
      },
    ]);
  }
  admitNamespace(ctx, name);
  admitRuntimeClass(services.store, def.storage, obj, name);
  obj = def.prepareCreate(withTypeMeta(def, obj), { now, uid: services.uid, store: services.store });
  const owner = { manager, apiVersion: apiVersionOf(def), time: rfc3339(now), patchMeta: def.patchMeta };
  obj =
    operation === 'Apply'
      ? recordAppliedCreate(obj, input, owner)
      : recordManagedFields(undefined, obj, { ...owner, operation });
  if (dryRun(query)) return obj;
  return ctx.storage.create(info.namespace, name, obj);
}

export async function handleCreate(ctx: RequestContext): Promise<void> {
  const { def, query } = ctx;
  if (ctx.info.name) throw methodNotSupported(groupResource(def), 'create');
  const directive = fieldValidationParam(query);
  const { obj, raw } = await readObjectBody(ctx);
  checkTypeMeta(def, obj);
  ctx.warnings.push(...validateFields(obj, raw, def.schemaKind ?? def.kind, directive, strictPrefix(def)));
  const created = createObject(ctx, obj, fieldManager(ctx, 'unknown'), 'Update');
  respondObject(ctx, 201, created);
}

/**
 * Writes an updated object, the common end of PUT and PATCH: system metadata kept, status kept
 * (main resource) or only status taken (status subresource), update validation, no write when
 * nothing changed, and removal when a deleted object's last finalizer is gone.
 */
function writeUpdate(
  ctx: RequestContext,
  current: ApiObject,
  input: ApiObject,
  managed: { manager: string } | 'applied',
): ApiObject {
  const { def, info, services, query } = ctx;
  const gr = groupResource(def);
  let obj = prepareUpdateMeta(withTypeMeta(def, input), current, {
    gr,
    namespaced: def.namespaced,
    namespace: info.namespace,
    name: info.name,
  });
  if (info.subresource === 'status') {
    // Status writes change only status (ResetObjectMetaForStatus + the strategy keeping spec).
    obj = {
      ...current,
      status: obj.status,
      metadata: {
        ...current.metadata,
        resourceVersion: obj.metadata?.resourceVersion ?? '',
        ...(managed === 'applied' && obj.metadata?.managedFields
          ? { managedFields: obj.metadata.managedFields }
          : {}),
      },
    };
    def.validateStatusUpdate(obj, current);
  } else {
    if (def.hasStatus) obj = { ...obj, status: current.status };
    obj = def.prepareUpdate(obj, current, {
      now: services.clock.now(),
      uid: services.uid,
      store: services.store,
    });
  }
  const wanted = obj.metadata?.resourceVersion;
  if (wanted && wanted !== current.metadata?.resourceVersion) {
    throw conflict(
      gr,
      info.name,
      'the object has been modified; please apply your changes to the latest version and try again',
    );
  }
  if (managed !== 'applied') {
    obj = recordManagedFields(current, obj, {
      manager: managed.manager,
      operation: 'Update',
      apiVersion: apiVersionOf(def),
      time: rfc3339(services.clock.now()),
      patchMeta: def.patchMeta,
      ...(info.subresource ? { subresource: info.subresource } : {}),
    });
  }
  const sameOwners =
    JSON.stringify(obj.metadata?.managedFields) === JSON.stringify(current.metadata?.managedFields);
  if (sameObject(obj, current) && sameOwners) return current;
  if (dryRun(query)) return obj;
  const stored = ctx.storage.update(info.namespace, info.name, {
    ...obj,
    metadata: { ...obj.metadata, resourceVersion: current.metadata?.resourceVersion ?? '' },
  });
  return finalizeIfDone(ctx, stored);
}

/** An object being deleted goes once its finalizers are gone and no grace period is left. */
function finalizeIfDone(ctx: RequestContext, obj: ApiObject): ApiObject {
  const md = obj.metadata ?? {};
  if (!md.deletionTimestamp || (md.finalizers?.length ?? 0) > 0) return obj;
  if ((md.deletionGracePeriodSeconds ?? 0) > 0) return obj;
  if (ctx.def.resource === 'namespaces') return obj;
  try {
    return ctx.storage.delete(ctx.info.namespace, ctx.info.name, { uid: md.uid ?? '' });
  } catch {
    return obj;
  }
}

export async function handleUpdate(ctx: RequestContext): Promise<void> {
  const { def, info, query } = ctx;
  if (!info.name) throw methodNotSupported(groupResource(def), 'update');
  const directive = fieldValidationParam(query);
  const { obj, raw } = await readObjectBody(ctx);
  checkTypeMeta(def, obj);
  ctx.warnings.push(...validateFields(obj, raw, def.schemaKind ?? def.kind, directive, strictPrefix(def)));
  const current = ctx.storage.get(info.namespace, info.name);
  if (!current) throw notFound(groupResource(def), info.name);
  const updated = writeUpdate(ctx, current, obj, { manager: fieldManager(ctx, 'unknown') });
  respondObject(ctx, 200, updated);
}

export async function handlePatch(ctx: RequestContext): Promise<void> {
  const { def, info, services, query } = ctx;
  if (!info.name) throw methodNotSupported(groupResource(def), 'patch');
  const gr = groupResource(def);
  const contentType = (ctx.req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (!PATCH_TYPES.includes(contentType)) throw unsupportedMediaType(PATCH_TYPES);
  const directive = fieldValidationParam(query);
  const body = (await readBody(ctx.req)).toString('utf8');
  const current = ctx.storage.get(info.namespace, info.name);

  if (contentType === 'application/apply-patch+yaml') {
    const manager = query.get('fieldManager');
    if (!manager) {
      throw badRequest(
        'PATCH, application/apply-patch+yaml requests require fieldManager to be explicitly set',
      );
    }
    let config: unknown;
    try {
      config = parseYaml(body, { version: '1.1', uniqueKeys: false, logLevel: 'error' }) as unknown;
    } catch (err) {
      throw badRequest(`error decoding YAML: ${(err as Error).message}`);
    }
    if (typeof config !== 'object' || config === null || Array.isArray(config)) {
      throw badRequest('error decoding patch: the apply configuration must be an object');
    }
    const applied = config as ApiObject;
    checkTypeMeta(def, applied);
    ctx.warnings.push(
      ...validateFields(
        applied,
        body.trimStart().startsWith('{') ? body : undefined,
        def.schemaKind ?? def.kind,
        directive,
      ),
    );
    if (applied.metadata?.name && applied.metadata.name !== info.name) {
      throw badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${info.name})`,
      );
    }
    if (!current) {
      if (info.subresource) throw notFound(gr, info.name);
      const created = createObject(
        ctx,
        { ...applied, metadata: { ...applied.metadata, name: info.name } },
        manager,
        'Apply',
      );
      respondObject(ctx, 201, created);
      return;
    }
    const merged = applyServerSide(current, applied, {
      manager,
      force: boolParam(query, 'force'),
      gr,
      name: info.name,
      apiVersion: apiVersionOf(def),
      time: rfc3339(services.clock.now()),
      patchMeta: def.patchMeta,
      ...(info.subresource ? { subresource: info.subresource } : {}),
    });
    respondObject(ctx, 200, writeUpdate(ctx, current, merged, 'applied'));
    return;
  }

  if (!current) throw notFound(gr, info.name);
  let patch: unknown;
  try {
    patch = JSON.parse(body) as unknown;
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
  let patched: ApiObject;
  try {
    if (contentType === 'application/json-patch+json') patched = applyJsonPatch(current, patch);
    else if (contentType === 'application/merge-patch+json')
      patched = applyMergePatch(current, patch) as ApiObject;
    else patched = applyStrategicMergePatch(current, patch, def.patchMeta);
  } catch (err) {
    if (err instanceof JsonPatchError || err instanceof StrategicMergeError) throw patchFailed(err.message);
    throw err;
  }
  if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
    throw badRequest('the patch produced something other than an object');
  }
  requireObjectMeta(patched, def.kind, def.version);
  ctx.warnings.push(...validateFields(patched, undefined, def.schemaKind ?? def.kind, directive));
  // A patch that sets metadata.resourceVersion asks for optimistic concurrency; otherwise it
  // applies to the current version.
  const patchRv = patchResourceVersion(patch);
  const input: ApiObject = {
    ...patched,
    metadata: { ...patched.metadata, resourceVersion: patchRv ?? current.metadata?.resourceVersion ?? '' },
  };
  const updated = writeUpdate(ctx, current, input, { manager: fieldManager(ctx, 'unknown') });
  respondObject(ctx, 200, updated);
}

function patchResourceVersion(patch: unknown): string | undefined {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return undefined;
  const md = (patch as { metadata?: { resourceVersion?: unknown } }).metadata;
  return typeof md?.resourceVersion === 'string' && md.resourceVersion !== ''
    ? md.resourceVersion
    : undefined;
}

/** A patch that cannot be applied: 422 with the patch library's message, as the patch handler answers. */
function patchFailed(message: string): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason: 'Invalid',
    details: { causes: [{ message }] },
    code: 422,
  });
}

/** DeleteOptions from the body when it has one, else from the query (client-node sends them there). */
async function readDeleteOptions(ctx: RequestContext): Promise<DeleteOptions> {
  const body = (await readBody(ctx.req)).toString('utf8').trim();
  const q = ctx.query;
  let opts: DeleteOptions;
  if (body !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body) as unknown;
    } catch (err) {
      throw badRequest(`error decoding DeleteOptions: ${(err as Error).message}`);
    }
    opts = deleteOptionsBody(parsed);
  } else {
    const grace = intParam(q, 'gracePeriodSeconds');
    const policy = q.get('propagationPolicy');
    opts = {
      ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
      ...(policy ? { propagationPolicy: policy } : {}),
      ...(q.getAll('dryRun').length ? { dryRun: q.getAll('dryRun') } : {}),
    };
  }
  const policy = opts.propagationPolicy;
  if (policy !== undefined && policy !== 'Orphan' && policy !== 'Background' && policy !== 'Foreground') {
    throw badRequest(
      `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
    );
  }
  for (const v of opts.dryRun ?? []) {
    if (v !== 'All') throw badRequest(`Invalid value: "${v}": supported values: "All"`);
  }
  return opts;
}

export async function handleDelete(ctx: RequestContext): Promise<void> {
  const { def, info, services } = ctx;
  const gr = groupResource(def);
  const opts = await readDeleteOptions(ctx);
  const current = ctx.storage.get(info.namespace, info.name);
  if (!current) throw notFound(gr, info.name);
  const pre = opts.preconditions ?? {};
  if (pre.uid && pre.uid !== current.metadata?.uid) {
    throw conflict(
      gr,
      info.name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata?.uid ?? ''}`,
    );
  }
  if (pre.resourceVersion && pre.resourceVersion !== current.metadata?.resourceVersion) {
    throw conflict(
      gr,
      info.name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata?.resourceVersion ?? ''}`,
    );
  }
  const isDry = (opts.dryRun?.length ?? 0) > 0;
  if (def.resource === 'namespaces') {
    respondObject(ctx, 200, deleteNamespace(ctx, current, isDry));
    return;
  }
  const plan = planDelete(def, current, opts, services.clock.now());
  const storage = ctx.storage;
  let result: ApiObject;
  if (plan.action === 'keep') result = current;
  else if (plan.action === 'mark')
    result = isDry ? plan.object : storage.update(info.namespace, info.name, plan.object);
  else
    result = isDry
      ? current
      : storage.delete(info.namespace, info.name, { uid: current.metadata?.uid ?? '' });
  respondObject(ctx, 200, result);
}

/** Namespace deletion starts finalization: phase Terminating; the namespace controller empties it. */
function deleteNamespace(ctx: RequestContext, current: ApiObject, isDry: boolean): ApiObject {
  const { info, services } = ctx;
  const gr = groupResource(ctx.def);
  if (IMMORTAL_NAMESPACES.has(info.name)) throw forbidden(gr, info.name, 'this namespace may not be deleted');
  if (current.metadata?.deletionTimestamp) return current;
  const marked: ApiObject = {
    ...current,
    metadata: {
      ...current.metadata,
      deletionTimestamp: rfc3339(services.clock.now()),
      deletionGracePeriodSeconds: 0,
    },
    status: { ...(current.status ?? {}), phase: 'Terminating' },
  };
  if (isDry) return marked;
  return ctx.storage.update('', info.name, marked);
}

export async function handleDeleteCollection(ctx: RequestContext): Promise<void> {
  const { def, services, storage } = ctx;
  const opts = await readDeleteOptions(ctx);
  const filter = filterFor(ctx);
  const listed = storage.list(filter.namespace);
  const isDry = (opts.dryRun?.length ?? 0) > 0;
  const results: ApiObject[] = [];
  for (const obj of listed.items.filter((o) => filter.matches(o))) {
    const ns = obj.metadata?.namespace ?? '';
    const name = obj.metadata?.name ?? '';
    const plan = planDelete(def, obj, opts, services.clock.now());
    try {
      if (plan.action === 'keep') results.push(obj);
      else if (plan.action === 'mark')
        results.push(isDry ? plan.object : storage.update(ns, name, plan.object));
      else results.push(isDry ? obj : storage.delete(ns, name, { uid: obj.metadata?.uid ?? '' }));
    } catch (err) {
      // gone meanwhile: nothing left to delete
      if (!(err instanceof ApiError && err.code === 404)) throw err;
    }
  }
  sendJson(ctx.res, 200, {
    kind: `${def.kind}List`,
    apiVersion: apiVersionOf(def),
    metadata: { resourceVersion: services.store.currentResourceVersion() },
    items: results.map((o) => withTypeMeta(def, o)),
  });
}
