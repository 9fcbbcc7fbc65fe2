// Objects as the API answers them: with the served kind and apiVersion, and as JSON text. The
// store keeps each version of an object frozen and replaces it on a write, never changing it in
// place, so the text of a stored version is made once and reused by every list and watch event
// that answers with it, until the store lets go of that version.
import type { ApiObject } from './meta.ts';
import { apiVersionOf, type ResourceDef } from './resources.ts';

export function withTypeMeta(def: ResourceDef, obj: ApiObject): ApiObject {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { kind: def.kind, apiVersion: apiVersionOf(def), ...rest };
}

const texts = new WeakMap<object, { def: ResourceDef; text: string }>();

/** JSON.stringify(withTypeMeta(def, obj)), remembered for frozen (stored) objects. */
export function encodedObject(def: ResourceDef, obj: Readonly<ApiObject>): string {
  const hit = texts.get(obj);
  if (hit?.def === def) return hit.text;
  const text = JSON.stringify(withTypeMeta(def, obj));
  if (Object.isFrozen(obj)) texts.set(obj, { def, text });
  return text;
}
