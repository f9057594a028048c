// Turns a load group's report into the two tables the bench prints (closed-loop throughput and
// open-loop latency, each with its comparison to the row's baseline) and the notes under them.
import { errorTotal } from './aggregate';
import { BUSY_MACHINE_CORES } from './quiet';
import type { BenchSettings } from './group';
import type { LoadGroupReport, ScenarioReport } from './load-group';
import { formatCount, formatDelta, formatMicros, formatRatio, type Column } from './table';

/** A table ready to render. */
export interface TableData {
  readonly title: string;
  readonly columns: readonly Column[];
  readonly rows: readonly (readonly string[])[];
}

const right = (title: string): Column => ({ title, align: 'right' });
const left = (title: string): Column => ({ title, align: 'left' });

/** Closed loop: throughput and CPU per request, each row against its baseline. */
export function throughputTable(report: LoadGroupReport, settings: BenchSettings): TableData {
  const rows = report.scenarios.filter(ran).map((scenario) => {
    const closed = scenario.summary!.closed;
    const comparison = scenario.comparison;
    return [
      scenario.label,
      formatCount(closed.throughput),
      comparison ? formatRatio(comparison.throughputRatio.median, comparison.throughputRatio.min, comparison.throughputRatio.max) : noComparison(scenario),
      formatMicros(closed.clientCpuUsPerRequest),
      closed.proxyCpuUsPerRequest > 0 ? formatMicros(closed.proxyCpuUsPerRequest) : '–',
      comparison ? formatDelta(comparison.addedPathCpuUsPerRequest.median) : '–',
      formatMicros(closed.serverCpuUsPerRequest),
      String(scenario.summary!.peakRssMb),
      formatCount(errorTotal(closed.errors)),
    ];
  });
  return {
    title: `Closed loop: ${settings.concurrency} concurrent, ${settings.durationMs / 1000} s × ${settings.rounds} round(s), medians`,
    columns: [left('scenario'), right('req/s'), right('× base'), right('client CPU µs/req'), right('proxy CPU µs/req'), right('+path CPU µs/req'), right('server CPU µs/req'), right('peak RSS MB'), right('errors')],
    rows,
  };
}

/** Open loop: latency from the scheduled send time, each row against its baseline. */
export function latencyTable(report: LoadGroupReport, settings: BenchSettings): TableData {
  const rows = report.scenarios.filter(ran).map((scenario) => {
    const open = scenario.summary!.open;
    const comparison = scenario.comparison;
    const saturated = open.achievedRate < 0.95 * open.offeredRate;
    return [
      scenario.label,
      formatMicros(open.p50Us),
      formatMicros(open.p90Us),
      formatMicros(open.p99Us),
      formatMicros(open.p999Us),
      formatMicros(open.maxUs),
      comparison ? formatDelta(comparison.addedP50Us.median) : noComparison(scenario),
      comparison ? formatDelta(comparison.addedP99Us.median) : noComparison(scenario),
      open.proxyCpuUsPerRequest > 0 ? formatMicros(open.proxyCpuUsPerRequest) : '–',
      `${formatCount(open.achievedRate)}${saturated ? ' SATURATED' : ''}`,
      formatCount(errorTotal(open.errors)),
    ];
  });
  return {
    title: `Open loop: ${formatCount(settings.rate)} req/s for ${settings.durationMs / 1000} s × ${settings.rounds} round(s), latency in µs from the scheduled send time, medians`,
    columns: [left('scenario'), right('p50'), right('p90'), right('p99'), right('p99.9'), right('max'), right('+p50'), right('+p99'), right('proxy CPU µs/req'), right('achieved req/s'), right('errors')],
    rows,
  };
}

/** Lines under the tables: NOT RUN / FAILED rows, the servers' own capacity, the generator's lag. */
export function reportNotes(report: LoadGroupReport): string[] {
  const lines: string[] = [];
  for (const scenario of report.scenarios) {
    if (scenario.status === 'not-run') lines.push(`NOT RUN: ${scenario.label}: ${scenario.reason}`);
    if (scenario.status === 'failed') lines.push(`FAILED: ${scenario.label}: ${scenario.reason}`);
  }
  const byId = new Map(report.scenarios.map((scenario) => [scenario.id, scenario]));
  for (const scenario of report.scenarios.filter(ran)) {
    for (const against of scenario.versus ?? []) {
      const other = byId.get(against.other);
      const ratio = against.throughputRatio;
      const latency = (mine: number | undefined, theirs: number | undefined, relative: number | undefined, name: string) =>
        mine === undefined || theirs === undefined ? '' : `; added ${name} ${formatDelta(mine)} vs ${formatDelta(theirs)} µs${relative !== undefined ? ` (${relative.toFixed(2)}×)` : ''}`;
      lines.push(
        `${scenario.label} vs ${other?.label ?? against.other}: ${formatRatio(ratio.median, ratio.min, ratio.max)} the throughput` +
          latency(scenario.comparison?.addedP50Us.median, other?.comparison?.addedP50Us.median, against.addedP50Ratio, 'p50') +
          latency(scenario.comparison?.addedP99Us.median, other?.comparison?.addedP99Us.median, against.addedP99Ratio, 'p99'),
      );
    }
  }
  for (const server of report.servers) {
    const verdict = server.busiestCores >= 0.9 ? 'WARNING: it may be the bottleneck' : 'not the bottleneck';
    lines.push(
      `server (${server.description}): ${formatMicros(server.cpuUsPerRequest)} µs CPU/req → ≈${formatCount(server.capacityPerCore)} req/s per core; ` +
        `busiest row kept it ${Math.round(server.busiestCores * 100)}% busy (${verdict})`,
    );
  }
  for (const proxy of report.proxies) lines.push(`proxy: ${proxy.version}`);
  const lags = report.scenarios.filter(ran).map((scenario) => scenario.summary!.open);
  if (lags.length > 0) {
    const worstP50 = Math.max(...lags.map((open) => open.sendLagP50Us));
    const worstP99 = Math.max(...lags.map((open) => open.sendLagP99Us));
    lines.push(`open-loop generator send lag (included in every latency above): p50 ≤ ${formatMicros(worstP50)} µs, p99 ≤ ${formatMicros(worstP99)} µs`);
  }
  const measured = report.scenarios.filter(ran).map((scenario) => scenario.summary!);
  const rounds = measured.reduce((sum, summary) => sum + summary.rounds, 0);
  const disturbed = measured.reduce((sum, summary) => sum + summary.disturbedRounds, 0);
  const worst = Math.max(0, ...measured.map((summary) => summary.backgroundCpuCores));
  lines.push(
    disturbed > 0
      ? `WARNING: in ${disturbed} of ${rounds} measurements other processes used ≥ ${BUSY_MACHINE_CORES} cores (worst ${worst.toFixed(2)}); ` +
          'medians over rounds damp this, but treat the affected rows as noisy'
      : `background: other processes used at most ${worst.toFixed(2)} cores during the measured windows`,
  );
  lines.push(...report.notes);
  return lines;
}

/** What a row without a comparison shows: it is a baseline, or its baseline did not run. */
function noComparison(scenario: ScenarioReport): string {
  return scenario.baseline ? 'n/a' : 'baseline';
}

function ran(scenario: ScenarioReport): boolean {
  return scenario.status === 'ran' && scenario.summary !== undefined;
}
