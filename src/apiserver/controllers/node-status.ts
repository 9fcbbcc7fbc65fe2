// The Node object of this machine and its heartbeat, as the kubelet keeps them: the Node registered
// on start (addresses, capacity, nodeInfo, labels); its Lease in kube-node-lease renewed every 10 s
// (the heartbeat); the status checked every nodeStatusUpdateFrequency (10 s) and written when it
// changed or nodeStatusReportFrequency (5 min) has passed; Ready=Unknown once the agent stops.
import { arch, cpus, freemem, hostname, networkInterfaces, release, totalmem, type } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Node, NodeCondition } from 'kubernetes-types/core/v1.js';
import type { Store } from '../../store/store.ts';
import type { Clock, Timer } from '../../util/clock.ts';
import { microTime, rfc3339 } from '../meta.ts';

export const NODE_STATUS_UPDATE_MS = 10_000;
export const NODE_STATUS_REPORT_MS = 5 * 60_000;
export const LEASE_DURATION_SECONDS = 40;

export interface NodeStatusOptions {
  store: Store;
  clock: Clock;
  nodeName: string;
  /** The IP pods and the node report (loopback for the process runtime). */
  internalIP: string;
  kubeletVersion: string;
  containerRuntimeVersion: string;
  /** Max pods the node admits (capacity.pods); the kubelet default is 110. */
  maxPods?: number;
  uid?: () => string;
}

const goArch = (): string =>
  ({ x64: 'amd64', arm64: 'arm64', ia32: '386' })[arch() as 'x64' | 'arm64' | 'ia32'] ?? arch();

function quantityKi(bytes: number): string {
  return `${Math.floor(bytes / 1024)}Ki`;
}

function hostIPs(): string[] {
  const out: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') out.push(a.address);
  }
  return out;
}

export class NodeStatusWriter {
  private readonly o: NodeStatusOptions;
  private timer: Timer | undefined;
  private lastReport = 0;
  private lastStatus = '';

  constructor(options: NodeStatusOptions) {
    this.o = options;
  }

  private get key(): { resource: string; namespace: string; name: string } {
    return { resource: 'nodes', namespace: '', name: this.o.nodeName };
  }

  start(): void {
    this.write(true, true);
    this.renewLease();
    const tick = (): void => {
      // As the kubelet's lease controller: a renewal that fails (a full disk) is tried again next
      // period; thrown from a timer it would end the process.
      try {
        this.renewLease();
      } catch {
        // retried at the next tick
      }
      this.write(true, false);
      this.timer = this.o.clock.setTimer(NODE_STATUS_UPDATE_MS, tick);
    };
    this.timer = this.o.clock.setTimer(NODE_STATUS_UPDATE_MS, tick);
  }

  /** The agent stops: Ready becomes Unknown, as the node lifecycle controller marks a silent node. */
  stop(): void {
    this.timer?.cancel();
    this.write(false, true);
  }

  private renewLease(): void {
    const { store, clock, nodeName } = this.o;
    const key = { resource: 'leases', namespace: 'kube-node-lease', name: nodeName };
    const node = store.get<Node>(this.key);
    const current = store.get<
      Record<string, unknown> & { metadata?: { uid?: string; creationTimestamp?: string } }
    >(key);
    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: nodeName,
        namespace: 'kube-node-lease',
        uid: current?.metadata?.uid ?? (this.o.uid ?? randomUUID)(),
        creationTimestamp: current?.metadata?.creationTimestamp ?? rfc3339(clock.now()),
        ownerReferences: node?.metadata?.uid
          ? [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid }]
          : [],
      },
      spec: {
        holderIdentity: nodeName,
        leaseDurationSeconds: LEASE_DURATION_SECONDS,
        renewTime: microTime(clock.now()),
      },
    };
    if (current) store.update(key, lease);
    else store.create(key, lease);
  }

  private conditions(ready: boolean, previous: Node | undefined): NodeCondition[] {
    const now = rfc3339(this.o.clock.now());
    const old = new Map((previous?.status?.conditions ?? []).map((c) => [c.type, c]));
    const cond = (t: string, status: string, reason: string, message: string): NodeCondition => {
      const prev = old.get(t);
      return {
        type: t,
        status,
        lastHeartbeatTime: now,
        lastTransitionTime: prev && prev.status === status ? (prev.lastTransitionTime ?? now) : now,
        reason,
        message,
      };
    };
    const memFree = freemem() / totalmem();
    return [
      cond(
        'MemoryPressure',
        memFree < 0.05 ? 'True' : 'False',
        memFree < 0.05 ? 'KubeletHasInsufficientMemory' : 'KubeletHasSufficientMemory',
        memFree < 0.05
          ? 'kubelet has insufficient memory available'
          : 'kubelet has sufficient memory available',
      ),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      ready
        ? cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
        : cond('Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.'),
    ];
  }

  private write(ready: boolean, force: boolean): void {
    const { store, clock } = this.o;
    const current = store.get<Node>(this.key);
    const cpu = String(cpus().length);
    const memory = quantityKi(totalmem());
    const pods = String(this.o.maxPods ?? 110);
    const addresses = [
      { type: 'InternalIP', address: this.o.internalIP },
      ...hostIPs()
        .filter((ip) => ip !== this.o.internalIP)
        .slice(0, 1)
        .map((address) => ({ type: 'InternalIP', address })),
      { type: 'Hostname', address: hostname() },
    ];
    const node: Node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: this.o.nodeName,
        uid: current?.metadata?.uid ?? (this.o.uid ?? randomUUID)(),
        creationTimestamp: current?.metadata?.creationTimestamp ?? rfc3339(clock.now()),
        labels: {
          ...(current?.metadata?.labels ?? {}),
          'kubernetes.io/arch': goArch(),
          'kubernetes.io/hostname': this.o.nodeName,
          'kubernetes.io/os': process.platform,
          'beta.kubernetes.io/arch': goArch(),
          'beta.kubernetes.io/os': process.platform,
        },
        annotations: { ...(current?.metadata?.annotations ?? {}), 'node.alpha.kubernetes.io/ttl': '0' },
      },
      spec: { ...(current?.spec ?? {}) },
      status: {
        capacity: { cpu, memory, pods },
        allocatable: { cpu, memory, pods },
        conditions: this.conditions(ready, current),
        addresses,
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: '',
          systemUUID: '',
          bootID: '',
          kernelVersion: release(),
          osImage: `${type()} ${release()}`,
          containerRuntimeVersion: this.o.containerRuntimeVersion,
          kubeletVersion: this.o.kubeletVersion,
          kubeProxyVersion: '',
          operatingSystem: process.platform,
          architecture: goArch(),
        },
      },
    };
    // Heartbeat times aside, has anything changed since the last report?
    const fingerprint = JSON.stringify(node, (k, v: unknown) =>
      k === 'lastHeartbeatTime' || k === 'lastTransitionTime' ? undefined : v,
    );
    const due = clock.now() - this.lastReport >= NODE_STATUS_REPORT_MS;
    if (current && !force && !due && fingerprint === this.lastStatus) return;
    this.lastStatus = fingerprint;
    this.lastReport = clock.now();
    if (current) store.update(this.key, node);
    else store.create(this.key, node);
  }
}
