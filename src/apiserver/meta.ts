// ObjectMeta duties of the generic registry (apiserver pkg/registry/rest create.go/update.go):
// what the server fills in on create, what an update may not change, and generated names.
import { randomInt } from 'node:crypto';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';
import { rfc3339Seconds } from '../api/defaults.ts';
import { badRequest, conflict, type GroupResource } from './status.ts';

/** kubernetes-types marks every field readonly; the registry writes metadata it owns. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface ApiObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [k: string]: unknown;
}

/** metav1.Time: RFC3339 in UTC with whole seconds, as the server serializes it. */
export const rfc3339 = rfc3339Seconds;

/** metav1.MicroTime: exactly six fractional digits (kubectl rejects other widths for eventTime). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

// names.SimpleNameGenerator: 5 characters from an alphabet without vowels and confusable digits.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function generateName(base: string): string {
  // Keep the whole name within 63 characters, as the generator trims the base.
  const prefix = base.length > 58 ? base.slice(0, 58) : base;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += ALPHABET[randomInt(ALPHABET.length)];
  return prefix + suffix;
}

export interface CreateMetaContext {
  gr: GroupResource;
  namespaced: boolean;
  /** Namespace from the URL ('' for cluster-scoped). */
  namespace: string;
  now: number;
  uid: () => string;
}

/** rest.BeforeCreate: namespace, generated name, uid, creationTimestamp; clears what clients may not set. */
export function prepareCreateMeta<T extends ApiObject>(obj: T, ctx: CreateMetaContext): T {
  const md: Mutable<ObjectMeta> = { ...(obj.metadata ?? {}) };
  if (ctx.namespaced) {
    if (md.namespace && ctx.namespace && md.namespace !== ctx.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    md.namespace = ctx.namespace || md.namespace || '';
  } else {
    delete md.namespace;
  }
  if (md.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  if (!md.name && md.generateName) md.name = generateName(md.generateName);
  md.uid = ctx.uid();
  md.creationTimestamp = rfc3339(ctx.now);
  delete md.deletionTimestamp;
  delete md.deletionGracePeriodSeconds;
  delete md.selfLink;
  return { ...obj, metadata: md };
}

export interface UpdateMetaContext {
  gr: GroupResource;
  namespaced: boolean;
  namespace: string;
  name: string;
}

/**
 * rest.BeforeUpdate: the object must name what the URL names; system fields (uid, creation and
 * deletion timestamps, generation) keep their stored values.
 */
export function prepareUpdateMeta<T extends ApiObject>(obj: T, old: ApiObject, ctx: UpdateMetaContext): T {
  const md: Mutable<ObjectMeta> = { ...(obj.metadata ?? {}) };
  if (md.name && md.name !== ctx.name) {
    throw badRequest(`the name of the object (${md.name}) does not match the name on the URL (${ctx.name})`);
  }
  md.name = ctx.name;
  if (ctx.namespaced) {
    if (md.namespace && md.namespace !== ctx.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    md.namespace = ctx.namespace;
  } else {
    delete md.namespace;
  }
  const oldMd = old.metadata ?? {};
  if (md.uid && oldMd.uid && md.uid !== oldMd.uid) {
    throw conflict(
      ctx.gr,
      ctx.name,
      `Precondition failed: UID in precondition: ${md.uid}, UID in object meta: ${oldMd.uid}`,
    );
  }
  for (const k of [
    'uid',
    'creationTimestamp',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
    'generation',
  ] as const) {
    if (oldMd[k] === undefined) delete md[k];
    else (md as Record<string, unknown>)[k] = oldMd[k];
  }
  return { ...obj, metadata: md };
}

/** Semantic equality for "did this write change anything" (no write, no new resourceVersion). */
export function sameObject(a: ApiObject, b: ApiObject): boolean {
  const strip = (o: ApiObject): unknown => {
    const { resourceVersion: _rv, managedFields: _mf, ...md } = o.metadata ?? {};
    return canonical({ ...o, metadata: md });
  };
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/** Keys sorted, so field order does not count as a change. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = canonical(x);
  }
  return out;
}
