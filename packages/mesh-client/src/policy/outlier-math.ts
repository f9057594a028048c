// The pure arithmetic of Envoy's outlier detection (source/common/upstream/outlier_detection_impl.cc):
// the ejection guard, ejection durations and back-off, enforcement draws, success-rate statistics.

import type { Random } from './clock';

/**
 * Envoy's ejection guard (DetectorImpl::ejectHost, since Envoy 1.27): eject only when the share of
 * ejected hosts *after* this ejection stays within max_ejection_percent — so with the default 10 %
 * a cluster of fewer than 10 hosts never ejects — unless always_eject_one_host is set and no host
 * is ejected yet. The percentage is capped at 100 and counts every host of the cluster.
 */
export function mayEject(activeEjections: number, totalHosts: number, maxEjectionPercent: number, alwaysEjectOneHost: boolean): boolean {
  if (totalHosts <= 0) return false;
  const ejectedPercent = (100 * (activeEjections + 1)) / totalHosts;
  const allowed = ejectedPercent <= Math.min(100, maxEjectionPercent);
  return allowed || (alwaysEjectOneHost && activeEjections === 0);
}

/**
 * Envoy's `featureEnabled(key, percent)` for an enforcement percentage 0–100: true with
 * probability percent / 100 (`random % 100 < percent`). 0 and 100 draw nothing.
 */
export function enforced(percent: number, rng: Random): boolean {
  if (percent >= 100) return true;
  if (percent <= 0) return false;
  return Math.floor(rng() * 100) < percent;
}

/** The jitter added to one ejection: a uniform integer in [0, max_ejection_time_jitter]. */
export function ejectionJitterMs(maxJitterMs: number, rng: Random): number {
  const max = Math.floor(maxJitterMs);
  return max <= 0 ? 0 : Math.floor(rng() * (max + 1));
}

/**
 * The ejection-time multiplier after an ejection: it grows by one while
 * multiplier × base < max + base, so the duration saturates at max_ejection_time.
 */
export function nextEjectTimeBackoff(backoff: number, baseMs: number, maxMs: number): number {
  return backoff * baseMs < maxMs + baseMs ? backoff + 1 : backoff;
}

/** How long an ejection lasts: min(base × multiplier, max) + jitter. */
export function ejectionDurationMs(baseMs: number, backoff: number, maxMs: number, jitterMs: number): number {
  return Math.min(baseMs * backoff, maxMs) + jitterMs;
}

/**
 * Success-rate outlier threshold: mean − factor × population standard deviation of the hosts'
 * success rates (percentages). `stdevFactor` is already divided by 1000 (1900 → 1.9). Envoy's
 * example: rates {50, 100, 100, 100, 100} → mean 90, stdev 20, threshold 52 with factor 1.9.
 */
export function successRateThreshold(rates: readonly number[], stdevFactor: number): { readonly mean: number; readonly threshold: number } {
  if (rates.length === 0) return { mean: Number.NaN, threshold: Number.NaN };
  const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
  const variance = rates.reduce((a, r) => a + (r - mean) ** 2, 0) / rates.length;
  return { mean, threshold: mean - stdevFactor * Math.sqrt(variance) };
}

/** Request counts of one interval for one host (Envoy's SuccessRateAccumulatorBucket). */
export interface RateBucket {
  total: number;
  success: number;
}

/**
 * Envoy's two-bucket success-rate accumulator: outcomes go to `current`; at each interval the
 * buckets swap, and the statistics read the just-completed one (`previous`).
 */
export class RateAccumulator {
  private current: RateBucket = { total: 0, success: 0 };
  private previous: RateBucket = { total: 0, success: 0 };

  /** Counts one request, successful or not. */
  record(success: boolean): void {
    this.current.total++;
    if (success) this.current.success++;
  }

  /** The interval ended: the current bucket becomes the one read; a cleared bucket takes writes. */
  swap(): void {
    const cleared = this.previous;
    cleared.total = 0;
    cleared.success = 0;
    this.previous = this.current;
    this.current = cleared;
  }

  /** Success rate (percent) and volume of the last complete interval; undefined with no requests. */
  rateAndVolume(): { readonly rate: number; readonly volume: number } | undefined {
    const b = this.previous;
    if (b.total === 0) return undefined;
    return { rate: (b.success * 100) / b.total, volume: b.total };
  }
}
