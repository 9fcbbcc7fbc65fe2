// Kubernetes Event objects, recorded the way the kubelet's client-go recorder does: source
// component "kubelet" on this node, involvedObject the Pod (with a fieldPath for container events),
// identical events aggregated into one object with count and first/last timestamps.
import type { Event, ObjectReference, Pod } from 'kubernetes-types/core/v1.js';
import type { Clock } from '../util/clock.ts';
import type { EventSink } from './ports.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /**
   * Records an event about the pod; fieldPath names the container
   * (`spec.containers{app}`, `spec.initContainers{init}`), omitted for pod-level events.
   */
  event(pod: Pod, fieldPath: string | undefined, type: EventType, reason: string, message: string): void;
}

/** The involvedObject fieldPath for a container, as the kubelet's container reference builds it. */
export function containerFieldPath(pod: Pod, containerName: string): string {
  const isInit = (pod.spec?.initContainers ?? []).some((c) => c.name === containerName);
  return isInit ? `spec.initContainers{${containerName}}` : `spec.containers{${containerName}}`;
}

interface Aggregate {
  event: Event;
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export class KubeletEventRecorder implements EventRecorder {
  private readonly seen = new Map<string, Aggregate>();
  private seq = 0;
  private readonly sink: EventSink;
  private readonly clock: Clock;
  private readonly nodeName: string;

  constructor(sink: EventSink, clock: Clock, nodeName: string) {
    this.sink = sink;
    this.clock = clock;
    this.nodeName = nodeName;
  }

  event(pod: Pod, fieldPath: string | undefined, type: EventType, reason: string, message: string): void {
    const md = pod.metadata ?? {};
    const namespace = md.namespace ?? 'default';
    const involved: ObjectReference = {
      kind: 'Pod',
      namespace,
      name: md.name ?? '',
      ...(md.uid ? { uid: md.uid } : {}),
      apiVersion: 'v1',
      ...(md.resourceVersion ? { resourceVersion: md.resourceVersion } : {}),
      ...(fieldPath ? { fieldPath } : {}),
    };
    // Same aggregation key as client-go's correlator: source, object, type, reason, message.
    const key = [md.uid, fieldPath ?? '', type, reason, message].join('\u0000');
    const nowMs = this.clock.now();
    const now = rfc3339(nowMs);
    const prior = this.seen.get(key);
    if (prior) {
      const updated: Event = {
        ...prior.event,
        count: (prior.event.count ?? 1) + 1,
        lastTimestamp: now,
      };
      prior.event = updated;
      this.sink.writeEvent(updated);
      return;
    }
    // Event names are <pod name>.<hex of the Unix time in nanoseconds>, as client-go makes them
    // (the sequence number fills the nanoseconds a millisecond clock lacks, so names stay unique
    // and never meet the scheduler's for the same pod).
    const unique = (BigInt(nowMs) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16);
    const event: Event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${md.name ?? 'pod'}.${unique}`, namespace },
      involvedObject: involved,
      reason,
      message,
      type,
      source: { component: 'kubelet', host: this.nodeName },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: 'kubelet',
      reportingInstance: this.nodeName,
    };
    this.seen.set(key, { event });
    this.sink.writeEvent(event);
  }

  /** Forgets aggregation state for a pod that is gone. */
  forgetPod(uid: string): void {
    for (const k of this.seen.keys()) if (k.startsWith(uid + '\u0000')) this.seen.delete(k);
  }
}
