import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1.js';
import { applyServiceDefaults, initServiceIPFamilies, normalizeClusterIPs } from './service-defaults.ts';
import { validateService, validateServiceUpdate } from './service-validation.ts';

const base = (spec: Service['spec'] = {}, name = 'web'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', resourceVersion: '1' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec },
});

/** Defaults, normalization and IP families, as the registry prepares a Service before validation. */
function prepared(svc: Service): Service {
  const out = applyServiceDefaults(svc);
  const spec = { ...out.spec };
  normalizeClusterIPs(spec);
  initServiceIPFamilies(spec);
  return { ...out, spec };
}

const messages = (svc: Service): string[] => validateService(prepared(svc)).map((e) => e.toString());

describe('Service defaults', () => {
  test('ClusterIP, None affinity, TCP, targetPort = port, Cluster internal traffic, single-stack IPv4', () => {
    const spec = prepared(base()).spec;
    assert.deepEqual(spec, {
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
  });

  test('NodePort and LoadBalancer get externalTrafficPolicy Cluster; LoadBalancer allocates nodePorts', () => {
    assert.equal(prepared(base({ type: 'NodePort' })).spec?.externalTrafficPolicy, 'Cluster');
    const lb = prepared(base({ type: 'LoadBalancer' })).spec;
    assert.equal(lb?.externalTrafficPolicy, 'Cluster');
    assert.equal(lb?.allocateLoadBalancerNodePorts, true);
    assert.equal(prepared(base()).spec?.externalTrafficPolicy, undefined);
  });

  test('a named targetPort stays; ClientIP affinity gets its 3 hour timeout', () => {
    const spec = prepared(
      base({ ports: [{ port: 80, targetPort: 'http' }], sessionAffinity: 'ClientIP' }),
    ).spec;
    assert.equal(spec?.ports?.[0]?.targetPort, 'http');
    assert.deepEqual(spec?.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  });

  test('clusterIP and clusterIPs follow each other; headless without selector may hold both families', () => {
    assert.deepEqual(prepared(base({ clusterIP: '10.96.0.5' })).spec?.clusterIPs, ['10.96.0.5']);
    assert.equal(prepared(base({ clusterIPs: ['10.96.0.5'] })).spec?.clusterIP, '10.96.0.5');
    const headless = prepared({
      metadata: { name: 'h', namespace: 'default' },
      spec: { clusterIP: 'None' },
    }).spec;
    assert.equal(headless?.ipFamilyPolicy, 'RequireDualStack');
    assert.deepEqual(headless?.ipFamilies, ['IPv4', 'IPv6']);
    const headlessSelected = prepared(base({ clusterIP: 'None' })).spec;
    assert.equal(headlessSelected?.ipFamilyPolicy, 'SingleStack');
  });

  test('ExternalName has no IP families and no internal traffic policy', () => {
    const spec = prepared(base({ type: 'ExternalName', externalName: 'example.com', ports: [] })).spec;
    assert.equal(spec?.ipFamilies, undefined);
    assert.equal(spec?.ipFamilyPolicy, undefined);
    assert.equal(spec?.internalTrafficPolicy, undefined);
  });
});

describe('Service validation', () => {
  const cases: [string, Service, string[]][] = [
    ['a valid Service', base(), []],
    ['a headless Service needs no ports', base({ clusterIP: 'None', ports: [] }), []],
    [
      'name must be a DNS-1035 label',
      base({}, '1web'),
      [
        `metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
      ],
    ],
    ['ports are required', base({ ports: [] }), ['spec.ports: Required value']],
    [
      'names required and unique when more than one port',
      base({ ports: [{ port: 80 }, { port: 81, name: 'b' }, { port: 82, name: 'b' }] }),
      ['spec.ports[0].name: Required value', 'spec.ports[2].name: Duplicate value: "b"'],
    ],
    [
      'port range and protocol',
      base({ ports: [{ port: 0, protocol: 'HTTP' }] }),
      [
        'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
        'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
        // targetPort defaulted from the bad port is reported too, as the API server does.
        'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      ],
    ],
    [
      'targetPort name',
      base({ ports: [{ port: 80, targetPort: 'Web_Port' }] }),
      [
        'spec.ports[0].targetPort: Invalid value: "Web_Port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    ],
    [
      'duplicate port and protocol',
      base({
        ports: [
          { port: 80, name: 'a' },
          { port: 80, name: 'b' },
        ],
      }),
      ['spec.ports[1]: Duplicate value: {"protocol":"TCP","port":80}'],
    ],
    [
      'selector values are label values',
      base({ selector: { app: 'a b' } }),
      [
        `spec.selector: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      ],
    ],
    [
      'unknown type',
      base({ type: 'Ingress' }),
      [
        'spec.type: Unsupported value: "Ingress": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      ],
    ],
    [
      'nodePort on a ClusterIP Service',
      base({ ports: [{ port: 80, nodePort: 30080 }] }),
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ],
    [
      'a NodePort Service cannot be headless',
      base({ type: 'NodePort', clusterIP: 'None' }),
      [`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`],
    ],
    [
      'clusterIP must be an IP',
      base({ clusterIP: '10.96.0.300' }),
      [
        'spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ],
    ],
    [
      'ExternalName needs a DNS name',
      base({ type: 'ExternalName', ports: [] }),
      ['spec.externalName: Required value'],
    ],
    [
      'externalIPs are not loopback',
      base({ externalIPs: ['127.0.0.1'] }),
      [
        'spec.externalIPs[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      ],
    ],
    [
      'session affinity values',
      base({ sessionAffinity: 'Cookie' }),
      ['spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"'],
    ],
  ];
  for (const [name, svc, want] of cases) {
    test(name, () => assert.deepEqual(messages(svc), want));
  }

  test('the primary clusterIP may not change once set', () => {
    const old = prepared(base({ clusterIP: '10.96.0.5' }));
    const changed = prepared(base({ clusterIP: '10.96.0.6' }));
    assert.deepEqual(
      validateServiceUpdate(changed, old).map((e) => e.toString()),
      ['spec.clusterIPs[0]: Invalid value: ["10.96.0.6"]: may not change once set'],
    );
    assert.deepEqual(validateServiceUpdate(old, old), []);
  });
});
