// Events expire, as the API server's --event-ttl (1 h by default) makes etcd drop them: without it
// a long-running node's store would only grow.
import type { Event } from 'kubernetes-types/core/v1.js';
import { NotFoundError, type Store } from '../../store/store.ts';
import type { Clock, Timer } from '../../util/clock.ts';

export const DEFAULT_EVENT_TTL_MS = 60 * 60 * 1000;
const SWEEP_MS = 60 * 1000;

/** When an event was last seen: lastTimestamp, series time, eventTime or creation. */
export function lastSeen(e: Event): number {
  const t = e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? e.metadata?.creationTimestamp;
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

export class EventTtl {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private timer: Timer | undefined;

  constructor(store: Store, clock: Clock, ttlMs = DEFAULT_EVENT_TTL_MS) {
    this.store = store;
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  start(): void {
    this.sweep();
    const tick = (): void => {
      this.sweep();
      this.timer = this.clock.setTimer(SWEEP_MS, tick);
    };
    this.timer = this.clock.setTimer(SWEEP_MS, tick);
  }

  stop(): void {
    this.timer?.cancel();
  }

  /** Removes every event not seen for the TTL; returns how many went. */
  sweep(): number {
    const cutoff = this.clock.now() - this.ttlMs;
    let n = 0;
    for (const e of this.store.list<Event>('events').items) {
      if (lastSeen(e) >= cutoff) continue;
      try {
        this.store.delete({
          resource: 'events',
          namespace: e.metadata?.namespace ?? '',
          name: e.metadata?.name ?? '',
        });
        n++;
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return n;
  }
}
