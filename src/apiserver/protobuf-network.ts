// Protobuf bodies of Services, ConfigMaps and Secrets, as kubectl's typed clients send them
// (`kubectl create service|configmap|secret`), decoded to their JSON form with the field numbers
// of k8s.io/api core/v1 generated.proto. Go's protobuf encoding writes non-pointer fields even
// when empty, so empty strings, zero numbers and false plain booleans read as absent — what the
// JSON encoding's omitempty would have left out — and defaulting then fills them in.
import { bytes, fields, objectMeta, str, stringMap, type Field } from './protobuf.ts';

type Obj = Record<string, unknown>;

const int = (f: Field): number => (typeof f.value === 'bigint' ? Number(BigInt.asIntN(32, f.value)) : 0);
const bool = (f: Field): boolean => typeof f.value === 'bigint' && f.value !== 0n;

function setString(out: Obj, key: string, f: Field): void {
  const v = str(f);
  if (v !== '') out[key] = v;
}

function setInt(out: Obj, key: string, f: Field): void {
  const v = int(f);
  if (v !== 0) out[key] = v;
}

function pushString(out: Obj, key: string, f: Field): void {
  const list = (out[key] as string[] | undefined) ?? [];
  list.push(str(f));
  out[key] = list;
}

/** map<string, bytes> as JSON base64 strings. */
function bytesMap(entries: Field[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(bytes(e));
    const k = kv.find((f) => f.no === 1);
    const v = kv.find((f) => f.no === 2);
    out[k ? str(k) : ''] = v ? bytes(v).toString('base64') : '';
  }
  return out;
}

/** IntOrString {type 1, intVal 2, strVal 3}; the zero value (int 0) is absent. */
function intOrString(buf: Buffer): number | string | undefined {
  const fs = fields(buf);
  const type = fs.find((f) => f.no === 1);
  if (type && int(type) === 1) {
    const s = fs.find((f) => f.no === 3);
    return s ? str(s) : '';
  }
  const i = fs.find((f) => f.no === 2);
  const v = i ? int(i) : 0;
  return v === 0 ? undefined : v;
}

function servicePort(buf: Buffer): Obj {
  const out: Obj = {};
  for (const f of fields(buf)) {
    if (f.no === 1) setString(out, 'name', f);
    else if (f.no === 2) setString(out, 'protocol', f);
    else if (f.no === 6) out.appProtocol = str(f);
    else if (f.no === 3) setInt(out, 'port', f);
    else if (f.no === 4) {
      const t = intOrString(bytes(f));
      if (t !== undefined && t !== '') out.targetPort = t;
    } else if (f.no === 5) setInt(out, 'nodePort', f);
  }
  return out;
}

function serviceSpec(buf: Buffer): Obj {
  const out: Obj = {};
  const fs = fields(buf);
  const ports = fs.filter((f) => f.no === 1).map((f) => servicePort(bytes(f)));
  if (ports.length) out.ports = ports;
  const selector = fs.filter((f) => f.no === 2);
  if (selector.length) out.selector = stringMap(selector);
  for (const f of fs) {
    switch (f.no) {
      case 3:
        setString(out, 'clusterIP', f);
        break;
      case 18:
        pushString(out, 'clusterIPs', f);
        break;
      case 4:
        setString(out, 'type', f);
        break;
      case 5:
        pushString(out, 'externalIPs', f);
        break;
      case 7:
        setString(out, 'sessionAffinity', f);
        break;
      case 8:
        setString(out, 'loadBalancerIP', f);
        break;
      case 9:
        pushString(out, 'loadBalancerSourceRanges', f);
        break;
      case 10:
        setString(out, 'externalName', f);
        break;
      case 11:
        setString(out, 'externalTrafficPolicy', f);
        break;
      case 12:
        setInt(out, 'healthCheckNodePort', f);
        break;
      case 13:
        if (bool(f)) out.publishNotReadyAddresses = true;
        break;
      case 14: {
        const clientIP = fields(bytes(f)).find((x) => x.no === 1);
        const timeout = clientIP ? fields(bytes(clientIP)).find((x) => x.no === 1) : undefined;
        out.sessionAffinityConfig = clientIP
          ? { clientIP: timeout ? { timeoutSeconds: int(timeout) } : {} }
          : {};
        break;
      }
      case 19:
        pushString(out, 'ipFamilies', f);
        break;
      case 17:
        out.ipFamilyPolicy = str(f);
        break;
      case 20:
        out.allocateLoadBalancerNodePorts = bool(f);
        break;
      case 21:
        out.loadBalancerClass = str(f);
        break;
      case 22:
        out.internalTrafficPolicy = str(f);
        break;
      case 23:
        out.trafficDistribution = str(f);
        break;
    }
  }
  return out;
}

export function serviceFromProtobuf(raw: Buffer): Obj {
  const obj: Obj = { apiVersion: 'v1', kind: 'Service' };
  for (const f of fields(raw)) {
    if (f.no === 1) obj.metadata = objectMeta(bytes(f));
    if (f.no === 2) obj.spec = serviceSpec(bytes(f));
  }
  return obj;
}

export function configMapFromProtobuf(raw: Buffer): Obj {
  const obj: Obj = { apiVersion: 'v1', kind: 'ConfigMap' };
  const fs = fields(raw);
  for (const f of fs) {
    if (f.no === 1) obj.metadata = objectMeta(bytes(f));
    if (f.no === 4) obj.immutable = bool(f);
  }
  const data = fs.filter((f) => f.no === 2);
  if (data.length) obj.data = stringMap(data);
  const binary = fs.filter((f) => f.no === 3);
  if (binary.length) obj.binaryData = bytesMap(binary);
  return obj;
}

export function secretFromProtobuf(raw: Buffer): Obj {
  const obj: Obj = { apiVersion: 'v1', kind: 'Secret' };
  const fs = fields(raw);
  for (const f of fs) {
    if (f.no === 1) obj.metadata = objectMeta(bytes(f));
    if (f.no === 3) setString(obj, 'type', f);
    if (f.no === 5) obj.immutable = bool(f);
  }
  const data = fs.filter((f) => f.no === 2);
  if (data.length) obj.data = bytesMap(data);
  const stringData = fs.filter((f) => f.no === 4);
  if (stringData.length) obj.stringData = stringMap(stringData);
  return obj;
}
