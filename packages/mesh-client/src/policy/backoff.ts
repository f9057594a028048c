// Envoy's retry back-off as pure functions of (retry number, random source): the fully jittered
// exponential back-off and the rate-limited back-off driven by reset headers (Retry-After …).

import type { IBackoff, IBackoffFactory } from 'cockatiel';
import type { Random } from './clock';
import { firstHeader, type ResponseHeaders } from './outcome';

/** Envoy's default back-off base interval (`upstream.base_retry_backoff_ms`). */
export const DEFAULT_BACKOFF_BASE_MS = 25;
/** Envoy's default maximum of a rate-limited back-off (rate_limited_retry_back_off.max_interval). */
export const DEFAULT_RATE_LIMITED_MAX_MS = 300_000;

/**
 * The wait before retry number `retry` (1-based count of exponential back-offs drawn so far,
 * including this one), as Envoy documents it: a uniform integer in [0, (2^N − 1) × base),
 * capped at `maxMs` (default 10 × base). Like Envoy's JitteredBackOffStrategy, the range stops
 * growing once it first exceeds the maximum, and the draw itself is clamped to the maximum:
 * with the defaults, retries 1, 2, 3 wait 0–24, 0–74, 0–174 ms and every later retry
 * min(U[0, 375), 250) ms.
 * @throws RangeError when `retry` < 1 or the intervals are not positive.
 */
export function exponentialBackoffMs(retry: number, rng: Random, baseMs = DEFAULT_BACKOFF_BASE_MS, maxMs = baseMs * 10): number {
  if (!Number.isInteger(retry) || retry < 1) throw new RangeError(`retry number must be an integer ≥ 1, got ${retry}`);
  if (!(baseMs > 0) || !(maxMs >= baseMs)) throw new RangeError(`back-off needs 0 < base (${baseMs}) ≤ max (${maxMs})`);
  return Math.min(Math.floor(rng() * exponentialRangeMs(retry, baseMs, maxMs)), maxMs);
}

/** The exclusive upper bound of the uniform draw of `exponentialBackoffMs` for retry `retry`. */
export function exponentialRangeMs(retry: number, baseMs = DEFAULT_BACKOFF_BASE_MS, maxMs = baseMs * 10): number {
  let n = 1;
  while (n < retry && (2 ** n - 1) * baseMs <= maxMs) n++;
  return (2 ** n - 1) * baseMs;
}

/**
 * Envoy's JitteredLowerBoundBackOffStrategy for a server-given interval `intervalMs` (> 1):
 * a uniform integer in [interval, 1.5 × interval).
 */
export function rateLimitedBackoffMs(intervalMs: number, rng: Random): number {
  const interval = Math.floor(intervalMs);
  if (interval <= 1) throw new RangeError(`rate-limited back-off needs an interval above 1 ms, got ${intervalMs}`);
  return Math.floor(rng() * Math.floor(interval / 2)) + interval;
}

/** One rate_limited_retry_back_off.reset_headers entry (lower-case name). */
export interface ResetHeader {
  readonly name: string;
  readonly format: 'SECONDS' | 'UNIX_TIMESTAMP';
}

/**
 * The server-requested retry interval, as Envoy's RetryStateImpl::parseResetInterval: the reset
 * headers are tried in order; each reads its header's first value as whole seconds (`SECONDS`,
 * e.g. `Retry-After: 2`) or a Unix time in seconds (`UNIX_TIMESTAMP`, e.g. `X-RateLimit-Reset`,
 * relative to `nowEpochMs` truncated to seconds; a time in the past gives nothing). A value above
 * `maxIntervalMs` moves on to the next header. HTTP-date forms of Retry-After are not numbers and
 * are skipped, as in Envoy. Returns milliseconds, or undefined.
 */
export function resetIntervalMs(
  headers: ResponseHeaders | undefined, resetHeaders: readonly ResetHeader[], maxIntervalMs: number, nowEpochMs: number,
): number | undefined {
  for (const reset of resetHeaders) {
    const raw = firstHeader(headers, reset.name);
    if (raw === undefined || !/^\s*\+?\d+\s*$/.test(raw)) continue;
    const value = Number(raw.trim());
    let interval: number | undefined;
    if (reset.format === 'SECONDS') {
      interval = value * 1000;
    } else {
      const nowSeconds = Math.floor(nowEpochMs / 1000);
      if (value >= nowSeconds) interval = (value - nowSeconds) * 1000;
    }
    if (interval !== undefined && interval <= maxIntervalMs) return interval;
  }
  return undefined;
}

/**
 * Envoy's exponential back-off as a cockatiel back-off factory (for cockatiel's `retry()`):
 * each `next()` is the following retry's wait. The random source is injected, unlike
 * cockatiel's own generators, which read `Math.random`.
 */
export function envoyBackoff(rng: Random, baseMs = DEFAULT_BACKOFF_BASE_MS, maxMs = baseMs * 10): IBackoffFactory<unknown> {
  const step = (retry: number): IBackoff<unknown> => ({
    duration: exponentialBackoffMs(retry, rng, baseMs, maxMs),
    next: () => step(retry + 1),
  });
  return { next: () => step(1) };
}
