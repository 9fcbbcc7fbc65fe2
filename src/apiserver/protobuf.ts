// Just enough of the Kubernetes protobuf encoding (apimachinery runtime/serializer/protobuf) to
// read the bodies kubectl's typed clients send as application/vnd.kubernetes.protobuf — in
// practice `kubectl create namespace`. The envelope is "k8s\0" + runtime.Unknown{typeMeta, raw};
// raw is the object in the field numbers of k8s.io/api's generated.proto.
import { configMapFromProtobuf, secretFromProtobuf, serviceFromProtobuf } from './protobuf-network.ts';
import { badRequest } from './status.ts';

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export interface Field {
  no: number;
  wire: number;
  value: bigint | Buffer;
}

function varint(buf: Buffer, at: number): { value: bigint; next: number } {
  let result = 0n;
  let shift = 0n;
  for (let i = at; i < buf.length; i++) {
    const b = buf[i] ?? 0;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return { value: result, next: i + 1 };
    shift += 7n;
  }
  throw new Error('truncated varint');
}

export function fields(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const key = varint(buf, at);
    at = key.next;
    const no = Number(key.value >> 3n);
    const wire = Number(key.value & 7n);
    if (wire === 0) {
      const v = varint(buf, at);
      out.push({ no, wire, value: v.value });
      at = v.next;
    } else if (wire === 2) {
      const len = varint(buf, at);
      const start = len.next;
      const end = start + Number(len.value);
      if (end > buf.length) throw new Error('truncated field');
      out.push({ no, wire, value: buf.subarray(start, end) });
      at = end;
    } else if (wire === 1) {
      out.push({ no, wire, value: buf.subarray(at, at + 8) });
      at += 8;
    } else if (wire === 5) {
      out.push({ no, wire, value: buf.subarray(at, at + 4) });
      at += 4;
    } else {
      throw new Error(`unsupported wire type ${wire}`);
    }
  }
  return out;
}

export const str = (f: Field): string =>
  Buffer.isBuffer(f.value) ? f.value.toString('utf8') : String(f.value);
export const bytes = (f: Field): Buffer => (Buffer.isBuffer(f.value) ? f.value : Buffer.alloc(0));

export function stringMap(entries: Field[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(bytes(e));
    const k = kv.find((f) => f.no === 1);
    const v = kv.find((f) => f.no === 2);
    out[k ? str(k) : ''] = v ? str(v) : '';
  }
  return out;
}

/** ObjectMeta: the fields a client sets (generated.proto: name 1, generateName 2, namespace 3, labels 11, annotations 12, finalizers 14). */
export function objectMeta(buf: Buffer): Record<string, unknown> {
  const fs = fields(buf);
  const md: Record<string, unknown> = {};
  const one = (no: number): Field | undefined => fs.find((f) => f.no === no);
  const name = one(1);
  if (name) md.name = str(name);
  // Go writes empty strings too; the JSON encoding would have left them out.
  const generateName = one(2);
  if (generateName && str(generateName) !== '') md.generateName = str(generateName);
  const namespace = one(3);
  if (namespace && str(namespace) !== '') md.namespace = str(namespace);
  const labels = fs.filter((f) => f.no === 11);
  if (labels.length) md.labels = stringMap(labels);
  const annotations = fs.filter((f) => f.no === 12);
  if (annotations.length) md.annotations = stringMap(annotations);
  const finalizers = fs.filter((f) => f.no === 14).map(str);
  if (finalizers.length) md.finalizers = finalizers;
  return md;
}

/** Decodes a protobuf Namespace body into its JSON form. */
function namespace(raw: Buffer): Record<string, unknown> {
  const obj: Record<string, unknown> = { apiVersion: 'v1', kind: 'Namespace' };
  for (const f of fields(raw)) {
    if (f.no === 1) obj.metadata = objectMeta(bytes(f));
    if (f.no === 2) {
      const finalizers = fields(bytes(f))
        .filter((x) => x.no === 1)
        .map(str);
      obj.spec = finalizers.length ? { finalizers } : {};
    }
  }
  return obj;
}

const DECODERS: Record<string, (raw: Buffer) => Record<string, unknown>> = {
  'v1/Namespace': namespace,
  'v1/Service': serviceFromProtobuf,
  'v1/ConfigMap': configMapFromProtobuf,
  'v1/Secret': secretFromProtobuf,
};

/** The JSON form of a protobuf request body, for the kinds nodelet decodes from protobuf. */
export function decodeProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) {
    throw badRequest(
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  }
  try {
    const unknown = fields(body.subarray(4));
    const typeMeta = fields(
      bytes(unknown.find((f) => f.no === 1) ?? { no: 1, wire: 2, value: Buffer.alloc(0) }),
    );
    const apiVersion = str(typeMeta.find((f) => f.no === 1) ?? { no: 1, wire: 2, value: Buffer.alloc(0) });
    const kind = str(typeMeta.find((f) => f.no === 2) ?? { no: 2, wire: 2, value: Buffer.alloc(0) });
    const decoder = DECODERS[`${apiVersion}/${kind}`];
    if (!decoder) {
      throw badRequest(
        `nodelet reads protobuf bodies only for Namespace, Service, ConfigMap and Secret; send ${kind || 'this object'} as application/json`,
      );
    }
    return decoder(bytes(unknown.find((f) => f.no === 2) ?? { no: 2, wire: 2, value: Buffer.alloc(0) }));
  } catch (err) {
    if (err instanceof Error && err.name === 'ApiError') throw err;
    throw badRequest(`unable to decode protobuf body: ${(err as Error).message}`);
  }
}
