// What nodelet keeps of each lifecycle hook run (beyond Kubernetes, which hides hook output).
export type HookName = 'postStart' | 'preStop';

export interface HookRun {
  hook: HookName;
  container: string;
  handler: 'exec' | 'httpGet' | 'sleep' | 'invalid';
  /** Start time, ms since the epoch. */
  at: number;
  durationMs: number;
  ok: boolean;
  /** `exit 0`, `HTTP 200`, `slept 5s`, or the error. */
  result: string;
  /** Tail of stdout+stderr, or of the HTTP body. */
  output: string;
  /** The kubelet's handler failure message (used as the PostStartHookError waiting message). */
  failureMessage?: string;
  /** nodelet stopped while the hook ran: its outcome is unknown, and it is not run again (hook-journal.ts). */
  interrupted?: boolean;
}

const TAIL_BYTES = 1024;

export function tail(text: string, max = TAIL_BYTES): string {
  return text.length <= max ? text : '…' + text.slice(text.length - max);
}

/** One-line rendering for the `nodelet run` stream and the pod annotation. */
export function formatHookRun(r: HookRun): string {
  const when = new Date(Math.floor(r.at / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const out = r.output.trim() ? `: ${r.output.trim().replace(/\s*\n\s*/g, ' ⏎ ')}` : '';
  const outcome = r.interrupted ? 'interrupted' : r.ok ? 'succeeded' : 'failed';
  return `${outcome} at ${when} after ${r.durationMs}ms (${r.handler}, ${r.result})${out}`;
}

/** Annotation key under which the latest run of a hook is kept on the pod. */
export function hookAnnotationKey(container: string, hook: HookName): string {
  const name = `${container}.${hook}`;
  return `lifecycle.nodelet.dev/${name.length <= 63 ? name : name.slice(0, 63)}`;
}
