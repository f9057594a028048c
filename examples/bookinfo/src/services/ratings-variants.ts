// The failure-injecting variants of BookInfo's ratings image (Istio's SERVICE_VERSION values
// v-faulty, v-delayed, v-unavailable, v-unhealthy), as pure decisions over an injected random
// source and the time elapsed since start — so they are tested by tables, not by waiting.

/** The ratings versions this implementation serves (v2, the database-backed one, is not provided). */
export const RATINGS_VERSIONS = ['v1', 'v-faulty', 'v-delayed', 'v-unavailable', 'v-unhealthy'] as const;

/** One of {@link RATINGS_VERSIONS}. */
export type RatingsVersion = (typeof RATINGS_VERSIONS)[number];

/** v-delayed's delay (ratings.js: 7 s). */
export const RATINGS_DELAY_MS = 7_000;
/** v-unavailable flips between available and 503 every minute. */
export const RATINGS_UNAVAILABLE_PERIOD_MS = 60_000;
/** v-unhealthy flips health and availability every 15 minutes. */
export const RATINGS_UNHEALTHY_PERIOD_MS = 15 * 60_000;

/** Knobs of the variants; defaults are the original's. */
export interface RatingsVariantSettings {
  readonly delayMs: number;
  /** Toggle period of v-unavailable / v-unhealthy. */
  readonly periodMs: number;
}

/** What a GET /ratings/{id} does. */
export type RatingsDecision =
  | { readonly kind: 'answer' }
  | { readonly kind: 'unavailable' }
  | { readonly kind: 'delay'; readonly ms: number };

/** Availability and health of the toggling variants after `elapsedMs` (both start up and healthy). */
export function toggleState(version: RatingsVersion, elapsedMs: number, periodMs: number): { available: boolean; healthy: boolean } {
  const flips = Math.floor(Math.max(0, elapsedMs) / periodMs);
  const flipped = flips % 2 === 1;
  if (version === 'v-unavailable') return { available: !flipped, healthy: true };
  if (version === 'v-unhealthy') return { available: !flipped, healthy: !flipped };
  return { available: true, healthy: true };
}

/** Decides a GET: answer now, answer 503, or answer after a delay. `random` is in [0, 1). */
export function decideRatingsGet(
  version: RatingsVersion,
  random: number,
  elapsedMs: number,
  settings: RatingsVariantSettings,
): RatingsDecision {
  switch (version) {
    case 'v-faulty':
      return random <= 0.5 ? { kind: 'unavailable' } : { kind: 'answer' };
    case 'v-delayed':
      return random <= 0.5 ? { kind: 'delay', ms: settings.delayMs } : { kind: 'answer' };
    case 'v-unavailable':
    case 'v-unhealthy':
      return toggleState(version, elapsedMs, settings.periodMs).available ? { kind: 'answer' } : { kind: 'unavailable' };
    default:
      return { kind: 'answer' };
  }
}

/** The default toggle period of `version`. */
export function defaultPeriodMs(version: RatingsVersion): number {
  return version === 'v-unhealthy' ? RATINGS_UNHEALTHY_PERIOD_MS : RATINGS_UNAVAILABLE_PERIOD_MS;
}
