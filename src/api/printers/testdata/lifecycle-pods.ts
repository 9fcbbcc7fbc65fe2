// Pods in the lifecycle states of the kubelet reference (init containers waiting and failing,
// CrashLoopBackOff, Completed, terminating, sidecars, …), shaped the way the kubelet reports
// them, with every time relative to a base instant so the same scenarios serve fixed-time unit
// tests and live comparisons with the real kubectl. Each scenario carries what `kubectl get pods`
// shows for it, worked out from printPod's rules.

import type { ContainerState, ContainerStatus, Event, Pod, PodCondition } from 'kubernetes-types/core/v1.js';

/** Pod with its read-only status made writable, to build fixtures step by step. */
type WritablePod = { -readonly [K in keyof Pod]: Pod[K] };

const S = 1000;
const M = 60 * S;

export interface Scenario {
  name: string;
  pod: Pod;
  /** READY, STATUS, RESTARTS as kubectl shows them at the base instant. */
  expect: { ready: string; status: string; restarts: string };
}

/** RFC3339 with whole seconds, as the API server stores metav1.Time. */
export function at(base: number, offsetMs: number): string {
  return new Date(Math.floor((base + offsetMs) / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function conditions(base: number, ready: boolean, initialized = true, scheduled = true): PodCondition[] {
  const t = at(base, -10 * M);
  const c = (type: string, status: boolean): PodCondition => ({
    type,
    status: status ? 'True' : 'False',
    lastProbeTime: null as unknown as string,
    lastTransitionTime: t,
  });
  return [
    c('PodReadyToStartContainers', true),
    c('Initialized', initialized),
    c('Ready', ready),
    c('ContainersReady', ready),
    c('PodScheduled', scheduled),
  ];
}

function basePod(
  base: number,
  name: string,
  containers: string[],
  init: Array<{ name: string; sidecar?: boolean }> = [],
): WritablePod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      resourceVersion: '100',
      creationTimestamp: at(base, -12 * M - 30 * S),
      labels: { app: name },
    },
    spec: {
      nodeName: 'node-1',
      serviceAccountName: 'default',
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      priority: 0,
      containers: containers.map((c) => ({
        name: c,
        image: 'busybox:1.36',
        imagePullPolicy: 'IfNotPresent',
      })),
      ...(init.length > 0
        ? {
            initContainers: init.map((c) => ({
              name: c.name,
              image: 'busybox:1.36',
              ...(c.sidecar === true ? { restartPolicy: 'Always' } : {}),
            })),
          }
        : {}),
    },
    status: {
      phase: 'Running',
      hostIP: '10.0.0.1',
      podIP: '10.244.0.7',
      podIPs: [{ ip: '10.244.0.7' }],
      startTime: at(base, -12 * M),
      qosClass: 'BestEffort',
    },
  };
}

function running(
  base: number,
  name: string,
  ready: boolean,
  restarts = 0,
  extra: Partial<ContainerStatus> = {},
): ContainerStatus {
  return {
    name,
    ready,
    started: true,
    restartCount: restarts,
    image: 'docker.io/library/busybox:1.36',
    imageID: 'docker.io/library/busybox@sha256:0123',
    containerID: `containerd://${name}-id`,
    state: { running: { startedAt: at(base, -11 * M) } },
    ...extra,
  };
}

function waiting(
  name: string,
  reason: string,
  restarts = 0,
  extra: Partial<ContainerStatus> = {},
): ContainerStatus {
  return {
    name,
    ready: false,
    started: false,
    restartCount: restarts,
    image: 'busybox:1.36',
    imageID: '',
    state: { waiting: { reason } },
    ...extra,
  };
}

function terminated(
  base: number,
  name: string,
  exitCode: number,
  reason: string | undefined,
  restarts = 0,
  extra: Partial<ContainerStatus> = {},
): ContainerStatus {
  return {
    name,
    ready: exitCode === 0 && extra.ready === true,
    started: false,
    restartCount: restarts,
    image: 'docker.io/library/busybox:1.36',
    imageID: 'docker.io/library/busybox@sha256:0123',
    containerID: `containerd://${name}-id`,
    state: {
      terminated: {
        exitCode,
        ...(reason !== undefined ? { reason } : {}),
        startedAt: at(base, -11 * M),
        finishedAt: at(base, -10 * M - 20 * S),
        containerID: `containerd://${name}-id`,
      },
    },
    ...extra,
  };
}

function lastTerminated(base: number, offsetMs: number, exitCode = 1, reason = 'Error'): ContainerState {
  return {
    terminated: {
      exitCode,
      reason,
      startedAt: at(base, offsetMs - 2 * S),
      finishedAt: at(base, offsetMs),
      containerID: 'containerd://previous',
    },
  };
}

export function lifecycleScenarios(base: number): Scenario[] {
  const scenarios: Scenario[] = [];
  const add = (name: string, pod: WritablePod, ready: string, status: string, restarts: string): void => {
    scenarios.push({ name, pod, expect: { ready, status, restarts } });
  };

  {
    const pod = basePod(base, 'creating', ['app']);
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      conditions: conditions(base, false),
      containerStatuses: [waiting('app', 'ContainerCreating')],
    };
    delete pod.status.podIP;
    delete pod.status.podIPs;
    add('creating', pod, '0/1', 'ContainerCreating', '0');
  }
  {
    const pod = basePod(base, 'init-waiting', ['app'], [{ name: 'setup' }, { name: 'migrate' }]);
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      conditions: conditions(base, false, false),
      initContainerStatuses: [waiting('setup', 'PodInitializing'), waiting('migrate', 'PodInitializing')],
      containerStatuses: [waiting('app', 'PodInitializing')],
    };
    add('init-waiting', pod, '0/1', 'Init:0/2', '0');
  }
  {
    const pod = basePod(base, 'init-second', ['app'], [{ name: 'setup' }, { name: 'migrate' }]);
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      conditions: conditions(base, false, false),
      initContainerStatuses: [
        terminated(base, 'setup', 0, 'Completed', 0, { ready: true }),
        running(base, 'migrate', false),
      ],
      containerStatuses: [waiting('app', 'PodInitializing')],
    };
    add('init-second', pod, '0/1', 'Init:1/2', '0');
  }
  {
    const pod = basePod(base, 'init-crashloop', ['app'], [{ name: 'setup' }]);
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      conditions: conditions(base, false, false),
      initContainerStatuses: [
        waiting('setup', 'CrashLoopBackOff', 3, { lastState: lastTerminated(base, -40 * S) }),
      ],
      containerStatuses: [waiting('app', 'PodInitializing')],
    };
    add('init-crashloop', pod, '0/1', 'Init:CrashLoopBackOff', '3 (40s ago)');
  }
  {
    const pod = basePod(base, 'init-error', ['app'], [{ name: 'setup' }]);
    if (pod.spec !== undefined) pod.spec.restartPolicy = 'Never';
    pod.status = {
      ...pod.status,
      phase: 'Failed',
      conditions: conditions(base, false, false),
      initContainerStatuses: [terminated(base, 'setup', 1, 'Error')],
      containerStatuses: [waiting('app', 'PodInitializing')],
    };
    add('init-error', pod, '0/1', 'Init:Error', '0');
  }
  {
    const pod = basePod(base, 'init-signal', ['app'], [{ name: 'setup' }]);
    const status = terminated(base, 'setup', 137, undefined);
    if (status.state?.terminated !== undefined) status.state.terminated.signal = 9;
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      conditions: conditions(base, false, false),
      initContainerStatuses: [status],
      containerStatuses: [waiting('app', 'PodInitializing')],
    };
    add('init-signal', pod, '0/1', 'Init:Signal:9', '0');
  }
  {
    const pod = basePod(base, 'init-exitcode', ['app'], [{ name: 'setup' }]);
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      conditions: conditions(base, false, false),
      initContainerStatuses: [terminated(base, 'setup', 2, undefined)],
      containerStatuses: [waiting('app', 'PodInitializing')],
    };
    add('init-exitcode', pod, '0/1', 'Init:ExitCode:2', '0');
  }
  {
    const pod = basePod(base, 'initializing', ['app'], [{ name: 'setup' }]);
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      conditions: conditions(base, false, true),
      initContainerStatuses: [terminated(base, 'setup', 0, 'Completed', 0, { ready: true })],
      containerStatuses: [waiting('app', 'PodInitializing')],
    };
    add('initializing', pod, '0/1', 'PodInitializing', '0');
  }
  {
    const pod = basePod(base, 'web', ['nginx']);
    if (pod.spec?.containers[0] !== undefined) {
      pod.spec.containers[0].image = 'nginx:1.27';
      pod.spec.containers[0].ports = [{ containerPort: 80, protocol: 'TCP' }];
      pod.spec.containers[0].readinessProbe = {
        httpGet: { path: '/index1.html', port: 80, scheme: 'HTTP' },
        initialDelaySeconds: 1,
        timeoutSeconds: 1,
        periodSeconds: 3,
        successThreshold: 1,
        failureThreshold: 3,
      };
    }
    pod.status = {
      ...pod.status,
      conditions: conditions(base, true),
      containerStatuses: [running(base, 'nginx', true)],
    };
    add('running', pod, '1/1', 'Running', '0');
  }
  {
    const pod = basePod(base, 'crashloop', ['app']);
    pod.status = {
      ...pod.status,
      conditions: conditions(base, false),
      containerStatuses: [
        waiting('app', 'CrashLoopBackOff', 5, {
          lastState: lastTerminated(base, -40 * S, 0, 'Completed'),
          containerID: 'containerd://app-id',
          imageID: 'docker.io/library/busybox@sha256:0123',
        }),
      ],
    };
    if (pod.status.containerStatuses?.[0]?.state?.waiting !== undefined) {
      pod.status.containerStatuses[0].state.waiting.message =
        'back-off 2m40s restarting failed container=app pod=crashloop_default(uid-crashloop)';
    }
    add('crashloop', pod, '0/1', 'CrashLoopBackOff', '5 (40s ago)');
  }
  {
    const pod = basePod(base, 'job-done', ['work']);
    if (pod.spec !== undefined) pod.spec.restartPolicy = 'Never';
    pod.status = {
      ...pod.status,
      phase: 'Succeeded',
      conditions: conditions(base, false),
      containerStatuses: [terminated(base, 'work', 0, 'Completed')],
    };
    add('completed', pod, '0/1', 'Completed', '0');
  }
  {
    const pod = basePod(base, 'job-failed', ['work']);
    if (pod.spec !== undefined) pod.spec.restartPolicy = 'Never';
    pod.status = {
      ...pod.status,
      phase: 'Failed',
      conditions: conditions(base, false),
      containerStatuses: [terminated(base, 'work', 1, 'Error')],
    };
    add('error', pod, '0/1', 'Error', '0');
  }
  {
    const pod = basePod(base, 'oom', ['hog']);
    pod.status = {
      ...pod.status,
      conditions: conditions(base, false),
      containerStatuses: [
        terminated(base, 'hog', 137, 'OOMKilled', 2, {
          lastState: lastTerminated(base, -3 * M, 137, 'OOMKilled'),
        }),
      ],
    };
    add('oomkilled', pod, '0/1', 'OOMKilled', '2 (3m ago)');
  }
  {
    const pod = basePod(base, 'half-done', ['main', 'helper']);
    // containerStatuses are sorted by name: helper, main. The first one's state wins.
    pod.status = {
      ...pod.status,
      conditions: conditions(base, true),
      containerStatuses: [terminated(base, 'helper', 0, 'Completed'), running(base, 'main', true)],
    };
    add('completed-and-running-ready', pod, '1/2', 'Running', '0');
  }
  {
    const pod = basePod(base, 'half-done-unready', ['main', 'helper']);
    pod.status = {
      ...pod.status,
      conditions: conditions(base, false),
      containerStatuses: [terminated(base, 'helper', 0, 'Completed'), running(base, 'main', true)],
    };
    add('completed-and-running-notready', pod, '1/2', 'NotReady', '0');
  }
  {
    const pod = basePod(base, 'stopping', ['app']);
    pod.metadata = { ...pod.metadata, deletionTimestamp: at(base, 20 * S), deletionGracePeriodSeconds: 30 };
    pod.status = {
      ...pod.status,
      conditions: conditions(base, true),
      containerStatuses: [running(base, 'app', true)],
    };
    add('terminating', pod, '1/1', 'Terminating', '0');
  }
  {
    const pod = basePod(base, 'lost', ['app']);
    pod.metadata = { ...pod.metadata, deletionTimestamp: at(base, -1 * M), deletionGracePeriodSeconds: 30 };
    pod.status = {
      ...pod.status,
      reason: 'NodeLost',
      message: 'Node node-1 which was running pod lost is unresponsive',
      conditions: conditions(base, false),
      containerStatuses: [running(base, 'app', true)],
    };
    add('node-lost', pod, '1/1', 'Unknown', '0');
  }
  {
    const pod = basePod(base, 'gated', ['app']);
    if (pod.spec !== undefined) {
      delete pod.spec.nodeName;
      pod.spec.schedulingGates = [{ name: 'example.com/wait' }];
    }
    pod.status = {
      phase: 'Pending',
      qosClass: 'BestEffort',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'SchedulingGated',
          message: 'Scheduling is blocked due to non-empty scheduling gates',
          lastProbeTime: null as unknown as string,
          lastTransitionTime: at(base, -12 * M),
        },
      ],
    };
    add('scheduling-gated', pod, '0/1', 'SchedulingGated', '0');
  }
  {
    const pod = basePod(base, 'with-sidecar', ['app'], [{ name: 'proxy', sidecar: true }]);
    pod.status = {
      ...pod.status,
      conditions: conditions(base, true),
      initContainerStatuses: [running(base, 'proxy', true, 1, { lastState: lastTerminated(base, -5 * M) })],
      containerStatuses: [running(base, 'app', true, 2, { lastState: lastTerminated(base, -2 * M) })],
    };
    add('sidecar-running', pod, '2/2', 'Running', '3 (2m ago)');
  }
  {
    const pod = basePod(
      base,
      'sidecar-starting',
      ['app'],
      [{ name: 'proxy', sidecar: true }, { name: 'setup' }],
    );
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      conditions: conditions(base, false, false),
      initContainerStatuses: [
        running(base, 'proxy', false, 0, { started: false }),
        waiting('setup', 'PodInitializing'),
      ],
      containerStatuses: [waiting('app', 'PodInitializing')],
    };
    add('sidecar-not-started', pod, '0/2', 'Init:0/2', '0');
  }
  {
    const pod = basePod(base, 'sidecar-crash', ['app'], [{ name: 'proxy', sidecar: true }]);
    pod.status = {
      ...pod.status,
      conditions: conditions(base, false, true),
      initContainerStatuses: [
        waiting('proxy', 'CrashLoopBackOff', 4, { lastState: lastTerminated(base, -30 * S) }),
      ],
      containerStatuses: [running(base, 'app', true)],
    };
    // The app container running does not override STATUS, so the sidecar's waiting reason stays.
    add('sidecar-crashloop', pod, '1/2', 'Init:CrashLoopBackOff', '4 (30s ago)');
  }
  {
    const pod = basePod(base, 'pull-fail', ['app']);
    if (pod.spec?.containers[0] !== undefined) pod.spec.containers[0].image = 'example.invalid/nope:1';
    pod.status = {
      ...pod.status,
      phase: 'Pending',
      conditions: conditions(base, false),
      containerStatuses: [waiting('app', 'ImagePullBackOff')],
    };
    add('image-pull-backoff', pod, '0/1', 'ImagePullBackOff', '0');
  }
  {
    const pod = basePod(base, 'killed', ['app']);
    const status = terminated(base, 'app', 137, undefined, 1, { lastState: lastTerminated(base, -6 * M) });
    pod.status = { ...pod.status, conditions: conditions(base, false), containerStatuses: [status] };
    add('exitcode-no-reason', pod, '0/1', 'ExitCode:137', '1 (6m ago)');
  }
  {
    const pod = basePod(base, 'gates', ['app']);
    if (pod.spec !== undefined)
      pod.spec.readinessGates = [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }];
    pod.status = {
      ...pod.status,
      podIPs: [{ ip: '10.244.0.9' }, { ip: 'fd00::9' }],
      podIP: '10.244.0.9',
      nominatedNodeName: 'node-2',
      conditions: [
        ...conditions(base, false),
        {
          type: 'example.com/lb',
          status: 'True',
          lastProbeTime: null as unknown as string,
          lastTransitionTime: at(base, -1 * M),
        },
      ],
      containerStatuses: [running(base, 'app', true)],
    };
    add('readiness-gates', pod, '1/1', 'Running', '0');
  }
  return scenarios;
}

/** Events for the "web" pod: a plain start, a repeated warning, and an events.k8s.io style one. */
export function webEvents(base: number, pod: Pod): Event[] {
  const ref = {
    apiVersion: 'v1',
    kind: 'Pod',
    name: pod.metadata?.name ?? '',
    namespace: 'default',
    uid: pod.metadata?.uid ?? '',
    resourceVersion: '100',
  };
  const container = { ...ref, fieldPath: 'spec.containers{nginx}' };
  const event = (
    name: string,
    involved: typeof ref,
    type: string,
    reason: string,
    message: string,
    first: number,
    last: number,
    count: number,
    source: { component: string; host?: string },
  ): Event => ({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${ref.name}.${name}`,
      namespace: 'default',
      uid: `ev-${name}`,
      creationTimestamp: at(base, first),
    },
    involvedObject: involved,
    reason,
    message,
    type,
    source,
    firstTimestamp: at(base, first),
    lastTimestamp: at(base, last),
    count,
    eventTime: null as unknown as string,
    reportingComponent: source.component,
    reportingInstance: source.host ?? '',
  });
  const kubelet = { component: 'kubelet', host: 'node-1' };
  return [
    event(
      '1',
      ref,
      'Normal',
      'Scheduled',
      'Successfully assigned default/web to node-1',
      -12 * M - 30 * S,
      -12 * M - 30 * S,
      1,
      {
        component: 'default-scheduler',
      },
    ),
    event(
      '2',
      container,
      'Normal',
      'Pulled',
      'Container image "nginx:1.27" already present on machine',
      -12 * M,
      -12 * M,
      1,
      kubelet,
    ),
    event('3', container, 'Normal', 'Created', 'Created container nginx', -12 * M, -12 * M, 1, kubelet),
    event('4', container, 'Normal', 'Started', 'Started container nginx', -12 * M, -12 * M, 1, kubelet),
    event(
      '5',
      container,
      'Warning',
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 404\n',
      -11 * M - 30 * S,
      -10 * M - 30 * S,
      7,
      kubelet,
    ),
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'web.6', namespace: 'default', uid: 'ev-6', creationTimestamp: at(base, -20 * M) },
      involvedObject: ref,
      reason: 'Checked',
      message: 'Series event written through events.k8s.io',
      type: 'Normal',
      source: {},
      eventTime: new Date(Math.floor((base - 20 * M) / 1000) * 1000).toISOString().replace('Z', '000Z'),
      series: {
        count: 4,
        lastObservedTime: new Date(Math.floor((base - 15 * M) / 1000) * 1000)
          .toISOString()
          .replace('Z', '000Z'),
      },
      reportingComponent: 'nodelet-checker',
      reportingInstance: 'node-1',
    },
  ];
}
