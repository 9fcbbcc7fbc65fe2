import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import {
  applyPodDefaults,
  applyPodSchemeDefaults,
  applyPodUpdateDefaults,
  computeQOSClass,
  defaultImagePullPolicy,
  imageTag,
  rfc3339Seconds,
} from './defaults.ts';

const now = Date.UTC(2025, 0, 2, 3, 4, 5, 678);
const opts = { now, uid: () => '6b3c1a2e-0000-4000-8000-000000000001' };

function defaulted(pod: unknown): Record<string, unknown> {
  return applyPodDefaults(pod as Pod, opts) as unknown as Record<string, unknown>;
}

describe('applyPodDefaults', () => {
  it('fills in a minimal pod as `kubectl get pod -o yaml` shows it', () => {
    const pod = defaulted({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: { containers: [{ name: 'app', image: 'nginx' }] },
    });
    assert.deepEqual(pod, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'web',
        namespace: 'default',
        uid: '6b3c1a2e-0000-4000-8000-000000000001',
        creationTimestamp: '2025-01-02T03:04:05Z',
      },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'nginx',
            imagePullPolicy: 'Always',
            resources: {},
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
        dnsPolicy: 'ClusterFirst',
        enableServiceLinks: true,
        preemptionPolicy: 'PreemptLowerPriority',
        priority: 0,
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        serviceAccount: 'default',
        serviceAccountName: 'default',
        terminationGracePeriodSeconds: 30,
        tolerations: [
          {
            effect: 'NoExecute',
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            tolerationSeconds: 300,
          },
          {
            effect: 'NoExecute',
            key: 'node.kubernetes.io/unreachable',
            operator: 'Exists',
            tolerationSeconds: 300,
          },
        ],
      },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    });
  });

  it('defaults probes, handlers, ports and env as the API server does', () => {
    const pod = defaulted({
      metadata: { name: 'p' },
      spec: {
        initContainers: [
          { name: 'init', image: 'busybox:1.36', ports: [{ containerPort: 53, protocol: 'UDP' }] },
        ],
        containers: [
          {
            name: 'app',
            image: 'nginx:1.27',
            ports: [{ containerPort: 80 }],
            env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
            livenessProbe: { httpGet: { port: 80 }, initialDelaySeconds: 5 },
            readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 3 },
            startupProbe: { grpc: { port: 9000 } },
            lifecycle: { preStop: { httpGet: { port: 'http' } }, postStart: { exec: { command: ['true'] } } },
          },
        ],
      },
    });
    const spec = pod.spec as {
      containers: Record<string, unknown>[];
      initContainers: Record<string, unknown>[];
    };
    const c = spec.containers[0] as Record<string, unknown>;
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c.env, [
      { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
    ]);
    assert.deepEqual(c.livenessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' },
      initialDelaySeconds: 5,
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(c.readinessProbe, {
      tcpSocket: { port: 80 },
      periodSeconds: 3,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
    // GRPCAction.service is defaulted to "" (its +default marker), as reference §5.1 says.
    assert.deepEqual((c.startupProbe as Record<string, unknown>).grpc, { port: 9000, service: '' });
    assert.deepEqual(c.lifecycle, {
      preStop: { httpGet: { port: 'http', path: '/', scheme: 'HTTP' } },
      postStart: { exec: { command: ['true'] } },
    });
    const init = spec.initContainers[0] as Record<string, unknown>;
    assert.equal(init.imagePullPolicy, 'IfNotPresent');
    assert.deepEqual(init.ports, [{ containerPort: 53, protocol: 'UDP' }]);
    assert.equal(init.terminationMessagePolicy, 'File');
  });

  it('defaults volumes', () => {
    const pod = defaulted({
      metadata: { name: 'p' },
      spec: {
        containers: [{ name: 'a', image: 'x' }],
        volumes: [
          { name: 'scratch' },
          { name: 'host', hostPath: { path: '/var/log' } },
          { name: 'cm', configMap: { name: 'conf', items: [{ key: 'a', path: 'a' }] } },
          { name: 'sec', secret: { secretName: 's', defaultMode: 0o400 } },
          {
            name: 'info',
            downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] },
          },
          { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '0.5Gi' } },
          { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
        ],
      },
    });
    assert.deepEqual((pod.spec as { volumes: unknown }).volumes, [
      { name: 'scratch', emptyDir: {} },
      { name: 'host', hostPath: { path: '/var/log', type: '' } },
      { name: 'cm', configMap: { name: 'conf', items: [{ key: 'a', path: 'a' }], defaultMode: 420 } },
      { name: 'sec', secret: { secretName: 's', defaultMode: 256 } },
      {
        name: 'info',
        downwardAPI: {
          items: [{ path: 'labels', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.labels' } }],
          defaultMode: 420,
        },
      },
      { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '512Mi' } },
      {
        name: 'proj',
        projected: {
          sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }],
          defaultMode: 420,
        },
      },
    ]);
  });

  it('copies limits into missing requests and writes quantities canonically', () => {
    const pod = defaulted({
      metadata: { name: 'p' },
      spec: {
        containers: [
          {
            name: 'a',
            image: 'x',
            resources: { limits: { cpu: 0.5, memory: '1024Mi' }, requests: { cpu: '100m' } },
          },
        ],
        initContainers: [{ name: 'i', image: 'x', resources: { limits: { cpu: '1n' } } }],
      },
    });
    const spec = pod.spec as {
      containers: { resources: unknown }[];
      initContainers: { resources: unknown }[];
    };
    assert.deepEqual(spec.containers[0]?.resources, {
      limits: { cpu: '500m', memory: '1Gi' },
      requests: { cpu: '100m', memory: '1Gi' },
    });
    // SetDefaults_ResourceList rounds up to milli units.
    assert.deepEqual(spec.initContainers[0]?.resources, { limits: { cpu: '1m' }, requests: { cpu: '1m' } });
    assert.equal((pod.status as { qosClass: string }).qosClass, 'Burstable');
  });

  it('sets hostPort to containerPort with hostNetwork', () => {
    const pod = defaulted({
      metadata: { name: 'p' },
      spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 8080 }] }] },
    });
    assert.deepEqual((pod.spec as { containers: { ports: unknown }[] }).containers[0]?.ports, [
      { containerPort: 8080, hostPort: 8080, protocol: 'TCP' },
    ]);
  });

  it('keeps what the user set', () => {
    const pod = defaulted({
      metadata: { name: 'p', namespace: 'team', uid: 'ignored', creationTimestamp: '2000-01-01T00:00:00Z' },
      spec: {
        restartPolicy: 'Never',
        dnsPolicy: 'Default',
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
        serviceAccount: 'robot',
        priorityClassName: 'system-node-critical',
        tolerations: [{ operator: 'Exists' }],
        containers: [{ name: 'a', image: 'x', imagePullPolicy: 'Never' }],
      },
      status: { phase: 'Running' },
    });
    const spec = pod.spec as Record<string, unknown>;
    assert.equal(spec.restartPolicy, 'Never');
    assert.equal(spec.dnsPolicy, 'Default');
    assert.equal(spec.terminationGracePeriodSeconds, 0);
    assert.equal(spec.enableServiceLinks, false);
    assert.equal(spec.serviceAccountName, 'robot');
    assert.equal(spec.serviceAccount, 'robot');
    assert.equal(spec.priority, 2000001000);
    // A toleration of everything already covers the two default ones.
    assert.deepEqual(spec.tolerations, [{ operator: 'Exists' }]);
    assert.equal((spec.containers as { imagePullPolicy: string }[])[0]?.imagePullPolicy, 'Never');
    const meta = pod.metadata as Record<string, unknown>;
    assert.equal(meta.namespace, 'team');
    // The server owns identity and status.
    assert.equal(meta.uid, opts.uid());
    assert.equal(meta.creationTimestamp, '2025-01-02T03:04:05Z');
    assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('adds only the default tolerations that are missing', () => {
    const pod = defaulted({
      metadata: { name: 'p' },
      spec: {
        containers: [{ name: 'a', image: 'x' }],
        tolerations: [
          {
            key: 'node.kubernetes.io/not-ready',
            operator: 'Exists',
            effect: 'NoExecute',
            tolerationSeconds: 10,
          },
        ],
      },
    });
    assert.deepEqual((pod.spec as { tolerations: unknown }).tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
      {
        key: 'node.kubernetes.io/unreachable',
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      },
    ]);
  });

  it('turns a negative grace period into 1, as the API server has since 1.27', () => {
    const pod = defaulted({
      metadata: { name: 'p' },
      spec: { terminationGracePeriodSeconds: -5, containers: [] },
    });
    assert.equal((pod.spec as Record<string, unknown>).terminationGracePeriodSeconds, 1);
  });

  it('generates a name from generateName and uses the given namespace', () => {
    const pod = applyPodDefaults(
      { metadata: { generateName: 'job-' }, spec: { containers: [] } },
      {
        ...opts,
        namespace: 'batch',
        nameSuffix: () => 'x7k2q',
      },
    );
    assert.equal(pod.metadata?.name, 'job-x7k2q');
    assert.equal(pod.metadata?.namespace, 'batch');
    const random = applyPodDefaults({ metadata: { generateName: 'job-' }, spec: { containers: [] } }, opts);
    assert.match(random.metadata?.name ?? '', /^job-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('marks a gated pod unschedulable', () => {
    const pod = defaulted({
      metadata: { name: 'p' },
      spec: { containers: [], schedulingGates: [{ name: 'wait' }] },
    });
    assert.deepEqual(pod.status, {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: '2025-01-02T03:04:05Z',
          reason: 'SchedulingGated',
          message: 'Scheduling is blocked due to non-empty scheduling gates',
        },
      ],
    });
  });

  it('does not modify its input', () => {
    const input = {
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a', image: 'x', resources: { limits: { cpu: '1' } } }] },
    };
    const copy = structuredClone(input);
    defaulted(input);
    assert.deepEqual(input, copy);
  });

  it('applies only scheme defaults for updates', () => {
    const pod = applyPodSchemeDefaults({
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'a', image: 'x' }] },
    });
    const spec = pod.spec as unknown as Record<string, unknown>;
    assert.equal(spec.serviceAccountName, undefined);
    assert.equal(spec.tolerations, undefined);
    assert.equal(spec.priority, undefined);
    assert.equal(spec.restartPolicy, 'Always');
    assert.equal((pod as unknown as Record<string, unknown>).status, undefined);
  });
});

describe('applyPodUpdateDefaults', () => {
  it('keeps what the server owns and re-runs update admission', () => {
    const old = applyPodDefaults(
      { metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x:1' }] } },
      opts,
    );
    (old.status as Record<string, unknown>).phase = 'Running';
    const update = {
      metadata: { name: 'p', namespace: 'default', creationTimestamp: '1999-01-01T00:00:00Z', generation: 9 },
      spec: { containers: [{ name: 'a', image: 'x:2' }], serviceAccountName: 'default', priority: 7 },
      status: { phase: 'Failed' },
    };
    const pod = applyPodUpdateDefaults(update, old) as unknown as Record<string, Record<string, unknown>>;
    assert.equal(pod.metadata?.uid, old.metadata?.uid);
    assert.equal(pod.metadata?.creationTimestamp, '2025-01-02T03:04:05Z');
    assert.equal(pod.metadata?.generation, undefined);
    assert.equal(pod.spec?.priority, 0);
    assert.equal(pod.spec?.preemptionPolicy, 'PreemptLowerPriority');
    assert.deepEqual(pod.spec?.tolerations, old.spec?.tolerations);
    assert.deepEqual(pod.status, { phase: 'Running', qosClass: 'BestEffort' });
    assert.equal((pod.spec?.containers as { image: string }[])[0]?.image, 'x:2');
  });
});

describe('image pull policy', () => {
  const cases: [string, string, string][] = [
    ['nginx', 'latest', 'Always'],
    ['nginx:latest', 'latest', 'Always'],
    ['nginx:1.27', '1.27', 'IfNotPresent'],
    ['docker.io/library/nginx:1.27-alpine', '1.27-alpine', 'IfNotPresent'],
    ['localhost:5000/app', 'latest', 'Always'],
    ['localhost:5000/app:v2', 'v2', 'IfNotPresent'],
    [`nginx@sha256:${'a'.repeat(64)}`, '', 'IfNotPresent'],
    [`nginx:latest@sha256:${'a'.repeat(64)}`, 'latest', 'Always'],
    ['registry.example.com:8443/team/app', 'latest', 'Always'],
    // An unparseable reference has no tag.
    ['Nginx', '', 'IfNotPresent'],
    ['', '', 'IfNotPresent'],
  ];
  for (const [image, tag, policy] of cases) {
    it(`${image || '(empty)'} → ${policy}`, () => {
      assert.equal(imageTag(image), tag);
      assert.equal(defaultImagePullPolicy(image), policy);
    });
  }
});

describe('QoS class', () => {
  const qos = (containers: unknown[], initContainers: unknown[] = []): string =>
    computeQOSClass({ spec: { containers, initContainers } } as unknown as Pod);
  it('BestEffort without cpu or memory', () => {
    assert.equal(qos([{ name: 'a' }]), 'BestEffort');
    assert.equal(
      qos([{ resources: { limits: { 'nvidia.com/gpu': '1' }, requests: { 'nvidia.com/gpu': '1' } } }]),
      'BestEffort',
    );
    assert.equal(qos([{ resources: { requests: { cpu: '0' } } }]), 'BestEffort');
  });
  it('Guaranteed when every container has equal cpu and memory limits and requests', () => {
    const full = {
      resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1000m', memory: '1024Mi' } },
    };
    assert.equal(qos([full, full], [full]), 'Guaranteed');
  });
  it('Burstable otherwise', () => {
    assert.equal(qos([{ resources: { requests: { cpu: '100m' } } }]), 'Burstable');
    assert.equal(
      qos([{ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } } }]),
      'Burstable',
    );
    const full = {
      resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } },
    };
    assert.equal(qos([full, { name: 'b' }]), 'Burstable');
    assert.equal(qos([full], [{ resources: { limits: { cpu: '1' }, requests: { cpu: '1' } } }]), 'Burstable');
  });
});

describe('timestamps', () => {
  it('truncates to whole seconds', () => {
    assert.equal(rfc3339Seconds(Date.UTC(2025, 5, 6, 7, 8, 9, 999)), '2025-06-06T07:08:09Z');
  });
});
