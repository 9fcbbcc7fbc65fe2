// What one handler execution answers, in the kubelet's own terms (pkg/probe: Success, Warning,
// Failure, Unknown, plus an error that makes the worker discard the round).

export type HandlerResult = 'success' | 'warning' | 'failure' | 'unknown';

export interface HandlerOutcome {
  result: HandlerResult;
  /** The kubelet's output text: what an Unhealthy / ProbeWarning event carries. */
  output: string;
  /** Set when the probe could not be run (an error, not a failure): retried, then discarded. */
  error?: Error;
  /**
   * What nodelet shows beyond Kubernetes in the run history: `HTTP 503: <body tail>`, the exec
   * output, the dial error. Defaults to output.
   */
  detail?: string;
}

/** Keeps the last max characters of a text (the end of a log is where the reason is). */
export function tail(text: string, max: number): string {
  return text.length <= max ? text : '…' + text.slice(text.length - max + 1);
}
