// The chart of a run: latencies next to their floor, then density's CPU, memory and p99s.
import { machineLine } from './machine.ts';
import type { Results } from './run-results.ts';
import { renderChart, type Group, type Panel } from './svg-chart.ts';

const NODELET_P50 = '#2b6cb0';
const NODELET_P99 = '#90cdf4';
const FLOOR_P50 = '#4a5568';
const FLOOR_P99 = '#cbd5e0';

export function chartOf(res: Results): string {
  const latency: Group[] = [];
  for (const r of res.rows) {
    if (r.unit !== 'ms' || r.p50 === undefined || r.section.startsWith('density')) continue;
    const bars = [
      { label: 'nodelet p50', value: r.p50, color: NODELET_P50 },
      { label: 'nodelet p99', value: r.p99 ?? Number.NaN, color: NODELET_P99 },
    ];
    if (r.floorP50 !== undefined) {
      bars.push({ label: 'floor p50', value: r.floorP50, color: FLOOR_P50 });
      bars.push({ label: 'floor p99', value: r.floorP99 ?? Number.NaN, color: FLOOR_P99 });
    }
    latency.push({ label: r.measure.length > 46 ? r.measure.slice(0, 45) + '…' : r.measure, bars });
  }
  const d = res.density;
  const panels: Panel[] = [
    { title: 'Start-up, deletion and peer latency (ms)', unit: 'ms', log: true, groups: latency },
    {
      title: 'Density: nodelet CPU, user+sys (% of one core)',
      unit: '% core',
      log: false,
      groups: d.map((l) => ({
        label: `${l.pods} pods`,
        bars: [{ label: 'CPU', value: l.cpuShare * 100, color: NODELET_P50 }],
      })),
      marker: { value: 25, label: 'target at 1000 pods: 25 %' },
    },
    {
      title: 'Density: nodelet RSS (MB)',
      unit: 'MB',
      log: false,
      groups: d.map((l) => ({
        label: `${l.pods} pods`,
        bars: [{ label: 'RSS', value: l.rssBytes / 2 ** 20, color: NODELET_P50 }],
      })),
      marker: { value: 300, label: 'target at 1000 pods: 300 MB' },
    },
    {
      title: 'Density: p99 under load (ms)',
      unit: 'ms',
      log: true,
      groups: d.map((l) => ({
        label: `${l.pods} pods`,
        bars: [
          { label: 'probe lateness', value: l.lateness.p99, color: '#2f855a' },
          { label: 'list pods', value: l.list.p99, color: NODELET_P50 },
          { label: 'write → watch event', value: l.watch.p99, color: '#b7791f' },
        ],
      })),
    },
  ];
  return renderChart(
    `nodelet bench — ${res.kind} run, ${res.startedAt.slice(0, 10)}`,
    [machineLine(res.machine), `pods through: ${res.apiPath}`],
    panels,
  );
}
