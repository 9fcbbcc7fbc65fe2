// `kubectl get pods` and `kubectl get pods -w` as text: the server's pod Table rendered by
// kubectl's table printer, so both halves are the ones a real kubectl would combine.

import type { Pod } from 'kubernetes-types/core/v1.js';
import { podTableObject } from './table-objects.ts';
import { KubectlTablePrinter, type PrintOptions } from './table-printer.ts';

export type PodTableOptions = PrintOptions;

/** The whole output of `kubectl get pods [-o wide] [--no-headers]` for these pods, in this order. */
export function podTable(pods: readonly Pod[], now: number, options: PodTableOptions = {}): string {
  return new KubectlTablePrinter(options).print(podTableObject(pods, now));
}

/**
 * `kubectl get pods -w`: the list first (header and rows), then one line per watch event.
 * kubectl keeps a single tabwriter for the whole session and flushes after every event, with
 * remembered column widths: a later row uses the widest width seen so far in each column, so
 * it lines up with the list when it fits and is wider (pushing later columns right) when it does
 * not; the widths it sets then apply to every following line. The header is printed only once,
 * with the first rows there are (an empty list prints nothing until the first event).
 */
export class PodWatchPrinter {
  readonly #printer: KubectlTablePrinter;
  readonly #eventTypes: boolean;

  /** outputWatchEvents: --output-watch-events, which adds an EVENT column. */
  constructor(options: PodTableOptions & { outputWatchEvents?: boolean } = {}) {
    const { outputWatchEvents, ...printOptions } = options;
    this.#printer = new KubectlTablePrinter(printOptions);
    this.#eventTypes = outputWatchEvents === true;
  }

  /** The initial list (what `kubectl get pods -w` prints before watching). */
  list(pods: readonly Pod[], now: number): string {
    return this.#printer.print(podTableObject(pods, now), this.#eventTypes ? 'ADDED' : undefined);
  }

  /** One watch event's line (ADDED, MODIFIED or DELETED all print the pod's row). */
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod, now: number): string {
    return this.#printer.print(podTableObject([pod], now), this.#eventTypes ? type : undefined);
  }
}

/** One subsequent `kubectl get pods -w` line for a pod, on the given watch session. */
export function watchLine(
  session: PodWatchPrinter,
  pod: Pod,
  now: number,
  type: 'ADDED' | 'MODIFIED' | 'DELETED' = 'MODIFIED',
): string {
  return session.event(type, pod, now);
}
