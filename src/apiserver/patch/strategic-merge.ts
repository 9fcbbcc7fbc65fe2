// Strategic merge patch (application/strategic-merge-patch+json), what kubectl's client-side
// apply, `kubectl patch`, `label` and `annotate` send: RFC 7386 merge plus lists merged by key and
// the `$patch`, `$setElementOrder/`, `$retainKeys` and `$deleteFromPrimitiveList/` directives
// (apimachinery pkg/util/strategicpatch). Directives never end up in the stored object.
import type { PatchMeta } from './patch-meta.ts';

type Obj = Record<string, unknown>;

const DELETE = Symbol('delete');
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

export class StrategicMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategicMergeError';
  }
}

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Copies a patch fragment that lands where nothing was: directives dropped, nulls mean absent. */
export function clean(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((e) => !(isObject(e) && e.$patch === 'delete')).map(clean);
  if (!isObject(v)) return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (k.startsWith('$') || x === null) continue;
    out[k] = clean(x);
  }
  return out;
}

function mergeMap(original: Obj | undefined, patch: Obj, meta: PatchMeta): Obj | typeof DELETE {
  const directive = patch.$patch;
  if (directive === 'delete') return DELETE;
  if (directive === 'replace') return clean(patch) as Obj;
  if (directive !== undefined && directive !== 'merge') {
    throw new StrategicMergeError(`Unknown patch type: ${JSON.stringify(directive)}`);
  }
  const result: Obj = original ? structuredClone(original) : {};
  const orders = new Map<string, unknown[]>();
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(SET_ORDER)) {
      if (Array.isArray(v)) orders.set(k.slice(SET_ORDER.length), v);
      continue;
    }
    if (k.startsWith(DELETE_FROM)) {
      const field = k.slice(DELETE_FROM.length);
      const list = result[field];
      if (Array.isArray(list) && Array.isArray(v))
        result[field] = list.filter((x) => !v.some((d) => same(d, x)));
      continue;
    }
    if (k.startsWith('$')) continue;
    const fieldMeta = meta.fields?.[k] ?? {};
    if (v === null) {
      delete result[k];
    } else if (isObject(v)) {
      const current = result[k];
      const merged = mergeMap(isObject(current) ? current : undefined, v, fieldMeta);
      if (merged === DELETE) delete result[k];
      else result[k] = merged;
    } else if (Array.isArray(v)) {
      const current = Array.isArray(result[k]) ? (result[k] as unknown[]) : [];
      if (fieldMeta.mergeKey)
        result[k] = mergeKeyedList(current, v, fieldMeta.mergeKey, fieldMeta.items ?? {});
      else if (fieldMeta.setMerge) result[k] = mergeSet(current, v);
      else result[k] = clean(v);
    } else {
      result[k] = v;
    }
  }
  for (const [field, order] of orders) {
    const list = result[field];
    if (Array.isArray(list)) result[field] = reorder(list, order, meta.fields?.[field]?.mergeKey);
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const k of Object.keys(result)) if (!retain.includes(k)) delete result[k];
  }
  return result;
}

function mergeKeyedList(
  original: unknown[],
  patch: unknown[],
  mergeKey: string,
  itemMeta: PatchMeta,
): unknown[] {
  if (patch.some((e) => isObject(e) && e.$patch === 'replace' && Object.keys(e).length === 1)) {
    return patch.filter((e) => !(isObject(e) && e.$patch === 'replace')).map(clean);
  }
  const result = structuredClone(original);
  for (const p of patch) {
    if (!isObject(p)) {
      result.push(p);
      continue;
    }
    if (!Object.hasOwn(p, mergeKey)) {
      throw new StrategicMergeError(
        `map: ${JSON.stringify(p)} does not contain declared merge key: ${mergeKey}`,
      );
    }
    const idx = result.findIndex((e) => isObject(e) && same(e[mergeKey], p[mergeKey]));
    if (p.$patch === 'delete') {
      if (idx >= 0) result.splice(idx, 1);
      continue;
    }
    const current = idx >= 0 ? result[idx] : undefined;
    const merged = mergeMap(isObject(current) ? current : undefined, p, itemMeta);
    if (merged === DELETE) {
      if (idx >= 0) result.splice(idx, 1);
    } else if (idx >= 0) {
      result[idx] = merged;
    } else {
      result.push(merged);
    }
  }
  return result;
}

function mergeSet(original: unknown[], patch: unknown[]): unknown[] {
  const result = [...original];
  for (const v of patch) if (!result.some((x) => same(x, v))) result.push(v);
  return result;
}

/**
 * `$setElementOrder`: elements named in the order come in that order; elements only the server
 * had keep their place after the element that preceded them.
 */
function reorder(list: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const keyOf = (e: unknown): string => JSON.stringify(mergeKey && isObject(e) ? e[mergeKey] : e);
  const position = new Map(order.map((o, i) => [keyOf(o), i]));
  const ordered = list.filter((e) => position.has(keyOf(e)));
  ordered.sort((a, b) => (position.get(keyOf(a)) ?? 0) - (position.get(keyOf(b)) ?? 0));
  const result = [...ordered];
  list.forEach((e, i) => {
    if (position.has(keyOf(e))) return;
    let at = 0;
    for (let j = i - 1; j >= 0; j--) {
      const idx = result.indexOf(list[j]);
      if (idx >= 0) {
        at = idx + 1;
        break;
      }
    }
    result.splice(at, 0, e);
  });
  return result;
}

export function applyStrategicMergePatch<T>(original: T, patch: unknown, meta: PatchMeta): T {
  if (!isObject(patch)) throw new StrategicMergeError('strategic merge patch must be a JSON object');
  const merged = mergeMap(isObject(original) ? original : undefined, patch, meta);
  if (merged === DELETE) throw new StrategicMergeError('a patch may not delete the whole object');
  return merged as T;
}
