// Latency histograms of the edge statistics: Istio's duration buckets (Envoy's default bounds), merged
// by adding counts, and quantiles computed the way Prometheus' histogram_quantile does.

/**
 * Istio's request-duration bucket bounds in ms (Envoy's default histogram buckets), the same list
 * mesh-client records with; a report's `bucketBoundsMs` must equal it.
 */
export const EDGE_DURATION_BOUNDS_MS: readonly number[] = Object.freeze([
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000,
]);

/** Counts per bucket: one per bound plus the final +Inf bucket (not cumulative). */
export type BucketCounts = readonly number[];

/** An empty histogram for `bounds`. */
export function emptyBuckets(bounds: readonly number[] = EDGE_DURATION_BOUNDS_MS): number[] {
  return new Array<number>(bounds.length + 1).fill(0);
}

/** Adds `from` into `into` (same length). */
export function addBuckets(into: number[], from: BucketCounts): void {
  for (let i = 0; i < into.length; i++) into[i]! += from[i] ?? 0;
}

/**
 * The q-quantile (0 < q ≤ 1) of a non-cumulative histogram, as PromQL's histogram_quantile: find the
 * bucket holding rank q·total and interpolate linearly inside it (the first bucket starts at 0).
 * A rank in the +Inf bucket answers the highest finite bound. Undefined for an empty histogram.
 */
export function quantileFromBuckets(q: number, counts: BucketCounts, bounds: readonly number[] = EDGE_DURATION_BOUNDS_MS): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return undefined;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i]!;
    if (cumulative + count >= rank && count > 0) {
      if (i >= bounds.length) return bounds[bounds.length - 1];
      const lower = i === 0 ? 0 : bounds[i - 1]!;
      const upper = bounds[i]!;
      return lower + (upper - lower) * ((rank - cumulative) / count);
    }
    cumulative += count;
  }
  return bounds[bounds.length - 1];
}
