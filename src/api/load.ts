// `nodelet run FILE…` reads its manifests through here: read and decode them, check kinds (Pods,
// and the ConfigMaps, Secrets and Services beside them), apply the API server's decoding rules
// (strict fields, JSON types), defaults, validation and RuntimeClass admission, and either hand
// back every object ready to create or fail with every problem, each pointing at a line of the
// user's file. Nothing is returned, and so nothing runs, if any object has an error.
import type { ConfigMap, Pod, Secret, Service } from 'kubernetes-types/core/v1.js';
import { applySecretDefaults, validateConfigMap, validateSecret } from './configmap-validation.ts';
import { readManifests, requireKind, type DecodedObject, type ReadOptions } from './decode.ts';
import { applyPodDefaults, rfc3339Seconds } from './defaults.ts';
import type { FieldError } from './field-errors.ts';
import { strictProblems, typeProblems, unknownFieldsWithPaths } from './schema.ts';
import { applyServiceDefaults } from './service-defaults.ts';
import { validateService } from './service-validation.ts';
import { validatePod, type PodValidationOptions } from './validation.ts';

/** The kinds a `nodelet run` file may hold, as decode.ts's requireKind names them. */
export const RUN_KINDS = ['Pod', 'ConfigMap', 'Secret', 'Service'] as const;
export type RunKind = (typeof RUN_KINDS)[number];

/** A ConfigMap, Secret or Service of the files, defaulted and validated, to create before the pods. */
export type LoadedResource =
  | { kind: 'ConfigMap'; object: ConfigMap; from: DecodedObject }
  | { kind: 'Secret'; object: Secret; from: DecodedObject }
  | { kind: 'Service'; object: Service; from: DecodedObject };

/** The store resource (and API resource) of each kind. */
export const RESOURCE_OF: Record<RunKind, string> = {
  Pod: 'pods',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  Service: 'services',
};

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
  /** Kinds accepted (Pod only by default; `nodelet run` passes RUN_KINDS). */
  kinds?: readonly RunKind[];
  /**
   * RuntimeClasses that exist: a pod naming another is rejected as the RuntimeClass admission
   * plugin rejects it. Undefined: not checked.
   */
  runtimeClasses?: readonly string[];
}

/** One problem in one manifest. */
export interface LoadProblem {
  source: string;
  line: number | undefined;
  /** Name of the object (or its generateName), as the header `The Pod "<name>" is invalid` shows it. */
  podName: string;
  /** The object's kind (Pod unless said otherwise), for the header. */
  kind?: RunKind;
  /**
   * Forbidden: an admission plugin refused the object; `text` is the whole message
   * (`pods "x" is forbidden: …`) and it is printed on its own line, not under `is invalid`.
   */
  reason?: 'Forbidden';
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
  /** ConfigMaps, Secrets and Services, in manifest order (created before the pods). */
  resources: LoadedResource[];
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
    const byObject = new Map<string, LoadProblem[]>();
    const lines: string[] = [];
    for (const e of errors) {
      if (e.reason === 'Forbidden') {
        lines.push(problemLine(e));
        continue;
      }
      const key = `${e.source}\u0000${e.kind ?? 'Pod'}\u0000${e.podName}`;
      byObject.set(key, [...(byObject.get(key) ?? []), e]);
    }
    super(
      [
        ...[...byObject.values()].map((list) =>
          formatInvalid(list[0]?.kind ?? 'Pod', list[0]?.podName ?? '', list.map(problemLine)),
        ),
        ...lines,
      ].join('\n'),
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

function randomSuffix(): string {
  // names.SimpleNameGenerator's alphabet: no vowels, no digits that look like letters.
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 5; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)] ?? 'x';
  return out;
}

/** The metadata the generic registry sets on create (as applyPodDefaults does for pods). */
function withCreateMeta<T extends { metadata?: Record<string, unknown> | object }>(
  object: Record<string, unknown>,
  options: LoadOptions,
): T {
  const out = structuredClone(object);
  const meta = (typeof out.metadata === 'object' && out.metadata !== null ? out.metadata : {}) as Record<
    string,
    unknown
  >;
  out.metadata = meta;
  if (!meta.namespace) meta.namespace = options.namespace ?? 'default';
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName !== '')
    meta.name = meta.generateName.slice(0, 58) + (options.nameSuffix ?? randomSuffix)();
  meta.uid = options.uid();
  meta.creationTimestamp = rfc3339Seconds(options.now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  return out as T;
}

/** Defaults and validation of one kind, as its registry strategy does them on create. */
function prepare(
  kind: RunKind,
  object: Record<string, unknown>,
  options: LoadOptions,
): { object: Pod | ConfigMap | Secret | Service; errors: FieldError[] } {
  switch (kind) {
    case 'Pod': {
      const pod = applyPodDefaults(object, {
        now: options.now,
        uid: options.uid,
        ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
        ...(options.nameSuffix !== undefined ? { nameSuffix: options.nameSuffix } : {}),
      });
      return { object: pod, errors: validatePod(pod, options.validation) };
    }
    case 'ConfigMap': {
      const cm = withCreateMeta<ConfigMap>(object, options);
      return { object: cm, errors: validateConfigMap(cm) };
    }
    case 'Secret': {
      const secret = applySecretDefaults(withCreateMeta<Secret>(object, options));
      return { object: secret, errors: validateSecret(secret) };
    }
    case 'Service': {
      // The status starts empty, as the service strategy's PrepareForCreate leaves it.
      const svc = applyServiceDefaults(withCreateMeta<Service>(object, options));
      delete (svc as { status?: unknown }).status;
      return { object: svc, errors: validateService(svc) };
    }
  }
}

/** The RuntimeClass admission plugin's refusal (plugin/pkg/admission/runtimeclass). */
export function runtimeClassRejection(pod: Pod, runtimeClasses: readonly string[]): string | undefined {
  const name = pod.spec?.runtimeClassName;
  if (name === undefined || name === '' || runtimeClasses.includes(name)) return undefined;
  return `pods ${JSON.stringify(pod.metadata?.name ?? '')} is forbidden: pod rejected: RuntimeClass ${JSON.stringify(name)} not found`;
}

/**
 * Reads, decodes, defaults and validates the objects of all inputs: Pods, and ConfigMaps,
 * Secrets and Services when options.kinds allows them. Throws ManifestError for unreadable or
 * unparseable input and unsupported kinds, ManifestInvalidError listing every problem when any
 * object is invalid.
 */
export async function loadPods(inputs: readonly string[], options: LoadOptions): Promise<LoadResult> {
  const objects = await readManifests(inputs, options);
  const kinds: readonly RunKind[] = options.kinds ?? ['Pod'];
  requireKind(objects, kinds);
  const fieldValidation = options.fieldValidation ?? 'Strict';
  const errors: LoadProblem[] = [];
  const warnings: LoadProblem[] = [];
  const pods: Pod[] = [];
  const podSources: DecodedObject[] = [];
  const resources: LoadedResource[] = [];
  const seen = new Set<string>();

  for (const o of objects) {
    const kind = o.object.kind as RunKind;
    const podName = podNameOf(o);
    const problem = (field: string, text: string, fieldError?: FieldError): LoadProblem => {
      const p: LoadProblem = { source: o.source, line: o.lineOf(field), podName, field, text };
      if (kind !== 'Pod') p.kind = kind;
      if (fieldError !== undefined) p.fieldError = fieldError;
      return p;
    };

    // Decoding: JSON types first (always fatal), then strict fields.
    const typeErrs = typeProblems(o.object, kind).map((p) => problem(p.path, p.message));
    const strict = [
      ...unknownFieldsWithPaths(o.object, kind).map((u) => ({
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

    const prepared = prepare(kind, o.object, options);
    // RuntimeClass admission is a mutating plugin: it refuses the pod before the strategy validates it.
    if (kind === 'Pod' && options.runtimeClasses !== undefined) {
      const rejected = runtimeClassRejection(prepared.object as Pod, options.runtimeClasses);
      if (rejected !== undefined) {
        errors.push({ ...problem('spec.runtimeClassName', rejected), reason: 'Forbidden' });
        continue;
      }
    }
    errors.push(...prepared.errors.map((e) => problem(e.field, e.toString(), e)));
    if (prepared.errors.length > 0) continue;
    const md = prepared.object.metadata;

    // Two objects of a kind with one name: the second create would fail with AlreadyExists.
    const key = `${kind}/${md?.namespace ?? ''}/${md?.name ?? ''}`;
    if (seen.has(key)) {
      errors.push(
        problem('metadata.name', `${RESOURCE_OF[kind]} ${JSON.stringify(md?.name ?? '')} already exists`),
      );
      continue;
    }
    seen.add(key);
    if (kind === 'Pod') {
      pods.push(prepared.object as Pod);
      podSources.push(o);
    } else {
      resources.push({ kind, object: prepared.object, from: o } as LoadedResource);
    }
  }
  if (errors.length > 0) throw new ManifestInvalidError(errors);
  return { pods, objects: podSources, resources, warnings };
}
