// What `nodelet run` prints, through the same printers the API server uses for kubectl, so the
// run stream reads like `kubectl get pods -w` and `kubectl get events`.
import type { Event, Pod } from 'kubernetes-types/core/v1.js';
import { eventObject } from '../api/printers/event-row.ts';
import { podTableObject } from '../api/printers/table-objects.ts';
import { KubectlTablePrinter, printTable } from '../api/printers/table-printer.ts';
import { TabWriter, KUBECTL_TABLE_TABWRITER } from '../api/printers/tabwriter.ts';

/** A `kubectl get pods -w` printer: the header once, then one line per change. */
export class PodWatchPrinter {
  private readonly printer = new KubectlTablePrinter({});

  line(pod: Pod, now: number): string {
    return this.printer.print(podTableObject([pod], now)).replace(/\n$/, '');
  }
}

/** The final `kubectl get pods -o wide` table. */
export function podTable(pods: Pod[], now: number, wide: boolean): string {
  return printTable(podTableObject(pods, now), { wide });
}

const EVENT_COLUMNS = ['TYPE', 'REASON', 'OBJECT', 'MESSAGE'];

/** Event lines as `kubectl get events -w` would show them, without the ages. */
export class EventPrinter {
  private readonly writer = new TabWriter(KUBECTL_TABLE_TABWRITER);
  private header = false;

  line(event: Event): string {
    if (!this.header) {
      this.writer.write(EVENT_COLUMNS.join('\t') + '\n');
      this.header = true;
    }
    const object = eventObject(event);
    const count = (event.count ?? 1) > 1 ? ` (x${event.count})` : '';
    this.writer.write(
      [event.type ?? '', event.reason ?? '', object, (event.message ?? '') + count].join('\t') + '\n',
    );
    return this.writer.flush().replace(/\n$/, '');
  }
}
