// The apiserver's one door to the Pod model in src/api/ (defaulting, validation, the schema for
// strict field validation), so the handlers do not care where those live.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { FieldError } from '../api/field-errors.ts';

export function applyPodDefaults(
  pod: Pod,
  _options: { now: number; uid: () => string; namespace?: string },
): Pod {
  return pod;
}

export function validatePod(_pod: Pod): FieldError[] {
  return [];
}

export function validatePodUpdate(_pod: Pod, _old: Pod): FieldError[] {
  return [];
}

export function unknownFields(_obj: unknown, _kind: string): string[] {
  return [];
}
