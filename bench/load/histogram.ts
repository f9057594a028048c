// Latency recording for the load generator: an HDR histogram (hdr-histogram-js, pure-JS build) in
// nanoseconds, summarised in microseconds as p50/p90/p99/p99.9/max.
import * as hdr from 'hdr-histogram-js';

/** A latency distribution in microseconds (one decimal). */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** The histogram queries a summary needs (lets tests feed a fake). */
export interface PercentileSource {
  readonly totalCount: number;
  readonly mean: number;
  readonly maxValue: number;
  getValueAtPercentile(percentile: number): number;
}

/** Nanoseconds → microseconds rounded to 0.1 µs. */
export function nsToUs(ns: number): number {
  return Math.round(ns / 100) / 10;
}

/** Summarises a histogram recorded in nanoseconds; an empty one gives all zeros. */
export function summarizeNs(source: PercentileSource): LatencySummary {
  if (source.totalCount === 0) return { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: source.totalCount,
    mean: nsToUs(source.mean),
    p50: nsToUs(source.getValueAtPercentile(50)),
    p90: nsToUs(source.getValueAtPercentile(90)),
    p99: nsToUs(source.getValueAtPercentile(99)),
    p999: nsToUs(source.getValueAtPercentile(99.9)),
    max: nsToUs(source.maxValue),
  };
}

/** Records durations given in milliseconds (performance.now() differences) at 3 significant digits. */
export class LatencyRecorder {
  private readonly histogram = hdr.build({
    bitBucketSize: 32,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 * 60 * 1e9,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });

  /** Records one duration; negative or zero durations count as 1 ns. */
  recordMs(durationMs: number): void {
    this.histogram.recordValue(Math.max(1, Math.round(durationMs * 1e6)));
  }

  /** The recorded distribution in µs. */
  summary(): LatencySummary {
    return summarizeNs(this.histogram);
  }
}
