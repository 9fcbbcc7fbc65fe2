// The density pods of one run, kept across levels (100 → 500 → 1000: each level only adds pods),
// and the wait until every new one is Ready. Runs wherever the PodApi is.
import type { PodApi } from './pod-api.ts';
import { now, PodTracker } from './pod-api.ts';
import { benchPod, httpdCommand } from './pods.ts';
import { withDeadline } from './deadline.ts';
import { NAMESPACE } from './scenarios.ts';

export interface RampRequest {
  /** Total number of density pods wanted (the ones already there stay). */
  to: number;
  run: string;
  /** One free loopback port per pod, by index. */
  ports: number[];
  /** Directory with the index.html the pods' httpd serves. */
  wwwDir: string;
  /** The whole level's budget, creation included: past it, the pods not Ready are counted. */
  timeoutMs: number;
}

export interface RampResult {
  rampMs: number;
  /** Created but not Ready by the deadline. */
  notReady: string[];
  /** Not even created by the deadline. */
  notCreated: number;
}

export class DensityPods {
  readonly names: string[] = [];
  private readonly api: PodApi;
  private readonly tracker = new PodTracker();
  private stopWatch: (() => void) | undefined;

  constructor(api: PodApi) {
    this.api = api;
  }

  async ramp(req: RampRequest): Promise<RampResult> {
    this.stopWatch ??= await this.api.watch(this.tracker.onEvent);
    const t0 = now();
    const deadline = t0 + req.timeoutMs;
    const added: string[] = [];
    const created: Promise<void>[] = [];
    // A node that stops answering must not hold the run: creation stops at the deadline too.
    const inTime = (p: Promise<unknown>): Promise<boolean> => withDeadline(p, deadline - now());
    for (let i = this.names.length; i < req.to; i++) {
      if (now() > deadline) break;
      const name = `density-${i}`;
      const port = req.ports[i];
      if (port === undefined) throw new Error(`no port for pod ${i}`);
      const pod = benchPod({ name, run: req.run, command: httpdCommand(port, req.wwwDir), httpPort: port });
      created.push(this.api.create(pod));
      this.names.push(name);
      added.push(name);
      // A client creating pods in a loop, a few requests in flight at a time.
      if (created.length >= 8 && !(await inTime(Promise.all(created.splice(0))))) break;
    }
    await inTime(Promise.all(created));
    const notCreated = req.to - this.names.length;
    const notReady: string[] = [];
    const left = Math.max(1, t0 + req.timeoutMs - now());
    await Promise.all(
      added.map((n) =>
        this.tracker.until(NAMESPACE, n, 'ready', left).catch(() => {
          notReady.push(n);
        }),
      ),
    );
    return { rampMs: now() - t0, notReady, notCreated };
  }

  close(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }
}
