// Messages between the harness and the nodelet process under test (node-agent.ts).
import type { RampRequest, RampResult } from './density-pods.ts';
import type { FloorTimes } from './floor.ts';
import type { TimedRun } from './probe-lateness.ts';
import type { StartupOptions, StartupTimes } from './scenarios.ts';

export type DensityRamp = { op: 'density-ramp' } & RampRequest;

export type AgentRequest =
  | { op: 'startup'; options: StartupOptions }
  | { op: 'deletion'; count: number; run: string; prefix: string; command?: string[] }
  | { op: 'floor-spawn'; command: string[]; count: number; mode: 'sequential' | 'burst'; probe?: string[] }
  | { op: 'floor-kill'; command: string[]; count: number }
  | DensityRamp
  | { op: 'probe-record'; on: boolean }
  | { op: 'list'; count: number; gapMs: number; budgetMs: number }
  | { op: 'watch'; count: number; gapMs: number; budgetMs: number }
  | { op: 'profile'; on: boolean; file?: string }
  | { op: 'shutdown' };

export interface AgentResults {
  startup: StartupTimes;
  deletion: number[];
  'floor-spawn': FloorTimes;
  'floor-kill': number[];
  'density-ramp': RampResult;
  'probe-record': { runs: TimedRun[] };
  list: number[];
  watch: number[];
  profile: { file?: string };
  shutdown: { pods: number };
}

export type AgentResponse =
  { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };
