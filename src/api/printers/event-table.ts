// `kubectl get events [-o wide]` as text: the server's event Table rendered by kubectl's printer,
// in the order given (kubectl does not sort; the API server lists in storage order).

import type { Event } from 'kubernetes-types/core/v1.js';
import { eventTableObject } from './table-objects.ts';
import { printTable, type PrintOptions } from './table-printer.ts';

export function eventTable(events: readonly Event[], now: number, options: PrintOptions = {}): string {
  return printTable(eventTableObject(events, now), options);
}
