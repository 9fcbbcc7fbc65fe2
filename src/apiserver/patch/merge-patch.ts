// RFC 7386 JSON Merge Patch (application/merge-patch+json): objects merge recursively, null
// deletes, everything else (lists included) replaces.

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function applyMergePatch(original: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isObject(original) ? structuredClone(original) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = applyMergePatch(result[k], v);
  }
  return result;
}

/** The merge patch that turns a into b (used to record what an update changed). */
export function createMergePatch(a: unknown, b: unknown): unknown {
  if (!isObject(a) || !isObject(b)) return structuredClone(b);
  const patch: Record<string, unknown> = {};
  for (const k of Object.keys(a)) if (!Object.hasOwn(b, k)) patch[k] = null;
  for (const [k, v] of Object.entries(b)) {
    if (!Object.hasOwn(a, k)) patch[k] = structuredClone(v);
    else if (JSON.stringify(a[k]) !== JSON.stringify(v)) patch[k] = createMergePatch(a[k], v);
  }
  return patch;
}
