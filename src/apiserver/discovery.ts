// /version, discovery (legacy APIVersions/APIResourceList and aggregated apidiscovery.k8s.io/v2)
// and the OpenAPI v3 documents kubectl reads before create/apply (kubectl-api.md §4.1–4.3).
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RESOURCES, type ResourceDef } from './resources.ts';

/** The Kubernetes version served: kubectl's version dispatcher picks its 1.32 client from minor "32". */
export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.4' };

export function versionInfo(): Record<string, string> {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return {
    ...KUBERNETES_VERSION,
    gitCommit: 'nodelet',
    gitTreeState: 'clean',
    buildDate: '2025-04-22T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'nodelet',
    platform: `${process.platform}/${arch}`,
  };
}

export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** The client accepts the aggregated discovery document (kubectl 1.32 asks for it first). */
export function wantsAggregated(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.split(',').some((m) => {
    const params = m.split(';').map((s) => s.trim());
    return (
      params.includes('g=apidiscovery.k8s.io') &&
      params.includes('v=v2') &&
      params.includes('as=APIGroupDiscoveryList')
    );
  });
}

function serverAddress(req: IncomingMessage): string {
  return req.headers.host ?? `${req.socket.localAddress ?? '127.0.0.1'}:${req.socket.localPort ?? 0}`;
}

export function legacyApiVersions(req: IncomingMessage): unknown {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: serverAddress(req) }],
  };
}

const groupVersions = (): { group: string; version: string; resources: ResourceDef[] }[] => {
  const out = new Map<string, { group: string; version: string; resources: ResourceDef[] }>();
  for (const r of RESOURCES) {
    const k = `${r.group}/${r.version}`;
    const gv = out.get(k) ?? { group: r.group, version: r.version, resources: [] };
    gv.resources.push(r);
    out.set(k, gv);
  }
  return [...out.values()];
};

export function apiGroupList(): unknown {
  const groups = groupVersions().filter((gv) => gv.group !== '');
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((g) => ({
      name: g.group,
      versions: [{ groupVersion: `${g.group}/${g.version}`, version: g.version }],
      preferredVersion: { groupVersion: `${g.group}/${g.version}`, version: g.version },
    })),
  };
}

export function apiGroup(group: string): unknown {
  const gv = groupVersions().find((g) => g.group === group);
  if (!gv) return undefined;
  const v = { groupVersion: `${gv.group}/${gv.version}`, version: gv.version };
  return { kind: 'APIGroup', apiVersion: 'v1', name: gv.group, versions: [v], preferredVersion: v };
}

/** GET /api/v1 or /apis/<g>/<v>: the APIResourceList (client-node's KubernetesObjectApi reads it). */
export function apiResourceList(group: string, version: string): unknown {
  const gv = groupVersions().find((g) => g.group === group && g.version === version);
  if (!gv) return undefined;
  const resources = [];
  for (const r of gv.resources) {
    resources.push({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources) {
      resources.push({
        name: `${r.resource}/${s.name}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: s.kind,
        verbs: s.verbs,
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}

function discoveryResource(r: ResourceDef): unknown {
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
    ...(r.subresources.length
      ? {
          subresources: r.subresources.map((s) => ({
            subresource: s.name,
            responseKind: { group: r.group, version: r.version, kind: s.kind },
            verbs: s.verbs,
          })),
        }
      : {}),
  };
}

/** Aggregated discovery for /api (legacy: true) or /apis. */
export function aggregatedDiscovery(legacy: boolean): unknown {
  const items = groupVersions()
    .filter((gv) => (gv.group === '') === legacy)
    .map((gv) => ({
      metadata: gv.group ? { name: gv.group } : {},
      versions: [
        { version: gv.version, freshness: 'Current', resources: gv.resources.map(discoveryResource) },
      ],
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

// OpenAPI v3: one PATCH operation per kind carrying the fieldValidation parameter is what
// kubectl's query-parameter verifier looks for; no schemas and no requestBody (kubectl then
// computes apply patches from its compiled-in types, which is right for these kinds).
function groupVersionDocument(group: string, version: string): Record<string, unknown> | undefined {
  const gv = groupVersions().find((g) => g.group === group && g.version === version);
  if (!gv) return undefined;
  const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const paths: Record<string, unknown> = {};
  for (const r of gv.resources) {
    const path = r.namespaced
      ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}`
      : `${prefix}/${r.resource}/{name}`;
    paths[path] = {
      patch: {
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
        ],
        responses: { '200': { description: 'OK' }, '201': { description: 'Created' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion },
    paths,
    components: {},
  };
}

function gvKey(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const documents = new Map<string, { text: string; hash: string }>();
function documentFor(key: string): { text: string; hash: string } | undefined {
  let d = documents.get(key);
  if (!d) {
    const gv = groupVersions().find((g) => gvKey(g.group, g.version) === key);
    if (!gv) return undefined;
    const text = JSON.stringify(groupVersionDocument(gv.group, gv.version));
    d = { text, hash: createHash('sha512').update(text).digest('hex').slice(0, 128).toUpperCase() };
    documents.set(key, d);
  }
  return d;
}

/** GET /openapi/v3: the index; keys have no leading slash; the hash changes with the content. */
export function openApiIndex(): unknown {
  const paths: Record<string, unknown> = {};
  for (const gv of groupVersions()) {
    const key = gvKey(gv.group, gv.version);
    const d = documentFor(key);
    if (d) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${d.hash}` };
  }
  return { paths };
}

/** GET /openapi/v3/<api/v1|apis/g/v>: the group-version document's JSON text. */
export function openApiDocument(key: string): string | undefined {
  return documentFor(key)?.text;
}
