// ConfigMap and Secret defaulting and validation as the API server does them (validation.go
// ValidateConfigMap / ValidateSecret and their updates, defaults.go SetDefaults_Secret, and the
// v1 → internal conversion that folds stringData into data; Kubernetes 1.32).
import type { ConfigMap, Secret } from 'kubernetes-types/core/v1.js';
import { type FieldError, FieldPath, forbidden, invalid, required, tooLong } from './field-errors.ts';
import { obj, str, type Obj } from './loose-read.ts';
import { byteLength, isConfigMapKey, nameIsDNSSubdomain } from './names.ts';
import { semanticEqual, validateObjectMeta, validateObjectMetaUpdate } from './validation.ts';

type Errs = FieldError[];

/** core.MaxSecretSize: ConfigMaps and Secrets hold at most 1 MiB of data. */
export const MAX_DATA_SIZE = 1024 * 1024;
const IMMUTABLE = 'field is immutable when `immutable` is set';

/** The bytes a base64 `data` value stands for. */
function decodedLength(value: string): number {
  return Buffer.from(value, 'base64').length;
}

export function validateConfigMap(configMap: ConfigMap): FieldError[] {
  const cm = configMap as unknown as Obj;
  const errs = validateObjectMeta(cm.metadata, true, nameIsDNSSubdomain);
  const data = obj(cm.data) ?? {};
  const binary = obj(cm.binaryData) ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    const p = FieldPath.of('data').key(key);
    for (const m of isConfigMapKey(key)) errs.push(invalid(p, key, m));
    if (key in binary) errs.push(invalid(p, key, 'duplicate of key present in binaryData'));
    total += byteLength(str(value));
  }
  for (const [key, value] of Object.entries(binary)) {
    const p = FieldPath.of('binaryData').key(key);
    for (const m of isConfigMapKey(key)) errs.push(invalid(p, key, m));
    if (key in data) errs.push(invalid(p, key, 'duplicate of key present in data'));
    total += decodedLength(str(value));
  }
  // The whole object is too large: the error names the root path, printed `[]`.
  if (total > MAX_DATA_SIZE) errs.push(tooLong(FieldPath.of(''), MAX_DATA_SIZE));
  return errs;
}

export function validateConfigMapUpdate(configMap: ConfigMap, old: ConfigMap): FieldError[] {
  const errs = validateObjectMetaUpdate(configMap.metadata, old.metadata);
  if (old.immutable === true) {
    if (configMap.immutable !== true) errs.push(forbidden(FieldPath.of('immutable'), IMMUTABLE));
    if (!semanticEqual(configMap.data ?? {}, old.data ?? {}))
      errs.push(forbidden(FieldPath.of('data'), IMMUTABLE));
    if (!semanticEqual(configMap.binaryData ?? {}, old.binaryData ?? {}))
      errs.push(forbidden(FieldPath.of('binaryData'), IMMUTABLE));
  }
  errs.push(...validateConfigMap(configMap));
  return errs;
}

/**
 * What the API server does to every decoded v1 Secret: stringData is written over data (base64
 * encoded) and dropped, and the type defaults to Opaque.
 */
export function applySecretDefaults(secret: Secret): Secret {
  const { stringData, ...rest } = secret;
  const out: Secret = {
    ...rest,
    type: secret.type === undefined || secret.type === '' ? 'Opaque' : secret.type,
  };
  if (stringData !== undefined && stringData !== null) {
    const data: Record<string, string> = { ...(secret.data ?? {}) };
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(str(v), 'utf8').toString('base64');
    out.data = data;
  }
  return out;
}

function requireKey(data: Obj, key: string): Errs {
  return key in data ? [] : [required(FieldPath.of('data').key(key))];
}

function validateJsonKey(data: Obj, key: string): Errs {
  if (!(key in data)) return [required(FieldPath.of('data').key(key))];
  try {
    const parsed = JSON.parse(Buffer.from(str(data[key]), 'base64').toString('utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return [];
  } catch (e) {
    return [invalid(FieldPath.of('data').key(key), '<secret contents redacted>', (e as Error).message)];
  }
}

export function validateSecret(secret: Secret): FieldError[] {
  const s = secret as unknown as Obj;
  const errs = validateObjectMeta(s.metadata, true, nameIsDNSSubdomain);
  const data = obj(s.data) ?? {};
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    for (const m of isConfigMapKey(key)) errs.push(invalid(FieldPath.of('data').key(key), key, m));
    total += decodedLength(str(value));
  }
  if (total > MAX_DATA_SIZE) errs.push(tooLong(FieldPath.of('data'), MAX_DATA_SIZE));
  switch (str(s.type)) {
    case 'kubernetes.io/service-account-token': {
      const annotations = obj(obj(s.metadata)?.annotations) ?? {};
      if (str(annotations['kubernetes.io/service-account.name']) === '') {
        errs.push(
          required(FieldPath.of('metadata', 'annotations').key('kubernetes.io/service-account.name')),
        );
      }
      break;
    }
    case 'kubernetes.io/dockercfg':
      errs.push(...validateJsonKey(data, '.dockercfg'));
      break;
    case 'kubernetes.io/dockerconfigjson':
      errs.push(...validateJsonKey(data, '.dockerconfigjson'));
      break;
    case 'kubernetes.io/basic-auth':
      // Either may be empty, but one of them must be there.
      if (!('username' in data) && !('password' in data)) {
        errs.push(
          required(FieldPath.of('data').key('username')),
          required(FieldPath.of('data').key('password')),
        );
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (str(data['ssh-privatekey']) === '') errs.push(required(FieldPath.of('data').key('ssh-privatekey')));
      break;
    case 'kubernetes.io/tls':
      errs.push(...requireKey(data, 'tls.crt'), ...requireKey(data, 'tls.key'));
      break;
  }
  return errs;
}

export function validateSecretUpdate(secret: Secret, old: Secret): FieldError[] {
  const errs = validateObjectMetaUpdate(secret.metadata, old.metadata);
  if ((secret.type ?? '') !== (old.type ?? '')) {
    errs.push(invalid(FieldPath.of('type'), secret.type ?? '', 'field is immutable'));
  }
  if (old.immutable === true) {
    if (secret.immutable !== true) errs.push(forbidden(FieldPath.of('immutable'), IMMUTABLE));
    if (!semanticEqual(secret.data ?? {}, old.data ?? {}))
      errs.push(forbidden(FieldPath.of('data'), IMMUTABLE));
  }
  errs.push(...validateSecret(secret));
  return errs;
}
