// `npm run bench`: start-up, deletion, density and API latency of nodelet, next to the machine's
// floor measured in the same run (reported as ratios, since these cores are shared) and a peer.
// Prints a table and writes JSON, markdown and an SVG chart under bench/results/. Benchmarks never
// fail a build: a section that cannot run says why and the run goes on; the exit code is 0.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Agent } from './agent-client.ts';
import { AgentDriver, ApiDriver, type Driver } from './driver.ts';
import { HttpsPodApi } from './https-api.ts';
import { parsePlan, runKind, USAGE, UsageError, type Plan } from './args.ts';
import { density, type DensityLevel } from './density.ts';
import { describeMachine, machineLine } from './machine.ts';
import { podmanPeer, type PeerResult } from './podman-peer.ts';
import { PEER_COMMAND, PROBE_COMMAND, SLEEP_COMMAND } from './pods.ts';
import { atMost, latencyRow, textTable, type Row } from './report.ts';
import { runcFloor } from './runc-floor.ts';
import { summarize } from './stats.ts';
import { chartOf } from './chart-of.ts';
import { resultsMarkdown, type Results } from './run-results.ts';

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

async function startupRows(
  agent: Agent,
  driver: Driver,
  plan: Plan,
  run: string,
  rows: Row[],
  raw: Record<string, unknown>,
): Promise<void> {
  const S = 'start-up (process runtime)';
  const seqN = plan.sequential;
  log(`start-up: ${seqN} pods one at a time`);
  const fSeq = await agent.request({
    op: 'floor-spawn',
    command: [...SLEEP_COMMAND],
    count: seqN,
    mode: 'sequential',
  });
  const nSeq = await driver.startup({
    count: seqN,
    mode: 'sequential',
    readiness: false,
    prefix: 'seq',
    run,
  });
  rows.push(
    latencyRow(S, 'create → Running, one at a time', summarize(nSeq.running), summarize(fSeq.running)),
  );

  const burstN: number[] = [];
  const burstF: number[] = [];
  for (let b = 0; b < plan.bursts; b++) {
    log(`start-up: burst ${b + 1}/${plan.bursts} of ${plan.burst}`);
    const f = await agent.request({
      op: 'floor-spawn',
      command: [...SLEEP_COMMAND],
      count: plan.burst,
      mode: 'burst',
    });
    const n = await driver.startup({
      count: plan.burst,
      mode: 'burst',
      readiness: false,
      prefix: `burst${b}`,
      run,
    });
    burstF.push(...f.running);
    burstN.push(...n.running);
  }
  const bs = summarize(burstN);
  const burstRow = latencyRow(S, `create → Running, burst of ${plan.burst}`, bs, summarize(burstF), {
    target: {
      text: 'p50 ≤ 15, p99 ≤ 50',
      met: bs.count ? bs.p50 <= 15 && bs.p99 <= 50 : undefined,
    },
  });
  if (plan.bursts > 1) burstRow.note = `${plan.bursts} bursts`;
  rows.push(burstRow);

  log(`start-up: ${seqN} pods with an exec readiness probe, one at a time`);
  const fRSeq = await agent.request({
    op: 'floor-spawn',
    command: [...SLEEP_COMMAND],
    count: seqN,
    mode: 'sequential',
    probe: [...PROBE_COMMAND],
  });
  const nRSeq = await driver.startup({
    count: seqN,
    mode: 'sequential',
    readiness: true,
    prefix: 'rseq',
    run,
  });
  rows.push(
    latencyRow(
      S,
      'create → Ready (exec probe), one at a time',
      summarize(nRSeq.ready),
      summarize(fRSeq.ready),
    ),
  );

  log(`start-up: burst of ${plan.burst} with an exec readiness probe`);
  const fRB = await agent.request({
    op: 'floor-spawn',
    command: [...SLEEP_COMMAND],
    count: plan.burst,
    mode: 'burst',
    probe: [...PROBE_COMMAND],
  });
  const nRB = await driver.startup({
    count: plan.burst,
    mode: 'burst',
    readiness: true,
    prefix: 'rburst',
    run,
  });
  rows.push(
    latencyRow(
      S,
      `create → Running (with probe), burst of ${plan.burst}`,
      summarize(nRB.running),
      summarize(fRB.running),
    ),
  );
  rows.push(
    latencyRow(
      S,
      `create → Ready (exec probe), burst of ${plan.burst}`,
      summarize(nRB.ready),
      summarize(fRB.ready),
    ),
  );
  raw.startup = {
    sequential: { nodelet: nSeq, floor: fSeq },
    burst: { nodelet: burstN, floor: burstF },
    readySequential: { nodelet: nRSeq, floor: fRSeq },
    readyBurst: { nodelet: nRB, floor: fRB },
  };
}

async function deletionRows(
  agent: Agent,
  driver: Driver,
  plan: Plan,
  run: string,
  rows: Row[],
  raw: Record<string, unknown>,
): Promise<void> {
  log(`deletion: ${plan.deletions} pods, one at a time`);
  const floor = await agent.request({ op: 'floor-kill', command: [...SLEEP_COMMAND], count: plan.deletions });
  const n = await driver.deletion(plan.deletions, run, 'del');
  const row = latencyRow(
    'deletion (process runtime)',
    'delete → object gone (exits on SIGTERM)',
    summarize(n),
    summarize(floor),
  );
  row.target = atMost('≤ exit + 20 ms (p50)', row.overheadP50, 20);
  const fs = summarize(floor);
  const ns = summarize(n);
  row.note = `floor = SIGTERM → exit; adds ${row.overheadP50?.toFixed(1) ?? '–'} ms p50, ${Number.isFinite(ns.p99 - fs.p99) ? (ns.p99 - fs.p99).toFixed(1) : '–'} ms p99`;
  rows.push(row);
  raw.deletion = { nodelet: n, floor };
}

/**
 * The OCI rows: nodelet's kubelet on the oci runtime (in-process store: `nodelet server` serves the
 * process runtime only), next to bare `runc run` measured in the same run.
 */
async function ociRows(
  paths: string[],
  plan: Plan,
  run: string,
  rows: Row[],
  notes: string[],
  raw: Record<string, unknown>,
): Promise<void> {
  const S = 'start-up and deletion (oci runtime)';
  const rc = await runcFloor(plan.quick ? 10 : 30, log);
  if (!rc.ok) notes.push(`bare runc run floor: ${rc.reason}`);
  const floor = rc.ok ? summarize(rc.samples) : undefined;
  if (floor) rows.push(latencyRow(S, 'floor: bare `runc run` of `true`, start → exit', floor));
  let agent: Agent;
  try {
    agent = await Agent.start('oci');
  } catch (e) {
    const why = `nodelet on the oci runtime cannot run here: ${(e as Error).message.split('\n')[0]}`;
    notes.push(why);
    log(why);
    rows.push({
      section: S,
      measure: 'create → Running',
      unit: 'ms',
      note: 'skipped: ' + why,
      target: { text: 'p50 ≤ 2 × runc run', met: undefined },
    });
    return;
  }
  const driver = new AgentDriver(agent);
  paths.push(driver.path);
  try {
    const n = plan.quick ? 10 : 30;
    const burst = 20;
    // As PID 1 of a container, a plain sleep ignores SIGTERM and would wait out the grace period.
    const trap = [...PEER_COMMAND];
    log(`oci: ${n} pods one at a time, a burst of ${burst}, ${n} deletions`);
    const seq = await driver.startup({
      count: n,
      mode: 'sequential',
      readiness: false,
      prefix: 'oseq',
      run,
      command: trap,
    });
    const seqRow = latencyRow(S, 'create → Running, one at a time', summarize(seq.running), floor);
    seqRow.target = atMost('p50 ≤ 2 × runc run', seqRow.ratioP50, 2);
    rows.push(seqRow);
    const b = await driver.startup({
      count: burst,
      mode: 'burst',
      readiness: false,
      prefix: 'oburst',
      run,
      command: trap,
    });
    rows.push(latencyRow(S, `create → Running, burst of ${burst}`, summarize(b.running), floor));
    const del = await driver.deletion(n, run, 'odel', trap);
    rows.push(latencyRow(S, 'delete → object gone (exits on SIGTERM)', summarize(del)));
    raw.oci = { runc: rc.ok ? rc.samples : [], sequential: seq, burst: b, deletion: del };
  } catch (e) {
    notes.push(`oci rows: failed: ${(e as Error).message.split('\n')[0]}`);
  } finally {
    await agent.stop();
  }
}

function peerRows(
  p: PeerResult,
  nodelet: { up: number[]; down: number[] } | undefined,
  rows: Row[],
  notes: string[],
): void {
  const S = 'peer: the same busybox pod (sh trapping SIGTERM)';
  if (nodelet) {
    rows.push(latencyRow(S, 'nodelet: create → Running', summarize(nodelet.up)));
    rows.push(latencyRow(S, 'nodelet: delete → object gone', summarize(nodelet.down)));
  }
  if (p.ok) {
    rows.push(
      latencyRow(S, `${p.version}: kube play → running`, summarize(p.up), undefined, {
        note: 'CLI wall time',
      }),
    );
    rows.push(
      latencyRow(S, `${p.version}: kube down → removed`, summarize(p.down), undefined, {
        note: 'CLI wall time',
      }),
    );
  } else {
    notes.push(`peer podman: ${p.reason}`);
  }
}

function densityRows(levels: DensityLevel[], rows: Row[]): void {
  const S = 'density (process runtime; exec liveness + httpGet readiness, 10 s periods)';
  for (const l of levels) {
    const at1000 = l.pods >= 1000;
    const t = <T>(x: T): T | undefined => (at1000 ? x : undefined);
    const pods = `${l.pods} pods`;
    const cpu = l.cpuShare * 100;
    const rss = l.rssBytes / 2 ** 20;
    const push = (r: Row): void => void rows.push(r);
    push({
      section: S,
      measure: `${pods}: ramp (create all → all Ready)`,
      unit: 's',
      value: l.rampMs / 1000,
      ...(l.notReady || l.notCreated
        ? {
            note:
              [l.notReady ? `${l.notReady} not Ready` : '', l.notCreated ? `${l.notCreated} not created` : '']
                .filter(Boolean)
                .join(', ') + ' by the deadline',
          }
        : {}),
    });
    const cpuTarget = t(atMost('≤ 25 %', cpu, 25));
    push({
      section: S,
      measure: `${pods}: nodelet CPU (user+sys)`,
      unit: '% core',
      value: cpu,
      ...(cpuTarget ? { target: cpuTarget } : {}),
      note: `probe processes ${(l.childCpuShare * 100).toFixed(1)} % more; ${(l.windowMs / 1000).toFixed(0)} s window`,
    });
    const rssTarget = t(atMost('≤ 300 MB', rss, 300));
    push({
      section: S,
      measure: `${pods}: nodelet RSS`,
      unit: 'MB',
      value: rss,
      ...(rssTarget ? { target: rssTarget } : {}),
    });
    const lat = latencyRow(S, `${pods}: probe lateness vs schedule`, l.lateness, undefined, {
      note: `${l.probeRuns} runs`,
    });
    const latT = t(atMost('p99 ≤ 50', l.lateness.p99, 50));
    if (latT) lat.target = latT;
    push(lat);
    const silent = (n: number): Partial<Row> =>
      n === 0 ? { note: 'no answer within 10 s: the node was not answering' } : {};
    const list = latencyRow(S, `${pods}: list pods`, l.list, undefined, silent(l.list.count));
    const listT = t(atMost('p99 ≤ 50', l.list.p99, 50));
    if (listT) list.target = listT;
    push(list);
    const watch = latencyRow(S, `${pods}: write → watch event`, l.watch, undefined, silent(l.watch.count));
    const watchT = t(atMost('p99 ≤ 5', l.watch.p99, 5));
    if (watchT) watch.target = watchT;
    push(watch);
  }
}

function writeResults(res: Results, plan: Plan): string[] {
  const dir = resolve(plan.outDir);
  mkdirSync(dir, { recursive: true });
  const base = `${res.runtime === 'oci' ? 'oci-' : ''}${res.kind}`;
  const md = resultsMarkdown(res);
  const files = [join(dir, `${base}.json`), join(dir, `${base}.md`), join(dir, `${base}.svg`)];
  writeFileSync(files[0] as string, JSON.stringify(res, null, 2) + '\n');
  writeFileSync(files[1] as string, md);
  writeFileSync(files[2] as string, chartOf(res));
  if (res.kind === 'full' && res.runtime === 'process') {
    const table = join(dir, 'README-table.md');
    writeFileSync(table, md);
    files.push(table);
  }
  return files;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let plan: Plan;
  try {
    plan = parsePlan(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) process.stderr.write(`error: ${e.message}\n`);
      process.stderr.write(USAGE);
      process.exitCode = e.message ? 2 : 0;
      return;
    }
    throw e;
  }
  const t0 = Date.now();
  const machine = describeMachine();
  const kind = runKind(plan, argv);
  const run = `r${t0.toString(36)}`;
  const rows: Row[] = [];
  const notes: string[] = [];
  const raw: Record<string, unknown> = {};
  let levels: DensityLevel[] = [];
  let peer: PeerResult | undefined;
  let apiPath = 'in-process store + kubelet (no HTTP)';
  log(`${kind} run on ${machineLine(machine)}`);
  const wants = (s: Plan['sections'][number]): boolean => plan.sections.includes(s);

  if (plan.runtime === 'oci') {
    const paths: string[] = [];
    await ociRows(paths, plan, run, rows, notes, raw);
    if (paths[0]) apiPath = paths[0];
  } else {
    const profDir = plan.cpuProf ? join(resolve(plan.outDir), 'profiles') : undefined;
    if (profDir) mkdirSync(profDir, { recursive: true });
    // --max-pods raised, as the issue asks: the density levels go past the kubelet's 110.
    const maxPods = Math.max(...plan.densityLevels, plan.burst) + 200;
    const agent = await Agent.start(plan.api === 'https' ? 'server' : 'in-process', maxPods);
    // Interrupted: the nodelet process still removes every pod process it started before exiting.
    const onSignal = (): void => {
      log('interrupted: stopping the nodelet process');
      void agent.stop().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const driver: Driver = agent.kubeconfig
      ? new ApiDriver(new HttpsPodApi(agent.kubeconfig), agent.startedAt)
      : new AgentDriver(agent);
    apiPath = driver.path;
    log(`nodelet process ${agent.pid} (${agent.path}); pods through: ${apiPath}`);
    try {
      const guard = async (name: string, fn: () => Promise<void>): Promise<void> => {
        try {
          await fn();
        } catch (e) {
          const msg = `${name}: failed: ${(e as Error).message.split('\n')[0]}`;
          notes.push(msg);
          log(msg);
        }
      };
      // --cpu-prof: one V8 CPU profile of the nodelet process per phase (and per density window).
      const profiled = async (name: string, fn: () => Promise<void>): Promise<void> => {
        if (profDir) await agent.request({ op: 'profile', on: true });
        try {
          await fn();
        } finally {
          if (profDir)
            await agent.request({ op: 'profile', on: false, file: join(profDir, `${name}.cpuprofile`) });
        }
      };
      if (wants('startup'))
        await guard('start-up', () =>
          profiled('startup', () => startupRows(agent, driver, plan, run, rows, raw)),
        );
      if (wants('deletion'))
        await guard('deletion', () =>
          profiled('deletion', () => deletionRows(agent, driver, plan, run, rows, raw)),
        );
      if (wants('peer')) {
        await guard('peer', async () => {
          log(`peer: nodelet on the same pod, ${plan.peerRuns} times`);
          const up = await driver.startup({
            count: plan.peerRuns,
            mode: 'sequential',
            readiness: false,
            prefix: 'peer',
            run,
            command: [...PEER_COMMAND],
          });
          const down = await driver.deletion(plan.peerRuns, run, 'peerdel', [...PEER_COMMAND]);
          const p = await podmanPeer(plan.peerRuns, log);
          peer = p;
          peerRows(p, { up: up.running, down }, rows, notes);
        });
      }
      if (wants('density')) {
        await guard('density', async () => {
          levels = await density(agent, driver, {
            levels: plan.densityLevels,
            settleMs: plan.settleMs,
            windowMs: plan.windowMs,
            listSamples: plan.listSamples,
            watchSamples: plan.watchSamples,
            samplingBudgetMs: plan.samplingBudgetMs,
            run,
            log,
            ...(profDir ? { profileDir: profDir } : {}),
          });
          densityRows(levels, rows);
        });
      }
    } finally {
      log('stopping the nodelet process');
      driver.close();
      await agent.stop();
    }
    if (profDir) {
      notes.push(
        `--cpu-prof: V8 CPU profiles of the nodelet process per phase under ${profDir} (the profiler's own cost is in these figures; summarise with node bench/profile-summary.ts FILE)`,
      );
    }
  }

  if (wants('peer') && plan.runtime === 'oci') {
    const p = await podmanPeer(plan.peerRuns, log);
    peer = p;
    peerRows(p, undefined, rows, notes);
  }

  const res: Results = {
    kind,
    runtime: plan.runtime,
    startedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
    machine,
    apiPath,
    rows,
    density: levels,
    ...(peer ? { peer } : {}),
    notes,
    raw,
  };
  process.stdout.write(
    `\nnodelet bench (${kind} run, ${(res.durationMs / 60_000).toFixed(1)} min): ${machineLine(machine)}\n`,
  );
  process.stdout.write(`pods through: ${apiPath}\n\n`);
  process.stdout.write(textTable(rows));
  for (const n of notes) process.stdout.write(`note: ${n}\n`);
  const files = writeResults(res, plan);
  process.stdout.write(`\nwritten: ${files.join(', ')}\n`);
}

await main();
