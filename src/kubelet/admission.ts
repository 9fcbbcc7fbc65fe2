// Pod admission by count, as the kubelet's predicate admit handler does it (pkg/kubelet/lifecycle/
// predicate.go with the scheduler's noderesources fit): a node takes at most maxPods active pods
// (110 by default, the kubelet's --max-pods); a further pod is rejected, not queued. The rejection
// is terminal: phase Failed, reason `OutOf<resource>` (`OutOfpods`), and the message the kubelet's
// rejectPod writes, `Pod was rejected: Node didn't have enough resource: pods, requested: 1, used:
// N, capacity: N`, with a Warning event of the same reason and message.
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';

/** The kubelet's default --max-pods. */
export const DEFAULT_MAX_PODS = 110;

export const OUT_OF_PODS_REASON = 'OutOfpods';

export interface Rejection {
  reason: string;
  message: string;
}

/** Whether one more pod fits beside `active` admitted, non-terminated pods. */
export function admitByCount(active: number, maxPods: number): Rejection | undefined {
  if (active + 1 <= maxPods) return undefined;
  return {
    reason: OUT_OF_PODS_REASON,
    message: `Node didn't have enough resource: pods, requested: 1, used: ${active}, capacity: ${maxPods}`,
  };
}

/** A pod the kubelet rejected earlier stays rejected (its phase is terminal): it is not admitted again. */
export function wasRejected(pod: Pod): boolean {
  return pod.status?.phase === 'Failed' && pod.status.reason === OUT_OF_PODS_REASON;
}

/** The status the kubelet writes for a rejected pod: Failed, with the reason and message, and nothing started. */
export function rejectedStatus(pod: Pod, rejection: Rejection, now: string): PodStatus {
  return {
    ...(pod.status ?? {}),
    phase: 'Failed',
    reason: rejection.reason,
    // rejectPod: the event carries the message, the status prefixes it.
    message: `Pod was rejected: ${rejection.message}`,
    ...(pod.status?.startTime ? {} : { startTime: now }),
  };
}
