// What the scenarios need from "the API": create, delete, list and watch pods. Two sides implement
// it: the store in the same process as the kubelet (in-process-api.ts, before the HTTPS server
// existed, and always available), and the HTTPS Kubernetes API through a real client.
import { performance } from 'node:perf_hooks';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isReady, isRunning } from './pods.ts';

export type PodEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface PodApi {
  /** Says how the pods reach the node, for the output ("in-process store + kubelet", "HTTPS …"). */
  readonly path: string;
  /** Creates the pod; resolves once the API acknowledged it. */
  create(pod: Pod): Promise<void>;
  /** Graceful deletion with the pod's own grace period (kubectl delete); resolves on acknowledgement. */
  delete(namespace: string, name: string): Promise<void>;
  /** Lists the pods of the namespace; resolves to how many came back. */
  list(namespace: string): Promise<number>;
  /** Updates one label of the pod (a write whose watch event the watch-latency row times). */
  label(namespace: string, name: string, key: string, value: string): Promise<void>;
  /** Watches pods from now on; the handler sees every event. Returns a stop function. */
  watch(handler: (type: PodEventType, pod: Pod) => void): Promise<() => void>;
}

/** Milliseconds on a monotonic clock (performance.now), the only clock the figures use. */
export function now(): number {
  return performance.now();
}

interface Milestones {
  running?: number;
  ready?: number;
  gone?: number;
  last?: Pod;
}

type Condition = 'running' | 'ready' | 'gone';

/**
 * Follows every pod through a watch and keeps the first time each was seen Running, Ready and
 * deleted, so a scenario can wait for a milestone and read when it was reached (the event's
 * arrival, not the moment the waiter woke up).
 */
export class PodTracker {
  private readonly seen = new Map<string, Milestones>();
  private readonly waiters = new Map<string, Array<{ cond: Condition; resolve: (t: number) => void }>>();

  /** The watch handler: pass it to PodApi.watch. */
  readonly onEvent = (type: PodEventType, pod: Pod): void => {
    const name = `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
    const t = now();
    let m = this.seen.get(name);
    if (!m) {
      m = {};
      this.seen.set(name, m);
    }
    m.last = pod;
    if (type === 'DELETED') m.gone ??= t;
    else {
      if (m.running === undefined && isRunning(pod)) m.running = t;
      if (m.ready === undefined && isReady(pod)) m.ready = t;
    }
    const list = this.waiters.get(name);
    if (!list) return;
    const left = list.filter((w) => {
      const at = m[w.cond];
      if (at === undefined) return true;
      w.resolve(at);
      return false;
    });
    if (left.length) this.waiters.set(name, left);
    else this.waiters.delete(name);
  };

  /** Forgets a pod's milestones (before its name is reused). */
  reset(namespace: string, name: string): void {
    this.seen.delete(`${namespace}/${name}`);
  }

  last(namespace: string, name: string): Pod | undefined {
    return this.seen.get(`${namespace}/${name}`)?.last;
  }

  /** Resolves with the time the pod reached cond (at once if it already has); rejects after timeoutMs. */
  until(namespace: string, name: string, cond: Condition, timeoutMs: number): Promise<number> {
    const key = `${namespace}/${name}`;
    const at = this.seen.get(key)?.[cond];
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const list = this.waiters.get(key) ?? [];
        this.waiters.set(
          key,
          list.filter((w) => w.resolve !== done),
        );
        const phase = this.seen.get(key)?.last?.status?.phase ?? 'not seen';
        reject(new Error(`pod ${key} did not become ${cond} within ${timeoutMs} ms (phase: ${phase})`));
      }, timeoutMs);
      const done = (t: number): void => {
        clearTimeout(timer);
        resolve(t);
      };
      const list = this.waiters.get(key) ?? [];
      list.push({ cond, resolve: done });
      this.waiters.set(key, list);
    });
  }
}
