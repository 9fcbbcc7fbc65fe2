// `nodelet run FILE…` reads its pods through here: read and decode the manifests, check kinds,
// apply the API server's decoding rules (strict fields, JSON types), defaults and validation, and
// either hand back every pod ready to run or fail with every problem, each pointing at a line of
// the user's file. Nothing is returned, and so nothing runs, if any pod has an error.
import type { Pod } from 'kubernetes-types/core/v1.js';
import { readManifests, requireKind, type DecodedObject, type ReadOptions } from './decode.ts';
import { applyPodDefaults } from './defaults.ts';
import type { FieldError } from './field-errors.ts';
import { strictProblems, typeProblems, unknownFieldsWithPaths } from './schema.ts';
import { validatePod, type PodValidationOptions } from './validation.ts';

/** metav1.FieldValidation: what unknown and duplicate fields do (kubectl's default is Strict). */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface LoadOptions extends ReadOptions {
  /** Creation time for defaulting, epoch ms (from the injected Clock). */
  now: number;
  /** UID generator for the new pods. */
  uid: () => string;
  /** Namespace for pods that name none; `default` otherwise. */
  namespace?: string;
  fieldValidation?: FieldValidation;
  validation?: PodValidationOptions;
  /** Suffix generator for generateName (random by default). */
  nameSuffix?: () => string;
}

/** One problem in one manifest. */
export interface LoadProblem {
  source: string;
  line: number | undefined;
  /** Name of the pod (or its generateName), as the header `The Pod "<name>" is invalid` shows it. */
  podName: string;
  /** API field path the problem concerns, or '' for the whole object. */
  field: string;
  /** The problem as the API server words it: `spec.containers: Required value`. */
  text: string;
  /** The validation error, when the problem is one. */
  fieldError?: FieldError;
}

export interface LoadResult {
  /** The pods, defaulted, in manifest order. */
  pods: Pod[];
  /** Where each pod came from (same order). */
  objects: DecodedObject[];
  /** Unknown or duplicate fields with fieldValidation=Warn. */
  warnings: LoadProblem[];
}

/** `<source>:<line>: <text>`, or `<source>: <text>` when the line is unknown. */
export function problemLine(p: LoadProblem): string {
  return p.line === undefined ? `${p.source}: ${p.text}` : `${p.source}:${p.line}: ${p.text}`;
}

/**
 * kubectl's rendering of a 422 (cmdutil's MultilineError over the causes): one cause inline,
 * several as `* ` lines under the header.
 */
export function formatInvalid(kind: string, name: string, lines: readonly string[]): string {
  const unique = [...new Set(lines)];
  const header = `The ${kind} ${JSON.stringify(name)} is invalid: `;
  if (unique.length === 1) return `${header}${unique[0] ?? ''}`;
  return `${header}\n${unique.map((l) => `* ${l}`).join('\n')}`;
}

/** Thrown by loadPods when any pod has a problem; `errors` has them all. */
export class ManifestInvalidError extends Error {
  override name = 'ManifestInvalidError';
  readonly errors: LoadProblem[];

  constructor(errors: LoadProblem[]) {
    const byPod = new Map<string, LoadProblem[]>();
    for (const e of errors) {
      const key = `${e.source}\u0000${e.podName}`;
      byPod.set(key, [...(byPod.get(key) ?? []), e]);
    }
    super(
      [...byPod.values()]
        .map((list) => formatInvalid('Pod', list[0]?.podName ?? '', list.map(problemLine)))
        .join('\n'),
    );
    this.errors = errors;
  }
}

function podNameOf(o: DecodedObject): string {
  const meta = o.object.metadata;
  if (typeof meta !== 'object' || meta === null) return '';
  const m = meta as Record<string, unknown>;
  if (typeof m.name === 'string' && m.name !== '') return m.name;
  return typeof m.generateName === 'string' ? m.generateName : '';
}

/**
 * Reads, decodes, defaults and validates the pods of all inputs. Throws ManifestError for
 * unreadable or unparseable input and unsupported kinds, ManifestInvalidError listing every
 * problem when any pod is invalid.
 */
export async function loadPods(inputs: readonly string[], options: LoadOptions): Promise<LoadResult> {
  const objects = await readManifests(inputs, options);
  requireKind(objects, ['Pod']);
  const fieldValidation = options.fieldValidation ?? 'Strict';
  const errors: LoadProblem[] = [];
  const warnings: LoadProblem[] = [];
  const pods: Pod[] = [];
  const seen = new Map<string, DecodedObject>();

  for (const o of objects) {
    const podName = podNameOf(o);
    const problem = (field: string, text: string, fieldError?: FieldError): LoadProblem => {
      const p: LoadProblem = { source: o.source, line: o.lineOf(field), podName, field, text };
      if (fieldError !== undefined) p.fieldError = fieldError;
      return p;
    };

    // Decoding: JSON types first (always fatal), then strict fields.
    const typeErrs = typeProblems(o.object, 'Pod').map((p) => problem(p.path, p.message));
    const strict = [
      ...unknownFieldsWithPaths(o.object, 'Pod').map((u) => ({
        path: u.path,
        text: strictProblems([u.strictPath])[0] ?? '',
      })),
      ...o.duplicateFields.map((d) => ({ path: d.path, text: strictProblems([], [d.strictPath])[0] ?? '' })),
    ].map((s) => problem(s.path, s.text));
    if (fieldValidation === 'Strict') errors.push(...strict);
    else if (fieldValidation === 'Warn') warnings.push(...strict);
    if (typeErrs.length > 0) {
      errors.push(...typeErrs);
      continue;
    }
    if (fieldValidation === 'Strict' && strict.length > 0) continue;

    const pod = applyPodDefaults(o.object, {
      now: options.now,
      uid: options.uid,
      ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      ...(options.nameSuffix !== undefined ? { nameSuffix: options.nameSuffix } : {}),
    });
    const invalid = validatePod(pod, options.validation);
    errors.push(...invalid.map((e) => problem(e.field, e.toString(), e)));
    if (invalid.length > 0) continue;

    // Two pods with one name: the second create would fail with AlreadyExists.
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    if (seen.has(key)) {
      errors.push(
        problem('metadata.name', `pods ${JSON.stringify(pod.metadata?.name ?? '')} already exists`),
      );
      continue;
    }
    seen.set(key, o);
    pods.push(pod);
  }
  if (errors.length > 0) throw new ManifestInvalidError(errors);
  return {
    pods,
    objects: pods.map(
      (p) => seen.get(`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`) as DecodedObject,
    ),
    warnings,
  };
}
