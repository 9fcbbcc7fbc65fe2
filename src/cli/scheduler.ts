// The one-node scheduler: binds every unscheduled pod to this node and records the scheduler's
// `Scheduled` event, so pods look exactly as they would after a real scheduler placed them.
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { EventSink } from '../kubelet/ports.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from '../util/clock.ts';

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function bindToNode(pod: Pod, nodeName: string, now: number): Pod {
  const status = pod.status ?? {};
  const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
  conditions.push({
    type: 'PodScheduled',
    status: 'True',
    lastProbeTime: null as unknown as string,
    lastTransitionTime: rfc3339(now),
  });
  return { ...pod, spec: { ...pod.spec!, nodeName }, status: { ...status, conditions } };
}

/** The scheduler's event, as default-scheduler words it. */
export function scheduledEvent(
  pod: Pod,
  nodeName: string,
  now: number,
): Parameters<EventSink['writeEvent']>[0] {
  const md = pod.metadata ?? {};
  const ns = md.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${md.name ?? ''}.${(now * 1000).toString(16)}`, namespace: ns },
    involvedObject: {
      kind: 'Pod',
      namespace: ns,
      name: md.name ?? '',
      apiVersion: 'v1',
      ...(md.uid ? { uid: md.uid } : {}),
    },
    reason: 'Scheduled',
    message: `Successfully assigned ${ns}/${md.name ?? ''} to ${nodeName}`,
    type: 'Normal',
    source: { component: 'default-scheduler' },
    firstTimestamp: null as unknown as string,
    lastTimestamp: null as unknown as string,
    eventTime: new Date(now).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z'),
    reportingComponent: 'default-scheduler',
    reportingInstance: 'default-scheduler-' + nodeName,
    action: 'Binding',
    count: undefined as unknown as number,
  };
}

/** Creates pods already bound to the node: the store write and the Scheduled event. */
export function createBoundPod(store: Store, sink: EventSink, pod: Pod, nodeName: string, clock: Clock): Pod {
  const bound = bindToNode(pod, nodeName, clock.now());
  const created = store.create<Pod>(
    { resource: 'pods', namespace: bound.metadata?.namespace ?? 'default', name: bound.metadata?.name ?? '' },
    bound,
  );
  sink.writeEvent(scheduledEvent(created, nodeName, clock.now()));
  return created;
}
