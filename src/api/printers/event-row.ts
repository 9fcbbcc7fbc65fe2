// The event row of `kubectl get events` (printers.go printEvent, 1.32): LAST SEEN, TYPE, REASON,
// OBJECT, MESSAGE and, with -o wide, SUBOBJECT, SOURCE, FIRST SEEN, COUNT, NAME.

import type { Event, EventSource } from 'kubernetes-types/core/v1.js';
import { humanDuration } from '../../util/duration.ts';
import { ageSince, parseTimestamp } from './time-format.ts';

/** translateMicroTimestampSince: the same as for metav1.Time, "<unknown>" when zero. */
function microAgeSince(now: number, value: string | null | undefined): string {
  const t = parseTimestamp(value);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

/** FIRST SEEN: firstTimestamp, or eventTime for events written through events.k8s.io. */
export function eventFirstSeen(event: Event, now: number): string {
  return parseTimestamp(event.firstTimestamp) === undefined
    ? microAgeSince(now, event.eventTime)
    : ageSince(now, event.firstTimestamp);
}

/** LAST SEEN: series.lastObservedTime, else lastTimestamp, else FIRST SEEN. */
export function eventLastSeen(event: Event, now: number): string {
  if (event.series !== undefined) return microAgeSince(now, event.series.lastObservedTime);
  if (parseTimestamp(event.lastTimestamp) === undefined) return eventFirstSeen(event, now);
  return ageSince(now, event.lastTimestamp);
}

/** COUNT: series.count, else count, with 1 for singletons that never set it. */
export function eventCount(event: Event): number {
  if (event.series !== undefined) return event.series.count ?? 0;
  const count = event.count ?? 0;
  return count === 0 ? 1 : count;
}

/** OBJECT: "<lower-case kind>/<name>", or only the kind when the name is empty. */
export function eventObject(event: Event): string {
  const kind = (event.involvedObject.kind ?? '').toLowerCase();
  const name = event.involvedObject.name ?? '';
  return name.length > 0 ? `${kind}/${name}` : kind;
}

/**
 * SOURCE: "<component>, <host>" (or just the component), falling back to reportingComponent and
 * reportingInstance for events that only set those.
 */
export function eventSource(event: Event): string {
  const source: EventSource = event.source ?? {};
  const component = firstNonEmpty(source.component, event.reportingComponent);
  const instance = firstNonEmpty(source.host, event.reportingInstance);
  return instance.length === 0 ? component : `${component}, ${instance}`;
}

function firstNonEmpty(...values: Array<string | undefined>): string {
  for (const v of values) if (v !== undefined && v.length > 0) return v;
  return '';
}

export interface EventRowOptions {
  wide?: boolean;
}

/**
 * One event row. Wide cells are in the server's column order: LAST SEEN, TYPE, REASON, OBJECT,
 * SUBOBJECT, SOURCE, MESSAGE, FIRST SEEN, COUNT (a number), NAME.
 */
export function eventTableRow(
  event: Event,
  now: number,
  options: EventRowOptions = {},
): Array<string | number> {
  const lastSeen = eventLastSeen(event, now);
  const message = (event.message ?? '').trim();
  const base = [lastSeen, event.type ?? '', event.reason ?? '', eventObject(event)];
  if (options.wide !== true) return [...base, message];
  return [
    ...base,
    event.involvedObject.fieldPath ?? '',
    eventSource(event),
    message,
    eventFirstSeen(event, now),
    eventCount(event),
    event.metadata.name ?? '',
  ];
}
