// Container config generation: Kubernetes `$(VAR)` expansion, env from values and the downward API,
// config errors (CreateContainerConfigError), labels the kubelet finds its containers by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildContainerConfig, ConfigError, containerEnv, expand } from './container-config.ts';
import { containerHash, findContainer } from './pod-util.ts';
import { ctr, makePod } from '../testing/kubelet-harness.ts';

const vars: Record<string, string> = { A: 'alpha', B: 'beta', EMPTY: '' };
const lookup = (n: string): string | undefined => vars[n];
const node = { nodeName: 'node-1', hostIP: '10.0.0.1' };

for (const [input, want] of [
  ['$(A)', 'alpha'],
  ['x$(A)y$(B)z', 'xalphaybetaz'],
  ['$(EMPTY)|', '|'],
  ['$(UNDEFINED)', '$(UNDEFINED)'],
  ['$$(A)', '$(A)'],
  ['$$$(A)', '$alpha'],
  ['$$', '$'],
  ['a$b', 'a$b'],
  ['cost: 5$', 'cost: 5$'],
  ['$(A', '$(A'],
  ['$(x $$', '$(x $'],
  ['$(x $(A)', '$(x $(A)'],
  ['', ''],
] as const) {
  test(`expand ${JSON.stringify(input)} → ${JSON.stringify(want)}`, () => {
    assert.equal(expand(input, lookup), want);
  });
}

test('env values expand only variables defined earlier in the list', () => {
  const pod = makePod('p', {
    containers: [
      ctr('app', {
        env: [
          { name: 'FIRST', value: 'one' },
          { name: 'SECOND', value: '$(FIRST)-$(THIRD)' },
          { name: 'THIRD', value: 'three' },
          { name: 'FIRST', value: 'again' },
        ],
      }),
    ],
  });
  const sc = findContainer(pod, 'app');
  assert.ok(sc);
  assert.deepEqual(containerEnv(pod, sc.container, '10.1.1.1', node), [
    { name: 'SECOND', value: 'one-$(THIRD)' },
    { name: 'THIRD', value: 'three' },
    { name: 'FIRST', value: 'again' },
  ]);
});

test('the downward API: metadata, labels, node and IPs', () => {
  const base = makePod('web', {
    nodeName: 'node-1',
    serviceAccountName: 'sa',
    containers: [
      ctr('app', {
        env: [
          { name: 'NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
          { name: 'TIER', valueFrom: { fieldRef: { fieldPath: "metadata.labels['tier']" } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          { name: 'SA', valueFrom: { fieldRef: { fieldPath: 'spec.serviceAccountName' } } },
          { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
        ],
        resources: { limits: { memory: '64Mi' } },
      }),
    ],
  });
  const pod = { ...base, metadata: { ...base.metadata, labels: { tier: 'front' } } };
  const sc = findContainer(pod, 'app');
  assert.ok(sc);
  const env = Object.fromEntries(
    containerEnv(pod, sc.container, '10.1.1.1', node).map((e) => [e.name, e.value]),
  );
  assert.deepEqual(env, {
    NAME: 'web',
    NS: 'default',
    UID: 'uid-web',
    TIER: 'front',
    NODE: 'node-1',
    SA: 'sa',
    HOST_IP: '10.0.0.1',
    POD_IP: '10.1.1.1',
    MEM: '64Mi',
  });
});

test('a missing Secret or ConfigMap is a config error with the kubelet wording; optional ones are skipped', () => {
  const secret = makePod('p', {
    containers: [
      ctr('app', { env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 'db', key: 'pw' } } }] }),
    ],
  });
  const sc = findContainer(secret, 'app');
  assert.ok(sc);
  assert.throws(
    () => containerEnv(secret, sc.container, undefined, node),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, 'secret "db" not found');
      return true;
    },
  );
  const cm = ctr('app', { envFrom: [{ configMapRef: { name: 'settings' } }] });
  assert.throws(
    () => containerEnv(secret, cm, undefined, node),
    /^ConfigError: configmap "settings" not found$/,
  );
  const optional = ctr('app', {
    env: [{ name: 'S', valueFrom: { secretKeyRef: { name: 'db', key: 'pw', optional: true } } }],
    envFrom: [{ configMapRef: { name: 'settings', optional: true } }],
  });
  assert.deepEqual(containerEnv(secret, optional, undefined, node), []);
});

test('command and args are expanded against the whole env; labels carry uid, name, kind and hash', () => {
  const pod = makePod('p', {
    initContainers: [
      ctr('init', {
        command: ['echo', '$(GREETING)'],
        args: ['$(WHO)', '$$(WHO)', '$(NOPE)'],
        env: [
          { name: 'GREETING', value: 'hello' },
          { name: 'WHO', value: 'world' },
        ],
        workingDir: '/tmp',
      }),
    ],
    containers: [ctr('app')],
  });
  const sc = findContainer(pod, 'init');
  assert.ok(sc);
  const cfg = buildContainerConfig(pod, sc, 3, '10.1.1.1', node);
  assert.deepEqual(cfg.command, ['echo', 'hello', 'world', '$(WHO)', '$(NOPE)']);
  assert.equal(cfg.attempt, 3);
  assert.equal(cfg.workingDir, '/tmp');
  assert.equal(cfg.terminationMessagePath, '/dev/termination-log');
  assert.deepEqual(cfg.labels, {
    'io.kubernetes.pod.uid': 'uid-p',
    'io.kubernetes.pod.name': 'p',
    'io.kubernetes.pod.namespace': 'default',
    'io.kubernetes.container.name': 'init',
    'io.kubernetes.container.hash': containerHash(sc.container),
    'nodelet.dev/container-kind': 'init',
  });
});

test('the container hash changes with the spec and not with key order', () => {
  const a = containerHash({ name: 'app', image: 'busybox:1', command: ['sleep', '1'] });
  const b = containerHash({ command: ['sleep', '1'], image: 'busybox:1', name: 'app' });
  const c = containerHash({ name: 'app', image: 'busybox:2', command: ['sleep', '1'] });
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.match(a, /^[0-9a-f]{8}$/);
});
