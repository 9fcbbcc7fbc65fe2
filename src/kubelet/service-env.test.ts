// Service link variables and ConfigMap/Secret environment, checked against the cases of the
// kubelet's own tests (pkg/kubelet/envvars/envvars_test.go, kubelet_pods_test.go
// TestMakeEnvironmentVariables).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Secret, Service } from 'kubernetes-types/core/v1.js';
import { ConfigError, containerEnv } from './container-config.ts';
import type { ObjectSource } from './ports.ts';
import { serviceEnvMap, serviceEnvVars } from './service-env.ts';
import { ctr, makePod } from '../testing/kubelet-harness.ts';

const node = { nodeName: 'node-1', hostIP: '10.0.0.1' };

function svc(
  namespace: string,
  name: string,
  clusterIP: string,
  ports: Service['spec'] extends infer S ? (S extends { ports?: infer P } ? P : never) : never,
): Service {
  return { metadata: { name, namespace }, spec: { clusterIP, ports } };
}

class Objects implements ObjectSource {
  readonly cms = new Map<string, ConfigMap>();
  readonly secrets = new Map<string, Secret>();
  readonly svcs: Service[] = [];
  configMap(ns: string, name: string): ConfigMap | undefined {
    return this.cms.get(`${ns}/${name}`);
  }
  secret(ns: string, name: string): Secret | undefined {
    return this.secrets.get(`${ns}/${name}`);
  }
  services(ns: string): Service[] {
    return this.svcs.filter((s) => s.metadata?.namespace === ns);
  }
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('service link variables', () => {
  test('envvars.FromServices', () => {
    const env = serviceEnvVars([
      svc('default', 'foo-bar', '1.2.3.4', [{ protocol: 'TCP', port: 8086 }]),
      svc('default', 'abc-123', '5.6.7.8', [
        { name: 'u-d-p', protocol: 'UDP', port: 8081 },
        { name: 't-c-p', protocol: 'TCP', port: 8081 },
      ]),
      svc('default', 'q-u-u-x', '9.8.7.6', [
        { port: 8082, protocol: 'TCP' },
        { name: '8083', port: 8083, protocol: 'TCP' },
      ]),
      svc('default', 'svrc-clusterip-none', 'None', [{ port: 8082, protocol: 'TCP' }]),
      svc('default', 'svrc-clusterip-empty', '', [{ port: 8082, protocol: 'TCP' }]),
      svc('default', 'super-ipv6', '2001:DB8::', [{ name: 'u-d-p', protocol: 'UDP', port: 8084 }]),
      svc('default', 'sctp-1', '1.2.3.4', [{ name: 's-c-t-p', protocol: 'SCTP', port: 7777 }]),
    ]);
    assert.deepEqual(env, [
      { name: 'FOO_BAR_SERVICE_HOST', value: '1.2.3.4' },
      { name: 'FOO_BAR_SERVICE_PORT', value: '8086' },
      { name: 'FOO_BAR_PORT', value: 'tcp://1.2.3.4:8086' },
      { name: 'FOO_BAR_PORT_8086_TCP', value: 'tcp://1.2.3.4:8086' },
      { name: 'FOO_BAR_PORT_8086_TCP_PROTO', value: 'tcp' },
      { name: 'FOO_BAR_PORT_8086_TCP_PORT', value: '8086' },
      { name: 'FOO_BAR_PORT_8086_TCP_ADDR', value: '1.2.3.4' },
      { name: 'ABC_123_SERVICE_HOST', value: '5.6.7.8' },
      { name: 'ABC_123_SERVICE_PORT', value: '8081' },
      { name: 'ABC_123_SERVICE_PORT_U_D_P', value: '8081' },
      { name: 'ABC_123_SERVICE_PORT_T_C_P', value: '8081' },
      { name: 'ABC_123_PORT', value: 'udp://5.6.7.8:8081' },
      { name: 'ABC_123_PORT_8081_UDP', value: 'udp://5.6.7.8:8081' },
      { name: 'ABC_123_PORT_8081_UDP_PROTO', value: 'udp' },
      { name: 'ABC_123_PORT_8081_UDP_PORT', value: '8081' },
      { name: 'ABC_123_PORT_8081_UDP_ADDR', value: '5.6.7.8' },
      { name: 'ABC_123_PORT_8081_TCP', value: 'tcp://5.6.7.8:8081' },
      { name: 'ABC_123_PORT_8081_TCP_PROTO', value: 'tcp' },
      { name: 'ABC_123_PORT_8081_TCP_PORT', value: '8081' },
      { name: 'ABC_123_PORT_8081_TCP_ADDR', value: '5.6.7.8' },
      { name: 'Q_U_U_X_SERVICE_HOST', value: '9.8.7.6' },
      { name: 'Q_U_U_X_SERVICE_PORT', value: '8082' },
      { name: 'Q_U_U_X_SERVICE_PORT_8083', value: '8083' },
      { name: 'Q_U_U_X_PORT', value: 'tcp://9.8.7.6:8082' },
      { name: 'Q_U_U_X_PORT_8082_TCP', value: 'tcp://9.8.7.6:8082' },
      { name: 'Q_U_U_X_PORT_8082_TCP_PROTO', value: 'tcp' },
      { name: 'Q_U_U_X_PORT_8082_TCP_PORT', value: '8082' },
      { name: 'Q_U_U_X_PORT_8082_TCP_ADDR', value: '9.8.7.6' },
      { name: 'Q_U_U_X_PORT_8083_TCP', value: 'tcp://9.8.7.6:8083' },
      { name: 'Q_U_U_X_PORT_8083_TCP_PROTO', value: 'tcp' },
      { name: 'Q_U_U_X_PORT_8083_TCP_PORT', value: '8083' },
      { name: 'Q_U_U_X_PORT_8083_TCP_ADDR', value: '9.8.7.6' },
      { name: 'SUPER_IPV6_SERVICE_HOST', value: '2001:DB8::' },
      { name: 'SUPER_IPV6_SERVICE_PORT', value: '8084' },
      { name: 'SUPER_IPV6_SERVICE_PORT_U_D_P', value: '8084' },
      { name: 'SUPER_IPV6_PORT', value: 'udp://[2001:DB8::]:8084' },
      { name: 'SUPER_IPV6_PORT_8084_UDP', value: 'udp://[2001:DB8::]:8084' },
      { name: 'SUPER_IPV6_PORT_8084_UDP_PROTO', value: 'udp' },
      { name: 'SUPER_IPV6_PORT_8084_UDP_PORT', value: '8084' },
      { name: 'SUPER_IPV6_PORT_8084_UDP_ADDR', value: '2001:DB8::' },
      { name: 'SCTP_1_SERVICE_HOST', value: '1.2.3.4' },
      { name: 'SCTP_1_SERVICE_PORT', value: '7777' },
      { name: 'SCTP_1_SERVICE_PORT_S_C_T_P', value: '7777' },
      { name: 'SCTP_1_PORT', value: 'sctp://1.2.3.4:7777' },
      { name: 'SCTP_1_PORT_7777_SCTP', value: 'sctp://1.2.3.4:7777' },
      { name: 'SCTP_1_PORT_7777_SCTP_PROTO', value: 'sctp' },
      { name: 'SCTP_1_PORT_7777_SCTP_PORT', value: '7777' },
      { name: 'SCTP_1_PORT_7777_SCTP_ADDR', value: '1.2.3.4' },
    ]);
  });

  test('which Services a pod sees: its namespace when enableServiceLinks, default/kubernetes always', () => {
    const o = new Objects();
    o.svcs.push(
      svc('default', 'kubernetes', '1.2.3.1', [{ port: 8081, protocol: 'TCP' }]),
      svc('default', 'not-special', '1.2.3.8', [{ port: 8088, protocol: 'TCP' }]),
      svc('test1', 'test', '1.2.3.3', [{ port: 8083, protocol: 'TCP' }]),
      svc('test1', 'headless', 'None', [{ port: 8084, protocol: 'TCP' }]),
      svc('test2', 'other', '1.2.3.9', [{ port: 8089, protocol: 'TCP' }]),
    );
    const names = (m: Map<string, string>): string[] =>
      [...m.keys()].filter((k) => k.endsWith('_SERVICE_HOST'));
    assert.deepEqual(names(serviceEnvMap(o, 'test1', true)), [
      'KUBERNETES_SERVICE_HOST',
      'TEST_SERVICE_HOST',
    ]);
    assert.deepEqual(names(serviceEnvMap(o, 'test1', false)), ['KUBERNETES_SERVICE_HOST']);
    assert.deepEqual(names(serviceEnvMap(o, 'default', true)), [
      'KUBERNETES_SERVICE_HOST',
      'NOT_SPECIAL_SERVICE_HOST',
    ]);
    // A pod's own Service named kubernetes wins over default's.
    o.svcs.push(svc('test1', 'kubernetes', '1.2.3.2', [{ port: 8082, protocol: 'TCP' }]));
    assert.equal(serviceEnvMap(o, 'test1', true).get('KUBERNETES_SERVICE_HOST'), '1.2.3.2');
    assert.equal(serviceEnvMap(o, 'test1', false).get('KUBERNETES_SERVICE_HOST'), '1.2.3.1');
  });
});

describe('container environment from ConfigMaps, Secrets and Services', () => {
  function objects(): Objects {
    const o = new Objects();
    o.svcs.push(
      svc('default', 'kubernetes', '1.2.3.1', [{ port: 8081, protocol: 'TCP' }]),
      svc('test1', 'test', '1.2.3.3', [{ port: 8083, protocol: 'TCP' }]),
    );
    o.cms.set('test1/test-configmap', {
      metadata: { name: 'test-configmap', namespace: 'test1' },
      data: { REPLACE_ME: 'FROM_CONFIG_MAP', DUPE_TEST: 'CONFIG_MAP' },
    });
    o.secrets.set('test1/test-secret', {
      metadata: { name: 'test-secret', namespace: 'test1' },
      data: { REPLACE_ME: b64('FROM_SECRET'), DUPE_TEST: b64('SECRET') },
    });
    return o;
  }

  test('envFrom with prefixes, env overriding envFrom, $(VAR) from envFrom, service vars last', () => {
    const pod = makePod('p', { enableServiceLinks: true }, { namespace: 'test1' });
    const c = ctr('app', {
      envFrom: [
        { configMapRef: { name: 'test-configmap' } },
        { prefix: 'p_', configMapRef: { name: 'test-configmap' } },
      ],
      env: [
        { name: 'TEST_LITERAL', value: 'test-test-test' },
        { name: 'EXPANSION_TEST', value: '$(REPLACE_ME)' },
        { name: 'DUPE_TEST', value: 'ENV_VAR' },
        { name: 'SVC', value: '$(TEST_SERVICE_HOST):$(TEST_SERVICE_PORT)' },
      ],
    });
    const sort = (e: { name: string; value: string }[]) => [...e].sort((a, b) => (a.name < b.name ? -1 : 1));
    const env = containerEnv(pod, c, undefined, node, { objects: objects() });
    assert.deepEqual(
      sort(env),
      sort([
        { name: 'TEST_LITERAL', value: 'test-test-test' },
        { name: 'REPLACE_ME', value: 'FROM_CONFIG_MAP' },
        { name: 'EXPANSION_TEST', value: 'FROM_CONFIG_MAP' },
        { name: 'DUPE_TEST', value: 'ENV_VAR' },
        { name: 'SVC', value: '1.2.3.3:8083' },
        { name: 'p_REPLACE_ME', value: 'FROM_CONFIG_MAP' },
        { name: 'p_DUPE_TEST', value: 'CONFIG_MAP' },
        { name: 'TEST_SERVICE_HOST', value: '1.2.3.3' },
        { name: 'TEST_SERVICE_PORT', value: '8083' },
        { name: 'TEST_PORT', value: 'tcp://1.2.3.3:8083' },
        { name: 'TEST_PORT_8083_TCP', value: 'tcp://1.2.3.3:8083' },
        { name: 'TEST_PORT_8083_TCP_PROTO', value: 'tcp' },
        { name: 'TEST_PORT_8083_TCP_PORT', value: '8083' },
        { name: 'TEST_PORT_8083_TCP_ADDR', value: '1.2.3.3' },
        { name: 'KUBERNETES_SERVICE_HOST', value: '1.2.3.1' },
        { name: 'KUBERNETES_SERVICE_PORT', value: '8081' },
        { name: 'KUBERNETES_PORT', value: 'tcp://1.2.3.1:8081' },
        { name: 'KUBERNETES_PORT_8081_TCP', value: 'tcp://1.2.3.1:8081' },
        { name: 'KUBERNETES_PORT_8081_TCP_PROTO', value: 'tcp' },
        { name: 'KUBERNETES_PORT_8081_TCP_PORT', value: '8081' },
        { name: 'KUBERNETES_PORT_8081_TCP_ADDR', value: '1.2.3.1' },
      ]),
    );
    // The explicit env comes before the service variables; envFrom's before the env.
    assert.equal(
      env.findIndex((e) => e.name === 'REPLACE_ME') < env.findIndex((e) => e.name === 'TEST_LITERAL'),
      true,
    );
    assert.equal(
      env[env.length - 1]?.name.startsWith('TEST_') || env[env.length - 1]?.name.startsWith('KUBERNETES_'),
      true,
    );
  });

  test('an explicit env var wins over a service variable of the same name', () => {
    const pod = makePod('p', {}, { namespace: 'test1' });
    const env = containerEnv(
      pod,
      ctr('app', { env: [{ name: 'TEST_SERVICE_HOST', value: 'mine' }] }),
      undefined,
      node,
      {
        objects: objects(),
      },
    );
    assert.deepEqual(
      env.filter((e) => e.name === 'TEST_SERVICE_HOST'),
      [{ name: 'TEST_SERVICE_HOST', value: 'mine' }],
    );
  });

  test('secrets: envFrom and secretKeyRef, data decoded', () => {
    const pod = makePod('p', { enableServiceLinks: false }, { namespace: 'test1' });
    const c = ctr('app', {
      envFrom: [{ prefix: 'p_', secretRef: { name: 'test-secret' } }],
      env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'test-secret', key: 'REPLACE_ME' } } }],
    });
    const env = containerEnv(pod, c, undefined, node, { objects: objects() });
    assert.deepEqual(
      env.filter((e) => !e.name.startsWith('KUBERNETES_')),
      [
        { name: 'p_DUPE_TEST', value: 'SECRET' },
        { name: 'p_REPLACE_ME', value: 'FROM_SECRET' },
        { name: 'PW', value: 'FROM_SECRET' },
      ],
    );
    // enableServiceLinks: false still gives the kubernetes Service.
    assert.ok(env.some((e) => e.name === 'KUBERNETES_SERVICE_HOST'));
    assert.ok(!env.some((e) => e.name === 'TEST_SERVICE_HOST'));
  });

  test("the kubelet's errors: object not found, key not found; optional ones skipped", () => {
    const pod = makePod('p', {}, { namespace: 'test1' });
    const o = objects();
    const fails = (c: ReturnType<typeof ctr>, message: string): void => {
      assert.throws(
        () => containerEnv(pod, c, undefined, node, { objects: o }),
        (e: unknown) => e instanceof ConfigError && e.message === message,
      );
    };
    fails(ctr('a', { envFrom: [{ configMapRef: { name: 'x' } }] }), 'configmap "x" not found');
    fails(ctr('a', { envFrom: [{ secretRef: { name: 'x' } }] }), 'secret "x" not found');
    fails(
      ctr('a', { env: [{ name: 'V', valueFrom: { configMapKeyRef: { name: 'x', key: 'k' } } }] }),
      'configmap "x" not found',
    );
    fails(
      ctr('a', {
        env: [{ name: 'V', valueFrom: { configMapKeyRef: { name: 'test-configmap', key: 'k' } } }],
      }),
      "couldn't find key k in ConfigMap test1/test-configmap",
    );
    fails(
      ctr('a', { env: [{ name: 'V', valueFrom: { secretKeyRef: { name: 'test-secret', key: 'k' } } }] }),
      "couldn't find key k in Secret test1/test-secret",
    );
    const optional = ctr('a', {
      envFrom: [
        { configMapRef: { name: 'x', optional: true } },
        { secretRef: { name: 'x', optional: true } },
      ],
      env: [
        { name: 'A', valueFrom: { configMapKeyRef: { name: 'x', key: 'k', optional: true } } },
        { name: 'B', valueFrom: { configMapKeyRef: { name: 'test-configmap', key: 'k', optional: true } } },
        { name: 'C', valueFrom: { secretKeyRef: { name: 'test-secret', key: 'k', optional: true } } },
        { name: 'D', valueFrom: { configMapKeyRef: { name: 'test-configmap', key: 'DUPE_TEST' } } },
      ],
    });
    const env = containerEnv(
      makePod('p', { enableServiceLinks: false }, { namespace: 'test1' }),
      optional,
      undefined,
      node,
      {
        objects: o,
      },
    );
    assert.deepEqual(
      env.filter((e) => !e.name.startsWith('KUBERNETES_')),
      [{ name: 'D', value: 'CONFIG_MAP' }],
    );
  });

  test('envFrom keys that are no environment variable names are skipped with an event', () => {
    const o = objects();
    o.cms.set('test1/odd', {
      metadata: { name: 'odd', namespace: 'test1' },
      data: { '1abc': 'x', ok: 'y', 'a=b': 'z' },
    });
    const pod = makePod('p', { enableServiceLinks: false }, { namespace: 'test1' });
    const c = ctr('a', { envFrom: [{ configMapRef: { name: 'odd' } }] });
    const warnings: string[] = [];
    const warn = (reason: string, message: string): number => warnings.push(`${reason}: ${message}`);
    // 1.32: the relaxed rule (RelaxedEnvironmentVariableValidation on by default) only refuses '='.
    let env = containerEnv(pod, c, undefined, node, { objects: o, warn });
    assert.deepEqual(
      env.filter((e) => !e.name.startsWith('KUBERNETES_')).map((e) => e.name),
      ['1abc', 'ok'],
    );
    assert.deepEqual(warnings, [
      'InvalidEnvironmentVariableNames: Keys [a=b] from the EnvFrom configMap test1/odd were skipped since they are considered invalid environment variable names.',
    ]);
    // Before 1.32, the C-identifier-like rule.
    warnings.length = 0;
    env = containerEnv(pod, c, undefined, node, { objects: o, warn, kubeMinor: 31 });
    assert.deepEqual(
      env.filter((e) => !e.name.startsWith('KUBERNETES_')).map((e) => e.name),
      ['ok'],
    );
    assert.deepEqual(warnings, [
      'InvalidEnvironmentVariableNames: Keys [1abc, a=b] from the EnvFrom configMap test1/odd were skipped since they are considered invalid environment variable names.',
    ]);
  });
});
