import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ManifestError } from './decode.ts';
import type { ConfigMap, Secret, Service } from 'kubernetes-types/core/v1.js';
import { formatInvalid, loadPods, ManifestInvalidError, RUN_KINDS, runtimeClassRejection } from './load.ts';

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

describe('loadPods with ConfigMaps, Secrets and Services (nodelet run files)', () => {
  const run = { ...options, kinds: RUN_KINDS, runtimeClasses: ['process', 'oci'] };

  it('returns the other objects defaulted, in manifest order, from documents and Lists', async () => {
    const path = await file(
      'mixed.yaml',
      [
        'apiVersion: v1',
        'kind: Pod',
        'metadata: {name: app}',
        'spec:',
        '  runtimeClassName: oci',
        '  containers: [{name: c, image: busybox, env: [{name: A, valueFrom: {configMapKeyRef: {name: cfg, key: a}}}]}]',
        '---',
        'apiVersion: v1',
        'kind: List',
        'items:',
        '- apiVersion: v1',
        '  kind: Service',
        '  metadata: {name: web}',
        '  spec: {selector: {app: web}, ports: [{port: 80}]}',
        '- apiVersion: v1',
        '  kind: Secret',
        '  metadata: {name: creds, namespace: team}',
        '  stringData: {password: hunter2}',
        '---',
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata: {name: cfg}',
        'data: {a: "1"}',
        '',
      ].join('\n'),
    );
    const { pods, resources } = await loadPods([path], run);
    assert.deepEqual(
      pods.map((p) => p.metadata?.name),
      ['app'],
    );
    assert.deepEqual(
      resources.map((r) => [r.kind, r.object.metadata?.namespace, r.object.metadata?.name]),
      [
        ['Service', 'default', 'web'],
        ['Secret', 'team', 'creds'],
        ['ConfigMap', 'default', 'cfg'],
      ],
    );
    const [svc, secret, cm] = resources.map((r) => r.object);
    assert.deepEqual((svc as Service).spec?.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.equal((svc as Service).spec?.type, 'ClusterIP');
    assert.deepEqual((secret as Secret).data, { password: Buffer.from('hunter2').toString('base64') });
    assert.equal((secret as Secret).type, 'Opaque');
    assert.equal((secret as Secret).stringData, undefined);
    assert.deepEqual((cm as ConfigMap).data, { a: '1' });
    assert.equal(cm?.metadata?.creationTimestamp, '2025-01-02T03:04:05Z');
    assert.match(cm?.metadata?.uid ?? '', /^uid-\d+$/);
  });

  it('a bad ConfigMap means nothing loads: the API server’s wording with the file and line', async () => {
    const path = await file(
      'badcm.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: ok}\nspec: {containers: [{name: c, image: x}]}\n---\n' +
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  good: "1"\n  a b: "2"\n',
    );
    await assert.rejects(loadPods([path], run), (e: unknown) => {
      assert.ok(e instanceof ManifestInvalidError);
      assert.equal(
        e.message,
        `The ConfigMap "x" is invalid: ${path}:11: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
      );
      assert.equal(e.errors[0]?.kind, 'ConfigMap');
      return true;
    });
  });

  it('strict decoding and names of the other kinds, each under its own header', async () => {
    const path = await file(
      'badothers.yaml',
      'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndatta: {}\n---\n' +
        'apiVersion: v1\nkind: Service\nmetadata: {name: Web}\nspec: {ports: [{port: 80}]}\n',
    );
    await assert.rejects(loadPods([path], run), (e: unknown) => {
      assert.ok(e instanceof ManifestInvalidError);
      const lines = e.message.split('\n');
      assert.equal(lines[0], `The Secret "s" is invalid: ${path}:4: unknown field "datta"`);
      assert.match(
        lines[1] ?? '',
        /^The Service "Web" is invalid: .*:8: metadata\.name: Invalid value: "Web": a DNS-1035 label must consist of lower case/,
      );
      return true;
    });
  });

  it('two ConfigMaps with one name are AlreadyExists; a Pod and a ConfigMap may share one', async () => {
    const path = await file(
      'dupcm.yaml',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: same}\nspec: {containers: [{name: c, image: x}]}\n---\n' +
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: same}\n',
    );
    await assert.rejects(loadPods([path], run), {
      message: `The ConfigMap "same" is invalid: ${path}:12: configmaps "same" already exists`,
    });
  });

  it('kinds nodelet cannot run are refused naming the kind and what it can', async () => {
    const path = await file('dep2.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n');
    await assert.rejects(loadPods([path], run), {
      message: `${path}: document 1: kind "Deployment" (apps/v1) is not supported by nodelet; supported kinds: Pod (v1), ConfigMap (v1), Secret (v1), Service (v1)`,
    });
  });

  it('a pod naming a RuntimeClass that does not exist is Forbidden, as the admission plugin says', async () => {
    const path = await file(
      'rc.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: g}\nspec:\n  runtimeClassName: gvisor\n  containers: [{name: c, image: x}]\n',
    );
    await assert.rejects(loadPods([path], run), (e: unknown) => {
      assert.ok(e instanceof ManifestInvalidError);
      assert.equal(
        e.message,
        `${path}:5: pods "g" is forbidden: pod rejected: RuntimeClass "gvisor" not found`,
      );
      assert.equal(e.errors[0]?.reason, 'Forbidden');
      return true;
    });
    assert.equal(runtimeClassRejection({ metadata: { name: 'p' }, spec: { containers: [] } }, []), undefined);
  });
});
