import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, JsonPatchError } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { applyStrategicMergePatch, StrategicMergeError } from './strategic-merge.ts';
import { podPatchMeta } from './patch-meta.ts';

const pod = () => ({
  metadata: { name: 'web', labels: { app: 'web', tier: 'back' }, finalizers: ['a'] },
  spec: {
    containers: [
      {
        name: 'nginx',
        image: 'nginx:1.27',
        args: ['-g', 'daemon off;'],
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        env: [
          { name: 'A', value: 'a' },
          { name: 'B', value: 'b' },
        ],
      },
      { name: 'side', image: 'busybox' },
    ],
    volumes: [{ name: 'data', emptyDir: {} }],
    tolerations: [{ key: 'x', operator: 'Exists' }],
  },
});

describe('strategic merge patch', () => {
  test("kubectl client-side apply's patch: merge by name, null deletes, $setElementOrder reorders", () => {
    const patch = {
      metadata: {
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' },
        labels: { tier: 'front' },
      },
      spec: {
        '$setElementOrder/containers': [{ name: 'side' }, { name: 'nginx' }],
        containers: [
          { name: 'nginx', image: 'nginx:1.28', env: [{ name: 'A', value: 'z' }], ports: null },
          { name: 'side', image: 'busybox:1' },
        ],
      },
    };
    const out = applyStrategicMergePatch(pod(), patch, podPatchMeta);
    assert.deepEqual(out.metadata.labels, { app: 'web', tier: 'front' });
    assert.deepEqual(Object.keys(out.metadata), ['name', 'labels', 'finalizers', 'annotations']);
    assert.deepEqual(
      out.spec.containers.map((c) => c.name),
      ['side', 'nginx'],
    );
    const nginx = out.spec.containers[1] as Record<string, unknown>;
    assert.equal(nginx.image, 'nginx:1.28');
    assert.equal(nginx.ports, undefined, 'null removes the field');
    assert.deepEqual(nginx.args, ['-g', 'daemon off;'], 'untouched fields stay');
    assert.deepEqual(nginx.env, [
      { name: 'A', value: 'z' },
      { name: 'B', value: 'b' },
    ]);
    assert.ok(!JSON.stringify(out).includes('$'), 'no directive is stored');
  });

  test('$patch: delete removes a list element; $patch: replace replaces a list or a map', () => {
    const out = applyStrategicMergePatch(
      pod(),
      {
        spec: {
          containers: [{ name: 'side', $patch: 'delete' }],
          volumes: [{ $patch: 'replace' }, { name: 'cfg', configMap: { name: 'c' } }],
        },
        metadata: { labels: { $patch: 'replace', only: 'this' } },
      },
      podPatchMeta,
    );
    assert.deepEqual(
      out.spec.containers.map((c) => c.name),
      ['nginx'],
    );
    assert.deepEqual(out.spec.volumes, [{ name: 'cfg', configMap: { name: 'c' } }]);
    assert.deepEqual(out.metadata.labels, { only: 'this' });
  });

  test('atomic lists are replaced; finalizers merge as a set; $deleteFromPrimitiveList removes', () => {
    const out = applyStrategicMergePatch(
      pod(),
      {
        metadata: { finalizers: ['b', 'a'] },
        spec: {
          tolerations: [{ key: 'y', operator: 'Exists' }],
          containers: [{ name: 'nginx', args: ['x'] }],
        },
      },
      podPatchMeta,
    );
    assert.deepEqual(out.metadata.finalizers, ['a', 'b']);
    assert.deepEqual(out.spec.tolerations, [{ key: 'y', operator: 'Exists' }]);
    assert.deepEqual(out.spec.containers[0]?.args, ['x']);
    const out2 = applyStrategicMergePatch(
      out,
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } },
      podPatchMeta,
    );
    assert.deepEqual(out2.metadata.finalizers, ['b']);
  });

  test('$retainKeys drops the keys it does not list (volume source switch)', () => {
    const out = applyStrategicMergePatch(
      pod(),
      {
        spec: { volumes: [{ name: 'data', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/tmp' } }] },
      },
      podPatchMeta,
    );
    assert.deepEqual(out.spec.volumes, [{ name: 'data', hostPath: { path: '/tmp' } }]);
  });

  test('a merge-key list element without its key is an error', () => {
    assert.throws(
      () => applyStrategicMergePatch(pod(), { spec: { containers: [{ image: 'x' }] } }, podPatchMeta),
      StrategicMergeError,
    );
  });

  test('$setElementOrder keeps server-only elements after their predecessor', () => {
    const original = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } };
    const out = applyStrategicMergePatch(
      original,
      {
        spec: {
          '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }],
          containers: [{ name: 'c', image: 'i' }],
        },
      },
      podPatchMeta,
    );
    assert.deepEqual(
      out.spec.containers.map((c) => c.name),
      ['c', 'a', 'b'],
    );
  });
});

describe('JSON merge patch', () => {
  test('maps merge, null deletes, lists replace', () => {
    const out = applyMergePatch(pod(), {
      metadata: { labels: { tier: null, new: 'x' } },
      spec: { containers: [{ name: 'only' }] },
    }) as ReturnType<typeof pod>;
    assert.deepEqual(out.metadata.labels, { app: 'web', new: 'x' });
    assert.deepEqual(out.spec.containers, [{ name: 'only' }]);
  });
});

describe('JSON patch', () => {
  test('add, replace, remove, move, copy and test, in order', () => {
    const out = applyJsonPatch(pod(), [
      { op: 'test', path: '/metadata/name', value: 'web' },
      { op: 'replace', path: '/spec/containers/0/image', value: 'nginx:2' },
      { op: 'add', path: '/metadata/labels/a~1b', value: 'slash' },
      { op: 'add', path: '/spec/containers/-', value: { name: 'third' } },
      { op: 'remove', path: '/spec/containers/1' },
      { op: 'copy', from: '/metadata/name', path: '/metadata/labels/name' },
      { op: 'move', from: '/metadata/labels/tier', path: '/metadata/labels/level' },
    ]);
    assert.equal(out.spec.containers[0]?.image, 'nginx:2');
    assert.deepEqual(
      out.spec.containers.map((c) => c.name),
      ['nginx', 'third'],
    );
    assert.deepEqual(out.metadata.labels, { app: 'web', 'a/b': 'slash', name: 'web', level: 'back' });
  });

  test('a failing operation leaves the original untouched and says why', () => {
    const original = pod();
    assert.throws(
      () =>
        applyJsonPatch(original, [
          { op: 'replace', path: '/metadata/name', value: 'x' },
          { op: 'test', path: '/metadata/name', value: 'web' },
        ]),
      (err: unknown) => err instanceof JsonPatchError && /test failed/.test(err.message),
    );
    assert.equal(original.metadata.name, 'web');
    assert.throws(
      () => applyJsonPatch(original, [{ op: 'replace', path: '/spec/nope/x', value: 1 }]),
      /doc is missing path: "\/spec\/nope\/x"/,
    );
    assert.throws(() => applyJsonPatch(original, { op: 'add' }), JsonPatchError);
  });
});
