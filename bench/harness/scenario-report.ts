// Builds the report rows of a load group from its measured rounds (pure): each row's medians, its
// comparison with its baseline, its comparisons with the rows it is set against, and what each
// server did, so readers can see it was not the bottleneck.
import { compare, median, summarize, versus, type RoundFigures } from './aggregate';
import type { LoadScenario, ScenarioReport, ServerReport } from './load-group';
import { backgroundOf } from './measure-round';
import { BUSY_MACHINE_CORES } from './quiet';
import type { RunningServer } from '../servers/launch';

/** The report row of `scenario`; `stopped` says why it did not run, if it did not. */
export function scenarioReport(
  scenario: LoadScenario,
  path: string,
  rounds: ReadonlyMap<string, readonly RoundFigures[]>,
  stopped: { readonly status: 'not-run' | 'failed'; readonly reason: string } | undefined,
): ScenarioReport {
  const base = { id: scenario.id, label: scenario.label, driver: scenario.driver, path, ...(scenario.baseline ? { baseline: scenario.baseline } : {}) };
  const figures = rounds.get(scenario.id) ?? [];
  if (stopped || figures.length === 0) return { ...base, status: stopped?.status ?? 'not-run', reason: stopped?.reason ?? 'no round was measured' };
  const measured = (id: string | undefined) => {
    const other = id === undefined ? undefined : rounds.get(id);
    return other && other.length > 0 ? other : undefined;
  };
  const baselineFigures = measured(scenario.baseline);
  const comparison = scenario.baseline && baselineFigures ? compare(scenario.baseline, figures, baselineFigures) : undefined;
  const against = (scenario.versus ?? []).flatMap((otherId) => {
    const otherFigures = measured(otherId);
    if (!otherFigures) return [];
    const otherComparison = baselineFigures && scenario.baseline ? compare(scenario.baseline, otherFigures, baselineFigures) : undefined;
    return [versus(otherId, figures, otherFigures, comparison, otherComparison)];
  });
  return {
    ...base,
    status: 'ran',
    summary: summarize(figures, BUSY_MACHINE_CORES),
    ...(comparison ? { comparison } : {}),
    ...(against.length > 0 ? { versus: against } : {}),
    perRound: {
      throughput: figures.map((f) => f.closed.throughput),
      openP50Us: figures.map((f) => f.open.latency.p50),
      openP99Us: figures.map((f) => f.open.latency.p99),
      backgroundCores: figures.map(backgroundOf),
    },
  };
}

/** What `server` did over the group's rows that ran against it. */
export function serverReport(server: Pick<RunningServer, 'kind' | 'description'>, reports: readonly ScenarioReport[]): ServerReport {
  const rows = reports.filter((report) => report.summary && report.path.endsWith(`${server.kind} server`));
  const cpu = median(rows.map((report) => report.summary!.closed.serverCpuUsPerRequest));
  return {
    kind: server.kind,
    description: server.description,
    cpuUsPerRequest: Number(cpu.toFixed(2)),
    capacityPerCore: cpu > 0 ? Math.round(1e6 / cpu) : 0,
    busiestCores: Math.max(0, ...rows.map((report) => report.summary!.closed.serverCpuCores)),
  };
}
