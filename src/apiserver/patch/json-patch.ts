// RFC 6902 JSON Patch (application/json-patch+json), the default of client-node's patchNamespacedPod
// and `kubectl patch --type json`. Operations apply in order to a copy; any failure leaves the
// original untouched. Error texts follow the library the API server uses (evanphx/json-patch).

export class JsonPatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JsonPatchError';
  }
}

type Json = unknown;
type JsonObject = Record<string, Json>;
type Container = JsonObject | Json[];

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new JsonPatchError(`invalid JSON pointer: "${pointer}"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const isContainer = (v: Json): v is Container => typeof v === 'object' && v !== null;

function arrayIndex(token: string, length: number, forAdd: boolean, path: string): number {
  if (forAdd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token))
    throw new JsonPatchError(`invalid array index "${token}" in path "${path}"`);
  const i = Number(token);
  if (forAdd ? i > length : i >= length) throw new JsonPatchError(`index out of bounds in path "${path}"`);
  return i;
}

/** The container holding the pointer's last token, and that token. */
function parentOf(doc: Json, tokens: string[], path: string): { parent: Container; key: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, path)];
    else if (isContainer(cur) && Object.hasOwn(cur, t)) cur = (cur as JsonObject)[t];
    else throw new JsonPatchError(`doc is missing path: "${path}": missing value`);
  }
  if (!isContainer(cur)) throw new JsonPatchError(`doc is missing path: "${path}": missing value`);
  return { parent: cur, key: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: Json, path: string): Json {
  let cur: Json = doc;
  for (const t of parsePointer(path)) {
    if (Array.isArray(cur)) cur = cur[arrayIndex(t, cur.length, false, path)];
    else if (isContainer(cur) && Object.hasOwn(cur, t)) cur = (cur as JsonObject)[t];
    else throw new JsonPatchError(`doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function add(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) parent.splice(arrayIndex(key, parent.length, true, path), 0, value);
  else parent[key] = value;
  return doc;
}

function remove(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw new JsonPatchError('unable to remove the whole document');
  const { parent, key } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(key, parent.length, false, path), 1);
  } else {
    if (!Object.hasOwn(parent, key))
      throw new JsonPatchError(`Unable to remove nonexistent key: ${key}: missing value`);
    delete parent[key];
  }
  return doc;
}

function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isContainer(a) && isContainer(b) && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && deepEqual((a as JsonObject)[k], b[k]))
    );
  }
  return false;
}

function parseOperations(patch: Json): Operation[] {
  if (!Array.isArray(patch)) {
    throw new JsonPatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  return patch.map((raw) => {
    if (!isContainer(raw) || Array.isArray(raw)) throw new JsonPatchError('invalid JSON patch operation');
    const op = raw.op;
    const path = raw.path;
    if (typeof op !== 'string') throw new JsonPatchError('missing op');
    if (typeof path !== 'string') throw new JsonPatchError(`missing path in "${op}" operation`);
    return {
      op,
      path,
      ...(typeof raw.from === 'string' ? { from: raw.from } : {}),
      ...(Object.hasOwn(raw, 'value') ? { value: raw.value } : {}),
    };
  });
}

export function applyJsonPatch<T>(original: T, patch: unknown): T {
  let doc: Json = structuredClone(original);
  for (const op of parseOperations(patch)) {
    const needValue = (): Json => {
      if (!Object.hasOwn(op, 'value')) throw new JsonPatchError(`missing value in "${op.op}" operation`);
      return structuredClone(op.value);
    };
    const needFrom = (): string => {
      if (op.from === undefined) throw new JsonPatchError(`missing from in "${op.op}" operation`);
      return op.from;
    };
    switch (op.op) {
      case 'add':
        doc = add(doc, op.path, needValue());
        break;
      case 'remove':
        doc = remove(doc, op.path);
        break;
      case 'replace': {
        getAt(doc, op.path);
        const tokens = parsePointer(op.path);
        if (tokens.length === 0) {
          doc = needValue();
          break;
        }
        const { parent, key } = parentOf(doc, tokens, op.path);
        if (Array.isArray(parent)) parent[arrayIndex(key, parent.length, false, op.path)] = needValue();
        else parent[key] = needValue();
        break;
      }
      case 'move': {
        const from = needFrom();
        if (op.path.startsWith(`${from}/`))
          throw new JsonPatchError('unable to move a value into one of its children');
        const value = getAt(doc, from);
        doc = remove(doc, from);
        doc = add(doc, op.path, value);
        break;
      }
      case 'copy':
        doc = add(doc, op.path, structuredClone(getAt(doc, needFrom())));
        break;
      case 'test':
        if (!deepEqual(getAt(doc, op.path), op.value)) {
          throw new JsonPatchError(`testing value ${op.path} failed: test failed`);
        }
        break;
      default:
        throw new JsonPatchError(`Unexpected kind: ${op.op}`);
    }
  }
  return doc as T;
}
