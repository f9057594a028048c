// Pure arithmetic over the rounds of a load group: medians of each scenario's figures, and the
// comparison with its baseline as a median of per-round paired differences and ratios (each round
// measures the scenario and its baseline minutes apart at most, which cancels slow drift).
import type { PhaseResult } from '../load/job';

/** A phase's figures plus the CPU the server and the proxies spent over the same window. */
export interface MeasuredPhase extends PhaseResult {
  readonly serverCpuUsPerRequest: number;
  readonly serverCpuCores: number;
  /** 0 when the scenario has no proxy. */
  readonly proxyCpuUsPerRequest: number;
  readonly proxyCpuCores: number;
  /** CPU used by everything else on the machine over the window (other processes, the kernel), cores. */
  readonly backgroundCpuCores: number;
}

/** One round of one scenario: the closed-loop phase, the open-loop phase, the client's peak RSS. */
export interface RoundFigures {
  readonly closed: MeasuredPhase;
  readonly open: MeasuredPhase;
  readonly peakRssMb: number;
}

/** The median of a set of per-round values and their range. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Median figures of a scenario over its rounds. */
export interface ScenarioSummary {
  readonly rounds: number;
  readonly closed: {
    readonly throughput: number;
    readonly p50Us: number;
    readonly p99Us: number;
    readonly clientCpuUsPerRequest: number;
    readonly proxyCpuUsPerRequest: number;
    readonly serverCpuUsPerRequest: number;
    readonly serverCpuCores: number;
    readonly clientEventLoopUtilization: number;
    readonly errors: Readonly<Record<string, number>>;
  };
  readonly open: {
    readonly offeredRate: number;
    readonly achievedRate: number;
    readonly p50Us: number;
    readonly p90Us: number;
    readonly p99Us: number;
    readonly p999Us: number;
    readonly maxUs: number;
    readonly serviceP50Us: number;
    readonly serviceP99Us: number;
    readonly sendLagP50Us: number;
    readonly sendLagP99Us: number;
    readonly clientCpuUsPerRequest: number;
    readonly proxyCpuUsPerRequest: number;
    readonly serverCpuUsPerRequest: number;
    readonly errors: Readonly<Record<string, number>>;
  };
  readonly peakRssMb: number;
  /** The most CPU anything else on the machine used during one of the scenario's windows, cores. */
  readonly backgroundCpuCores: number;
  /** Rounds in which other processes used at least `busyCores` in either window. */
  readonly disturbedRounds: number;
}

/** A scenario against its baseline, each figure a median over paired rounds. */
export interface Comparison {
  readonly baseline: string;
  /** Closed-loop throughput ÷ the baseline's. */
  readonly throughputRatio: Spread;
  /** Open-loop p50 and p99 minus the baseline's, µs. */
  readonly addedP50Us: Spread;
  readonly addedP99Us: Spread;
  /** Closed-loop CPU per request on the request path (client + proxies) minus the baseline's, µs. */
  readonly addedPathCpuUsPerRequest: Spread;
}

/** A row set against another row of the same rounds (e.g. the mesh against a sidecar hop). */
export interface Versus {
  readonly other: string;
  /** Closed-loop throughput ÷ the other row's, paired by round. */
  readonly throughputRatio: Spread;
  /** This row's added p50 / p99 (over the shared baseline) ÷ the other row's; absent when not comparable. */
  readonly addedP50Ratio?: number;
  readonly addedP99Ratio?: number;
}

/** Median of a non-empty list (mean of the middle two for an even count); 0 for an empty one. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median, min and max of a list, rounded to `digits` decimals. */
export function spread(values: readonly number[], digits = 1): Spread {
  const round = (value: number) => Number(value.toFixed(digits));
  if (values.length === 0) return { median: 0, min: 0, max: 0 };
  return { median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)) };
}

/** Sums error counts over rounds. */
export function sumErrors(perRound: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const errors of perRound) for (const [kind, count] of Object.entries(errors)) total[kind] = (total[kind] ?? 0) + count;
  return total;
}

/** Total failed requests in an error-count record. */
export function errorTotal(errors: Readonly<Record<string, number>>): number {
  return Object.values(errors).reduce((sum, count) => sum + count, 0);
}

/** CPU per request on the request path, client plus proxies (the server is common to every row). */
export function pathCpuUsPerRequest(phase: MeasuredPhase): number {
  return phase.cpuUsPerRequest + phase.proxyCpuUsPerRequest;
}

/** Medians of a scenario's rounds; a round counts as disturbed when other processes used ≥ `busyCores`. */
export function summarize(rounds: readonly RoundFigures[], busyCores = Number.POSITIVE_INFINITY): ScenarioSummary {
  const of = (pick: (round: RoundFigures) => number, digits = 1) => Number(median(rounds.map(pick)).toFixed(digits));
  return {
    rounds: rounds.length,
    closed: {
      throughput: of((r) => r.closed.throughput, 0),
      p50Us: of((r) => r.closed.latency.p50),
      p99Us: of((r) => r.closed.latency.p99),
      clientCpuUsPerRequest: of((r) => r.closed.cpuUsPerRequest, 2),
      proxyCpuUsPerRequest: of((r) => r.closed.proxyCpuUsPerRequest, 2),
      serverCpuUsPerRequest: of((r) => r.closed.serverCpuUsPerRequest, 2),
      serverCpuCores: of((r) => r.closed.serverCpuCores, 3),
      clientEventLoopUtilization: of((r) => r.closed.eventLoopUtilization, 3),
      errors: sumErrors(rounds.map((r) => r.closed.errors)),
    },
    open: {
      offeredRate: of((r) => r.open.offeredRate ?? 0, 0),
      achievedRate: of((r) => r.open.throughput, 0),
      p50Us: of((r) => r.open.latency.p50),
      p90Us: of((r) => r.open.latency.p90),
      p99Us: of((r) => r.open.latency.p99),
      p999Us: of((r) => r.open.latency.p999),
      maxUs: of((r) => r.open.latency.max),
      serviceP50Us: of((r) => r.open.service?.p50 ?? 0),
      serviceP99Us: of((r) => r.open.service?.p99 ?? 0),
      sendLagP50Us: of((r) => r.open.sendLag?.p50 ?? 0),
      sendLagP99Us: of((r) => r.open.sendLag?.p99 ?? 0),
      clientCpuUsPerRequest: of((r) => r.open.cpuUsPerRequest, 2),
      proxyCpuUsPerRequest: of((r) => r.open.proxyCpuUsPerRequest, 2),
      serverCpuUsPerRequest: of((r) => r.open.serverCpuUsPerRequest, 2),
      errors: sumErrors(rounds.map((r) => r.open.errors)),
    },
    peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)),
    backgroundCpuCores: Math.max(...rounds.flatMap((r) => [r.closed.backgroundCpuCores, r.open.backgroundCpuCores])),
    disturbedRounds: rounds.filter((r) => Math.max(r.closed.backgroundCpuCores, r.open.backgroundCpuCores) >= busyCores).length,
  };
}

/**
 * Compares a scenario with its baseline round by round (round i with round i), then takes medians.
 * Rounds missing on either side are left out; throws when no round pairs up.
 */
export function compare(baselineId: string, scenario: readonly RoundFigures[], baseline: readonly RoundFigures[]): Comparison {
  const pairs = scenario.slice(0, baseline.length).map((round, index) => [round, baseline[index]!] as const);
  if (pairs.length === 0) throw new Error(`no measured round to compare with baseline "${baselineId}"`);
  return {
    baseline: baselineId,
    throughputRatio: spread(pairs.map(([s, b]) => (b.closed.throughput > 0 ? s.closed.throughput / b.closed.throughput : 0)), 3),
    addedP50Us: spread(pairs.map(([s, b]) => s.open.latency.p50 - b.open.latency.p50)),
    addedP99Us: spread(pairs.map(([s, b]) => s.open.latency.p99 - b.open.latency.p99)),
    addedPathCpuUsPerRequest: spread(pairs.map(([s, b]) => pathCpuUsPerRequest(s.closed) - pathCpuUsPerRequest(b.closed)), 2),
  };
}

/**
 * Sets a row against another: the throughput ratio round by round, and the ratio of their added
 * latencies when both were compared with the same baseline and the other's is positive.
 */
export function versus(otherId: string, scenario: readonly RoundFigures[], other: readonly RoundFigures[], scenarioComparison?: Comparison, otherComparison?: Comparison): Versus {
  const pairs = scenario.slice(0, other.length).map((round, index) => [round, other[index]!] as const);
  const ratio = (mine: number | undefined, theirs: number | undefined) => (mine !== undefined && theirs !== undefined && theirs > 0 ? Number((mine / theirs).toFixed(3)) : undefined);
  const p50 = ratio(scenarioComparison?.addedP50Us.median, otherComparison?.addedP50Us.median);
  const p99 = ratio(scenarioComparison?.addedP99Us.median, otherComparison?.addedP99Us.median);
  return {
    other: otherId,
    throughputRatio: spread(pairs.map(([s, o]) => (o.closed.throughput > 0 ? s.closed.throughput / o.closed.throughput : 0)), 3),
    ...(p50 !== undefined ? { addedP50Ratio: p50 } : {}),
    ...(p99 !== undefined ? { addedP99Ratio: p99 } : {}),
  };
}

/** Rotates a list left by `round` places, so each scenario changes position from round to round. */
export function rotate<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const shift = ((round % items.length) + items.length) % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}
