// Reading decoded objects loosely, with Go's zero values for absent or mistyped fields: the
// validators of Services, ConfigMaps, Secrets, Endpoints and RuntimeClasses look at objects that
// have only been type-checked by the decoder, so a wrong shape reads as "empty", never as a crash.

export type Obj = Record<string, unknown>;

export function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function objs(v: unknown): Obj[] {
  return arr(v).map((x) => obj(x) ?? {});
}

export function strMap(v: unknown): [string, string][] {
  const o = obj(v);
  return o === undefined ? [] : Object.entries(o).map(([k, x]) => [k, str(x)]);
}
