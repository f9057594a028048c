// Per-caller token buckets for the certificate-signing endpoint: a burst of `capacity` requests,
// refilled continuously at `refillPerSecond`. Pure arithmetic over an injected clock.

/** Rate-limit parameters. */
export interface RateLimitOptions {
  /** Requests allowed at once after a quiet period. */
  readonly capacity: number;
  /** Sustained rate, requests per second. */
  readonly refillPerSecond: number;
  /** Most callers tracked; the longest-idle bucket is dropped beyond it (it would be full anyway). */
  readonly maxKeys?: number;
}

/** The signing endpoint's default: bursts of 10, then one request every 6 s per token. */
export const DEFAULT_SIGNING_RATE_LIMIT: RateLimitOptions = { capacity: 10, refillPerSecond: 1 / 6, maxKeys: 10_000 };

/** A take's outcome: allowed, or refused with the wait until one request is available. */
export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Token buckets keyed by caller. `now()` is milliseconds on any monotonic-enough clock. */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly options: RateLimitOptions, private readonly clock: { now(): number }) {
    if (!(options.capacity >= 1) || !(options.refillPerSecond > 0)) {
      throw new RangeError(`rate limit needs capacity ≥ 1 and refillPerSecond > 0, got ${options.capacity} and ${options.refillPerSecond}`);
    }
  }

  /** Takes one request from `key`'s bucket. */
  take(key: string): TakeResult {
    const now = this.clock.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      this.buckets.delete(key); // re-inserted below: Map order = least recently used first
      const refilled = ((now - bucket.updatedAt) / 1000) * this.options.refillPerSecond;
      bucket = { tokens: Math.min(this.options.capacity, bucket.tokens + Math.max(0, refilled)), updatedAt: Math.max(now, bucket.updatedAt) };
    } else {
      bucket = { tokens: this.options.capacity, updatedAt: now };
    }
    this.buckets.set(key, bucket);
    this.evict();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / this.options.refillPerSecond) * 1000) };
  }

  private evict(): void {
    const max = this.options.maxKeys ?? DEFAULT_SIGNING_RATE_LIMIT.maxKeys!;
    while (this.buckets.size > max) {
      const oldest = this.buckets.keys().next().value as string;
      this.buckets.delete(oldest);
    }
  }
}
