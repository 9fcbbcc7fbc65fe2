import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  decodeManifests,
  goJSON,
  ManifestError,
  parseFieldPath,
  readManifests,
  requireKind,
} from './decode.ts';

function only(text: string): Record<string, unknown> {
  const objs = decodeManifests(text, 'x.yaml');
  assert.equal(objs.length, 1);
  return (objs[0] as { object: Record<string, unknown> }).object;
}

describe('YAML 1.1 scalars, as kubectl reads manifests', () => {
  const cases: [string, unknown][] = [
    ['yes', true],
    ['Yes', true],
    ['on', true],
    ['ON', true],
    ['y', true],
    ['no', false],
    ['off', false],
    ['n', false],
    ['true', true],
    ['0644', 420],
    ['0x1F', 31],
    ['0b101', 5],
    ['1_000', 1000],
    ['1e3', 1000],
    ['.5', 0.5],
    ['~', null],
    ['null', null],
    ['', null],
    // go-yaml v2 hands timestamps and sexagesimal numbers to kubectl as strings.
    ['2001-12-14', '2001-12-14'],
    ['2001-12-14T21:59:43Z', '2001-12-14T21:59:43Z'],
    ['1:30', '1:30'],
    ['"yes"', 'yes'],
    ["'0644'", '0644'],
    ['08', 8],
  ];
  for (const [text, want] of cases) {
    it(`${JSON.stringify(text)} → ${JSON.stringify(want)}`, () => {
      assert.deepEqual(only(`kind: Pod\nvalue: ${text}\n`).value, want);
    });
  }

  it('stringifies non-string keys as the JSON conversion does', () => {
    assert.deepEqual(only('labels:\n  on: a\n  1: b\n').labels, { true: 'a', 1: 'b' });
  });

  it('resolves anchors, aliases and merge keys', () => {
    const obj = only('base: &b {a: 1, b: 2}\nderived:\n  <<: *b\n  b: 3\nref: *b\n');
    assert.deepEqual(obj.derived, { a: 1, b: 3 });
    assert.deepEqual(obj.ref, { a: 1, b: 2 });
  });
});

describe('documents and lists', () => {
  it('reads every document and skips empty ones', () => {
    const objs = decodeManifests(
      '---\nkind: Pod\nmetadata: {name: a}\n---\n---\n# only a comment\n---\nkind: Pod\nmetadata: {name: b}\n',
      'm.yaml',
    );
    assert.deepEqual(
      objs.map((o) => [o.index, o.document, (o.object.metadata as { name: string }).name]),
      [
        [0, 1, 'a'],
        [1, 4, 'b'],
      ],
    );
  });

  it('expands List and *List kinds into their items', () => {
    const text = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Pod',
      '  metadata:',
      '    name: one',
      '- apiVersion: v1',
      '  kind: Pod',
      '  metadata:',
      '    name: two',
      '---',
      'apiVersion: v1',
      'kind: PodList',
      'items:',
      '- {apiVersion: v1, kind: Pod, metadata: {name: three}}',
      '',
    ].join('\n');
    const objs = decodeManifests(text, 'l.yaml');
    assert.deepEqual(
      objs.map((o) => [o.index, o.document, o.item, (o.object.metadata as { name: string }).name]),
      [
        [0, 1, 0, 'one'],
        [1, 1, 1, 'two'],
        [2, 2, 0, 'three'],
      ],
    );
    // Lines are those of the item inside the list.
    assert.equal(objs[1]?.lineOf('metadata.name'), 11);
    assert.equal(objs[1]?.lineOf(''), 8);
    assert.equal(objs[2]?.lineOf('metadata.name'), 16);
  });

  it('reads JSON, with line numbers', () => {
    const text = '{\n  "apiVersion": "v1",\n  "kind": "Pod",\n  "metadata": {\n    "name": "j"\n  }\n}\n';
    const [o] = decodeManifests(text, 'p.json');
    assert.deepEqual(o?.object.metadata, { name: 'j' });
    assert.equal(o?.lineOf('metadata.name'), 5);
  });

  it('rejects a document that is not an object', () => {
    assert.throws(() => decodeManifests('just text\n', 's.yaml'), {
      message:
        'unable to decode "s.yaml": json: cannot unmarshal string into Go value of type map[string]interface {}',
    });
  });
});

describe('lineOf', () => {
  const text = [
    'apiVersion: v1', // 1
    'kind: Pod', // 2
    'metadata:', // 3
    '  name: web', // 4
    '  labels:', // 5
    '    app.kubernetes.io/name: web', // 6
    'spec:', // 7
    '  containers:', // 8
    '  - name: app', // 9
    '    image: nginx', // 10
    '    ports:', // 11
    '    - containerPort: 80', // 12
    '  - name: side', // 13
    '    image: busybox', // 14
    '',
  ].join('\n');
  const [o] = decodeManifests(text, 'web.yaml');
  const cases: [string, number | undefined][] = [
    ['metadata.name', 4],
    ['metadata.labels[app.kubernetes.io/name]', 6],
    ['spec.containers', 8],
    ['spec.containers[0]', 9],
    ['spec.containers[0].name', 9],
    ['spec.containers[0].ports[0].containerPort', 12],
    ['spec.containers[1].image', 14],
    // Missing fields fall back to the nearest parent present.
    ['spec.containers[1].imagePullPolicy', 13],
    ['spec.containers[5].name', 8],
    ['spec.restartPolicy', 7],
    ['status.phase', 1],
    ['', 1],
  ];
  for (const [path, want] of cases)
    it(`${path || '(root)'} → ${want}`, () => assert.equal(o?.lineOf(path), want));

  it('parses field paths', () => {
    assert.deepEqual(parseFieldPath('spec.containers[0].env[1].name'), [
      { name: 'spec' },
      { name: 'containers' },
      { index: 0 },
      { name: 'env' },
      { index: 1 },
      { name: 'name' },
    ]);
    assert.deepEqual(parseFieldPath('metadata.annotations[example.com/x]'), [
      { name: 'metadata' },
      { name: 'annotations' },
      { key: 'example.com/x' },
    ]);
  });
});

describe('duplicate keys', () => {
  it('keeps the last value, as go-yaml does, and reports the duplicate', () => {
    const [o] = decodeManifests(
      'kind: Pod\nspec:\n  containers:\n  - name: a\n    image: x1\n    image: x2\n',
      'd.yaml',
    );
    assert.equal(
      ((o?.object.spec as { containers: { image: string }[] }).containers[0] as { image: string }).image,
      'x2',
    );
    assert.deepEqual(o?.duplicateFields, [
      { strictPath: 'spec.containers[0].image', path: 'spec.containers[0].image' },
    ]);
    assert.equal(o?.lineOf('spec.containers[0].image'), 6);
  });
});

describe('duplicate keys in JSON', () => {
  it('finds them too, for strict decoding of request bodies', () => {
    const [o] = decodeManifests('{"kind": "Pod", "metadata": {"name": "a", "name": "b"}}', 'body');
    assert.deepEqual(o?.object.metadata, { name: 'b' });
    assert.deepEqual(o?.duplicateFields, [{ strictPath: 'metadata.name', path: 'metadata.name' }]);
  });
});

describe('YAML syntax errors, in go-yaml words', () => {
  const cases: [string, string, number][] = [
    ['a: b: c\n', 'yaml: line 1: mapping values are not allowed in this context', 1],
    [
      'spec:\n  containers:\n  - name: a\n     image: b\n',
      'yaml: line 4: mapping values are not allowed in this context',
      4,
    ],
    // go-yaml counts parser errors from 0: the line before the problem.
    ['metadata:\n  name: x\n labels: y\n', 'yaml: line 2: did not find expected key', 3],
    ['a:\n\tb: c\n', 'yaml: line 2: found character that cannot start any token', 2],
    ['a: "abc\nb: c\n', 'yaml: line 3: found unexpected end of stream', 3],
    ['- a\nb: c\n', "yaml: line 1: did not find expected '-' indicator", 2],
  ];
  for (const [text, want, line] of cases) {
    it(want, () => {
      assert.throws(
        () => decodeManifests(text, 'bad.yaml'),
        (e: unknown) => {
          assert.ok(e instanceof ManifestError);
          assert.equal(e.message, `error parsing bad.yaml: error converting YAML to JSON: ${want}`);
          assert.equal(e.source, 'bad.yaml');
          assert.equal(e.line, line);
          return true;
        },
      );
    });
  }
  it('reports unknown anchors', () => {
    assert.throws(() => decodeManifests('a: *nope\n', 'bad.yaml'), {
      message:
        "error parsing bad.yaml: error converting YAML to JSON: yaml: unknown anchor 'nope' referenced",
    });
  });
  it('reports broken JSON with its line', () => {
    assert.throws(
      () => decodeManifests('{\n  "kind": "Pod",\n}\n', 'bad.json'),
      (e: unknown) =>
        e instanceof ManifestError && e.message.startsWith('error parsing bad.json: ') && e.line === 3,
    );
  });
});

describe('requireKind', () => {
  it('accepts supported kinds', () => {
    requireKind(decodeManifests('apiVersion: v1\nkind: Pod\n', 'p.yaml'), ['Pod']);
  });
  it('names the document of an unsupported kind', () => {
    const objs = decodeManifests(
      'apiVersion: v1\nkind: Pod\n---\napiVersion: apps/v1\nkind: Deployment\n',
      'examples/x.yaml',
    );
    assert.throws(() => requireKind(objs, ['Pod']), {
      message:
        'examples/x.yaml: document 2: kind "Deployment" (apps/v1) is not supported by nodelet; supported kinds: Pod (v1)',
    });
  });
  it('names list items', () => {
    const objs = decodeManifests(
      'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Service}\n',
      'l.yaml',
    );
    assert.throws(() => requireKind(objs, ['Pod', 'apps/v1/Deployment']), {
      message:
        'l.yaml: document 1 item 1: kind "Service" (v1) is not supported by nodelet; supported kinds: Pod (v1), Deployment (apps/v1)',
    });
  });
  it('words a missing kind or apiVersion as kubectl does', () => {
    assert.throws(
      () =>
        requireKind(decodeManifests('apiVersion: v1\nmetadata: {name: x, z: "<&>"}\n', 'k.yaml'), ['Pod']),
      {
        message: `unable to decode "k.yaml": Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x","z":"\\u003c\\u0026\\u003e"}}'`,
      },
    );
    assert.throws(() => requireKind(decodeManifests('kind: Pod\nmetadata: {name: x}\n', 'v.yaml'), ['Pod']), {
      message: `unable to decode "v.yaml": Object 'apiVersion' is missing in '{"kind":"Pod","metadata":{"name":"x"}}'`,
    });
  });
  it('prints JSON as Go does', () => {
    assert.equal(goJSON({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('readManifests', () => {
  let dir = '';
  let server: Server;
  let base = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nodelet-decode-'));
    await writeFile(join(dir, 'a.yaml'), 'kind: Pod\nmetadata: {name: a}\n');
    await mkdir(join(dir, 'manifests'));
    await writeFile(join(dir, 'manifests', 'b.yml'), 'kind: Pod\nmetadata: {name: b}\n');
    await writeFile(join(dir, 'manifests', 'a.json'), '{"kind": "Pod", "metadata": {"name": "a-json"}}');
    await writeFile(
      join(dir, 'manifests', 'c.yaml'),
      'kind: Pod\nmetadata: {name: c}\n---\nkind: Pod\nmetadata: {name: c2}\n',
    );
    await writeFile(join(dir, 'manifests', 'notes.txt'), 'not a manifest');
    await mkdir(join(dir, 'manifests', 'sub.yaml'));
    server = createServer((req, res) => {
      if (req.url === '/pod.yaml') {
        res.writeHead(200, { 'content-type': 'application/yaml' });
        res.end('kind: Pod\nmetadata: {name: remote}\n');
      } else {
        res.writeHead(404, 'Not Found');
        res.end('nope');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const names = (objs: { object: Record<string, unknown> }[]): string[] =>
    objs.map((o) => (o.object.metadata as { name: string }).name);

  it('reads files and directories in name order, manifests only', async () => {
    const objs = await readManifests([join(dir, 'a.yaml'), join(dir, 'manifests')]);
    assert.deepEqual(names(objs), ['a', 'a-json', 'b', 'c', 'c2']);
    assert.equal(objs[2]?.source, join(dir, 'manifests', 'b.yml'));
    assert.equal(objs[4]?.index, 1);
  });

  it('reads stdin for -', async () => {
    const objs = await readManifests(['-'], {
      stdin: Readable.from(['kind: Pod\n', 'metadata: {name: piped}\n']),
    });
    assert.deepEqual(names(objs), ['piped']);
    assert.equal(objs[0]?.source, 'STDIN');
  });

  it('reads URLs', async () => {
    const objs = await readManifests([`${base}/pod.yaml`]);
    assert.deepEqual(names(objs), ['remote']);
    assert.equal(objs[0]?.source, `${base}/pod.yaml`);
  });

  it('names the URL and status of a failed download', async () => {
    await assert.rejects(readManifests([`${base}/missing.yaml`]), {
      message: `unable to read URL "${base}/missing.yaml", server reported 404 Not Found, status code=404`,
    });
  });

  it('uses an injected fetch', async () => {
    const fake: typeof fetch = () => Promise.resolve(new Response('kind: Pod\nmetadata: {name: faked}\n'));
    assert.deepEqual(names(await readManifests(['https://example.invalid/p.yaml'], { fetch: fake })), [
      'faked',
    ]);
  });

  it('says when a path does not exist', async () => {
    await assert.rejects(readManifests([join(dir, 'nope.yaml')]), {
      message: `the path ${JSON.stringify(join(dir, 'nope.yaml'))} does not exist`,
    });
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(readManifests([join(dir, 'a.yaml')], { signal: ac.signal }), { name: 'AbortError' });
  });
});
