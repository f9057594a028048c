// Reconnect backoff of the ADS client: jittered exponential delays (gRPC's connection-backoff
// shape), as a pure function of the attempt number and a random source.

/** Backoff parameters. Defaults: 1 s initial, ×1.6 per attempt, ±20 % jitter, 30 s cap, reset after 10 s up. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly multiplier: number;
  /** Fraction of the delay randomised either way (0.2 → ±20 %). */
  readonly jitter: number;
  /** A stream that stayed connected at least this long resets the attempt count. */
  readonly resetAfterMs: number;
}

/** The defaults of BackoffOptions. */
export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 1_000,
  maxMs: 30_000,
  multiplier: 1.6,
  jitter: 0.2,
  resetAfterMs: 10_000,
};

/**
 * Delay before reconnect attempt `attempt` (0 for the first retry after a failure), given
 * `random()` in [0, 1). Never exceeds `maxMs`.
 */
export function backoffDelay(attempt: number, random: () => number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const base = Math.min(options.maxMs, options.initialMs * Math.pow(options.multiplier, Math.max(0, attempt)));
  const jittered = base * (1 + options.jitter * (2 * random() - 1));
  return Math.round(Math.min(options.maxMs, Math.max(0, jittered)));
}
