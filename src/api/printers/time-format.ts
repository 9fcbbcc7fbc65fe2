// Timestamps as kubectl renders them: ages ("5m", "<unknown>" for a missing time), RFC3339 cells,
// and describe's RFC1123Z ("Mon, 02 Jan 2006 15:04:05 -0700").

import { humanDuration } from '../../util/duration.ts';

// 0001-01-01T00:00:00Z, what Go's time.Time{} is (Date.UTC would read year 1 as 1901).
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/**
 * Parses a metav1.Time / MicroTime string to epoch milliseconds; undefined for a missing or
 * zero time (metav1.Time.IsZero: null, "" or 0001-01-01T00:00:00Z).
 */
export function parseTimestamp(value: string | null | undefined): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms === GO_ZERO_TIME) return undefined;
  return ms;
}

/** printers.go translateTimestampSince: HumanDuration of now − t, or "<unknown>" for a zero time. */
export function ageSince(now: number, value: string | null | undefined): string {
  const t = parseTimestamp(value);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

/** Time.UTC().Format(time.RFC3339) with second precision, as the default table convertor emits. */
export function formatRfc3339(value: string | null | undefined): string {
  const t = parseTimestamp(value) ?? GO_ZERO_TIME;
  const d = new Date(t);
  const year = String(d.getUTCFullYear()).padStart(4, '0');
  return `${year}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}Z`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * Where describe renders times. kubectl decodes metav1.Time into the local zone of the machine it
 * runs on and prints it there; 'local' does the same with this process's zone (TZ), 'UTC' pins it.
 */
export type TimeZone = 'local' | 'UTC';

/** Go's time.RFC1123Z layout, e.g. "Mon, 02 Jan 2006 15:04:05 -0700". */
export function formatRfc1123z(value: string | null | undefined, zone: TimeZone): string {
  const t = parseTimestamp(value) ?? GO_ZERO_TIME;
  const offsetMinutes = zone === 'UTC' ? 0 : -new Date(t).getTimezoneOffset();
  const d = new Date(t + offsetMinutes * 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const weekday = WEEKDAYS[d.getUTCDay()] ?? '';
  const month = MONTHS[d.getUTCMonth()] ?? '';
  const year = String(d.getUTCFullYear()).padStart(4, '0');
  return (
    `${weekday}, ${pad(d.getUTCDate())} ${month} ${year} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ` +
    `${sign}${pad(Math.trunc(abs / 60))}${pad(abs % 60)}`
  );
}
