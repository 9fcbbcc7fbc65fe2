// Where the scenarios run. In-process: inside the nodelet process, against its store (the agent
// runs them). HTTPS: in the harness, against `nodelet server`'s API through a real client, while
// the nodelet process only answers for its floor, its prober and its profiler.
import type { Agent } from './agent-client.ts';
import { DensityPods, type RampRequest, type RampResult } from './density-pods.ts';
import type { PodApi } from './pod-api.ts';
import {
  deletion,
  listLatency,
  startup,
  watchLatency,
  type StartupOptions,
  type StartupTimes,
} from './scenarios.ts';

export interface Driver {
  readonly path: string;
  startup(options: StartupOptions): Promise<StartupTimes>;
  deletion(count: number, run: string, prefix: string, command?: string[]): Promise<number[]>;
  densityRamp(req: RampRequest): Promise<RampResult>;
  list(count: number, gapMs: number, budgetMs: number): Promise<number[]>;
  watch(count: number, gapMs: number, budgetMs: number): Promise<number[]>;
  close(): void;
}

export class AgentDriver implements Driver {
  readonly path: string;
  private readonly agent: Agent;

  constructor(agent: Agent) {
    this.agent = agent;
    this.path = agent.path;
  }

  startup(options: StartupOptions): Promise<StartupTimes> {
    return this.agent.request({ op: 'startup', options });
  }

  deletion(count: number, run: string, prefix: string, command?: string[]): Promise<number[]> {
    return this.agent.request({ op: 'deletion', count, run, prefix, ...(command ? { command } : {}) });
  }

  densityRamp(req: RampRequest): Promise<RampResult> {
    return this.agent.request({ op: 'density-ramp', ...req });
  }

  list(count: number, gapMs: number, budgetMs: number): Promise<number[]> {
    return this.agent.request({ op: 'list', count, gapMs, budgetMs });
  }

  watch(count: number, gapMs: number, budgetMs: number): Promise<number[]> {
    return this.agent.request({ op: 'watch', count, gapMs, budgetMs });
  }

  close(): void {}
}

/** Probe workers that start within one period of the kubelet's start jitter their first run. */
const FIRST_PERIOD_MS = 10_000;

export class ApiDriver implements Driver {
  readonly path: string;
  private readonly api: PodApi;
  private readonly density: DensityPods;
  private readonly nodeStartedAt: number;

  constructor(api: PodApi, nodeStartedAt: number) {
    this.api = api;
    this.path = api.path;
    this.density = new DensityPods(api);
    this.nodeStartedAt = nodeStartedAt;
  }

  private async pastFirstPeriod(): Promise<void> {
    const left = this.nodeStartedAt + FIRST_PERIOD_MS + 100 - Date.now();
    if (left > 0) await new Promise((r) => setTimeout(r, left));
  }

  async startup(options: StartupOptions): Promise<StartupTimes> {
    if (options.readiness) await this.pastFirstPeriod();
    return startup(this.api, options);
  }

  deletion(count: number, run: string, prefix: string, command?: string[]): Promise<number[]> {
    return deletion(this.api, count, run, prefix, command);
  }

  async densityRamp(req: RampRequest): Promise<RampResult> {
    await this.pastFirstPeriod();
    return this.density.ramp(req);
  }

  list(count: number, gapMs: number, budgetMs: number): Promise<number[]> {
    return listLatency(this.api, count, gapMs, budgetMs);
  }

  watch(count: number, gapMs: number, budgetMs: number): Promise<number[]> {
    if (this.density.names.length === 0) throw new Error('watch latency needs the density pods');
    return watchLatency(this.api, this.density.names, count, gapMs, budgetMs);
  }

  close(): void {
    this.density.close();
  }
}
