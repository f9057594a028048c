// Turns a LoadResult into fortio's report: latency statistics and percentiles in seconds, and
// one `Code 200 : 17 (85.0 %)` line per status code. Percentiles are exact (nearest rank over the
// sorted samples) — a load run holds few enough samples that no histogram library is needed.
import type { LoadResult } from './load-client';
import { NO_RESPONSE_CODE } from './load-client';

/** The percentiles fortio reports by default. */
export const REPORTED_PERCENTILES: readonly number[] = Object.freeze([50, 75, 90, 99, 99.9]);

/** Latency statistics in milliseconds. */
export interface LatencyStats {
  readonly count: number;
  readonly avg: number;
  readonly stddev: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  /** Percentile → latency, for {@link REPORTED_PERCENTILES}. */
  readonly percentiles: ReadonlyMap<number, number>;
}

/** The nearest-rank percentile `p` (0–100] of ascending `sorted` samples; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** Count, mean, population standard deviation, extremes and percentiles of `samples`. */
export function latencyStats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const count = sorted.length;
  const sum = sorted.reduce((total, value) => total + value, 0);
  const avg = count ? sum / count : 0;
  const variance = count ? sorted.reduce((total, value) => total + (value - avg) ** 2, 0) / count : 0;
  return {
    count,
    avg,
    stddev: Math.sqrt(variance),
    min: sorted[0] ?? 0,
    max: sorted[count - 1] ?? 0,
    sum,
    percentiles: new Map(REPORTED_PERCENTILES.map((p) => [p, percentile(sorted, p)])),
  };
}

/** `Code 200 : 17 (85.0 %)` lines, ascending by code (fortio's format; -1 = no response). */
export function codeLines(codes: ReadonlyMap<number, number>, total: number): string[] {
  return [...codes.entries()]
    .sort(([a], [b]) => a - b)
    .map(([code, n]) => `Code ${code} : ${n} (${total ? ((100 * n) / total).toFixed(1) : '0.0'} %)`);
}

const seconds = (ms: number) => Number((ms / 1000).toPrecision(6)).toString();

/** The full text report of a run. */
export function formatLoadSummary(result: LoadResult): string {
  const stats = latencyStats(result.latenciesMs);
  const qps = result.elapsedMs > 0 ? (result.calls * 1000) / result.elapsedMs : 0;
  const lines = [
    `Ended after ${result.elapsedMs.toFixed(3)}ms : ${result.calls} calls. qps=${qps.toFixed(2)}`,
    `Aggregated Function Time : count ${stats.count} avg ${seconds(stats.avg)} +/- ${seconds(stats.stddev)} min ${seconds(stats.min)} max ${seconds(stats.max)} sum ${seconds(stats.sum)}`,
    ...[...stats.percentiles].map(([p, value]) => `# target ${p}% ${seconds(value)}`),
    ...[...result.errors.entries()].map(([message, n]) => `Error (${n} calls): ${message}`),
    ...codeLines(result.codes, result.calls),
    `All done ${result.calls} calls (plus 0 warmup) ${stats.avg.toFixed(3)} ms avg, ${qps.toFixed(1)} qps`,
  ];
  return `${lines.join('\n')}\n`;
}

/** A JSON-friendly summary of a run (fortio's `-json` output, in this tool's own shape). */
export function loadSummaryJson(result: LoadResult): Record<string, unknown> {
  const stats = latencyStats(result.latenciesMs);
  return {
    url: result.url,
    connections: result.connections,
    requestedQps: result.requestedQps,
    calls: result.calls,
    elapsedMs: result.elapsedMs,
    actualQps: result.elapsedMs > 0 ? (result.calls * 1000) / result.elapsedMs : 0,
    codes: Object.fromEntries([...result.codes.entries()].map(([code, n]) => [String(code), n])),
    noResponse: result.codes.get(NO_RESPONSE_CODE) ?? 0,
    latencyMs: {
      avg: stats.avg,
      stddev: stats.stddev,
      min: stats.min,
      max: stats.max,
      percentiles: Object.fromEntries([...stats.percentiles].map(([p, v]) => [`p${p}`, v])),
    },
    errors: Object.fromEntries(result.errors),
  };
}
