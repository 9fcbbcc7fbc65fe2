// Density: N pods running at once, each with an exec liveness probe and an httpGet readiness probe
// at the default period (10 s). Once a level is Ready and one period has passed, the harness reads
// the nodelet process's CPU and RSS from /proc over a quiet window while the prober reports every
// run's start (ProbeManager.onRun) for the lateness figure; then `list pods` and watch delivery are
// timed under that load.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Agent } from './agent-client.ts';
import type { Driver } from './driver.ts';
import { freePorts } from './ports.ts';
import { killProcessesMentioning } from './proc-cleanup.ts';
import { probeLateness } from './probe-lateness.ts';
import { sampleNode } from './proc-stat.ts';
import { coreShare, summarize, type Summary } from './stats.ts';

export interface DensityLevel {
  pods: number;
  /** From the first create of the level to the last pod Ready. */
  rampMs: number;
  notReady: number;
  /** Pods the API had not even accepted by the level's deadline. */
  notCreated: number;
  windowMs: number;
  /** User + system CPU of the nodelet process per wall second (1 = one core). */
  cpuShare: number;
  /** The same for the processes it waited for in the window (probe commands, containers). */
  childCpuShare: number;
  rssBytes: number;
  probeRuns: number;
  lateness: Summary;
  list: Summary;
  watch: Summary;
}

export interface DensityOptions {
  levels: readonly number[];
  settleMs: number;
  windowMs: number;
  listSamples: number;
  watchSamples: number;
  /** At most this long for each of the list and watch series (a loaded node answers slowly). */
  samplingBudgetMs: number;
  run: string;
  log: (line: string) => void;
  /** Profile the nodelet process over each level's window into DIR/density-N.cpuprofile. */
  profileDir?: string;
}

export async function density(agent: Agent, driver: Driver, opts: DensityOptions): Promise<DensityLevel[]> {
  const max = Math.max(...opts.levels);
  const ports = await freePorts(max);
  const www = mkdtempSync(join(tmpdir(), 'nodelet-bench-www-'));
  writeFileSync(join(www, 'index.html'), 'ok\n');
  const out: DensityLevel[] = [];
  try {
    for (const pods of opts.levels) {
      opts.log(`density: ramping to ${pods} pods`);
      if (opts.profileDir) await agent.request({ op: 'profile', on: true });
      const ramping = driver.densityRamp({
        to: pods,
        run: opts.run,
        ports,
        wwwDir: www,
        timeoutMs: 60_000 + pods * 180,
      });
      const ramp = await ramping.finally(async () => {
        if (opts.profileDir) {
          await agent.request({
            op: 'profile',
            on: false,
            file: join(opts.profileDir, `density-${pods}-ramp.cpuprofile`),
          });
        }
      });
      if (ramp.notReady.length)
        opts.log(`density: ${ramp.notReady.length} pods not Ready (e.g. ${ramp.notReady[0]})`);
      opts.log(
        `density: ${pods} pods in ${(ramp.rampMs / 1000).toFixed(1)} s; settling ${opts.settleMs / 1000} s`,
      );
      await sleep(opts.settleMs);
      if (opts.profileDir) await agent.request({ op: 'profile', on: true });
      await agent.request({ op: 'probe-record', on: true });
      const a = sampleNode(agent.pid);
      const t0 = performance.now();
      await sleep(opts.windowMs);
      const b = sampleNode(agent.pid);
      const wall = performance.now() - t0;
      const { runs } = await agent.request({ op: 'probe-record', on: false });
      if (opts.profileDir) {
        await agent.request({
          op: 'profile',
          on: false,
          file: join(opts.profileDir, `density-${pods}.cpuprofile`),
        });
      }
      opts.log(
        `density: ${pods} pods: ${runs.length} probe runs in ${(wall / 1000).toFixed(0)} s; timing list and watch`,
      );
      const list = await driver.list(opts.listSamples, 100, opts.samplingBudgetMs);
      const watch = await driver.watch(opts.watchSamples, 50, opts.samplingBudgetMs);
      out.push({
        pods,
        rampMs: ramp.rampMs,
        notReady: ramp.notReady.length,
        notCreated: ramp.notCreated,
        windowMs: wall,
        cpuShare: coreShare(b.cpuMicros - a.cpuMicros, wall),
        childCpuShare: coreShare(b.childCpuMicros - a.childCpuMicros, wall),
        rssBytes: b.rssBytes,
        probeRuns: runs.length,
        lateness: summarize(probeLateness(runs)),
        list: summarize(list),
        watch: summarize(watch),
      });
    }
  } finally {
    // The pods' httpd processes name this directory: none may outlive the run, whatever happened.
    killProcessesMentioning(www);
    rmSync(www, { recursive: true, force: true });
  }
  return out;
}
