import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  cannotBeHandledMessage,
  decodeError,
  hasSchema,
  strictDecodingMessage,
  strictProblems,
  typeProblems,
  unknownFields,
  unknownFieldsWithPaths,
} from './schema.ts';
import { kindStructs, structs } from './schema/types.generated.ts';

function pod(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec, ...extra };
}

describe('generated schema', () => {
  it('covers the kinds nodelet serves', () => {
    for (const kind of ['Pod', 'Namespace', 'Event', 'Service', 'ConfigMap', 'Secret', 'Node'])
      assert.ok(hasSchema(kind), kind);
    assert.equal(hasSchema('Deployment'), false);
    assert.equal(kindStructs.Event, 'Event');
  });
  it('knows 1.32 fields and Go types', () => {
    assert.equal(structs.ContainerPort?.containerPort, 'int32');
    assert.equal(structs.PodSpec?.terminationGracePeriodSeconds, 'int64');
    assert.equal(structs.PodSpec?.restartPolicy, 'string|v1.RestartPolicy');
    assert.equal(structs.ResourceRequirements?.limits, 'map:quantity|v1.ResourceList');
    assert.equal(structs.LifecycleHandler?.sleep, '@SleepAction');
    assert.equal(structs.PodSecurityContext?.seLinuxChangePolicy, 'string|v1.PodSELinuxChangePolicy');
    // Added in 1.33: not known to a 1.32 server.
    assert.equal(structs.Lifecycle?.stopSignal, undefined);
  });
});

describe('unknownFields', () => {
  it('finds unknown fields with their strict-decoding paths', () => {
    const obj = pod(
      {
        containers: [
          { name: 'a', image: 'x', imagePullPolcy: 'Always' },
          { name: 'b', image: 'y', prots: [] },
        ],
        foo: 1,
      },
      { bar: true },
    );
    assert.deepEqual(unknownFields(obj, 'Pod'), [
      'spec.containers[0].imagePullPolcy',
      'spec.containers[1].prots',
      'spec.foo',
      'bar',
    ]);
  });
  it('does not look inside unknown fields, maps or free-form fields', () => {
    const obj = pod(
      {
        containers: [{ name: 'a', image: 'x' }],
        nodeSelector: { anything: 'goes' },
        extra: { deep: { er: 1 } },
      },
      {
        metadata: { name: 'p', labels: { x: 'y' }, managedFields: [{ fieldsV1: { 'f:spec': {} } }] },
      },
    );
    assert.deepEqual(unknownFields(obj, 'Pod'), ['spec.extra']);
  });
  it('reports paths of map entries in brackets for line lookup', () => {
    const obj = pod({ containers: [], volumes: [{ name: 'v', emptyDir: { sizeLmit: '1Gi' } }] });
    assert.deepEqual(unknownFieldsWithPaths(obj, 'Pod'), [
      { strictPath: 'spec.volumes[0].emptyDir.sizeLmit', path: 'spec.volumes[0].emptyDir.sizeLmit' },
    ]);
  });
  it('is case sensitive, as the API server decoder is', () => {
    assert.deepEqual(unknownFields(pod({ Containers: [] }), 'Pod'), ['spec.Containers']);
  });
  it('formats strict decoding errors', () => {
    const problems = strictProblems(['spec.foo', 'foo'], ['spec.containers[0].name']);
    assert.deepEqual(problems, [
      'unknown field "spec.foo"',
      'unknown field "foo"',
      'duplicate field "spec.containers[0].name"',
    ]);
    assert.equal(
      strictDecodingMessage(problems.slice(0, 2)),
      'strict decoding error: unknown field "spec.foo", unknown field "foo"',
    );
    assert.equal(
      cannotBeHandledMessage('Pod', 'v1', 'strict decoding error: unknown field "x"'),
      'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "x"',
    );
  });
});

describe('JSON type errors (encoding/json wording)', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'string into int32',
      pod({ containers: [{ name: 'a', image: 'x', ports: [{ containerPort: '80' }] }] }),
      'json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    ],
    [
      'fraction into int64',
      pod({ containers: [], terminationGracePeriodSeconds: 1.5 }),
      'json: cannot unmarshal number 1.5 into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64',
    ],
    [
      'overflowing int32',
      pod({ containers: [{ name: 'a', ports: [{ containerPort: 3000000000 }] }] }),
      'json: cannot unmarshal number 3000000000 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    ],
    [
      'bool into string (YAML yes)',
      pod({ containers: [{ name: 'a', env: [{ name: 'X', value: true }] }] }),
      'json: cannot unmarshal bool into Go struct field EnvVar.spec.containers.env.value of type string',
    ],
    [
      'number into a named string type',
      pod({ containers: [], restartPolicy: 1 }),
      'json: cannot unmarshal number into Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy',
    ],
    [
      'object into a list',
      pod({ containers: { name: 'a' } }),
      'json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container',
    ],
    [
      'array into a struct',
      pod([] as unknown as Record<string, unknown>),
      'json: cannot unmarshal array into Go struct field Pod.spec of type v1.PodSpec',
    ],
    [
      'number into a label',
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { tier: 1 } } },
      'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    ],
    [
      'string into a list of strings',
      pod({ containers: [{ name: 'a', command: 'sleep 1' }] }),
      'json: cannot unmarshal string into Go struct field Container.spec.containers.command of type []string',
    ],
    [
      'embedded probe handler',
      pod({ containers: [{ name: 'a', livenessProbe: { httpGet: { path: 5 } } }] }),
      'json: cannot unmarshal number into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.path of type string',
    ],
  ];
  for (const [name, obj, want] of cases) {
    it(name, () => {
      const problems = typeProblems(obj, 'Pod');
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0]?.message, want);
      assert.equal(problems[0]?.fatal, false);
    });
  }

  it('words errors of types with their own decoder', () => {
    const cases2: [unknown, string][] = [
      [
        { resources: { limits: { cpu: true } } },
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      ],
      [
        { resources: { limits: { memory: '1Gb' } } },
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      ],
      [{ resources: { limits: { memory: '1mi' } } }, "unable to parse quantity's suffix"],
      [
        { livenessProbe: { tcpSocket: { port: true } } },
        'json: cannot unmarshal bool into Go value of type int32',
      ],
      [
        { livenessProbe: { tcpSocket: { port: 1.5 } } },
        'json: cannot unmarshal number 1.5 into Go value of type int32',
      ],
    ];
    for (const [container, want] of cases2) {
      const problems = typeProblems(pod({ containers: [{ name: 'a', ...(container as object) }] }), 'Pod');
      assert.deepEqual(
        problems.map((p) => [p.message, p.fatal]),
        [[want, true]],
      );
    }
  });

  it('checks times as RFC 3339', () => {
    const at = (ts: unknown): string | undefined =>
      typeProblems({ apiVersion: 'v1', kind: 'Pod', metadata: { creationTimestamp: ts } }, 'Pod')[0]?.message;
    assert.equal(at('2024-05-06T07:08:09Z'), undefined);
    assert.equal(at('2024-05-06T07:08:09.123+02:00'), undefined);
    assert.equal(
      at('yesterday'),
      'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    );
    assert.equal(
      at('2024-05-06'),
      'parsing time "2024-05-06" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"',
    );
    assert.equal(at('2024-13-06T07:08:09Z'), 'parsing time "2024-13-06T07:08:09Z": month out of range');
    assert.equal(at(5), 'json: cannot unmarshal number into Go value of type string');
  });

  it('checks base64 data of secrets', () => {
    const at = (data: unknown): string[] =>
      typeProblems({ apiVersion: 'v1', kind: 'Secret', data }, 'Secret').map((p) => p.message);
    assert.deepEqual(at({ a: 'aGVsbG8=' }), []);
    assert.deepEqual(at({ a: 'hello!' }), ['illegal base64 data at input byte 5']);
    assert.deepEqual(at({ a: 5 }), [
      'json: cannot unmarshal number into Go struct field Secret.data of type []uint8',
    ]);
  });

  it('reports what the API server reports: the first stopping error, else the first recorded', () => {
    const obj = pod({
      restartPolicy: 1,
      containers: [{ name: 'a', resources: { limits: { cpu: 'x' } } }],
    });
    assert.equal(typeProblems(obj, 'Pod').length, 2);
    assert.match(decodeError(obj, 'Pod')?.message ?? '', /^quantities must match/);
    assert.equal(decodeError(pod({ restartPolicy: 1 }), 'Pod')?.path, 'spec.restartPolicy');
    assert.equal(decodeError(pod({ containers: [] }), 'Pod'), undefined);
  });

  it('accepts null for any field, as Go decodes it to the zero value', () => {
    assert.deepEqual(
      typeProblems(pod({ containers: null, restartPolicy: null, activeDeadlineSeconds: null }), 'Pod'),
      [],
    );
  });
});
