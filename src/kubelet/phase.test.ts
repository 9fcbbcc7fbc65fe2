// getPhase, table-driven against the kubelet's rules (reference §1.2, 1.32+ variant) and the
// gotchas about Waiting-after-exit (4), sidecar exit codes (19) and init failure (21).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, ContainerStatus } from 'kubernetes-types/core/v1.js';
import { getPhase, type PodPhase } from './phase.ts';
import { apiRunning, apiTerminated, apiWaiting, ctr, makePod, sidecar } from '../testing/kubelet-harness.ts';

interface Row {
  name: string;
  policy?: 'Always' | 'OnFailure' | 'Never';
  init?: Container[];
  containers: Container[];
  initStatuses?: ContainerStatus[];
  statuses: ContainerStatus[];
  terminal?: boolean;
  initialized?: boolean;
  want: PodPhase;
}

const rows: Row[] = [
  {
    name: 'a container still being created is Pending',
    containers: [ctr('app')],
    statuses: [apiWaiting('app')],
    want: 'Pending',
  },
  {
    name: 'a running container is Running',
    containers: [ctr('app')],
    statuses: [apiRunning('app')],
    want: 'Running',
  },
  {
    name: 'running and one without status (unknown) is Pending',
    containers: [ctr('a'), ctr('b')],
    statuses: [apiRunning('a')],
    want: 'Pending',
  },
  {
    name: 'running and one waiting to be created is Pending',
    containers: [ctr('a'), ctr('b')],
    statuses: [apiRunning('a'), apiWaiting('b')],
    want: 'Pending',
  },
  {
    name: 'Never: all exited 0 is Succeeded',
    policy: 'Never',
    containers: [ctr('a'), ctr('b')],
    statuses: [apiTerminated('a', 0), apiTerminated('b', 0)],
    want: 'Succeeded',
  },
  {
    name: 'Never: one exited 1 is Failed',
    policy: 'Never',
    containers: [ctr('a'), ctr('b')],
    statuses: [apiTerminated('a', 0), apiTerminated('b', 1)],
    want: 'Failed',
  },
  {
    name: 'Never: one still running keeps the pod Running',
    policy: 'Never',
    containers: [ctr('a'), ctr('b')],
    statuses: [apiRunning('a'), apiTerminated('b', 1)],
    want: 'Running',
  },
  {
    name: 'OnFailure: all exited 0 is Succeeded',
    policy: 'OnFailure',
    containers: [ctr('a')],
    statuses: [apiTerminated('a', 0)],
    want: 'Succeeded',
  },
  {
    name: 'OnFailure: exited 1 is Running (it will be restarted)',
    policy: 'OnFailure',
    containers: [ctr('a')],
    statuses: [apiTerminated('a', 1)],
    want: 'Running',
  },
  {
    name: 'Always: exited 0 is Running ("all containers are restarting")',
    policy: 'Always',
    containers: [ctr('a')],
    statuses: [apiTerminated('a', 0)],
    want: 'Running',
  },
  {
    name: 'Always: exited 1 is Running',
    containers: [ctr('a')],
    statuses: [apiTerminated('a', 1)],
    want: 'Running',
  },
  {
    name: 'Always, terminal round: exited 0 is Succeeded',
    containers: [ctr('a')],
    statuses: [apiTerminated('a', 0)],
    terminal: true,
    want: 'Succeeded',
  },
  {
    name: 'Always, terminal round: 143 after SIGTERM is Failed',
    containers: [ctr('a'), ctr('b')],
    statuses: [apiTerminated('a', 0), apiTerminated('b', 143)],
    terminal: true,
    want: 'Failed',
  },
  {
    name: 'gotcha 3: Always, CrashLoopBackOff after exit 0 stays Running',
    containers: [ctr('a')],
    statuses: [apiWaiting('a', 'CrashLoopBackOff', 0)],
    want: 'Running',
  },
  {
    name: 'gotcha 4: OnFailure, Waiting after exit 0 is stopped but not succeeded (Running)',
    policy: 'OnFailure',
    containers: [ctr('a')],
    statuses: [apiWaiting('a', 'CrashLoopBackOff', 0)],
    want: 'Running',
  },
  {
    name: 'gotcha 4: terminal round, Waiting after exit 0 is Failed',
    policy: 'OnFailure',
    containers: [ctr('a')],
    statuses: [apiWaiting('a', 'CrashLoopBackOff', 0)],
    terminal: true,
    want: 'Failed',
  },
  {
    name: 'Never: Waiting after exit 0 is Failed (stopped, not succeeded)',
    policy: 'Never',
    containers: [ctr('a')],
    statuses: [apiWaiting('a', 'PostStartHookError', 0)],
    want: 'Failed',
  },
  {
    name: 'a regular init container running keeps the pod Pending',
    init: [ctr('init')],
    containers: [ctr('app')],
    initStatuses: [apiRunning('init')],
    statuses: [apiWaiting('app', 'PodInitializing')],
    want: 'Pending',
  },
  {
    name: 'an init container without status keeps the pod Pending',
    init: [ctr('init')],
    containers: [ctr('app')],
    initStatuses: [],
    statuses: [apiWaiting('app', 'PodInitializing')],
    want: 'Pending',
  },
  {
    name: 'gotcha 21: Never, init container exited 1 is Failed at once',
    policy: 'Never',
    init: [ctr('init')],
    containers: [ctr('app')],
    initStatuses: [apiTerminated('init', 1)],
    statuses: [apiWaiting('app', 'PodInitializing')],
    want: 'Failed',
  },
  {
    name: 'gotcha 21: Never, init container waiting after exit 1 is Failed',
    policy: 'Never',
    init: [ctr('init')],
    containers: [ctr('app')],
    initStatuses: [apiWaiting('init', 'CrashLoopBackOff', 1)],
    statuses: [apiWaiting('app', 'PodInitializing')],
    want: 'Failed',
  },
  {
    name: 'gotcha 21: OnFailure, init container exited 1 stays Pending',
    policy: 'OnFailure',
    init: [ctr('init')],
    containers: [ctr('app')],
    initStatuses: [apiTerminated('init', 1)],
    statuses: [apiWaiting('app', 'PodInitializing')],
    want: 'Pending',
  },
  {
    name: 'gotcha 21: Always, init container in CrashLoopBackOff stays Pending',
    init: [ctr('init')],
    containers: [ctr('app')],
    initStatuses: [apiWaiting('init', 'CrashLoopBackOff', 1)],
    statuses: [apiWaiting('app', 'PodInitializing')],
    want: 'Pending',
  },
  {
    name: 'init done (exit 0), app running is Running',
    init: [ctr('init')],
    containers: [ctr('app')],
    initStatuses: [apiTerminated('init', 0, { ready: true })],
    statuses: [apiRunning('app')],
    initialized: true,
    want: 'Running',
  },
  {
    name: 'init done, app still being created is Pending',
    init: [ctr('init')],
    containers: [ctr('app')],
    initStatuses: [apiTerminated('init', 0, { ready: true })],
    statuses: [apiWaiting('app', 'PodInitializing')],
    want: 'Pending',
  },
  {
    name: 'a second init container pending keeps the pod Pending even once a regular container started (1.32+)',
    init: [ctr('i1'), ctr('i2')],
    containers: [ctr('app')],
    initStatuses: [apiTerminated('i1', 0), apiWaiting('i2', 'PodInitializing')],
    statuses: [apiRunning('app')],
    initialized: true,
    want: 'Pending',
  },
  {
    name: 'a sidecar running but not started keeps an uninitialized pod Pending',
    init: [sidecar('side')],
    containers: [ctr('app')],
    initStatuses: [apiRunning('side', { started: false })],
    statuses: [apiWaiting('app', 'PodInitializing')],
    want: 'Pending',
  },
  {
    name: 'a sidecar not started does not hold back an initialized pod',
    init: [sidecar('side')],
    containers: [ctr('app')],
    initStatuses: [apiRunning('side', { started: false })],
    statuses: [apiRunning('app')],
    initialized: true,
    want: 'Running',
  },
  {
    name: 'a sidecar without status is unknown: Pending',
    init: [sidecar('side')],
    containers: [ctr('app')],
    initStatuses: [],
    statuses: [apiRunning('app')],
    initialized: true,
    want: 'Pending',
  },
  {
    name: 'gotcha 19: Never, a sidecar that exited 1 does not fail a pod whose app exited 0',
    policy: 'Never',
    init: [sidecar('side')],
    containers: [ctr('app')],
    initStatuses: [apiTerminated('side', 1)],
    statuses: [apiTerminated('app', 0)],
    initialized: true,
    want: 'Succeeded',
  },
  {
    name: 'gotcha 19: Never, a sidecar still running while the app exited 0 keeps the pod Running',
    policy: 'Never',
    init: [sidecar('side')],
    containers: [ctr('app')],
    initStatuses: [apiRunning('side')],
    statuses: [apiTerminated('app', 0)],
    initialized: true,
    want: 'Running',
  },
  {
    name: 'gotcha 19: terminal round, sidecar killed with 143 and app exited 0 is Succeeded',
    policy: 'Never',
    init: [sidecar('side')],
    containers: [ctr('app')],
    initStatuses: [apiTerminated('side', 143)],
    statuses: [apiTerminated('app', 0)],
    terminal: true,
    initialized: true,
    want: 'Succeeded',
  },
  {
    name: 'a sidecar waiting to restart after a crash is ignored',
    init: [sidecar('side')],
    containers: [ctr('app')],
    initStatuses: [apiWaiting('side', 'CrashLoopBackOff', 1)],
    statuses: [apiRunning('app')],
    initialized: true,
    want: 'Running',
  },
  {
    name: 'a sidecar waiting without a previous run keeps the pod Pending',
    init: [sidecar('side')],
    containers: [ctr('app')],
    initStatuses: [apiWaiting('side', 'PodInitializing')],
    statuses: [apiRunning('app')],
    initialized: true,
    want: 'Pending',
  },
];

for (const r of rows) {
  test(`getPhase: ${r.name}`, () => {
    const pod = makePod('p', {
      ...(r.policy ? { restartPolicy: r.policy } : {}),
      ...(r.init ? { initContainers: r.init } : {}),
      containers: r.containers,
    });
    const got = getPhase({
      pod,
      initStatuses: r.initStatuses ?? [],
      statuses: r.statuses,
      podIsTerminal: r.terminal ?? false,
      podHasInitialized: r.initialized ?? false,
    });
    assert.equal(got, r.want);
  });
}
