// metadata.managedFields and server-side apply, in the spirit of structured-merge-diff: each
// manager owns a set of field paths (FieldsV1); an update gives its manager the fields it changed;
// an apply owns exactly the fields in its configuration, conflicts with other owners of fields it
// would change (409 unless force), and removes the fields it owned before but no longer applies.
import type { ManagedFieldsEntry } from 'kubernetes-types/meta/v1.js';
import type { ApiObject } from './meta.ts';
import type { PatchMeta } from './patch/patch-meta.ts';
import { applyStrategicMergePatch, clean } from './patch/strategic-merge.ts';
import { conflictWithMessage, type GroupResource, type StatusCause } from './status.ts';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Path elements as FieldsV1 spells them: `f:name`, `k:{"name":"x"}`, `v:"a"`, and `.` for an item itself. */
type Path = string[];
const SEP = '\u0000';
const keyOfPath = (p: Path): string => p.join(SEP);
const pathOfKey = (k: string): Path => k.split(SEP);

// Fields the server owns, never a manager (fieldmanager strips them).
const SYSTEM_METADATA = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
]);

/** Leaf paths of obj with their values (JSON text), as the type's list semantics see them. */
function leaves(value: unknown, meta: PatchMeta, path: Path, out: Map<string, string>): void {
  if (!isObject(value)) {
    out.set(keyOfPath(path), JSON.stringify(value));
    return;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0 && path.length > 0) {
    out.set(keyOfPath(path), '{}');
    return;
  }
  for (const [k, v] of entries) {
    const fieldMeta = meta.fields?.[k] ?? {};
    const p = [...path, `f:${k}`];
    if (Array.isArray(v) && fieldMeta.mergeKey) {
      const mk = fieldMeta.mergeKey;
      for (const item of v) {
        if (!isObject(item)) continue;
        const itemPath = [...p, `k:${JSON.stringify({ [mk]: item[mk] })}`];
        out.set(keyOfPath([...itemPath, '.']), '');
        leaves(item, fieldMeta.items ?? {}, itemPath, out);
      }
    } else if (Array.isArray(v) && fieldMeta.setMerge) {
      for (const item of v) out.set(keyOfPath([...p, `v:${JSON.stringify(item)}`]), '');
    } else if (Array.isArray(v)) {
      out.set(keyOfPath(p), JSON.stringify(v));
    } else {
      leaves(v, fieldMeta, p, out);
    }
  }
}

/** The owned-field view of an object: metadata system fields out; status only for the status subresource. */
function fieldsOf(obj: ApiObject, meta: PatchMeta, subresource: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const view: Obj = {};
  if (subresource === 'status') {
    if (obj.status !== undefined) view.status = obj.status;
  } else {
    for (const [k, v] of Object.entries(obj)) {
      if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
      if (k === 'metadata' && isObject(v)) {
        const md: Obj = {};
        for (const [mk, mv] of Object.entries(v)) if (!SYSTEM_METADATA.has(mk)) md[mk] = mv;
        if (Object.keys(md).length) view.metadata = md;
        continue;
      }
      view[k] = v;
    }
  }
  leaves(view, meta, [], out);
  return out;
}

function toFieldsV1(paths: Iterable<string>): Obj {
  const root: Obj = {};
  for (const key of paths) {
    let node = root;
    for (const el of pathOfKey(key)) {
      const next = (node[el] ?? {}) as Obj;
      node[el] = next;
      node = next;
    }
  }
  return root;
}

function fromFieldsV1(tree: unknown, path: Path = [], out = new Set<string>()): Set<string> {
  if (!isObject(tree)) return out;
  const keys = Object.keys(tree);
  if (keys.length === 0 && path.length > 0) out.add(keyOfPath(path));
  for (const k of keys) fromFieldsV1(tree[k], [...path, k], out);
  return out;
}

interface Entry {
  manager: string;
  operation: string;
  apiVersion: string;
  time: string;
  subresource: string;
  fields: Set<string>;
}

function readEntries(obj: ApiObject | undefined): Entry[] {
  return (obj?.metadata?.managedFields ?? []).map((e) => ({
    manager: e.manager ?? '',
    operation: e.operation ?? 'Update',
    apiVersion: e.apiVersion ?? 'v1',
    time: e.time ?? '',
    subresource: e.subresource ?? '',
    fields: fromFieldsV1(e.fieldsV1),
  }));
}

function writeEntries(obj: ApiObject, entries: Entry[]): ApiObject {
  const managedFields: ManagedFieldsEntry[] = entries
    .filter((e) => e.fields.size > 0)
    .map((e) => ({
      manager: e.manager,
      operation: e.operation,
      apiVersion: e.apiVersion,
      time: e.time,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1([...e.fields].sort()),
      ...(e.subresource ? { subresource: e.subresource } : {}),
    }));
  const md = { ...obj.metadata };
  if (managedFields.length) md.managedFields = managedFields;
  else delete md.managedFields;
  return { ...obj, metadata: md };
}

export interface ManagerOptions {
  manager: string;
  operation: 'Update' | 'Apply';
  apiVersion: string;
  time: string;
  patchMeta: PatchMeta;
  subresource?: string;
}

function entryFor(entries: Entry[], o: Omit<ManagerOptions, 'patchMeta'>): Entry {
  const sub = o.subresource ?? '';
  let e = entries.find(
    (x) => x.manager === o.manager && x.operation === o.operation && x.subresource === sub,
  );
  if (!e) {
    e = {
      manager: o.manager,
      operation: o.operation,
      apiVersion: o.apiVersion,
      time: o.time,
      subresource: sub,
      fields: new Set(),
    };
    entries.push(e);
  }
  return e;
}

/** After a create (old undefined) or an update: the writing manager owns what it changed. */
export function recordManagedFields(
  old: ApiObject | undefined,
  next: ApiObject,
  o: ManagerOptions,
): ApiObject {
  const entries = readEntries(old);
  const before = old ? fieldsOf(old, o.patchMeta, o.subresource) : new Map<string, string>();
  const after = fieldsOf(next, o.patchMeta, o.subresource);
  const changed = [...after].filter(([k, v]) => before.get(k) !== v).map(([k]) => k);
  const removed = [...before.keys()].filter((k) => !after.has(k));
  if (changed.length === 0 && removed.length === 0) return writeEntries(next, entries);
  for (const e of entries) {
    for (const k of removed) e.fields.delete(k);
    for (const k of changed) e.fields.delete(k);
  }
  const mine = entryFor(entries, o);
  for (const k of changed) mine.fields.add(k);
  mine.time = o.time;
  return writeEntries(next, entries);
}

/** An object created by an apply: the applier owns exactly the fields of its configuration. */
export function recordAppliedCreate(
  created: ApiObject,
  config: ApiObject,
  o: Omit<ManagerOptions, 'operation'>,
): ApiObject {
  const entries: Entry[] = [];
  const mine = entryFor(entries, { ...o, operation: 'Apply' });
  for (const k of fieldsOf(clean(config) as ApiObject, o.patchMeta, o.subresource).keys()) mine.fields.add(k);
  return writeEntries(created, entries);
}

/** A path as structured-merge-diff prints it: `.spec.containers[name="nginx"].image`. */
function printPath(key: string): string {
  let out = '';
  for (const el of pathOfKey(key)) {
    if (el.startsWith('f:')) out += `.${el.slice(2)}`;
    else if (el.startsWith('k:')) {
      const kv = JSON.parse(el.slice(2)) as Obj;
      out += `[${Object.entries(kv)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    } else if (el.startsWith('v:')) out += `[=${el.slice(2)}]`;
  }
  return out;
}

function managerText(e: Entry): string {
  return `"${e.manager}"${e.operation === 'Update' ? '' : ''} using ${e.apiVersion}${e.subresource ? ` with subresource "${e.subresource}"` : ''}`;
}

/** Removes the value at a FieldsV1 path from obj (a field, a keyed list item or a set member). */
function removePath(obj: Obj, key: string): void {
  const path = pathOfKey(key).filter((el) => el !== '.');
  let cur: unknown = obj;
  for (let i = 0; i < path.length; i++) {
    const el = path[i] ?? '';
    const last = i === path.length - 1;
    if (el.startsWith('f:') && isObject(cur)) {
      const name = el.slice(2);
      if (last) {
        delete cur[name];
        return;
      }
      cur = cur[name];
    } else if (el.startsWith('k:') && Array.isArray(cur)) {
      const kv = JSON.parse(el.slice(2)) as Obj;
      const idx = cur.findIndex(
        (it) =>
          isObject(it) && Object.entries(kv).every(([k, v]) => JSON.stringify(it[k]) === JSON.stringify(v)),
      );
      if (idx < 0) return;
      if (last) {
        cur.splice(idx, 1);
        return;
      }
      cur = cur[idx];
    } else if (el.startsWith('v:') && Array.isArray(cur)) {
      const v = el.slice(2);
      const idx = cur.findIndex((it) => JSON.stringify(it) === v);
      if (idx >= 0 && last) cur.splice(idx, 1);
      return;
    } else {
      return;
    }
  }
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  gr: GroupResource;
  name: string;
  apiVersion: string;
  time: string;
  patchMeta: PatchMeta;
  subresource?: string;
}

/** Server-side apply of config onto current; throws 409 Conflict listing FieldManagerConflict causes. */
export function applyServerSide(current: ApiObject, config: ApiObject, o: ApplyOptions): ApiObject {
  const entries = readEntries(current);
  const configFields = fieldsOf(clean(config) as ApiObject, o.patchMeta, o.subresource);
  const currentFields = fieldsOf(current, o.patchMeta, o.subresource);
  const conflicts: { entry: Entry; path: string }[] = [];
  for (const [k, v] of configFields) {
    if (currentFields.get(k) === v) continue;
    for (const e of entries) {
      if (e.manager === o.manager && e.operation === 'Apply') continue;
      if (e.fields.has(k)) conflicts.push({ entry: e, path: k });
    }
  }
  if (conflicts.length && !o.force) throw applyConflict(o, conflicts);
  for (const c of conflicts) c.entry.fields.delete(c.path);

  const mine = entryFor(entries, { ...o, operation: 'Apply' });
  const ownedByOthers = (k: string): boolean => entries.some((e) => e !== mine && e.fields.has(k));
  const dropped = [...mine.fields].filter((k) => !configFields.has(k) && !ownedByOthers(k));
  const merged = applyStrategicMergePatch(structuredClone(current), clean(config), o.patchMeta) as Obj;
  // Apply removes what this manager applied before and no longer applies (and nobody else owns).
  for (const k of dropped.sort().reverse()) removePath(merged, k);
  mine.fields = new Set(configFields.keys());
  mine.time = o.time;
  mine.apiVersion = o.apiVersion;
  const md = (config.metadata ?? {}) as Obj;
  const result = merged as ApiObject;
  if (typeof md.resourceVersion === 'string' && md.resourceVersion) {
    result.metadata = { ...result.metadata, resourceVersion: md.resourceVersion };
  } else {
    result.metadata = { ...result.metadata, resourceVersion: current.metadata?.resourceVersion ?? '' };
  }
  return writeEntries(result, entries);
}

function applyConflict(o: ApplyOptions, conflicts: { entry: Entry; path: string }[]): Error {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${managerText(c.entry)}`,
    field: printPath(c.path),
  }));
  let text: string;
  if (conflicts.length === 1) {
    const c = conflicts[0];
    text = c ? `conflict with ${managerText(c.entry)}: ${printPath(c.path)}` : '';
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = managerText(c.entry);
      byManager.set(m, [...(byManager.get(m) ?? []), printPath(c.path)]);
    }
    text = [...byManager]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([m, paths]) => [`conflicts with ${m}:`, ...paths.map((p) => `- ${p}`)].join('\n'))
      .join('\n');
  }
  const n = conflicts.length;
  return conflictWithMessage(
    o.gr,
    o.name,
    `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${text}`,
    causes,
  );
}
