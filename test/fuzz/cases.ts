// Generates one fuzz case from its Rng: a manifest for loadPods, or an HTTP request for the API.
import { stringify as toYaml } from 'yaml';
import { aliasBomb, deepArrayText, expandDeep, mutateObject, mutateText, type Json } from './mutate.ts';
import type { Rng } from './prng.ts';
import { OBJECTS, PODS } from './seeds.ts';

export interface ManifestCase {
  kind: 'manifest';
  bytes: Buffer;
}

export interface HttpCase {
  kind: 'http';
  method: string;
  /** Path and query, already percent-encoded where Node's client insists. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The answer streams (watch, follow): only the status line and headers are awaited. */
  streaming: boolean;
}

export type FuzzCase = ManifestCase | HttpCase;

function encode(rng: Rng, value: Json): Buffer {
  if (rng.chance(0.6)) return Buffer.from(expandDeep(JSON.stringify(value) ?? 'null'));
  try {
    return Buffer.from(expandDeep(toYaml(value, { aliasDuplicateObjects: false })));
  } catch {
    return Buffer.from(expandDeep(JSON.stringify(value) ?? 'null'));
  }
}

export function manifestCase(rng: Rng): ManifestCase {
  const pod = rng.pick(PODS);
  const r = rng.int(10);
  if (r < 5) return { kind: 'manifest', bytes: encode(rng, mutateObject(rng, pod)) };
  if (r < 9) return { kind: 'manifest', bytes: mutateText(rng, encode(rng, pod).toString('utf8')) };
  return { kind: 'manifest', bytes: mutateText(rng, encode(rng, mutateObject(rng, pod)).toString('utf8')) };
}

const COLLECTIONS = [
  '/api/v1/pods',
  '/api/v1/namespaces/default/pods',
  '/api/v1/namespaces/kube-system/pods',
  '/api/v1/namespaces/nope/pods',
  '/api/v1/events',
  '/api/v1/namespaces/default/events',
  '/api/v1/namespaces',
  '/api/v1/nodes',
  '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
  '/apis/events.k8s.io/v1/namespaces/default/events',
  '/apis/events.k8s.io/v1/events',
];

const OBJECT_PATHS = [
  '/api/v1/namespaces/default/pods/target',
  '/api/v1/namespaces/default/pods/target/status',
  '/api/v1/namespaces/default/pods/missing',
  '/api/v1/namespaces/default',
  '/api/v1/namespaces/default/status',
  '/api/v1/namespaces/default/finalize',
  '/api/v1/nodes/n1',
  '/api/v1/nodes/n1/status',
  '/api/v1/namespaces/default/events/ev',
  '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/l1',
];

const ODD_PATHS = [
  '/',
  '/version',
  '/api',
  '/apis',
  '/api/v1',
  '/api/v2',
  '/apis/apps/v1',
  '/apis/events.k8s.io',
  '/openapi/v3',
  '/openapi/v3/api/v1',
  '/openapi/v3/%2e%2e/%2e%2e',
  '/openapi/v2',
  '/healthz',
  '/api/v1/namespaces//pods',
  '/api/v1/namespaces/default/pods/%ZZ',
  '/api/v1/namespaces/%00/pods',
  '/api/v1/namespaces/default/pods/%E0%A4%A',
  '/api/v1/namespaces/default/pods/a%2Fb',
  '/api/v1/namespaces/default/pods/target/log',
  '/api/v1/namespaces/default/pods/target/exec?command=ls&stdout=true',
  '/api/v1/namespaces/default/pods/target/attach',
  '/api/v1/namespaces/default/pods/target/portforward',
  '/api/v1/namespaces/default/pods/target/eviction',
  '/api/v1/namespaces/default/pods/target/binding',
  '/api/v1/namespaces/default/pods/target/status/extra',
  '/api/v1/watch/pods',
  '/api/v1/watch/namespaces/default/pods/target',
  '/apis/x/y/z/w/v',
  `/api/v1/namespaces/default/pods/${'n'.repeat(5000)}`,
  `/api/v1/${'a/'.repeat(500)}`,
  '/api/v1/namespaces/default/pods/./..',
];

const LABEL_SELECTORS = [
  'app=web',
  'app==web',
  'app!=web',
  'app in (web,db)',
  'app notin (web)',
  '!app',
  'app',
  'app in ()',
  'a=b,c=d,!e',
  '=',
  ',,,',
  'app in (web',
  'app=(',
  '!',
  'a b',
  'x'.repeat(300) + '=v',
  'a=' + 'v'.repeat(300),
  'app>1',
  'app gt 1',
  '\u0000',
  'é=ü',
];

const FIELD_SELECTORS = [
  'metadata.name=target',
  'metadata.name==target',
  'metadata.name!=target',
  'metadata.namespace=default',
  'spec.nodeName=',
  'spec.nodeName!=',
  'status.phase=Running',
  'spec.restartPolicy=Always',
  'involvedObject.name=target',
  'bogus=1',
  'metadata.name',
  '=x',
  'metadata.name=a,metadata.name=b',
  'metadata.name in (a)',
  'a\\,b=c',
  'metadata.name=\\',
];

const ACCEPTS = [
  'application/json',
  'application/json;as=Table;g=meta.k8s.io;v=v1',
  'application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
  'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
  'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/vnd.kubernetes.protobuf',
  'application/yaml',
  'text/html',
  '*/*',
  ';;;,,,;=;',
  'application/json;as=Table',
];

const QUERY_VALUES: Record<string, readonly string[]> = {
  limit: ['1', '0', '-1', '2', '500', 'x', '1e3', '99999999999999999999', ''],
  continue: [
    'x',
    '',
    'e30',
    'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiJhIn0',
    'bnVsbA',
    'WzFd',
    '!!!',
    'eyJzdGFydCI6e319',
  ],
  resourceVersion: ['0', '1', '', '-1', 'x', '99999999', '1.5', '18446744073709551616'],
  resourceVersionMatch: ['NotOlderThan', 'Exact', 'bogus', ''],
  timeoutSeconds: ['0', '1', '-1', 'x', '99999999999'],
  allowWatchBookmarks: ['true', 'false', 'x'],
  sendInitialEvents: ['true', 'false'],
  includeObject: ['None', 'Object', 'Metadata', 'x', ''],
  pretty: ['true', '1', 'false', 'x'],
  dryRun: ['All', 'x', ''],
  fieldManager: ['fuzz', '', 'x'.repeat(200), '\u0000'],
  fieldValidation: ['Strict', 'Warn', 'Ignore', 'bogus', ''],
  force: ['true', 'false', 'x'],
  propagationPolicy: ['Foreground', 'Background', 'Orphan', 'x'],
  gracePeriodSeconds: ['0', '1', '-1', 'x', '99999999999999'],
  container: ['c', 'missing', ''],
  tailLines: ['0', '1', '-1', 'x'],
  sinceSeconds: ['0', '1', '-1', 'x'],
  sinceTime: ['2026-01-01T00:00:00Z', 'x', ''],
  limitBytes: ['0', '1', '-1', 'x'],
  previous: ['true', 'false'],
  timestamps: ['true', 'x'],
  command: ['ls', '', 'sh'],
  stdout: ['true', 'false'],
};

function queryString(rng: Rng, streamingAllowed: boolean): { q: string; streaming: boolean } {
  const parts: string[] = [];
  let streaming = false;
  const n = rng.int(5);
  for (let i = 0; i < n; i++) {
    const r = rng.int(10);
    if (r < 2) parts.push(`labelSelector=${encodeURIComponent(rng.pick(LABEL_SELECTORS))}`);
    else if (r < 4) parts.push(`fieldSelector=${encodeURIComponent(rng.pick(FIELD_SELECTORS))}`);
    else if (r < 5 && streamingAllowed) {
      parts.push(`watch=${rng.pick(['true', '1', 'false', 'x'])}`);
      streaming = true;
    } else if (r < 6)
      parts.push(
        rng.pick([
          '%ZZ',
          '%',
          '=',
          '&&',
          'a=%00',
          '%C3=1',
          'limit=1&limit=2',
          'watch',
          `x=${'z'.repeat(10_000)}`,
        ]),
      );
    else {
      const name = rng.pick(Object.keys(QUERY_VALUES));
      parts.push(`${name}=${encodeURIComponent(rng.pick(QUERY_VALUES[name] ?? ['']))}`);
      if (name === 'follow') streaming = true;
    }
  }
  return { q: parts.length > 0 ? `?${parts.join('&')}` : '', streaming };
}

function jsonPatch(rng: Rng): Json {
  const ops: Json[] = [];
  const n = 1 + rng.int(4);
  const paths = [
    '/metadata/labels/app',
    '/metadata/labels/a~1b',
    '/metadata/labels',
    '/metadata/annotations/x',
    '/spec/containers/0/image',
    '/spec/containers/-',
    '/spec/containers/9',
    '/spec/containers/01',
    '/spec/activeDeadlineSeconds',
    '/status/phase',
    '/metadata',
    '/',
    '',
    '/~2',
    '/~',
    'no-slash',
    '/spec/containers/-1',
    '/spec/containers/99999999999999999999',
    '/metadata/finalizers/0',
  ];
  for (let i = 0; i < n; i++) {
    ops.push(
      mutateObject(rng, {
        op: rng.pick(['add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus']),
        path: rng.pick(paths),
        from: rng.pick(paths),
        value: rng.pick<Json>(['v', 1, null, { a: 'b' }, [1], 'x'.repeat(1000)]),
      }),
    );
  }
  if (rng.chance(0.1)) return { op: 'add' }; // not a list
  if (rng.chance(0.05))
    return Array.from({ length: 20 }, () => ({ op: 'copy', from: '/spec', path: '/metadata/annotations/c' }));
  return ops;
}

function strategicPatch(rng: Rng): Json {
  const base: Json = rng.pick<Json>([
    { metadata: { labels: { app: 'db' } } },
    { spec: { containers: [{ name: 'c', image: 'busybox:2' }] } },
    { spec: { containers: [{ name: 'c', $patch: 'delete' }] } },
    { spec: { containers: [{ $patch: 'replace' }] } },
    { spec: { $setElementOrder: { containers: [{ name: 'z' }] } } },
    { spec: { 'containers/$setElementOrder': [{ name: 'c' }] } },
    { metadata: { $deleteFromPrimitiveList: { finalizers: ['a'] } } },
    { metadata: { '$deleteFromPrimitiveList/finalizers': ['example.com/f'] } },
    { $retainKeys: ['spec'], spec: {} },
    { spec: { $retainKeys: 'x' } },
    { $patch: 'bogus' },
    { $patch: 'delete' },
    { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
    { spec: { tolerations: [{ $patch: 'merge' }] } },
    { spec: { containers: { name: 'c' } } },
    { spec: { containers: [null, 1, 'x'] } },
  ]);
  return mutateObject(rng, base);
}

function bodyFor(rng: Rng, object: Json): Buffer {
  const r = rng.int(20);
  if (r === 0) return rng.bytes(rng.int(200));
  if (r === 1) return Buffer.concat([Buffer.from('k8s\u0000'), rng.bytes(rng.int(200))]);
  if (r === 2) return Buffer.from(aliasBomb(rng.pick([6, 9]), 10));
  if (r === 3) return Buffer.from(deepArrayText());
  if (r === 4) return mutateText(rng, JSON.stringify(object));
  if (r === 5) return Buffer.from('');
  return encode(rng, mutateObject(rng, object));
}

function contentTypeFor(rng: Rng, body: Buffer): string {
  if (rng.chance(0.8)) return body[0] === 0x7b || body[0] === 0x5b ? 'application/json' : 'application/yaml';
  return rng.pick([
    'application/json',
    'application/yaml',
    'application/vnd.kubernetes.protobuf',
    'application/json; charset=utf-8',
    'text/plain',
    '',
    ';',
    'application/merge-patch+json',
  ]);
}

export function httpCase(rng: Rng): HttpCase {
  const headers: Record<string, string> = {};
  if (rng.chance(0.2)) headers.accept = rng.pick(ACCEPTS);
  const r = rng.int(12);
  if (r < 3) {
    // list / watch / get with odd queries
    const path = rng.pick(rng.chance(0.7) ? COLLECTIONS : [...OBJECT_PATHS, ...ODD_PATHS]);
    const { q, streaming } = queryString(rng, true);
    const sep = path.includes('?') ? (q ? `&${q.slice(1)}` : '') : q;
    const follow = /\/log$/.test(path) && rng.chance(0.3);
    return {
      kind: 'http',
      method: rng.chance(0.9) ? 'GET' : rng.pick(['HEAD', 'OPTIONS', 'TRACE', 'PROPFIND']),
      path: `${path}${sep}${follow ? (sep ? '&' : '?') + 'follow=true' : ''}`,
      headers,
      streaming: streaming || follow,
    };
  }
  if (r < 6) {
    const seed = rng.pick(OBJECTS);
    const body = bodyFor(rng, seed.object);
    headers['content-type'] = contentTypeFor(rng, body);
    return {
      kind: 'http',
      method: 'POST',
      path: seed.path + queryString(rng, false).q,
      headers,
      body,
      streaming: false,
    };
  }
  if (r < 7) {
    const path = rng.pick(OBJECT_PATHS);
    const seed = path.includes('/pods/') ? rng.pick(PODS) : rng.pick(OBJECTS).object;
    const named = structuredClone(seed) as Record<string, Json>;
    if (named.metadata && typeof named.metadata === 'object' && !Array.isArray(named.metadata))
      named.metadata = {
        ...named.metadata,
        name: path.split('/')[path.includes('/status') ? 6 : 6] ?? 'target',
      };
    const body = bodyFor(rng, named);
    headers['content-type'] = contentTypeFor(rng, body);
    return {
      kind: 'http',
      method: 'PUT',
      path: path + queryString(rng, false).q,
      headers,
      body,
      streaming: false,
    };
  }
  if (r < 10) {
    const path = rng.pick(OBJECT_PATHS);
    const type = rng.pick([
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
      'application/apply-patch+cbor',
      'application/json',
    ]);
    headers['content-type'] = type;
    let body: Buffer;
    if (type === 'application/json-patch+json')
      body = Buffer.from(expandDeep(JSON.stringify(jsonPatch(rng))));
    else if (type === 'application/apply-patch+yaml') body = encode(rng, mutateObject(rng, rng.pick(PODS)));
    else
      body = rng.chance(0.8)
        ? Buffer.from(expandDeep(JSON.stringify(strategicPatch(rng))))
        : bodyFor(rng, {});
    const q = queryString(rng, false).q;
    const fm =
      type.includes('apply') && rng.chance(0.8)
        ? `fieldManager=fuzz${rng.chance(0.3) ? '&force=true' : ''}`
        : '';
    const query = q && fm ? `${q}&${fm}` : q || (fm ? `?${fm}` : '');
    return { kind: 'http', method: 'PATCH', path: path + query, headers, body, streaming: false };
  }
  // delete, with DeleteOptions bodies
  const path = rng.pick(rng.chance(0.8) ? OBJECT_PATHS : COLLECTIONS);
  const opts = mutateObject(rng, {
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    gracePeriodSeconds: 0,
    propagationPolicy: 'Background',
    preconditions: { uid: 'x', resourceVersion: '1' },
    dryRun: ['All'],
  });
  const withBody = rng.chance(0.5);
  if (withBody) headers['content-type'] = 'application/json';
  return {
    kind: 'http',
    method: 'DELETE',
    path: path + queryString(rng, false).q,
    headers,
    ...(withBody ? { body: Buffer.from(JSON.stringify(opts)) } : {}),
    streaming: false,
  };
}

export function fuzzCase(rng: Rng): FuzzCase {
  return rng.chance(0.4) ? manifestCase(rng) : httpCase(rng);
}
