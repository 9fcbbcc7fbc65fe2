// The `endpoints.kubernetes.io/last-change-trigger-time` bookkeeping of the endpoints and
// EndpointSlice controllers (pkg/controller/util/endpoint TriggerTimeTracker): the time of the
// oldest change — a pod's Ready transition or the Service's creation — not yet reflected in the
// Service's endpoints. A Service seen for the first time answers with its creationTimestamp; a
// sync where nothing changed answers undefined (the annotation is then cleared on write).
import type { Pod, Service } from 'kubernetes-types/core/v1.js';

interface ServiceState {
  podTimes: Map<string, number>;
  serviceTime: number;
}

function parseTime(t: string | undefined): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

/** getPodTriggerTime: the Ready condition's lastTransitionTime. */
function podTriggerTime(pod: Pod): number {
  return parseTime(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);
}

function minNonZero(a: number, b: number): number {
  if (a === 0) return b;
  if (b === 0) return a;
  return Math.min(a, b);
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** Epoch milliseconds of the trigger, or undefined when no new change is being reflected. */
  compute(svc: Service, pods: readonly Pod[]): number | undefined {
    const key = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
    const state = this.states.get(key);
    let min = 0;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (t === 0) continue;
      const name = pod.metadata?.name ?? '';
      podTimes.set(name, t);
      if (t > (state?.podTimes.get(name) ?? 0)) min = minNonZero(min, t);
    }
    const serviceTime = parseTime(svc.metadata?.creationTimestamp);
    if (serviceTime > (state?.serviceTime ?? 0)) min = minNonZero(min, serviceTime);
    this.states.set(key, { podTimes, serviceTime });
    if (!state) return serviceTime || undefined;
    return min || undefined;
  }

  forget(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}

/** time.RFC3339Nano in UTC, as the controllers format the annotation (trailing zeros dropped). */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}
