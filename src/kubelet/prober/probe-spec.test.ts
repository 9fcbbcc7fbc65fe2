// Defaults, port resolution, $(VAR) expansion and Go-formatted text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileProbe,
  expandStaticEnv,
  goDuration,
  goQuote,
  joinHostPort,
  PROBE_DEFAULTS,
  probeKindName,
  resolveContainerPort,
} from './probe-spec.ts';

test('Kubernetes defaults: period 10, timeout 1, success 1, failure 3, delay 0; zero means unset', () => {
  const p = compileProbe('liveness', { exec: { command: ['true'] } });
  assert.equal(p.periodSeconds, 10);
  assert.equal(p.timeoutSeconds, 1);
  assert.equal(p.successThreshold, 1);
  assert.equal(p.failureThreshold, 3);
  assert.equal(p.initialDelaySeconds, 0);
  assert.equal(p.terminationGracePeriodSeconds, undefined);
  assert.deepEqual(PROBE_DEFAULTS, {
    initialDelaySeconds: 0,
    periodSeconds: 10,
    timeoutSeconds: 1,
    successThreshold: 1,
    failureThreshold: 3,
  });
  const z = compileProbe('readiness', {
    tcpSocket: { port: 80 },
    periodSeconds: 0,
    timeoutSeconds: 0,
    successThreshold: 0,
    failureThreshold: 0,
    initialDelaySeconds: 7,
  });
  assert.deepEqual(
    [z.periodSeconds, z.timeoutSeconds, z.successThreshold, z.failureThreshold, z.initialDelaySeconds],
    [10, 1, 1, 3, 7],
  );
});

test('probe-level terminationGracePeriodSeconds is kept for liveness/startup only', () => {
  assert.equal(
    compileProbe('liveness', { exec: { command: [] }, terminationGracePeriodSeconds: 60 })
      .terminationGracePeriodSeconds,
    60,
  );
  assert.equal(
    compileProbe('startup', { exec: { command: [] }, terminationGracePeriodSeconds: 5 })
      .terminationGracePeriodSeconds,
    5,
  );
  assert.equal(
    compileProbe('readiness', { exec: { command: [] }, terminationGracePeriodSeconds: 5 })
      .terminationGracePeriodSeconds,
    undefined,
  );
});

test('handlers: httpGet path "/" and scheme HTTP by default, grpc service "" by default, none when empty', () => {
  assert.deepEqual(compileProbe('readiness', { httpGet: { port: 8080 } }).handler, {
    type: 'httpGet',
    host: undefined,
    port: 8080,
    path: '/',
    scheme: 'http',
    headers: [],
  });
  assert.deepEqual(compileProbe('readiness', { grpc: { port: 9090 } }).handler, {
    type: 'grpc',
    port: 9090,
    service: '',
  });
  assert.deepEqual(compileProbe('readiness', {}).handler, { type: 'none' });
});

test('ports: numbers, names, numeric strings; errors as the kubelet words them', () => {
  const c = { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] };
  assert.equal(resolveContainerPort(81, c), 81);
  assert.equal(resolveContainerPort('http', c), 8080);
  assert.equal(resolveContainerPort('9090', c), 9090);
  assert.throws(() => resolveContainerPort('metrics', c), {
    message: 'strconv.Atoi: parsing "metrics": invalid syntax',
  });
  assert.throws(() => resolveContainerPort(0, c), { message: 'invalid port number: 0' });
  assert.throws(() => resolveContainerPort(70000, c), { message: 'invalid port number: 70000' });
});

test('$(VAR) expansion uses static env values only', () => {
  const c = {
    name: 'app',
    env: [
      { name: 'A', value: 'x' },
      { name: 'A', value: 'y' },
      { name: 'REF', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ],
  };
  assert.deepEqual(expandStaticEnv(['$(A)', '$(REF)', '$$(A)', '$(B)', 'a$', '$(A', '$x', 'p$(A)q'], c), [
    'y',
    '$(REF)',
    '$(A)',
    '$(B)',
    'a$',
    '$(A',
    '$x',
    'pyq',
  ]);
});

test('Go formatting: durations, %q, JoinHostPort, kind names', () => {
  assert.equal(goDuration(1000), '1s');
  assert.equal(goDuration(500), '500ms');
  assert.equal(goDuration(90_000), '1m30s');
  assert.equal(goDuration(120_000), '2m0s');
  assert.equal(goDuration(3_600_000), '1h0m0s');
  assert.equal(goQuote('sh -c "x"\n'), '"sh -c \\"x\\"\\n"');
  assert.equal(joinHostPort('::1', 80), '[::1]:80');
  assert.equal(joinHostPort('10.0.0.5', 80), '10.0.0.5:80');
  assert.deepEqual((['liveness', 'readiness', 'startup'] as const).map(probeKindName), [
    'Liveness',
    'Readiness',
    'Startup',
  ]);
});

test('annotation keys stay valid for long container names', async () => {
  const { annotationKey } = await import('./probe-history.ts');
  assert.equal(annotationKey('app', 'readiness'), 'probe.nodelet.dev/app.readiness');
  const long = annotationKey('c'.repeat(63), 'readiness');
  assert.equal(long.slice('probe.nodelet.dev/'.length).length, 63);
  assert.ok(long.endsWith('.readiness'));
});
