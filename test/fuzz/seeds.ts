// The valid objects the fuzzer starts from: the pods of examples/ and a few objects of every
// resource the API serves.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Json } from './mutate.ts';

const examples = join(import.meta.dirname, '..', '..', 'examples');

function examplePods(): Json[] {
  const out: Json[] = [];
  for (const f of readdirSync(examples)
    .filter((n) => n.endsWith('.yaml'))
    .sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(examples, f), 'utf8'))) {
      if ('toJS' in doc) {
        const v = doc.toJS() as Json;
        if (v !== null && typeof v === 'object' && !Array.isArray(v) && v.kind === 'Pod') out.push(v);
      }
    }
  }
  return out;
}

const minimalPod: Json = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'target', namespace: 'default', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sleep', '3600'] }] },
};

const fullPod: Json = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'full-', annotations: { note: 'x' }, finalizers: ['example.com/f'] },
  spec: {
    restartPolicy: 'OnFailure',
    terminationGracePeriodSeconds: 5,
    activeDeadlineSeconds: 100,
    initContainers: [
      { name: 'init', image: 'busybox', command: ['true'] },
      { name: 'side', image: 'busybox', restartPolicy: 'Always', command: ['sleep', '99'] },
    ],
    containers: [
      {
        name: 'app',
        image: 'busybox',
        args: ['$(GREETING)'],
        env: [
          { name: 'GREETING', value: 'hi' },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
        ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
        resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { memory: '128Mi' } },
        readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
        livenessProbe: { exec: { command: ['true'] }, failureThreshold: 3 },
        startupProbe: { tcpSocket: { port: 8080 } },
        lifecycle: { postStart: { sleep: { seconds: 1 } }, preStop: { exec: { command: ['true'] } } },
        securityContext: { runAsUser: 1000, capabilities: { drop: ['ALL'] } },
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
    ],
    volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
    nodeSelector: { disk: 'ssd' },
    dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] },
  },
};

export const PODS: readonly Json[] = [minimalPod, fullPod, ...examplePods()];

/** A valid object per creatable resource, with the collection path it is created in. */
export const OBJECTS: readonly { path: string; object: Json }[] = [
  ...PODS.map((object) => ({ path: '/api/v1/namespaces/default/pods', object })),
  { path: '/api/v1/namespaces', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz' } } },
  {
    path: '/api/v1/namespaces/default/events',
    object: {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'ev' },
      involvedObject: { kind: 'Pod', name: 'target', namespace: 'default' },
      reason: 'Test',
      message: 'm',
      type: 'Normal',
      count: 1,
    },
  },
  {
    path: '/apis/events.k8s.io/v1/namespaces/default/events',
    object: {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'ev2' },
      eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'x/y',
      reportingInstance: 'i',
      action: 'A',
      reason: 'R',
      type: 'Normal',
      regarding: { kind: 'Pod', name: 'target', namespace: 'default' },
    },
  },
  {
    path: '/api/v1/nodes',
    object: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { a: 'b' } }, spec: {} },
  },
  {
    path: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
    object: {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'l1' },
      spec: { holderIdentity: 'n1', leaseDurationSeconds: 40 },
    },
  },
];

export const TARGET_POD = minimalPod;
