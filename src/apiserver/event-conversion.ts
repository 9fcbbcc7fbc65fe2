// events.k8s.io/v1 Events are served from the core/v1 Events in the store, converted as the API
// server's conversion functions do (pkg/apis/events/v1 conversion): involvedObject ↔ regarding,
// message ↔ note, source/firstTimestamp/lastTimestamp/count ↔ deprecated*, reportingComponent ↔
// reportingController.
import type { ApiObject } from './meta.ts';

type Obj = Record<string, unknown>;

const RENAMES: [core: string, v1: string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

function rename(obj: ApiObject, from: 0 | 1, apiVersion: string): ApiObject {
  const out: Obj = { ...obj, apiVersion, kind: 'Event' };
  for (const pair of RENAMES) {
    const a = pair[from];
    const b = pair[from === 0 ? 1 : 0];
    if (Object.hasOwn(out, a)) {
      if (out[a] !== undefined && out[a] !== null) out[b] = out[a];
      delete out[a];
    }
  }
  return out;
}

/** A stored core/v1 Event as events.k8s.io/v1 shows it. */
export function eventToV1(core: ApiObject): ApiObject {
  const out = rename(core, 0, 'events.k8s.io/v1');
  // The core form's empty source is not carried over; eventTime is required in the new API.
  const src = out.deprecatedSource as Obj | undefined;
  if (src && Object.keys(src).length === 0) delete out.deprecatedSource;
  if (out.eventTime === undefined) out.eventTime = null;
  return out;
}

/** An events.k8s.io/v1 Event in the core/v1 form the store keeps. */
export function eventFromV1(v1: ApiObject): ApiObject {
  return rename(v1, 1, 'v1');
}
