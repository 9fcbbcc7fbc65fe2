import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { applyPodDefaults, applyPodSchemeDefaults } from './defaults.ts';
import { FieldPath, required } from './field-errors.ts';
import {
  invalidStatus,
  semanticEqual,
  validateNamespace,
  validatePod,
  validatePodStatusUpdate,
  validatePodUpdate,
} from './validation.ts';

type Obj = Record<string, unknown>;
type Manifest = { metadata: Obj; spec: Obj & { containers: Obj[] } };

function base(): Manifest {
  return {
    metadata: { name: 'web' },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
  };
}

function errorsOf(mutate: (m: Manifest) => void): string[] {
  const m = base();
  mutate(m);
  const pod = applyPodDefaults(m as unknown as Pod, { now: 0, uid: () => 'uid' });
  return validatePod(pod).map((e) => e.toString());
}

const c0 = (m: Manifest): Obj => m.spec.containers[0] as Obj;

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const sleepMsg = (grace: number): string =>
  `must be greater than 0 and less than terminationGracePeriodSeconds (${grace}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`;

describe('validatePod', () => {
  it('accepts a valid pod', () =>
    assert.deepEqual(
      errorsOf(() => {}),
      [],
    ));

  const cases: [string, (m: Manifest) => void, string[]][] = [
    // metadata
    [
      'name required',
      (m) => delete m.metadata.name,
      ['metadata.name: Required value: name or generateName is required'],
    ],
    [
      'generateName instead of name',
      (m) => {
        delete m.metadata.name;
        m.metadata.generateName = 'web-';
      },
      [],
    ],
    [
      'name syntax',
      (m) => (m.metadata.name = 'Bad_Name'),
      [`metadata.name: Invalid value: "Bad_Name": ${subdomainMsg}`],
    ],
    [
      'bad generateName',
      (m) => (m.metadata.generateName = 'Web-'),
      [`metadata.generateName: Invalid value: "Web-": ${subdomainMsg}`],
    ],
    [
      'namespace is a DNS label',
      (m) => (m.metadata.namespace = 'my.ns'),
      ['metadata.namespace: Invalid value: "my.ns": must not contain dots'],
    ],
    [
      'label key and value',
      (m) => (m.metadata.labels = { 'bad key': 'ok', good: '-bad-' }),
      [
        "metadata.labels: Invalid value: \"bad key\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        "metadata.labels: Invalid value: \"-bad-\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      ],
    ],
    [
      'long label value',
      (m) => (m.metadata.labels = { a: 'x'.repeat(64) }),
      [`metadata.labels: Invalid value: "${'x'.repeat(64)}": must be no more than 63 characters`],
    ],
    [
      'annotation size',
      (m) => (m.metadata.annotations = { big: 'x'.repeat(262142) }),
      ['metadata.annotations: Too long: may not be more than 262144 bytes'],
    ],
    [
      'annotation keys are checked lower-cased',
      (m) => (m.metadata.annotations = { 'Example.COM/Key': 'v' }),
      [],
    ],
    [
      'pod deletion cost',
      (m) => (m.metadata.annotations = { 'controller.kubernetes.io/pod-deletion-cost': 'high' }),
      [
        'metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "high": must be a 32bit integer',
      ],
    ],
    [
      'finalizers',
      (m) => (m.metadata.finalizers = ['mine']),
      [
        'metadata.finalizers[0]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified',
      ],
    ],
    // containers
    ['containers required', (m) => (m.spec.containers = []), ['spec.containers: Required value']],
    ['container name required', (m) => delete c0(m).name, ['spec.containers[0].name: Required value']],
    [
      'container name syntax',
      (m) => (c0(m).name = 'App'),
      [`spec.containers[0].name: Invalid value: "App": ${labelMsg}`],
    ],
    ['image required', (m) => delete c0(m).image, ['spec.containers[0].image: Required value']],
    [
      'image whitespace',
      (m) => (c0(m).image = ' nginx'),
      ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing whitespace'],
    ],
    [
      'duplicate names',
      (m) => m.spec.containers.push({ name: 'app', image: 'x' }),
      ['spec.containers[1].name: Duplicate value: "app"'],
    ],
    [
      'names unique across init and regular containers',
      (m) => (m.spec.initContainers = [{ name: 'app', image: 'x' }]),
      ['spec.initContainers[0].name: Duplicate value: "app"'],
    ],
    [
      'pull policy',
      (m) => (c0(m).imagePullPolicy = 'Sometimes'),
      [
        'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
      ],
    ],
    [
      'termination message policy',
      (m) => (c0(m).terminationMessagePolicy = 'Logs'),
      [
        'spec.containers[0].terminationMessagePolicy: Unsupported value: "Logs": supported values: "File", "FallbackToLogsOnError"',
      ],
    ],
    [
      'restartPolicy on a regular container',
      (m) => (c0(m).restartPolicy = 'Always'),
      ['spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers'],
    ],
    // pod-level fields
    [
      'restartPolicy',
      (m) => (m.spec.restartPolicy = 'Sometimes'),
      [
        'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
      ],
    ],
    [
      'dnsPolicy',
      (m) => (m.spec.dnsPolicy = 'Google'),
      [
        'spec.dnsPolicy: Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
      ],
    ],
    [
      'dnsPolicy None needs dnsConfig',
      (m) => (m.spec.dnsPolicy = 'None'),
      ['spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None'],
    ],
    [
      'dnsConfig nameservers',
      (m) => (m.spec.dnsConfig = { nameservers: ['1.1.1.1', 'dns'] }),
      [
        'spec.dnsConfig.nameservers[1]: Invalid value: "dns": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      ],
    ],
    [
      'activeDeadlineSeconds',
      (m) => (m.spec.activeDeadlineSeconds = 0),
      ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive'],
    ],
    [
      'init container restartPolicy',
      (m) => (m.spec.initContainers = [{ name: 'init', image: 'x', restartPolicy: 'OnFailure' }]),
      ['spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
    ],
    [
      'probes and hooks on regular init containers',
      (m) =>
        (m.spec.initContainers = [
          {
            name: 'init',
            image: 'x',
            livenessProbe: { exec: { command: ['true'] } },
            lifecycle: { postStart: { exec: { command: ['x'] } } },
          },
        ]),
      [
        'spec.initContainers[0].lifecycle: Forbidden: may not be set for init containers without restartPolicy=Always',
        'spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always',
      ],
    ],
    [
      'sidecars may have probes',
      (m) =>
        (m.spec.initContainers = [
          {
            name: 'side',
            image: 'x',
            restartPolicy: 'Always',
            readinessProbe: { exec: { command: ['true'] } },
          },
        ]),
      [],
    ],
    [
      'shareProcessNamespace with hostPID',
      (m) => {
        m.spec.shareProcessNamespace = true;
        m.spec.hostPID = true;
      },
      [
        'spec.securityContext.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled',
      ],
    ],
    [
      'hostNetwork ports',
      (m) => {
        m.spec.hostNetwork = true;
        c0(m).ports = [{ containerPort: 80, hostPort: 8080 }];
      },
      [
        'spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match `containerPort` when `hostNetwork` is true',
      ],
    ],
    [
      'serviceAccountName',
      (m) => (m.spec.serviceAccountName = 'Robot'),
      [`spec.serviceAccountName: Invalid value: "Robot": ${subdomainMsg}`],
    ],
    [
      'hostname',
      (m) => (m.spec.hostname = 'a.b'),
      ['spec.hostname: Invalid value: "a.b": must not contain dots'],
    ],
    [
      'ephemeral containers on create',
      (m) => (m.spec.ephemeralContainers = [{ name: 'dbg', image: 'busybox' }]),
      ['spec.ephemeralContainers: Forbidden: cannot be set on create'],
    ],
    [
      'os',
      (m) => (m.spec.os = { name: 'plan9' }),
      ['spec.os: Unsupported value: "plan9": supported values: "linux", "windows"'],
    ],
    [
      'tolerations',
      (m) =>
        (m.spec.tolerations = [
          { key: 'k', operator: 'Exists', value: 'v', effect: 'NoSchedule', tolerationSeconds: 5 },
        ]),
      [
        'spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set',
        'spec.tolerations[0].operator: Invalid value: "v": value must be empty when `operator` is \'Exists\'',
      ],
    ],
    [
      'toleration without key',
      (m) => (m.spec.tolerations = [{ operator: 'Equal', value: 'x' }]),
      [
        'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
      ],
    ],
    // ports
    [
      'ports',
      (m) =>
        (c0(m).ports = [
          { containerPort: 0 },
          { containerPort: 70000, name: 'http' },
          { containerPort: 80, name: 'http', protocol: 'ICMP' },
          { containerPort: 81, name: 'http_1' },
        ]),
      [
        'spec.containers[0].ports[0].containerPort: Required value',
        'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
        'spec.containers[0].ports[2].name: Duplicate value: "http"',
        'spec.containers[0].ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
        'spec.containers[0].ports[3].name: Invalid value: "http_1": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      ],
    ],
    [
      'host port conflicts',
      (m) => {
        c0(m).ports = [{ containerPort: 80, hostPort: 8080 }];
        m.spec.containers.push({ name: 'b', image: 'x', ports: [{ containerPort: 81, hostPort: 8080 }] });
      },
      ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"'],
    ],
    // env
    [
      'env names and sources',
      (m) =>
        (c0(m).env = [
          { name: '' },
          { name: 'A=B' },
          { name: 'X', valueFrom: {} },
          { name: 'Y', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          {
            name: 'Z',
            valueFrom: { fieldRef: { fieldPath: 'metadata.name' }, secretKeyRef: { name: 's', key: 'k' } },
          },
        ]),
      [
        'spec.containers[0].env[0].name: Required value',
        'spec.containers[0].env[1].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
        'spec.containers[0].env[2].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
        'spec.containers[0].env[3].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
        'spec.containers[0].env[4].valueFrom: Invalid value: "": may not have more than one field specified at a time',
      ],
    ],
    [
      'fieldRef paths',
      (m) =>
        (c0(m).env = [
          { name: 'A', valueFrom: { fieldRef: { fieldPath: 'status.phase' } } },
          { name: 'B', valueFrom: { fieldRef: { fieldPath: 'spec.nothing' } } },
          { name: 'C', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'D', valueFrom: { fieldRef: { apiVersion: 'v2', fieldPath: 'metadata.name' } } },
        ]),
      [
        'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
        'spec.containers[0].env[1].valueFrom.fieldRef.fieldPath: Invalid value: "spec.nothing": error converting fieldPath: field label not supported: spec.nothing',
        'spec.containers[0].env[3].valueFrom.fieldRef.fieldPath: Invalid value: "metadata.name": error converting fieldPath: unsupported pod version: v2',
      ],
    ],
    [
      'secret key ref',
      (m) => (c0(m).env = [{ name: 'A', valueFrom: { secretKeyRef: { name: 'S', key: '' } } }]),
      [
        `spec.containers[0].env[0].valueFrom.secretKeyRef.name: Invalid value: "S": ${subdomainMsg}`,
        'spec.containers[0].env[0].valueFrom.secretKeyRef.key: Required value',
      ],
    ],
    // volumes and mounts
    [
      'volume names',
      (m) => (m.spec.volumes = [{ name: 'data' }, { name: 'data' }, { name: 'Bad' }]),
      [
        'spec.volumes[1].name: Duplicate value: "data"',
        `spec.volumes[2].name: Invalid value: "Bad": ${labelMsg}`,
      ],
    ],
    [
      'more than one volume type',
      (m) => (m.spec.volumes = [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }]),
      ['spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume type'],
    ],
    [
      'volume sources',
      (m) =>
        (m.spec.volumes = [
          { name: 'a', hostPath: { path: '/x', type: 'Dir' } },
          { name: 'b', configMap: { name: '', defaultMode: 0o1777 } },
          { name: 'c', secret: { secretName: 's', items: [{ key: 'k', path: '../x' }] } },
          { name: 'd', persistentVolumeClaim: {} },
        ]),
      [
        'spec.volumes[0].hostPath.type: Unsupported value: "Dir": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
        'spec.volumes[1].configMap.name: Required value',
        'spec.volumes[1].configMap.defaultMode: Invalid value: 1023: must be a number between 0 and 0777 (octal), both inclusive',
        'spec.volumes[2].secret.items[0].path: Invalid value: "../x": must not contain \'..\'',
        'spec.volumes[3].persistentVolumeClaim.claimName: Required value',
      ],
    ],
    [
      'volume mounts',
      (m) => {
        m.spec.volumes = [{ name: 'data' }];
        c0(m).volumeMounts = [
          { name: 'data', mountPath: '/data' },
          { name: 'logs', mountPath: '/data' },
          { name: 'data', mountPath: '' },
          { name: 'data', mountPath: '/y', subPath: '/abs' },
        ];
      },
      [
        'spec.containers[0].volumeMounts[1].name: Not found: "logs"',
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
        'spec.containers[0].volumeMounts[2].mountPath: Required value',
        'spec.containers[0].volumeMounts.subPath: Invalid value: "/abs": must be a relative path',
      ],
    ],
    [
      'mount of an invalid volume is not found either',
      (m) => {
        m.spec.volumes = [{ name: 'cfg', configMap: {} }];
        c0(m).volumeMounts = [{ name: 'cfg', mountPath: '/cfg' }];
      },
      [
        'spec.volumes[0].configMap.name: Required value',
        'spec.containers[0].volumeMounts[0].name: Not found: "cfg"',
      ],
    ],
    [
      'bidirectional propagation needs privileged',
      (m) => {
        m.spec.volumes = [{ name: 'data' }];
        c0(m).volumeMounts = [{ name: 'data', mountPath: '/d', mountPropagation: 'Bidirectional' }];
      },
      [
        'spec.containers[0].volumeMounts.mountPropagation: Forbidden: Bidirectional mount propagation is available only to privileged containers',
      ],
    ],
    // resources
    [
      'requests above limits',
      (m) =>
        (c0(m).resources = {
          limits: { cpu: '500m', memory: '128Mi' },
          requests: { cpu: '1', memory: '64Mi' },
        }),
      [
        'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
      ],
    ],
    [
      'negative and unknown resources',
      (m) => (c0(m).resources = { requests: { cpu: '-1', gpu: '1' } }),
      [
        'spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0',
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
        'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard resource for containers',
      ],
    ],
    [
      'extended resources may not overcommit',
      (m) =>
        (c0(m).resources = {
          limits: { 'example.com/dongle': '2' },
          requests: { 'example.com/dongle': '1' },
        }),
      [
        'spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/dongle limit of 2',
      ],
    ],
    // lifecycle handlers
    [
      'hook without handler',
      (m) => (c0(m).lifecycle = { postStart: {} }),
      ['spec.containers[0].lifecycle.postStart: Required value: must specify a handler type'],
    ],
    [
      'hook with two handlers',
      (m) => (c0(m).lifecycle = { preStop: { exec: { command: ['sh'] }, httpGet: { port: 80 } } }),
      ['spec.containers[0].lifecycle.preStop.httpGet: Forbidden: may not specify more than 1 handler type'],
    ],
    [
      'exec needs a command',
      (m) => (c0(m).lifecycle = { preStop: { exec: {} } }),
      ['spec.containers[0].lifecycle.preStop.exec.command: Required value'],
    ],
    [
      'sleep bounds',
      (m) => {
        m.spec.terminationGracePeriodSeconds = 10;
        c0(m).lifecycle = { preStop: { sleep: { seconds: 11 } }, postStart: { sleep: { seconds: 0 } } };
      },
      [
        `spec.containers[0].lifecycle.postStart.sleep: Invalid value: 0: ${sleepMsg(10)}`,
        `spec.containers[0].lifecycle.preStop.sleep: Invalid value: 11: ${sleepMsg(10)}`,
      ],
    ],
    [
      'httpGet port and scheme',
      (m) =>
        (c0(m).lifecycle = {
          preStop: {
            httpGet: { port: 'HTTP', scheme: 'FTP', httpHeaders: [{ name: 'Bad Header', value: 'x' }] },
          },
        }),
      [
        'spec.containers[0].lifecycle.preStop.httpGet.port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'spec.containers[0].lifecycle.preStop.httpGet.port: Invalid value: "HTTP": must contain at least one letter (a-z)',
        'spec.containers[0].lifecycle.preStop.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"',
        "spec.containers[0].lifecycle.preStop.httpGet.httpHeaders: Invalid value: \"Bad Header\": a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')",
      ],
    ],
    [
      'httpGet port number',
      (m) => (c0(m).lifecycle = { preStop: { httpGet: { port: 0 } } }),
      [
        'spec.containers[0].lifecycle.preStop.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive',
      ],
    ],
    // probes
    [
      'probe without handler',
      (m) => (c0(m).readinessProbe = { periodSeconds: 5 }),
      ['spec.containers[0].readinessProbe: Required value: must specify a handler type'],
    ],
    [
      'probe numbers',
      (m) =>
        (c0(m).livenessProbe = {
          exec: { command: ['true'] },
          initialDelaySeconds: -1,
          periodSeconds: -2,
          successThreshold: 2,
        }),
      [
        'spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0',
        'spec.containers[0].livenessProbe.periodSeconds: Invalid value: -2: must be greater than or equal to 0',
        'spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1',
      ],
    ],
    [
      'startup successThreshold',
      (m) => (c0(m).startupProbe = { tcpSocket: { port: 80 }, successThreshold: 3 }),
      ['spec.containers[0].startupProbe.successThreshold: Invalid value: 3: must be 1'],
    ],
    [
      'readiness may have any successThreshold but no grace period',
      (m) =>
        (c0(m).readinessProbe = {
          tcpSocket: { port: 80 },
          successThreshold: 3,
          terminationGracePeriodSeconds: 5,
        }),
      [
        'spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes',
      ],
    ],
    [
      'probe grace period',
      (m) => (c0(m).livenessProbe = { tcpSocket: { port: 80 }, terminationGracePeriodSeconds: 0 }),
      [
        'spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0',
      ],
    ],
    [
      'probe with two handlers',
      (m) => (c0(m).livenessProbe = { tcpSocket: { port: 80 }, grpc: { port: 9000 } }),
      ['spec.containers[0].livenessProbe.grpc: Forbidden: may not specify more than 1 handler type'],
    ],
    // security context
    [
      'security context',
      (m) =>
        (c0(m).securityContext = {
          runAsUser: -1,
          allowPrivilegeEscalation: false,
          privileged: true,
          procMount: 'Weird',
        }),
      [
        'spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive',
        'spec.containers[0].securityContext.procMount: Unsupported value: "Weird": supported values: "Default", "Unmasked"',
        'spec.containers[0].securityContext: Invalid value: {"runAsUser":-1,"allowPrivilegeEscalation":false,"privileged":true,"procMount":"Weird"}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true',
      ],
    ],
    [
      'seccomp',
      (m) => (m.spec.securityContext = { seccompProfile: { type: 'Localhost' } }),
      [
        'spec.securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost',
      ],
    ],
  ];

  for (const [name, mutate, want] of cases) {
    it(name, () => assert.deepEqual(errorsOf(mutate), want));
  }

  it('reports all errors at once, in the API server order', () => {
    const errs = errorsOf((m) => {
      m.metadata.name = 'Bad_Name';
      m.spec.restartPolicy = 'Sometimes';
      m.spec.containers.push({ name: 'app' });
    });
    assert.deepEqual(errs, [
      `metadata.name: Invalid value: "Bad_Name": ${subdomainMsg}`,
      'spec.containers[1].image: Required value',
      'spec.containers[1].name: Duplicate value: "app"',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  it('can apply the strict environment variable rule', () => {
    const m = base();
    c0(m).env = [{ name: '1X', value: 'v' }];
    const pod = applyPodDefaults(m as unknown as Pod, { now: 0, uid: () => 'u' });
    assert.deepEqual(validatePod(pod), []);
    assert.equal(validatePod(pod, { relaxedEnvVarNames: false }).length, 1);
  });

  it('does not crash on values of the wrong type', () => {
    const pod = {
      metadata: 'x',
      spec: { containers: 'nope', volumes: [5], initContainers: [null] },
    } as unknown as Pod;
    assert.ok(validatePod(pod).length > 0);
  });
});

describe('validatePodUpdate', () => {
  function created(mutate: (m: Manifest) => void = () => {}): Pod {
    const m = base();
    mutate(m);
    const pod = applyPodDefaults(m as unknown as Pod, { now: Date.UTC(2025, 0, 1), uid: () => 'uid-1' });
    (pod.metadata as Obj).resourceVersion = '7';
    return pod;
  }
  function update(
    old: Pod,
    change: (p: Obj & { spec: Obj & { containers: Obj[] }; metadata: Obj }) => void,
  ): string[] {
    const next = structuredClone(old) as unknown as Obj & {
      spec: Obj & { containers: Obj[] };
      metadata: Obj;
    };
    change(next);
    return validatePodUpdate(applyPodSchemeDefaults(next as unknown as Pod), old).map((e) => e.toString());
  }

  it('allows image, label and annotation changes', () => {
    const old = created();
    assert.deepEqual(
      update(old, (p) => {
        (p.spec.containers[0] as Obj).image = 'nginx:1.28';
        p.metadata.labels = { tier: 'web' };
        p.metadata.annotations = { note: 'x' };
      }),
      [],
    );
  });

  it('forbids other spec changes with the API server text', () => {
    const errs = update(created(), (p) => (p.spec.restartPolicy = 'Never'));
    assert.equal(errs.length, 1);
    const [first = ''] = errs;
    assert.ok(
      first.startsWith(
        'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n',
      ),
      first,
    );
    assert.match(first, /- \tspec\.restartPolicy: "Always"\n\+ \tspec\.restartPolicy: "Never"/);
  });

  it('keeps identity fields immutable', () => {
    const errs = update(created(), (p) => {
      p.metadata.name = 'other';
      p.metadata.uid = 'uid-2';
      p.metadata.creationTimestamp = '2025-02-03T04:05:06Z';
    });
    assert.deepEqual(errs.slice(0, 3), [
      'metadata.name: Invalid value: "other": field is immutable',
      'metadata.uid: Invalid value: "uid-2": field is immutable',
      'metadata.creationTimestamp: Invalid value: 2025-02-03 04:05:06 +0000 UTC: field is immutable',
    ]);
  });

  it('requires a resourceVersion', () => {
    assert.deepEqual(
      update(created(), (p) => delete p.metadata.resourceVersion),
      ['metadata.resourceVersion: Invalid value: "": must be specified for an update'],
    );
  });

  it('forbids adding or removing containers', () => {
    assert.deepEqual(
      update(created(), (p) => p.spec.containers.push({ name: 'b', image: 'x' })),
      ['spec.containers: Forbidden: pod updates may not add or remove containers'],
    );
  });

  it('lets activeDeadlineSeconds be set or lowered, never raised or unset', () => {
    const old = created((m) => (m.spec.activeDeadlineSeconds = 60));
    assert.deepEqual(
      update(old, (p) => (p.spec.activeDeadlineSeconds = 30)),
      [],
    );
    assert.deepEqual(
      update(old, (p) => (p.spec.activeDeadlineSeconds = 90)),
      ['spec.activeDeadlineSeconds: Invalid value: 90: must be less than or equal to previous value'],
    );
    assert.deepEqual(
      update(old, (p) => delete p.spec.activeDeadlineSeconds),
      [
        'spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value',
      ],
    );
    assert.deepEqual(
      update(created(), (p) => (p.spec.activeDeadlineSeconds = 5)),
      [],
    );
  });

  it('lets tolerations be added but not changed', () => {
    const old = created();
    assert.deepEqual(
      update(old, (p) => (p.spec.tolerations as Obj[]).push({ key: 'x', operator: 'Exists' })),
      [],
    );
    assert.deepEqual(
      update(old, (p) => ((p.spec.tolerations as Obj[])[0] = { key: 'y', operator: 'Exists' })),
      ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds'],
    );
    assert.deepEqual(
      update(old, (p) => (((p.spec.tolerations as Obj[])[0] as Obj).tolerationSeconds = 60)),
      [],
    );
  });

  it('lets scheduling gates be removed, not added', () => {
    const old = created((m) => (m.spec.schedulingGates = [{ name: 'a' }]));
    assert.deepEqual(
      update(old, (p) => (p.spec.schedulingGates = [])),
      [],
    );
    assert.deepEqual(
      update(old, (p) => (p.spec.schedulingGates = [{ name: 'a' }, { name: 'b' }])),
      [
        "spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found new scheduling gate 'b'",
      ],
    );
  });
});

describe('validatePodStatusUpdate', () => {
  it('keeps qosClass', () => {
    const old = applyPodDefaults(
      { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }] } },
      { now: 0, uid: () => 'u' },
    );
    (old.metadata as Obj).resourceVersion = '1';
    const next = structuredClone(old) as unknown as { status: Obj };
    next.status.qosClass = 'Guaranteed';
    next.status.phase = 'Running';
    assert.deepEqual(
      validatePodStatusUpdate(next as unknown as Pod, old).map((e) => e.toString()),
      ['status.qosClass: Invalid value: "Guaranteed": field is immutable'],
    );
  });
});

describe('invalidStatus', () => {
  it('builds the 422 Status', () => {
    const errs = [
      required(FieldPath.of('spec', 'containers')),
      required(FieldPath.of('spec').child('containers').index(0).child('image')),
    ];
    assert.deepEqual(invalidStatus('Pod', 'web', errs), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'Pod "web" is invalid: [spec.containers: Required value, spec.containers[0].image: Required value]',
      reason: 'Invalid',
      details: {
        name: 'web',
        kind: 'Pod',
        causes: [
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' },
          { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
        ],
      },
      code: 422,
    });
  });
  it('has no brackets for one error and qualifies grouped kinds', () => {
    const s = invalidStatus('Deployment', 'd', [required(FieldPath.of('spec', 'selector'))], 'apps');
    assert.equal(s.message, 'Deployment.apps "d" is invalid: spec.selector: Required value');
    assert.equal(s.details.group, 'apps');
    assert.equal(invalidStatus('Pod', 'x', []).message, 'Pod "x" is invalid');
  });
});

describe('validateNamespace', () => {
  it('wants a DNS label and no namespace', () => {
    assert.deepEqual(
      validateNamespace({ metadata: { name: 'team-a' }, spec: { finalizers: ['kubernetes'] } }),
      [],
    );
    assert.deepEqual(
      validateNamespace({ metadata: { name: 'Foo', namespace: 'x' } }).map((e) => e.toString()),
      [
        `metadata.name: Invalid value: "Foo": ${labelMsg}`,
        'metadata.namespace: Forbidden: not allowed on this type',
      ],
    );
  });
});

describe('semanticEqual', () => {
  it('treats empty and missing lists and zero values alike', () => {
    assert.ok(semanticEqual({ a: [], b: false, c: 0, d: '' }, {}));
    assert.ok(!semanticEqual({ a: [1] }, {}));
    assert.ok(!semanticEqual({ a: { b: 1 } }, { a: { b: 2 } }));
  });
});
