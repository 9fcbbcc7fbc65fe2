// The "Events:" section of kubectl describe (describe.go DescribeEvents, 1.32).

import type { Event } from 'kubernetes-types/core/v1.js';
import { humanDuration } from '../../util/duration.ts';
import { LEVEL_0, LEVEL_1, PrefixWriter } from './describe-writer.ts';
import { goSort } from './go-sort.ts';
import { parseTimestamp } from './time-format.ts';

function age(now: number, value: string | null | undefined): string {
  const t = parseTimestamp(value);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

/**
 * The Age cell: "<first seen>", or "<last seen> (x<count> over <first seen>)" for a repeated event,
 * first seen being eventTime when set, else firstTimestamp.
 */
export function describeEventAge(event: Event, now: number): string {
  const firstSeen =
    parseTimestamp(event.eventTime) === undefined
      ? age(now, event.firstTimestamp)
      : age(now, event.eventTime);
  if (event.series !== undefined) {
    return `${age(now, event.series.lastObservedTime)} (x${event.series.count ?? 0} over ${firstSeen})`;
  }
  if ((event.count ?? 0) > 1)
    return `${age(now, event.lastTimestamp)} (x${event.count ?? 0} over ${firstSeen})`;
  return firstSeen;
}

/**
 * Orders events by lastTimestamp, oldest first (events without one first), with Go's sort.Sort as
 * kubectl does: equal timestamps keep their list order up to 12 events and may not beyond.
 */
export function sortEventsForDescribe(events: readonly Event[]): Event[] {
  const key = (e: Event): number => parseTimestamp(e.lastTimestamp) ?? Number.NEGATIVE_INFINITY;
  return goSort(events, (a, b) => key(a) < key(b));
}

/** Writes the section into a describe writer (it flushes first, as kubectl does). */
export function writeEvents(w: PrefixWriter, events: readonly Event[], now: number): void {
  if (events.length === 0) {
    w.write(LEVEL_0, 'Events:\t<none>\n');
    return;
  }
  w.flush();
  w.write(LEVEL_0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(LEVEL_1, '----\t------\t----\t----\t-------\n');
  for (const e of sortEventsForDescribe(events)) {
    const source =
      e.source?.component !== undefined && e.source.component !== ''
        ? e.source.component
        : (e.reportingComponent ?? '');
    w.write(
      LEVEL_1,
      `${e.type ?? ''}\t${e.reason ?? ''}\t${describeEventAge(e, now)}\t${source}\t${(e.message ?? '').trim()}\n`,
    );
  }
}

/** The Events section on its own, exactly as it ends `kubectl describe pod`. */
export function describeEvents(events: readonly Event[], now: number): string {
  const w = new PrefixWriter();
  writeEvents(w, events, now);
  return w.finish();
}
