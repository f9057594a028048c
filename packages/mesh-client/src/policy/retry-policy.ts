// Per-request retry state, Envoy's RetryStateImpl: the route's RetryPolicy merged with the
// request's x-envoy-retry-* headers, the retry budget / max_retries breaker, back-off, the
// previous-hosts predicate, and one decision per failed attempt ("retry after N ms" or "stop, why").

import { derivedOnce } from '../snapshot/derived-once';
import type { HeaderMatch } from '../routing/matchers';
import { compileHeaderMatcher } from '../routing/matchers';
import { RequestView, type RequestHeaders } from '../routing/request-view';
import type { RetryPolicy } from '../routing/types';
import { compileRetryPolicy } from '../snapshot/compile-route-policies';
import { Issues, type Issue } from '../snapshot/proto-readers';
import { DEFAULT_BACKOFF_BASE_MS, DEFAULT_RATE_LIMITED_MAX_MS, exponentialBackoffMs, rateLimitedBackoffMs, resetIntervalMs } from './backoff';
import type { Random } from './clock';
import type { AcquireResult, Overflow, Permit } from './cluster-limits';
import type { AttemptOutcome } from './outcome';
import { parseRetryOn, retryConditionFor, type RetryOnName, type RetryOnRules } from './retry-on';
import { compileStrict } from './strict-compile';

/** Request headers Envoy consumes for retries and timeouts; the pipeline strips them before forwarding. */
export const RETRY_REQUEST_HEADERS: readonly string[] = Object.freeze([
  'x-envoy-retry-on', 'x-envoy-retry-grpc-on', 'x-envoy-max-retries', 'x-envoy-retriable-status-codes',
  'x-envoy-retriable-header-names', 'x-envoy-hedge-on-per-try-timeout', 'x-envoy-upstream-rq-per-try-timeout-ms',
]);

/**
 * Compiles a route's `retry_policy` message through the snapshot compiler, strictly (Envoy's
 * defaults: num_retries 1, back-off 25 ms / 250 ms, host_selection_retry_max_attempts 1).
 * @throws MeshError CONFIG_REJECTED naming each invalid field.
 */
export function compileRetry(retryPolicy: unknown, notes?: Issue[]): RetryPolicy {
  return compileStrict('retry_policy', (issues) => compileRetryPolicy(retryPolicy, 'retry_policy', issues), notes);
}

/** Envoy's RetryPolicyImpl defaults, used when only request headers ask for retries. */
const DEFAULT_POLICY: RetryPolicy = Object.freeze({
  retryOn: [], numRetries: 1, retriableStatusCodes: [], backoff: { baseIntervalMs: DEFAULT_BACKOFF_BASE_MS, maxIntervalMs: DEFAULT_BACKOFF_BASE_MS * 10 },
  hostPredicates: [], avoidPreviousHosts: false, hostSelectionRetryMaxAttempts: 1, retriableHeaders: [], retriableRequestHeaders: [],
});

/** The request facts retry decisions depend on. */
export interface RetryRequest {
  /** Lower-case request headers (x-envoy-retry-* are read from here). */
  readonly headers: RequestHeaders;
  /** The routed request, for retriable_request_headers matching (built from `headers` when absent). */
  readonly view?: RequestView;
  /**
   * The body can be sent again: no body, or a buffered one. A streamed body is sent once, so the
   * request is never retried (Envoy abandons retries when the body outgrows its buffer).
   */
  readonly replayable: boolean;
}

/** Why no retry happens. The pipeline then returns the last attempt's answer, except for `deadline`. */
export type RetryStopReason =
  | 'not-retriable' // the outcome matches no retry_on condition
  | 'retries-exhausted' // num_retries / x-envoy-max-retries used up (response flag URX)
  | 'overflow' // the max_retries breaker or retry budget is full (flag UO; the upstream answer is returned)
  | 'deadline' // the back-off would end at or after the route deadline: answer 504 UT now
  | 'not-replayable'; // the body was streamed and cannot be resent

/** One retry decision. */
export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number; readonly condition: RetryOnName; readonly backoff: 'exponential' | 'rate-limited'; readonly retryNumber: number }
  | { readonly retry: false; readonly reason: RetryStopReason; readonly condition?: RetryOnName; readonly responseFlag?: 'URX' | 'UO'; readonly overflow?: Overflow };

/** What a decision needs from the moment it is taken. */
export interface RetryContext {
  /** Clock time now. */
  readonly now: number;
  /** Absolute route deadline in clock time; undefined when there is none. */
  readonly deadline?: number;
  /** The cluster's breakers (`ClusterLimits`); undefined = no retry limit. */
  readonly limits?: { tryAcquireRetry(): AcquireResult };
  readonly random: Random;
  /** Wall-clock ms for UNIX_TIMESTAMP reset headers (default `Date.now()`). */
  readonly nowEpochMs?: number;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * Retry state of one logical request. Create it with `RetryState.begin`, report each attempted
 * host with `onHostAttempted`, ask `shouldRetry` after each failed attempt, and call `finish()` when
 * the request ends (it returns the retry slot still held, as Envoy's resetRetry).
 */
export class RetryState {
  private readonly rules: RetryOnRules;
  private remaining: number;
  private exponentialRetries = 0;
  private retries = 0;
  private permit?: Permit;
  /**
   * Hosts tried so far, kept only when the policy avoids previous hosts: the first one alone (most
   * requests make one try), a set from the second on.
   */
  private attempted: string | Set<string> | undefined;

  private constructor(private readonly policy: RetryPolicy, rules: RetryOnRules, numRetries: number, private readonly replayable: boolean) {
    this.rules = rules;
    this.remaining = numRetries;
  }

  /**
   * Envoy's RetryStateImpl::create: a state exists when the route's retry_on or the request's
   * `x-envoy-retry-on` / `x-envoy-retry-grpc-on` names a condition; otherwise undefined (no
   * retries). Merges `x-envoy-retry-on` (HTTP names), `x-envoy-retry-grpc-on` (gRPC names),
   * `x-envoy-retriable-status-codes` and `x-envoy-retriable-header-names`; clears every condition
   * when retriable_request_headers is set and none matches; `x-envoy-max-retries` overrides
   * num_retries when any condition is set.
   */
  static begin(policy: RetryPolicy | undefined, request: RetryRequest): RetryState | undefined {
    const h = request.headers;
    const retryOnHeader = header(h, 'x-envoy-retry-on');
    const grpcOnHeader = header(h, 'x-envoy-retry-grpc-on');
    const base = policy ?? DEFAULT_POLICY;
    if (base.retryOn.length === 0 && retryOnHeader === undefined && grpcOnHeader === undefined) return undefined;
    const statusCodesHeader = header(h, 'x-envoy-retriable-status-codes');
    const headerNamesHeader = header(h, 'x-envoy-retriable-header-names');
    if (retryOnHeader === undefined && grpcOnHeader === undefined && statusCodesHeader === undefined && headerNamesHeader === undefined && base.retriableRequestHeaders.length === 0) {
      // The common case: the route's own rules, compiled once per policy.
      const rules = routeRules(base);
      return new RetryState(base, rules, maxRetriesOverride(h, rules.conditions.size) ?? base.numRetries, request.replayable);
    }
    const conditions = new Set(configuredConditions(base));
    if (retryOnHeader !== undefined) for (const c of parseRetryOn(retryOnHeader, 'http-header').conditions) conditions.add(c);
    if (grpcOnHeader !== undefined) for (const c of parseRetryOn(grpcOnHeader, 'grpc-header').conditions) conditions.add(c);
    if (base.retriableRequestHeaders.length > 0) {
      const view = request.view ?? new RequestView({ authority: '', method: '', path: '', headers: h });
      if (!base.retriableRequestHeaders.some((m) => m.test(view))) conditions.clear();
    }
    const numRetries = maxRetriesOverride(h, conditions.size) ?? base.numRetries;
    const statusCodes = [...base.retriableStatusCodes];
    for (const token of (statusCodesHeader ?? '').split(',')) {
      if (/^\s*\+?\d+\s*$/.test(token)) statusCodes.push(Number(token.trim()));
    }
    const retriableHeaders: HeaderMatch[] = [...base.retriableHeaders];
    for (const name of (headerNamesHeader ?? '').split(',')) {
      const trimmed = name.trim();
      if (trimmed === '') continue;
      const matcher = compileHeaderMatcher({ name: trimmed }, 'x-envoy-retriable-header-names', new Issues());
      if (matcher) retriableHeaders.push(matcher);
    }
    return new RetryState(base, { conditions, retriableStatusCodes: statusCodes, retriableHeaders }, numRetries, request.replayable);
  }

  /** Retries still allowed by num_retries / x-envoy-max-retries. */
  get retriesRemaining(): number {
    return this.remaining;
  }

  /** The merged conditions in force for this request. */
  get conditions(): ReadonlySet<RetryOnName> {
    return this.rules.conditions;
  }

  /** Re-selections the picker may make to avoid excluded hosts (host_selection_retry_max_attempts). */
  get hostSelectionRetryMaxAttempts(): number {
    return this.policy.hostSelectionRetryMaxAttempts;
  }

  /** Records the host an attempt went to (Envoy's onHostAttempted), keyed `address:port`. */
  onHostAttempted(host: string): void {
    if (!this.policy.avoidPreviousHosts) return;
    const attempted = this.attempted;
    if (attempted === undefined) this.attempted = host;
    else if (typeof attempted === 'string') this.attempted = new Set([attempted, host]);
    else attempted.add(host);
  }

  /** Hosts the next pick should avoid: those already tried when previous_hosts is configured. */
  exclude(): ReadonlySet<string> {
    const attempted = this.attempted;
    if (attempted === undefined) return NONE;
    if (typeof attempted === 'string') return (this.attempted = new Set([attempted]));
    return attempted;
  }

  /**
   * Decides after a failed attempt, in Envoy's order: release the slot of the previous retry;
   * classify the outcome; check retries left (URX), then take a retry slot from the breaker
   * (overflow: UO). Then Inboard's two guards: a streamed body is never resent, and a retry whose
   * back-off would end at or after the route deadline is not started. The wait is the
   * rate-limited back-off when rate_limited_retry_back_off is configured and a reset header of a
   * retriable response gives an interval above 1 ms, else the next exponential back-off.
   */
  shouldRetry(outcome: AttemptOutcome, ctx: RetryContext): RetryDecision {
    this.releasePermit();
    const condition = this.conditionFor(outcome);
    if (condition === undefined) return { retry: false, reason: 'not-retriable' };
    if (!this.replayable) return { retry: false, reason: 'not-replayable', condition };
    if (this.remaining === 0) return { retry: false, reason: 'retries-exhausted', condition, responseFlag: 'URX' };
    this.remaining--;
    const slot = ctx.limits?.tryAcquireRetry();
    if (slot && !slot.ok) return { retry: false, reason: 'overflow', condition, responseFlag: 'UO', overflow: slot };

    let delayMs: number;
    let backoff: 'exponential' | 'rate-limited' = 'exponential';
    const rateLimited = this.policy.rateLimitedBackoff;
    const interval = rateLimited && outcome.kind === 'response' && rateLimited.resetHeaders.length > 0
      ? resetIntervalMs(outcome.headers, rateLimited.resetHeaders, rateLimited.maxIntervalMs ?? DEFAULT_RATE_LIMITED_MAX_MS, ctx.nowEpochMs ?? Date.now())
      : undefined;
    if (interval !== undefined && interval > 1) {
      delayMs = rateLimitedBackoffMs(interval, ctx.random);
      backoff = 'rate-limited';
    } else {
      delayMs = exponentialBackoffMs(this.exponentialRetries + 1, ctx.random, this.policy.backoff.baseIntervalMs, this.policy.backoff.maxIntervalMs);
      this.exponentialRetries++;
    }
    if (ctx.deadline !== undefined && ctx.now + delayMs >= ctx.deadline) {
      if (slot?.ok) slot.release();
      return { retry: false, reason: 'deadline', condition };
    }
    if (slot?.ok) this.permit = slot;
    this.retries++;
    return { retry: true, delayMs, condition, backoff, retryNumber: this.retries };
  }

  /**
   * The retry_on condition this outcome matches, if any — the first step of `shouldRetry`, with no
   * other effect: when it is undefined, `shouldRetry` would only answer `not-retriable`.
   */
  conditionFor(outcome: AttemptOutcome): RetryOnName | undefined {
    return retryConditionFor(outcome, this.rules);
  }

  /** The request is over: gives back a retry slot still held. Idempotent. */
  finish(): void {
    this.releasePermit();
  }

  private releasePermit(): void {
    this.permit?.release();
    this.permit = undefined;
  }
}

/**
 * The rules `conditionFor` applies for a request without retry headers (x-envoy-retry-*) under a
 * policy without retriable_request_headers: the route's own; undefined when it retries on nothing.
 */
export function routeRetryRules(policy: RetryPolicy | undefined): RetryOnRules | undefined {
  return policy === undefined || policy.retryOn.length === 0 ? undefined : routeRules(policy);
}

/** `x-envoy-max-retries` when it applies (some retry condition is set) and is a whole number. */
function maxRetriesOverride(headers: RequestHeaders, conditions: number): number | undefined {
  const maxRetries = header(headers, 'x-envoy-max-retries');
  if (conditions === 0 || maxRetries === undefined || !/^\s*\+?\d+\s*$/.test(maxRetries)) return undefined;
  return Number(maxRetries.trim());
}

/** The retry rules of a route's policy alone (no request header merged), compiled once per policy (rules are only read). */
const routeRules = derivedOnce((policy: RetryPolicy): RetryOnRules => (
  { conditions: new Set(configuredConditions(policy)), retriableStatusCodes: [...policy.retriableStatusCodes], retriableHeaders: [...policy.retriableHeaders] }
));

/**
 * Envoy's LoadBalancerBase::chooseHost loop for pickers without native exclusion: picks up to
 * 1 + `maxReselections` times while the pick is rejected (e.g. already attempted), and keeps the
 * last pick when every try was rejected.
 */
export function pickWithReselection<T>(pick: () => T | undefined, reject: (host: T) => boolean, maxReselections: number): T | undefined {
  let host: T | undefined;
  for (let i = 0; i <= maxReselections; i++) {
    host = pick();
    if (host === undefined || !reject(host)) return host;
  }
  return host;
}

function header(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

/** The policy's own retry_on conditions, parsed once per (immutable) policy rather than per request. */
const configuredConditions = derivedOnce((policy: RetryPolicy): readonly RetryOnName[] => [...parseRetryOn(policy.retryOn.join(',')).conditions]);
