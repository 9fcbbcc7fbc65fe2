// metav1.Status errors, worded as the real API server words them (apimachinery
// pkg/api/errors/errors.go). kubectl prints `Error from server (<reason>): <message>` from these, and
// builds `The Pod "x" is invalid: …` from details.kind, details.name and details.causes.

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error that answers the request with a Status object. */
export class ApiError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'ApiError';
    this.status = status;
  }
  get code(): number {
    return this.status.code;
  }
}

/** The resource as errors name it: "pods", or "events.events.k8s.io" for a named group. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function failure(code: number, reason: string, message: string, details?: StatusDetails): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

function nameDetails(gr: GroupResource, name: string): StatusDetails {
  return { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource };
}

export function notFound(gr: GroupResource, name: string): ApiError {
  return failure(404, 'NotFound', `${qualified(gr)} "${name}" not found`, nameDetails(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return failure(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, nameDetails(gr, name));
}

/** 409 Conflict: `Operation cannot be fulfilled on pods "web": <detail>`. */
export function conflict(gr: GroupResource, name: string, detail: string, causes?: StatusCause[]): ApiError {
  return failure(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${detail}`, {
    ...nameDetails(gr, name),
    ...(causes ? { causes } : {}),
  });
}

/** 409 Conflict whose message is given whole (server-side apply conflicts). */
export function conflictWithMessage(
  gr: GroupResource,
  name: string,
  message: string,
  causes: StatusCause[],
): ApiError {
  return failure(409, 'Conflict', message, { ...nameDetails(gr, name), causes });
}

export function badRequest(message: string): ApiError {
  return failure(400, 'BadRequest', message);
}

/** One field error for a 422 Invalid: `<field>: <message>` is its text. */
export interface InvalidCause {
  /** FieldValueRequired, FieldValueInvalid, FieldValueForbidden, … */
  reason: string;
  field: string;
  /** The error body without the field, e.g. `Required value`. */
  message: string;
}

/**
 * 422 Invalid, as errors.NewInvalid: message `Pod "web" is invalid: <err>` for one error,
 * `[<err>, <err>]` for several; details.kind is the Kind, not the resource.
 */
export function invalid(kind: string, group: string, name: string, causes: InvalidCause[]): ApiError {
  const texts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const summary = texts.length === 1 ? (texts[0] ?? '') : `[${texts.join(', ')}]`;
  return failure(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: causes.map((c) => ({ reason: c.reason, message: c.message, field: c.field })),
  });
}

export function methodNotSupported(gr: GroupResource, action: string): ApiError {
  return failure(
    405,
    'MethodNotAllowed',
    `${action} is not supported on resources of kind "${qualified(gr)}"`,
    {
      ...(gr.group ? { group: gr.group } : {}),
      kind: gr.resource,
    },
  );
}

export function methodNotAllowed(): ApiError {
  return failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function pathNotFound(): ApiError {
  return failure(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function unauthorized(): ApiError {
  return failure(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(gr: GroupResource, name: string, detail: string): ApiError {
  const subject = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  return failure(403, 'Forbidden', `${subject} is forbidden: ${detail}`, nameDetails(gr, name));
}

/** 410 Expired, as a watch from a compacted resourceVersion gets it. */
export function expired(message: string): ApiError {
  return failure(410, 'Expired', message);
}

export function unsupportedMediaType(accepted: string[]): ApiError {
  return failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  );
}

export function internalError(err: unknown): ApiError {
  const message = err instanceof Error ? err.message : String(err);
  return failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });
}
