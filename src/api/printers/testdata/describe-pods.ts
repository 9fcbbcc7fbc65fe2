// Pods that exercise every part of `kubectl describe pod` the printers implement: probes of each
// kind, env sources, envFrom, ports, resources in non-canonical spellings, volume types, mounts,
// long and multi-line annotations (including nodelet's lifecycle/probe records), tolerations,
// topology spread, readiness gates, termination, computed QoS classes and odd characters.

import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { at } from './lifecycle-pods.ts';

const S = 1000;
const M = 60 * S;

export interface DescribeFixture {
  pod: Pod;
  events: Event[];
}

export function describeFixtures(base: number): DescribeFixture[] {
  const full: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'full',
      namespace: 'default',
      uid: 'uid-full',
      creationTimestamp: at(base, -42 * M),
      labels: { app: 'full', 'app.kubernetes.io/part-of': 'demo', tier: 'backend' },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"Pod"}\n',
        'lifecycle.nodelet.dev/app.postStart':
          '{"handler":"exec","command":["sh","-c","echo started > /tmp/ready"],"exitCode":0,"durationMs":12,"output":"started"}',
        'probe.nodelet.dev/app.readiness':
          'Success at 2025-01-15T11:59:50Z: HTTP 200 (3ms)\nprevious: Failure HTTP 503\n',
        'example.com/exact': 'x'.repeat(140 - 'example.com/exact'.length - 2),
        'example.com/over': 'y'.repeat(140 - 'example.com/over'.length - 1),
        'example.com/ünïcode': 'välue',
        short: 'v',
      },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'full-7d9f', uid: 'rs-uid', controller: true },
      ],
    },
    spec: {
      nodeName: 'node-1',
      serviceAccountName: 'builder',
      priority: 1000,
      priorityClassName: 'high',
      runtimeClassName: 'nodelet-process',
      restartPolicy: 'Always',
      securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
      nodeSelector: { 'kubernetes.io/os': 'linux', disk: 'ssd' },
      readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/missing' }],
      tolerations: [
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        { operator: 'Exists' },
        { key: 'dedicated', operator: 'Equal', value: 'build', effect: 'NoSchedule' },
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        { key: 'gpu', operator: 'Exists' },
      ],
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'zone',
          whenUnsatisfiable: 'DoNotSchedule',
          labelSelector: {
            matchLabels: { app: 'full' },
            matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'backend'] }],
          },
        },
        { maxSkew: 2, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
      ],
      initContainers: [
        {
          name: 'setup',
          image: 'busybox:1.36',
          command: ['sh', '-c', 'echo one\necho two'],
          resources: { requests: { cpu: '0.1', memory: '64Mi' } },
        },
        {
          name: 'proxy',
          image: 'envoy:1.31',
          restartPolicy: 'Always',
          ports: [{ containerPort: 15001, protocol: 'TCP' }],
          startupProbe: {
            tcpSocket: { port: 15001 },
            initialDelaySeconds: 0,
            timeoutSeconds: 1,
            periodSeconds: 1,
            successThreshold: 1,
            failureThreshold: 30,
          },
        },
      ],
      containers: [
        {
          name: 'app',
          image: 'example.com/app:2.1',
          command: ['/app'],
          args: ['--listen=:8080', '--config', '/etc/app/config.yaml'],
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9090, hostPort: 19090, protocol: 'TCP' },
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
          ],
          resources: {
            limits: { cpu: '1.5', memory: '1024Mi', 'ephemeral-storage': '2000', 'example.com/widget': '1' },
            requests: { cpu: '500m', memory: '1.5Gi', 'ephemeral-storage': '1e3' },
          },
          livenessProbe: {
            httpGet: { path: '/healthz?full=1', port: 'http', scheme: 'HTTPS', host: '127.0.0.1' },
            initialDelaySeconds: 10,
            timeoutSeconds: 2,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
          readinessProbe: {
            exec: { command: ['cat', '/tmp/ready'] },
            initialDelaySeconds: 0,
            timeoutSeconds: 1,
            periodSeconds: 5,
            successThreshold: 2,
            failureThreshold: 3,
          },
          startupProbe: {
            grpc: { port: 9090, service: 'app.Health' },
            initialDelaySeconds: 0,
            timeoutSeconds: 1,
            periodSeconds: 2,
            successThreshold: 1,
            failureThreshold: 60,
          },
          envFrom: [
            { configMapRef: { name: 'app-config' } },
            { secretRef: { name: 'app-secret', optional: true }, prefix: 'SECRET_' },
          ],
          env: [
            { name: 'PLAIN', value: 'value' },
            { name: 'MULTI', value: 'line one\nline two' },
            { name: 'EMPTY', value: '' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
            {
              name: 'POD_NAMESPACE',
              valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
            },
            { name: 'NODE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } },
            { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '1m' } } },
            {
              name: 'MEM_REQUEST',
              valueFrom: { resourceFieldRef: { resource: 'requests.memory', divisor: '1Mi' } },
            },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
            {
              name: 'MODE',
              valueFrom: { configMapKeyRef: { name: 'app-config', key: 'mode', optional: true } },
            },
          ],
          volumeMounts: [
            { name: 'config', mountPath: '/etc/app' },
            { name: 'data', mountPath: '/data', subPath: 'app' },
            { name: 'cache', mountPath: '/cache' },
            {
              name: 'kube-api-access-x7k2p',
              mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
              readOnly: true,
            },
          ],
          securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/app.json' } },
        },
        {
          name: 'sleeper',
          image: 'busybox:1.36',
          command: ['sleep', 'infinity'],
          livenessProbe: {
            tcpSocket: { host: 'localhost', port: 8080 },
            initialDelaySeconds: 0,
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
          readinessProbe: {
            // The API server defaults service to "" (kubectl would crash on a missing one).
            grpc: { port: 8081, service: '' },
            initialDelaySeconds: 0,
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'app-config', optional: true } },
        { name: 'data', persistentVolumeClaim: { claimName: 'app-data' } },
        { name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '0.5Gi' } },
        { name: 'scratch', emptyDir: {} },
        { name: 'host', hostPath: { path: '/var/log', type: 'Directory' } },
        { name: 'host2', hostPath: { path: '/srv' } },
        { name: 'creds', secret: { secretName: 'db' } },
        {
          name: 'podinfo',
          downwardAPI: {
            items: [
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu' } },
            ],
          },
        },
        { name: 'nfs', nfs: { server: 'nfs.example.com', path: '/exports', readOnly: true } },
        {
          name: 'inline',
          csi: { driver: 'example.csi.k8s.io', volumeAttributes: { size: '1Gi', b: 'two' } },
        },
        { name: 'inline-empty', csi: { driver: 'other.csi.k8s.io', readOnly: true, fsType: 'ext4' } },
        {
          name: 'kube-api-access-x7k2p',
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              {
                downwardAPI: {
                  items: [
                    { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
                  ],
                },
              },
              { secret: { name: 'extra' } },
            ],
          },
        },
      ],
    },
    status: {
      phase: 'Running',
      reason: 'SomeReason',
      message: 'a status message',
      hostIP: '10.0.0.1',
      podIP: '10.244.0.12',
      podIPs: [{ ip: '10.244.0.12' }, { ip: 'fd00::12' }],
      nominatedNodeName: 'node-2',
      startTime: at(base, -41 * M - 30 * S),
      qosClass: 'Burstable',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True' },
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: 'False', reason: 'ContainersNotReady' },
        { type: 'ContainersReady', status: 'False' },
        { type: 'PodScheduled', status: 'True' },
        { type: 'example.com/lb', status: 'True' },
      ],
      initContainerStatuses: [
        {
          name: 'setup',
          ready: true,
          started: false,
          restartCount: 0,
          image: 'docker.io/library/busybox:1.36',
          imageID: 'docker.io/library/busybox@sha256:aaaa',
          containerID: 'containerd://setup',
          state: {
            terminated: {
              exitCode: 0,
              reason: 'Completed',
              startedAt: at(base, -41 * M),
              finishedAt: at(base, -40 * M - 30 * S),
            },
          },
        },
        {
          name: 'proxy',
          ready: true,
          started: true,
          restartCount: 1,
          image: 'docker.io/library/envoy:1.31',
          imageID: 'docker.io/library/envoy@sha256:bbbb',
          containerID: 'containerd://proxy',
          state: { running: { startedAt: at(base, -35 * M) } },
          lastState: {
            terminated: {
              exitCode: 137,
              signal: 9,
              reason: 'Error',
              message: 'killed\nby the kubelet',
              startedAt: at(base, -40 * M),
              finishedAt: at(base, -35 * M - 30 * S),
            },
          },
        },
      ],
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          started: false,
          restartCount: 7,
          image: 'example.com/app:2.1',
          imageID: '',
          containerID: 'containerd://app',
          state: {
            waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' },
          },
          lastState: {
            terminated: {
              exitCode: 2,
              reason: 'Error',
              startedAt: at(base, -3 * M),
              finishedAt: at(base, -2 * M - 30 * S),
            },
          },
        },
        {
          name: 'sleeper',
          ready: true,
          started: true,
          restartCount: 0,
          image: 'docker.io/library/busybox:1.36',
          imageID: 'docker.io/library/busybox@sha256:aaaa',
          containerID: 'containerd://sleeper',
          state: { waiting: {} },
        },
      ],
    },
  };

  const events = (pod: Pod): Event[] => {
    const ref = {
      kind: 'Pod',
      namespace: 'default',
      name: pod.metadata?.name ?? '',
      uid: pod.metadata?.uid ?? '',
    };
    const ev = (
      n: number,
      type: string,
      reason: string,
      message: string,
      last: number,
      count: number,
      first = last,
    ): Event => ({
      metadata: { name: `${ref.name}.${n}`, namespace: 'default' },
      involvedObject: { ...ref, fieldPath: 'spec.containers{app}' },
      type,
      reason,
      message,
      count,
      firstTimestamp: at(base, first),
      lastTimestamp: at(base, last),
      source: { component: 'kubelet', host: 'node-1' },
    });
    return [
      // Listed out of order: describe sorts by lastTimestamp.
      ev(
        3,
        'Warning',
        'BackOff',
        'Back-off restarting failed container app in pod full_default(uid-full)',
        -30 * S,
        31,
        -30 * M,
      ),
      ev(
        1,
        'Normal',
        'Pulled',
        'Container image "example.com/app:2.1" already present on machine',
        -40 * M,
        1,
      ),
      ev(2, 'Normal', 'Started', 'Started container app \x1b[31mred\x1b[0m\r', -40 * M, 1),
      ev(4, 'Normal', 'Killing', '  Stopping container app  ', -2 * M - 30 * S, 1),
      {
        ...ev(5, 'Normal', 'Created', 'Created container app', -40 * M, 1),
        lastTimestamp: null as unknown as string,
      },
    ];
  };

  const minimal: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'minimal',
      namespace: 'default',
      uid: 'uid-minimal',
      creationTimestamp: at(base, -5 * M),
    },
    spec: {
      containers: [
        {
          name: 'only',
          image: 'busybox',
          resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '0.25', memory: '64Mi' } },
        },
      ],
    },
    status: { phase: 'Pending' },
  };

  const burstable: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'burstable',
      namespace: 'default',
      uid: 'uid-burstable',
      creationTimestamp: at(base, -5 * M),
    },
    spec: {
      containers: [{ name: 'c', image: 'busybox', resources: { requests: { memory: '10Mi' } } }],
      ephemeralContainers: [{ name: 'debugger', image: 'busybox', stdin: true, tty: true }],
    },
    status: {
      phase: 'Running',
      ephemeralContainerStatuses: [
        {
          name: 'debugger',
          ready: false,
          restartCount: 0,
          image: 'busybox',
          imageID: '',
          containerID: 'containerd://dbg',
          state: { running: { startedAt: at(base, -1 * M) } },
        },
      ],
    },
  };

  const terminating: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'terminating',
      namespace: 'default',
      uid: 'uid-terminating',
      creationTimestamp: at(base, -30 * M),
      deletionTimestamp: at(base, -2 * M - 30 * S),
      deletionGracePeriodSeconds: 30,
      labels: { app: 'terminating' },
    },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }] },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      podIP: '10.244.0.3',
      podIPs: [{ ip: '10.244.0.3' }],
      startTime: at(base, -30 * M),
      qosClass: 'BestEffort',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        {
          name: 'app',
          ready: true,
          started: true,
          restartCount: 0,
          image: 'nginx',
          imageID: 'docker.io/library/nginx@sha256:cccc',
          containerID: 'containerd://t',
          state: { running: { startedAt: at(base, -29 * M) } },
        },
      ],
    },
  };

  // More than 12 events and tolerations with equal keys: Go's unstable sort decides their order.
  const busy: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'busy', namespace: 'default', uid: 'uid-busy', creationTimestamp: at(base, -50 * M) },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'app', image: 'busybox' }],
      tolerations: Array.from({ length: 16 }, (_, i) => ({
        key: ['b', 'a', 'c'][(i * 7) % 3] ?? 'a',
        operator: 'Equal',
        value: `v${i}`,
        effect: 'NoSchedule',
      })),
    },
    status: { phase: 'Running', qosClass: 'BestEffort' },
  };
  const minutes = [
    12, 3, 40, 3, 12, 3, 7, 40, 3, 12, 7, 3, 12, 40, 3, 7, 12, 3, 40, 7, 3, 12, 3, 7, 40, 12, 3, 3, 7, 12,
  ];
  const busyEvents: Event[] = minutes.map((m, i) => ({
    metadata: { name: `busy.${String(i).padStart(2, '0')}`, namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: 'busy', uid: 'uid-busy' },
    type: 'Normal',
    reason: `Step${i}`,
    message: `event number ${i}`,
    count: 1,
    firstTimestamp: at(base, -m * M),
    lastTimestamp: at(base, -m * M),
    source: { component: 'kubelet', host: 'node-1' },
  }));

  return [
    { pod: full, events: events(full) },
    { pod: busy, events: busyEvents },
    { pod: minimal, events: [] },
    { pod: burstable, events: [] },
    { pod: terminating, events: events(terminating).slice(0, 2) },
  ];
}
