// A client of the registry HTTP API v2 (distribution spec): manifests by tag or digest with the
// Accept types containerd sends, blobs by digest, and the token flow a registry asks for in its
// 401 `WWW-Authenticate` challenge — Bearer (fetch a token from the realm, anonymously or with
// credentials, for `repository:<name>:pull`) or Basic (credentials on the request).
import { Readable } from 'node:stream';

export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;

const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.dockerManifest].join(
  ', ',
);

export interface Credentials {
  username: string;
  password: string;
}

export class RegistryError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
  }
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params, quoted or token). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m?.[1]) return undefined;
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const p of (m[2] ?? '').matchAll(re)) {
    if (p[1]) params[p[1].toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  }
  return { scheme: m[1].toLowerCase(), params };
}

export interface RegistryClientOptions {
  /** Base URL, e.g. http://127.0.0.1:5000 or https://registry-1.docker.io. */
  endpoint: string;
  credentials?: Credentials;
  /** User-Agent sent with every request. */
  userAgent?: string;
}

export interface FetchedManifest {
  mediaType: string;
  body: Buffer;
  /** Docker-Content-Digest if the registry sent one. */
  digest?: string;
}

export class RegistryClient {
  readonly endpoint: string;
  private readonly credentials: Credentials | undefined;
  private readonly userAgent: string;
  /** Authorization header values by repository, reused until the registry refuses them. */
  private readonly auth = new Map<string, string>();

  constructor(options: RegistryClientOptions) {
    this.endpoint = options.endpoint.replace(/\/+$/, '');
    this.credentials = options.credentials;
    this.userAgent = options.userAgent ?? 'nodelet/0.1.0';
  }

  async getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const res = await this.request(
      repository,
      `/v2/${repository}/manifests/${reference}`,
      { Accept: MANIFEST_ACCEPT },
      signal,
    );
    const body = Buffer.from(await res.arrayBuffer());
    const digest = res.headers.get('docker-content-digest') ?? undefined;
    let mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { mediaType?: string };
      if (parsed.mediaType) mediaType = parsed.mediaType;
    } catch {
      throw new RegistryError(res.status, `failed to decode manifest ${reference}: not JSON`);
    }
    return { mediaType, body, ...(digest ? { digest } : {}) };
  }

  /** The blob's body as a stream (redirects to storage are followed; auth is not sent there). */
  async getBlob(repository: string, digest: string, signal?: AbortSignal): Promise<Readable> {
    const res = await this.request(repository, `/v2/${repository}/blobs/${digest}`, {}, signal);
    if (!res.body) throw new RegistryError(res.status, `empty body for blob ${digest}`);
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  private async request(
    repository: string,
    path: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const url = this.endpoint + path;
    const send = (authorization?: string): Promise<Response> =>
      fetch(url, {
        headers: {
          'User-Agent': this.userAgent,
          ...headers,
          ...(authorization ? { Authorization: authorization } : {}),
        },
        redirect: 'follow',
        ...(signal ? { signal } : {}),
      });
    let res = await send(this.auth.get(repository));
    if (res.status === 401) {
      await res.body?.cancel();
      const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '');
      const authorization = await this.authorize(repository, challenge, signal);
      this.auth.set(repository, authorization);
      res = await send(authorization);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new RegistryError(res.status, describeFailure(url, res.status, text));
    }
    return res;
  }

  private async authorize(
    repository: string,
    challenge: Challenge | undefined,
    signal?: AbortSignal,
  ): Promise<string> {
    if (challenge?.scheme === 'basic') {
      if (!this.credentials)
        throw new RegistryError(
          401,
          `pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials`,
        );
      return basic(this.credentials);
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw new RegistryError(
        401,
        'unexpected status from registry: 401 Unauthorized (no usable WWW-Authenticate challenge)',
      );
    }
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.set('scope', challenge.params.scope ?? `repository:${repository}:pull`);
    const res = await fetch(realm, {
      headers: {
        'User-Agent': this.userAgent,
        ...(this.credentials ? { Authorization: basic(this.credentials) } : {}),
      },
      ...(signal ? { signal } : {}),
    });
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new RegistryError(
        res.status,
        `failed to fetch anonymous token: unexpected status from GET request to ${realm.toString()}: ${res.status} ${res.statusText}${text ? `: ${text.trim()}` : ''}`,
      );
    }
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(res.status, 'token response without a token');
    return `Bearer ${token}`;
  }
}

function basic(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}

/** containerd-like wording: `… not found`, `unexpected status … 401 Unauthorized`. */
function describeFailure(url: string, status: number, body: string): string {
  let detail = '';
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string; message?: string }[] };
    detail = (parsed.errors ?? []).map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
  } catch {
    detail = body.trim().slice(0, 200);
  }
  if (status === 404) return `${url}: not found${detail ? ` (${detail})` : ''}`;
  return `unexpected status from GET request to ${url}: ${status}${detail ? `: ${detail}` : ''}`;
}
