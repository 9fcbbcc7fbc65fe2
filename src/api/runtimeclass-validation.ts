// RuntimeClass (node.k8s.io/v1) validation as pkg/apis/node/validation does it (Kubernetes 1.32):
// a DNS-subdomain name, a DNS-label handler that never changes, non-negative overhead.
import type { RuntimeClass } from 'kubernetes-types/node/v1.js';
import { type FieldError, FieldPath, invalid, required } from './field-errors.ts';
import { obj, str, type Obj } from './loose-read.ts';
import { isDNS1123Label, nameIsDNSSubdomain } from './names.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './validation.ts';

export function validateRuntimeClass(runtimeClass: RuntimeClass): FieldError[] {
  const rc = runtimeClass as unknown as Obj;
  const errs = validateObjectMeta(rc.metadata, false, nameIsDNSSubdomain);
  const handler = str(rc.handler);
  if (handler === '') errs.push(required(FieldPath.of('handler')));
  else errs.push(...isDNS1123Label(handler).map((m) => invalid(FieldPath.of('handler'), handler, m)));
  const podFixed = obj(obj(rc.overhead)?.podFixed) ?? {};
  for (const [name, value] of Object.entries(podFixed)) {
    if (typeof value === 'string' && value.startsWith('-')) {
      errs.push(
        invalid(FieldPath.of('overhead', 'podFixed').key(name), value, 'must be greater than or equal to 0'),
      );
    }
  }
  return errs;
}

export function validateRuntimeClassUpdate(runtimeClass: RuntimeClass, old: RuntimeClass): FieldError[] {
  const errs = validateObjectMetaUpdate(runtimeClass.metadata, old.metadata);
  if (runtimeClass.handler !== old.handler) {
    errs.push(invalid(FieldPath.of('handler'), runtimeClass.handler ?? '', 'field is immutable'));
  }
  errs.push(...validateRuntimeClass(runtimeClass));
  return errs;
}
