import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ManifestError } from './decode.ts';
import { formatInvalid, loadPods, ManifestInvalidError } from './load.ts';

let dir = '';
let counter = 0;
const options = { now: Date.UTC(2025, 0, 2, 3, 4, 5), uid: () => `uid-${++counter}` };

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nodelet-load-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadPods', () => {
  it('returns defaulted pods in manifest order', async () => {
    const path = await file(
      'ok.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers: [{name: c, image: busybox}]\n---\n' +
        'apiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: team}\nspec:\n  containers: [{name: c, image: busybox:1.36}]\n',
    );
    const { pods, objects, warnings } = await loadPods([path], options);
    assert.deepEqual(
      pods.map((p) => [
        p.metadata?.namespace,
        p.metadata?.name,
        p.spec?.containers[0]?.imagePullPolicy,
        p.status?.phase,
      ]),
      [
        ['default', 'a', 'Always', 'Pending'],
        ['team', 'b', 'IfNotPresent', 'Pending'],
      ],
    );
    assert.deepEqual(
      objects.map((o) => o.document),
      [1, 2],
    );
    assert.deepEqual(warnings, []);
  });

  it('uses the given namespace for pods that name none', async () => {
    const { pods } = await loadPods(['-'], {
      ...options,
      namespace: 'dev',
      stdin: Readable.from([
        'apiVersion: v1\nkind: Pod\nmetadata: {name: s}\nspec: {containers: [{name: c, image: x}]}\n',
      ]),
    });
    assert.equal(pods[0]?.metadata?.namespace, 'dev');
  });

  it('lists every error with its file and line, grouped under the pod', async () => {
    const path = await file(
      'bad.yaml',
      [
        'apiVersion: v1', // 1
        'kind: Pod', // 2
        'metadata:', // 3
        '  name: web', // 4
        'spec:', // 5
        '  restartPolicy: Sometimes', // 6
        '  containers:', // 7
        '  - name: app', // 8
        '  - name: app', // 9
        '    image: nginx', // 10
        '',
      ].join('\n'),
    );
    await assert.rejects(loadPods([path], options), (e: unknown) => {
      assert.ok(e instanceof ManifestInvalidError);
      assert.equal(
        e.message,
        [
          'The Pod "web" is invalid: ',
          `* ${path}:8: spec.containers[0].image: Required value`,
          `* ${path}:9: spec.containers[1].name: Duplicate value: "app"`,
          `* ${path}:6: spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"`,
        ].join('\n'),
      );
      assert.deepEqual(
        e.errors.map((p) => [p.line, p.field, p.fieldError?.type]),
        [
          [8, 'spec.containers[0].image', 'FieldValueRequired'],
          [9, 'spec.containers[1].name', 'FieldValueDuplicate'],
          [6, 'spec.restartPolicy', 'FieldValueNotSupported'],
        ],
      );
      return true;
    });
  });

  it('prints a single error on one line, as kubectl does', async () => {
    const path = await file(
      'one.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: solo}\nspec: {containers: []}\n',
    );
    await assert.rejects(loadPods([path], options), {
      message: `The Pod "solo" is invalid: ${path}:4: spec.containers: Required value`,
    });
  });

  it('rejects unknown and duplicate fields by default, warns or ignores on request', async () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata: {name: typo}\nspec:\n  containers:\n  - name: app\n    image: nginx\n    imagePullPolcy: Always\n    name: app\n';
    const path = await file('typo.yaml', text);
    await assert.rejects(loadPods([path], options), {
      message: [
        'The Pod "typo" is invalid: ',
        `* ${path}:8: unknown field "spec.containers[0].imagePullPolcy"`,
        `* ${path}:9: duplicate field "spec.containers[0].name"`,
      ].join('\n'),
    });
    const warned = await loadPods([path], { ...options, fieldValidation: 'Warn' });
    assert.equal(warned.pods.length, 1);
    assert.deepEqual(
      warned.warnings.map((w) => w.text),
      ['unknown field "spec.containers[0].imagePullPolcy"', 'duplicate field "spec.containers[0].name"'],
    );
    const ignored = await loadPods([path], { ...options, fieldValidation: 'Ignore' });
    assert.equal(ignored.pods.length, 1);
    assert.deepEqual(ignored.warnings, []);
  });

  it('reports JSON type errors, such as a YAML boolean where a string belongs', async () => {
    const path = await file(
      'types.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: t}\nspec:\n  containers:\n  - name: app\n    image: nginx\n    env:\n    - name: DEBUG\n      value: yes\n',
    );
    await assert.rejects(loadPods([path], options), {
      message: `The Pod "t" is invalid: ${path}:10: json: cannot unmarshal bool into Go struct field EnvVar.spec.containers.env.value of type string`,
    });
  });

  it('checks every file before running anything', async () => {
    const good = await file(
      'g.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: g}\nspec: {containers: [{name: c, image: x}]}\n',
    );
    const bad = await file(
      'b2.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: Bad}\nspec: {containers: [{name: c, image: x}]}\n',
    );
    await assert.rejects(
      loadPods([good, bad], options),
      (e: unknown) => e instanceof ManifestInvalidError && e.errors.length === 1,
    );
  });

  it('rejects two pods with one name', async () => {
    const path = await file(
      'dupe.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: same}\nspec: {containers: [{name: c, image: x}]}\n---\n' +
        'apiVersion: v1\nkind: Pod\nmetadata: {name: same}\nspec: {containers: [{name: c, image: x}]}\n',
    );
    await assert.rejects(loadPods([path], options), {
      message: `The Pod "same" is invalid: ${path}:8: pods "same" already exists`,
    });
  });

  it('fails on unsupported kinds and syntax errors with a ManifestError', async () => {
    const dep = await file('dep.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n');
    await assert.rejects(
      loadPods([dep], options),
      (e: unknown) =>
        e instanceof ManifestError && /kind "Deployment" \(apps\/v1\) is not supported/.test(e.message),
    );
    const broken = await file('broken.yaml', 'a: b: c\n');
    await assert.rejects(
      loadPods([broken], options),
      (e: unknown) => e instanceof ManifestError && e.line === 1,
    );
  });
});

describe('formatInvalid', () => {
  it('matches kubectl for one and several causes', () => {
    assert.equal(
      formatInvalid('Pod', 'web', ['spec.containers: Required value']),
      'The Pod "web" is invalid: spec.containers: Required value',
    );
    assert.equal(formatInvalid('Pod', 'web', ['a', 'b', 'a']), 'The Pod "web" is invalid: \n* a\n* b');
  });
});
