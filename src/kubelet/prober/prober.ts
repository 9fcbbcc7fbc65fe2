// One probe round as the kubelet's prober runs it (pkg/kubelet/prober/prober.go): pick the handler,
// retry up to 3 times while it *errors* (failures are not retried), map the handler's answer to a
// result and record the event the kubelet records for it.
import type { Container, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import type { ContainerRuntime } from '../../runtime/runtime.ts';
import type { Clock } from '../../util/clock.ts';
import { containerFieldPath, type EventRecorder } from '../event-recorder.ts';
import { execProbe } from './exec-probe.ts';
import { grpcProbe } from './grpc-probe.ts';
import type { HandlerOutcome } from './handler-outcome.ts';
import { httpProbe, httpTarget } from './http-probe.ts';
import { probeKindName, resolveContainerPort, type CompiledProbe } from './probe-spec.ts';
import { tcpProbe } from './tcp-probe.ts';

/** maxProbeRetries in prober.go. */
export const MAX_PROBE_RETRIES = 3;

export interface ProberContext {
  clock: Clock;
  runtime: ContainerRuntime;
  recorder: EventRecorder;
  /** `kube-probe/<major>.<minor>`. */
  userAgent: string;
}

export type RunOutcome = 'success' | 'failure' | 'warning' | 'error';

export interface ProbeRound {
  /** What the worker counts; meaningless when discarded. */
  result: 'Success' | 'Failure';
  /** The probe errored: the worker throws the round away (no threshold counting). */
  discarded: boolean;
  outcome: RunOutcome;
  /** The kubelet's text: event output, or the error. */
  message: string;
  /** nodelet's richer text for the run history (`HTTP 503: …`). */
  detail: string;
}

export interface ProbeTarget {
  pod: Pod;
  status: PodStatus;
  container: Container;
  containerId: string;
}

/** `<name>_<namespace>(<uid>)`, the kubelet's pod rendering (pkg/kubelet/util/format). */
function podFmt(pod: Pod): string {
  const md = pod.metadata ?? {};
  return `${md.name ?? ''}_${md.namespace ?? 'default'}(${md.uid ?? ''})`;
}

export function runHandler(
  ctx: ProberContext,
  spec: CompiledProbe,
  t: ProbeTarget,
  signal: AbortSignal,
): Promise<HandlerOutcome> {
  const timeoutMs = spec.timeoutSeconds * 1000;
  const podIP = t.status.podIP ?? '';
  const h = spec.handler;
  try {
    switch (h.type) {
      case 'exec':
        return execProbe({
          runtime: ctx.runtime,
          clock: ctx.clock,
          containerId: t.containerId,
          container: t.container,
          command: h.command,
          timeoutSeconds: spec.timeoutSeconds,
          signal,
        });
      case 'httpGet':
        return httpProbe({
          clock: ctx.clock,
          target: httpTarget(h, t.container, podIP),
          timeoutMs,
          userAgent: ctx.userAgent,
          signal,
        });
      case 'tcpSocket':
        return tcpProbe({
          clock: ctx.clock,
          host: h.host ?? podIP,
          port: resolveContainerPort(h.port, t.container),
          timeoutMs,
          signal,
        });
      case 'grpc':
        // The grpc probe has no host field: always the pod IP.
        return grpcProbe({
          clock: ctx.clock,
          host: podIP,
          port: h.port,
          service: h.service,
          timeoutMs,
          userAgent: ctx.userAgent,
          signal,
        });
      case 'none':
        return Promise.resolve({
          result: 'unknown',
          output: '',
          error: new Error(`missing probe handler for ${podFmt(t.pod)}:${t.container.name}`),
        });
    }
  } catch (err) {
    // Building the request failed (an unresolvable port): Unknown with an error.
    return Promise.resolve({
      result: 'unknown',
      output: '',
      error: err instanceof Error ? err : new Error(String(err)),
    });
  }
}

/** Runs one round: the handler with retries on error, then the kubelet's event for the answer. */
export async function probeOnce(
  ctx: ProberContext,
  spec: CompiledProbe,
  t: ProbeTarget,
  signal: AbortSignal,
): Promise<ProbeRound> {
  let out: HandlerOutcome = { result: 'unknown', output: '' };
  for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
    out = await runHandler(ctx, spec, t, signal);
    if (!out.error || signal.aborted) break;
  }
  const kind = probeKindName(spec.kind);
  const fieldPath = containerFieldPath(t.pod, t.container.name);
  const quiet = signal.aborted;
  const detail = out.detail ?? out.output;
  if (out.error) {
    const message = out.error.message;
    if (!quiet) {
      ctx.recorder.event(
        t.pod,
        fieldPath,
        'Warning',
        'Unhealthy',
        `${kind} probe errored and resulted in ${out.result} state: ${message}`,
      );
    }
    return { result: 'Failure', discarded: true, outcome: 'error', message, detail: message };
  }
  switch (out.result) {
    case 'success':
      return { result: 'Success', discarded: false, outcome: 'success', message: out.output, detail };
    case 'warning':
      // A warning counts as success (an off-host redirect).
      if (!quiet)
        ctx.recorder.event(
          t.pod,
          fieldPath,
          'Warning',
          'ProbeWarning',
          `${kind} probe warning: ${out.output}`,
        );
      return { result: 'Success', discarded: false, outcome: 'warning', message: out.output, detail };
    case 'failure':
      if (!quiet)
        ctx.recorder.event(t.pod, fieldPath, 'Warning', 'Unhealthy', `${kind} probe failed: ${out.output}`);
      return { result: 'Failure', discarded: false, outcome: 'failure', message: out.output, detail };
    case 'unknown':
      // Unknown without an error is a Failure with no event.
      return { result: 'Failure', discarded: false, outcome: 'failure', message: out.output, detail };
  }
}
