// Image references resolved as the kubelet and containerd resolve them (the distribution/reference
// package's ParseNormalizedNamed): a first path component is a registry only when it holds a `.` or
// a `:` or is `localhost`; otherwise the registry is docker.io, and a one-component docker.io name
// gets `library/`. No tag and no digest means `:latest`. A digest pins the content; a tag beside it
// is kept only for display, as containerd does.

export const DEFAULT_REGISTRY = 'docker.io';
/** The host that serves docker.io's registry API. */
export const DOCKER_HUB_ENDPOINT = 'https://registry-1.docker.io';

export interface ImageReference {
  /** Registry host (and port), e.g. docker.io, 127.0.0.1:5000. */
  registry: string;
  /** Repository path inside the registry, e.g. library/busybox. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** The error text containerd and the kubelet give a malformed reference. */
export class InvalidReferenceError extends Error {
  constructor(ref: string, why = 'invalid reference format') {
    super(`couldn't parse image reference ${JSON.stringify(ref)}: ${why}`);
    this.name = 'InvalidReferenceError';
  }
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const DOMAIN =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;

export function parseReference(input: string): ImageReference {
  const ref = input.trim();
  if (ref === '') throw new InvalidReferenceError(input);
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw new InvalidReferenceError(input);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(input);
  }
  let registry = DEFAULT_REGISTRY;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      if (!DOMAIN.test(first)) throw new InvalidReferenceError(input);
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  if (registry === 'index.docker.io') registry = DEFAULT_REGISTRY;
  if (rest !== rest.toLowerCase())
    throw new InvalidReferenceError(input, 'repository name must be lowercase');
  const parts = rest.split('/');
  if (parts.some((p) => !COMPONENT.test(p))) throw new InvalidReferenceError(input);
  if (registry === DEFAULT_REGISTRY && parts.length === 1) parts.unshift('library');
  const repository = parts.join('/');
  if (registry.length + 1 + repository.length > 255)
    throw new InvalidReferenceError(input, 'repository name must not be more than 255 characters');
  if (tag === undefined && digest === undefined) tag = 'latest';
  return {
    registry,
    repository,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** registry/repository, e.g. docker.io/library/busybox. */
export function repoName(r: ImageReference): string {
  return `${r.registry}/${r.repository}`;
}

/** The full normalized reference: docker.io/library/busybox:latest, or …@sha256:… when pinned. */
export function formatReference(r: ImageReference): string {
  if (r.digest) return `${repoName(r)}@${r.digest}`;
  return `${repoName(r)}:${r.tag ?? 'latest'}`;
}

/** The tag (or digest) asked for from the registry's manifests endpoint. */
export function manifestReference(r: ImageReference): string {
  return r.digest ?? r.tag ?? 'latest';
}

/** The default API endpoint of a registry host (https; docker.io is served by registry-1). */
export function defaultEndpoint(registry: string): string {
  return registry === DEFAULT_REGISTRY ? DOCKER_HUB_ENDPOINT : `https://${registry}`;
}
