// Runs a group of load scenarios side by side: starts the servers and proxy chains they need, then
// in each round measures every scenario (closed loop, then open loop) in a fresh load process on the
// client core while sampling the server's and the proxies' CPU over the same windows; aggregates last.
import type { DriverName } from '../load/drivers';
import { NotRunError, type MeshTarget } from '../load/driver';
import { proxyAvailability, startProxyChain, type ProxyLayout, type RunningChain } from '../proxies/proxy-chain';
import type { ProxyKind } from '../proxies/proxy-kind';
import { startServer, type RunningServer, type ServerKind } from '../servers/launch';
import { type Comparison, type RoundFigures, type ScenarioSummary, type Versus } from './aggregate';
import type { GroupContext, GroupOutcome } from './group';
import { backgroundOf, measureRound } from './measure-round';
import { roundOrder } from './round-order';
import { scenarioReport, serverReport } from './scenario-report';

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
  /** True for in-process mesh rows: their driver gets the `mesh` target from the group's `prepareMesh` hook. */
  readonly mesh?: boolean;
  /** Other rows to set this one against beyond its baseline (e.g. the mesh against the sidecar hops). */
  readonly versus?: readonly string[];
}

/** Optional group-specific set-up once the servers listen. */
export interface LoadGroupHooks {
  /**
   * Starts what the mesh rows need (a control plane that knows the servers' ports); called only when
   * the group has mesh rows. NotRunError marks the mesh rows NOT RUN, any other error FAILED; the
   * other rows run either way.
   */
  prepareMesh?(servers: ReadonlyMap<ServerKind, RunningServer>): Promise<{ readonly mesh: MeshTarget }>;
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
  /** This row against the rows named in its `versus`. */
  readonly versus?: readonly Versus[];
  readonly perRound?: {
    readonly throughput: number[];
    readonly openP50Us: number[];
    readonly openP99Us: number[];
    /** CPU other processes used during the round's windows (the larger of the two phases), cores. */
    readonly backgroundCores: number[];
  };
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
  for (const scenario of scenarios) {
    for (const other of scenario.versus ?? []) {
      if (other === scenario.id || !ids.has(other)) throw new Error(`load group: row "${scenario.id}" is set against "${other}", which is not another row of the group`);
    }
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
  const rounds = new Map<string, RoundFigures[]>(runnable.map((scenario) => [scenario.id, []]));
  const stopped = new Map<string, { status: 'not-run' | 'failed'; reason: string }>();
  const stop = (rows: readonly LoadScenario[], status: 'not-run' | 'failed', reason: string) => {
    for (const row of rows) stopped.set(row.id, { status, reason });
  };
  let mesh: MeshTarget | undefined;
  const meshRows = runnable.filter((scenario) => scenario.mesh);
  if (meshRows.length > 0) {
    try {
      if (!hooks.prepareMesh) throw new NotRunError('this group has mesh rows but no prepareMesh hook');
      mesh = (await hooks.prepareMesh(servers)).mesh;
    } catch (error) {
      stop(meshRows, error instanceof NotRunError ? 'not-run' : 'failed', (error as Error).message);
    }
  }
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
      stop(runnable.filter((candidate) => candidate.proxy && chainKey(candidate) === key), 'failed', (error as Error).message);
    }
  }

  for (let round = 0; round < settings.rounds; round++) {
    for (const scenario of roundOrder(runnable, round)) {
      if (stopped.has(scenario.id)) continue;
      const server = servers.get(scenario.server)!;
      const chain = scenario.proxy ? chains.get(chainKey(scenario)) : undefined;
      const outcome = await measureRound(context, scenario, server, chain, mesh);
      if ('figures' in outcome) {
        rounds.get(scenario.id)!.push(outcome.figures);
        context.log(`  round ${round + 1}/${settings.rounds}  ${scenario.id.padEnd(22)} ${progressLine(outcome.figures)}${outcome.remeasured ? '  (re-measured)' : ''}`);
      } else {
        stopped.set(scenario.id, outcome);
        context.log(`  ${outcome.status === 'not-run' ? 'NOT RUN' : 'FAILED '}  ${scenario.id}: ${outcome.reason}`);
      }
    }
  }

  const reports = scenarios.map((scenario) =>
    scenarioReport(scenario, describePath(scenario), rounds, blocked.get(scenario.id) !== undefined ? { status: 'not-run', reason: blocked.get(scenario.id)! } : stopped.get(scenario.id)),
  );
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

