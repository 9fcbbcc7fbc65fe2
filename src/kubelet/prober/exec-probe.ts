// exec probes: the command runs in the container through the runtime's ExecSync, as the kubelet
// runs it through the CRI (pkg/probe/exec/exec.go, pkg/kubelet/prober/prober.go).
import type { Container } from 'kubernetes-types/core/v1.js';
import type { ContainerRuntime } from '../../runtime/runtime.ts';
import type { Clock } from '../../util/clock.ts';
import type { HandlerOutcome } from './handler-outcome.ts';
import { expandStaticEnv, goDuration, goQuote } from './probe-spec.ts';

/** The kubelet reads at most 10 KiB of combined output (exec.go maxReadLength). */
export const MAX_EXEC_OUTPUT = 10 * 1024;

/**
 * The CRI call deadline is the runtime request timeout (2 min by default) on top of the probe's
 * own timeout, which the runtime itself enforces; past that the call counts as timed out too.
 */
export const RUNTIME_REQUEST_TIMEOUT_MS = 120_000;

export interface ExecProbeOptions {
  runtime: ContainerRuntime;
  clock: Clock;
  /** `<runtime>://<id>` or the bare runtime ID. */
  containerId: string;
  container: Container;
  command: readonly string[];
  timeoutSeconds: number;
  signal?: AbortSignal;
}

/** Strips the `<runtime>://` prefix of a status containerID. */
export function runtimeContainerId(containerId: string): string {
  const i = containerId.indexOf('://');
  return i < 0 ? containerId : containerId.slice(i + 3);
}

function timedOut(command: readonly string[], timeoutSeconds: number): HandlerOutcome {
  // With ExecProbeTimeout (on by default) a timeout is a Failure whose output is the CRI client's
  // timeout error text, since the captured output is usually empty.
  const output = `command timed out: ${goQuote(command.join(' '))} timed out after ${goDuration(timeoutSeconds * 1000)}`;
  return { result: 'failure', output };
}

export async function execProbe(opts: ExecProbeOptions): Promise<HandlerOutcome> {
  const command = expandStaticEnv(opts.command, opts.container);
  const timeoutMs = opts.timeoutSeconds * 1000;
  const ac = new AbortController();
  const onAbort = (): void => ac.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let deadlineHit = false;
  const backstop = opts.clock.setTimer(timeoutMs + RUNTIME_REQUEST_TIMEOUT_MS, () => {
    deadlineHit = true;
    ac.abort(new Error('deadline exceeded'));
  });
  try {
    const call = opts.runtime.execSync(runtimeContainerId(opts.containerId), command, {
      timeoutMs,
      signal: ac.signal,
      maxOutputBytes: MAX_EXEC_OUTPUT,
    });
    const aborted = new Promise<never>((_, reject) => {
      if (ac.signal.aborted) reject(ac.signal.reason as Error);
      ac.signal.addEventListener('abort', () => reject(ac.signal.reason as Error), { once: true });
    });
    aborted.catch(() => undefined);
    const res = await Promise.race([call, aborted]);
    if (res.timedOut) return timedOut(command, opts.timeoutSeconds);
    // The kubelet appends stderr to stdout and caps the whole at 10 KiB.
    const combined = Buffer.concat([res.stdout, res.stderr]).subarray(0, MAX_EXEC_OUTPUT);
    const output = combined.toString('utf8');
    return { result: res.exitCode === 0 ? 'success' : 'failure', output };
  } catch (err) {
    if (deadlineHit) return timedOut(command, opts.timeoutSeconds);
    // Any other exec error (container gone, runtime error) is Unknown with an error.
    const error = err instanceof Error ? err : new Error(String(err));
    return { result: 'unknown', output: '', error };
  } finally {
    backstop.cancel();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
