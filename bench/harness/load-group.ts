// Runs a group of load scenarios side by side: starts the servers and proxy chains they need, then
// in each round measures every scenario (closed loop, then open loop) in a fresh load process on the
// client core while sampling the server's and the proxies' CPU over the same windows; aggregates last.
import type { DriverName } from '../load/drivers';
import { NotRunError, type MeshTarget } from '../load/driver';
import { proxyAvailability, startProxyChain, type ProxyLayout, type RunningChain } from '../proxies/proxy-chain';
import type { ProxyKind } from '../proxies/proxy-kind';
import { startServer, type RunningServer, type ServerKind } from '../servers/launch';
import { compare, median, rotate, summarize, type Comparison, type RoundFigures, type ScenarioSummary } from './aggregate';
import type { GroupContext, GroupOutcome } from './group';
import { backgroundOf, measureRound } from './measure-round';
import { BUSY_MACHINE_CORES } from './quiet';

/** A sidecar-style proxy in a scenario's path. */
export interface ProxyHop {
  readonly kind: ProxyKind;
  readonly layout: ProxyLayout;
}

/** One row of a load group: a driver against a server, directly or through proxies. */
export interface LoadScenario {
  /** Unique within the group, e.g. `haproxy-1hop`. */
  readonly id: string;
  readonly label: string;
  readonly driver: DriverName;
  readonly server: ServerKind;
  readonly proxy?: ProxyHop;
  /** Id of the row this one is compared with; absent for a baseline row. */
  readonly baseline?: string;
  /** True for in-process mesh rows: their driver gets the `mesh` target from the group's `prepare` hook. */
  readonly mesh?: boolean;
}

/** Optional group-specific set-up once the servers listen (e.g. a control plane that must know their ports). */
export interface LoadGroupHooks {
  /** May throw NotRunError: the whole group is then reported NOT RUN with its message. */
  prepare?(servers: ReadonlyMap<ServerKind, RunningServer>): Promise<{ readonly mesh?: MeshTarget }>;
}

/** A row of the report. */
export interface ScenarioReport {
  readonly id: string;
  readonly label: string;
  readonly driver: string;
  /** The request path, e.g. `client → haproxy → haproxy → server`. */
  readonly path: string;
  readonly baseline?: string;
  readonly status: 'ran' | 'not-run' | 'failed';
  readonly reason?: string;
  readonly summary?: ScenarioSummary;
  readonly comparison?: Comparison;
  readonly perRound?: { readonly throughput: number[]; readonly openP50Us: number[]; readonly openP99Us: number[] };
}

/** What a server did over the group, so readers can see it was not the bottleneck. */
export interface ServerReport {
  readonly kind: ServerKind;
  readonly description: string;
  /** Median closed-loop server CPU per request over the group's rows, µs. */
  readonly cpuUsPerRequest: number;
  /** Requests per second one core could serve at that cost. */
  readonly capacityPerCore: number;
  /** The highest share of its core the server used in any row's closed loop. */
  readonly busiestCores: number;
}

/** The report of a load group. */
export interface LoadGroupReport {
  readonly kind: 'load';
  readonly servers: readonly ServerReport[];
  readonly proxies: readonly { readonly name: string; readonly version: string }[];
  readonly scenarios: readonly ScenarioReport[];
  readonly notes: readonly string[];
}

/** The request path of a scenario, for the report. */
export function describePath(scenario: LoadScenario): string {
  const hops = scenario.proxy ? (scenario.proxy.layout === 'both-sides' ? [scenario.proxy.kind.name, scenario.proxy.kind.name] : [scenario.proxy.kind.name]) : [];
  const client = scenario.mesh ? `${scenario.driver} (in-process mesh)` : scenario.driver;
  return [client, ...hops, `${scenario.server} server`].join(' → ');
}

/** Throws, naming the row, when ids repeat or a baseline names no other row of the group. */
export function validateScenarios(scenarios: readonly LoadScenario[]): void {
  const ids = new Set<string>();
  for (const scenario of scenarios) {
    if (ids.has(scenario.id)) throw new Error(`load group: two rows have the id "${scenario.id}"`);
    ids.add(scenario.id);
  }
  for (const scenario of scenarios) {
    if (scenario.baseline === undefined) continue;
    if (scenario.baseline === scenario.id) throw new Error(`load group: row "${scenario.id}" names itself as its baseline`);
    if (!ids.has(scenario.baseline)) throw new Error(`load group: row "${scenario.id}" names baseline "${scenario.baseline}", which is not a row of the group`);
  }
}

/** Runs the scenarios of a load group and reports them; NOT RUN rows are kept with their reason. */
export async function runLoadGroup(context: GroupContext, scenarios: readonly LoadScenario[], hooks: LoadGroupHooks = {}): Promise<GroupOutcome> {
  validateScenarios(scenarios);
  const { settings } = context;
  const blocked = new Map<string, string>();
  const proxyVersions = new Map<string, string>();
  for (const scenario of scenarios) {
    if (!scenario.proxy) continue;
    const availability = proxyAvailability(scenario.proxy.kind);
    if (availability.available) proxyVersions.set(scenario.proxy.kind.name, availability.version);
    else blocked.set(scenario.id, availability.reason);
  }
  const runnable = scenarios.filter((scenario) => !blocked.has(scenario.id));
  if (runnable.length === 0) return { status: 'not-run', reason: [...new Set(blocked.values())].join('; ') };

  const servers = new Map<ServerKind, RunningServer>();
  for (const kind of new Set(runnable.map((scenario) => scenario.server))) {
    servers.set(kind, await startServer(kind, context.placement, context.processes, settings.bodyBytes));
  }
  let prepared: { readonly mesh?: MeshTarget } = {};
  try {
    prepared = (await hooks.prepare?.(servers)) ?? {};
  } catch (error) {
    if (error instanceof NotRunError) return { status: 'not-run', reason: error.message };
    throw error;
  }
  const rounds = new Map<string, RoundFigures[]>(runnable.map((scenario) => [scenario.id, []]));
  const stopped = new Map<string, { status: 'not-run' | 'failed'; reason: string }>();
  const chains = new Map<string, RunningChain>();
  for (const scenario of runnable) {
    if (!scenario.proxy) continue;
    const key = chainKey(scenario);
    if (chains.has(key)) continue;
    const binary = proxyAvailability(scenario.proxy.kind);
    if (!binary.available) continue;
    try {
      chains.set(key, await startProxyChain(scenario.proxy.kind, binary.binary, scenario.proxy.layout, servers.get(scenario.server)!.port, context));
    } catch (error) {
      // One proxy that will not start fails its rows, not the whole group.
      for (const row of runnable.filter((candidate) => candidate.proxy && chainKey(candidate) === key)) {
        stopped.set(row.id, { status: 'failed', reason: (error as Error).message });
      }
    }
  }

  for (let round = 0; round < settings.rounds; round++) {
    for (const scenario of rotate(runnable, round)) {
      if (stopped.has(scenario.id)) continue;
      const server = servers.get(scenario.server)!;
      const chain = scenario.proxy ? chains.get(chainKey(scenario)) : undefined;
      const outcome = await measureRound(context, scenario, server, chain, prepared.mesh);
      if ('figures' in outcome) {
        rounds.get(scenario.id)!.push(outcome.figures);
        context.log(`  round ${round + 1}/${settings.rounds}  ${scenario.id.padEnd(22)} ${progressLine(outcome.figures)}${outcome.remeasured ? '  (re-measured)' : ''}`);
      } else {
        stopped.set(scenario.id, outcome);
        context.log(`  ${outcome.status === 'not-run' ? 'NOT RUN' : 'FAILED '}  ${scenario.id}: ${outcome.reason}`);
      }
    }
  }

  const reports = scenarios.map((scenario): ScenarioReport => {
    const base = { id: scenario.id, label: scenario.label, driver: scenario.driver, path: describePath(scenario), ...(scenario.baseline ? { baseline: scenario.baseline } : {}) };
    const reason = blocked.get(scenario.id) ?? stopped.get(scenario.id)?.reason;
    if (reason !== undefined) return { ...base, status: stopped.get(scenario.id)?.status ?? 'not-run', reason };
    const figures = rounds.get(scenario.id)!;
    const baselineFigures = scenario.baseline ? rounds.get(scenario.baseline) : undefined;
    const comparison = scenario.baseline && baselineFigures && baselineFigures.length > 0 && !stopped.has(scenario.baseline)
      ? compare(scenario.baseline, figures, baselineFigures)
      : undefined;
    return {
      ...base,
      status: 'ran',
      summary: summarize(figures, BUSY_MACHINE_CORES),
      ...(comparison ? { comparison } : {}),
      perRound: {
        throughput: figures.map((f) => f.closed.throughput),
        openP50Us: figures.map((f) => f.open.latency.p50),
        openP99Us: figures.map((f) => f.open.latency.p99),
      },
    };
  });

  return {
    status: 'ran',
    report: {
      kind: 'load',
      servers: [...servers.values()].map((server) => serverReport(server, reports)),
      proxies: [...proxyVersions].map(([name, version]) => ({ name, version })),
      scenarios: reports,
      notes: [],
    },
  };
}

function chainKey(scenario: LoadScenario): string {
  return `${scenario.proxy!.kind.name}/${scenario.proxy!.layout}/${scenario.server}`;
}

function progressLine(figures: RoundFigures): string {
  const errors = [figures.closed, figures.open].reduce((sum, phase) => sum + Object.values(phase.errors).reduce((a, b) => a + b, 0), 0);
  return (
    `${String(figures.closed.throughput).padStart(6)} req/s  open p50 ${figures.open.latency.p50} µs p99 ${figures.open.latency.p99} µs` +
    `  background ${backgroundOf(figures).toFixed(2)} cores${errors > 0 ? `  ${errors} errors` : ''}`
  );
}

function serverReport(server: RunningServer, reports: readonly ScenarioReport[]): ServerReport {
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
