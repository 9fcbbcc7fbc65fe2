// What one run produced, as written to bench/results/<kind>.json and rendered as markdown.
import type { DensityLevel } from './density.ts';
import { machineLine, type Machine } from './machine.ts';
import type { PeerResult } from './podman-peer.ts';
import { markdownTable, type Row } from './report.ts';

export interface Results {
  kind: 'full' | 'quick' | 'partial';
  runtime: 'process' | 'oci';
  startedAt: string;
  durationMs: number;
  machine: Machine;
  /** How the pods reached nodelet (in-process store, or the HTTPS API through a client). */
  apiPath: string;
  rows: Row[];
  density: DensityLevel[];
  peer?: PeerResult;
  notes: string[];
  /** Every sample, for whoever wants to look again. */
  raw: Record<string, unknown>;
}

export function resultsMarkdown(res: Results): string {
  const command = `npm run bench${res.kind === 'quick' ? ' -- --quick' : ''}`;
  const lines = [
    `Measured ${res.startedAt.slice(0, 10)} by \`${command}\` (${res.kind} run, ${(res.durationMs / 60_000).toFixed(1)} min) on ${machineLine(res.machine)}.`,
    '',
    `Pods reached nodelet through: ${res.apiPath}. Latencies in ms. "floor" is the same work done bare in the same run ` +
      '(`child_process.spawn` of the same command until it exists, plus one run of the probe command for Ready; SIGTERM → exit for deletion); ' +
      '"÷floor" is nodelet divided by it. Targets are those of the benchmark issue, not test assertions.',
    '',
    markdownTable(res.rows).trimEnd(),
    '',
  ];
  if (res.notes.length) lines.push(...res.notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
