// The retry_on conditions (x-envoy-retry-on / x-envoy-retry-grpc-on names) and the pure decision
// "would Envoy retry this attempt outcome?" (RetryStateImpl::wouldRetryFromHeaders / FromReset).

import { derivedOnce } from '../snapshot/derived-once';
import type { HeaderMatch } from '../routing/matchers';
import { RequestView } from '../routing/request-view';
import { GRPC_STATUS, responseGrpcStatus, responseHeader, type AttemptOutcome } from './outcome';

/** HTTP retry_on names (x-envoy-retry-on). */
export const HTTP_RETRY_ON = [
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx',
  'refused-stream', 'retriable-status-codes', 'retriable-headers', 'http3-post-connect-failure',
] as const;
/** gRPC retry_on names (x-envoy-retry-grpc-on). */
export const GRPC_RETRY_ON = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'] as const;

/** One retry_on condition name. */
export type RetryOnName = (typeof HTTP_RETRY_ON)[number] | (typeof GRPC_RETRY_ON)[number];

const HTTP_NAMES: ReadonlySet<string> = new Set(HTTP_RETRY_ON);
const GRPC_NAMES: ReadonlySet<string> = new Set(GRPC_RETRY_ON);

/** The result of parsing a retry_on list: the known conditions and the tokens Envoy ignores. */
export interface ParsedRetryOn {
  readonly conditions: ReadonlySet<RetryOnName>;
  readonly unknown: readonly string[];
}

/**
 * Parses a comma-separated retry_on list. `which` selects the vocabulary: route config
 * (`retry_on`, both HTTP and gRPC names, as RetryPolicyImpl), the `x-envoy-retry-on` request
 * header (HTTP names only) or `x-envoy-retry-grpc-on` (gRPC names only). Tokens are trimmed and
 * empty ones skipped; tokens outside the vocabulary are returned in `unknown` (Envoy ignores them).
 */
export function parseRetryOn(value: string, which: 'config' | 'http-header' | 'grpc-header' = 'config'): ParsedRetryOn {
  const conditions = new Set<RetryOnName>();
  const unknown: string[] = [];
  for (const raw of value.split(',')) {
    const token = raw.trim();
    if (token === '') continue;
    const known = (which !== 'grpc-header' && HTTP_NAMES.has(token)) || (which !== 'http-header' && GRPC_NAMES.has(token));
    if (known) conditions.add(token as RetryOnName);
    else unknown.push(token);
  }
  return { conditions, unknown };
}

/** Everything the classifier needs besides the outcome. */
export interface RetryOnRules {
  /** The conditions in force; a set is not changed once rules hold it (decisions remember what it holds). */
  readonly conditions: ReadonlySet<RetryOnName>;
  /** retriable_status_codes plus codes from `x-envoy-retriable-status-codes`. */
  readonly retriableStatusCodes: readonly number[];
  /** retriable_headers plus name-only matchers from `x-envoy-retriable-header-names`. */
  readonly retriableHeaders: readonly HeaderMatch[];
}

const GRPC_CONDITION: ReadonlyMap<number, RetryOnName> = new Map([
  [GRPC_STATUS.CANCELLED, 'cancelled'],
  [GRPC_STATUS.DEADLINE_EXCEEDED, 'deadline-exceeded'],
  [GRPC_STATUS.INTERNAL, 'internal'],
  [GRPC_STATUS.RESOURCE_EXHAUSTED, 'resource-exhausted'],
  [GRPC_STATUS.UNAVAILABLE, 'unavailable'],
] as const);

/**
 * Would Envoy retry after this outcome? Exactly RetryStateImpl's rules:
 * - responses: a response carrying `x-envoy-ratelimited` is retried only under envoy-ratelimited
 *   (and nothing else is checked); `5xx` = any 5xx; `gateway-error` = 502/503/504;
 *   `retriable-4xx` = 409 only; `retriable-status-codes` = the listed codes; `retriable-headers` =
 *   a response header matcher matches; gRPC names = the `grpc-status` of the response headers.
 * - `connect-failure` outcomes: retried under connect-failure, then fall through to the reset rules.
 * - resets, per-try timeouts, refused streams, connect failures: `reset-before-request` when no
 *   request byte was sent; `reset`, `5xx` and `gateway-error` always; `refused-stream` only for a
 *   refused stream.
 * - `overflow` (local circuit breaker): never.
 * Returns the condition that fired, or undefined.
 */
export function retryConditionFor(outcome: AttemptOutcome, rules: RetryOnRules): RetryOnName | undefined {
  const c = rules.conditions;
  if (c.size === 0) return undefined;
  switch (outcome.kind) {
    case 'overflow':
      return undefined;
    case 'response':
      return responseCondition(outcome, rules);
    default: {
      if (outcome.kind === 'connect-failure' && c.has('connect-failure')) return 'connect-failure';
      const sent = outcome.requestSent ?? outcome.kind !== 'connect-failure';
      if (!sent && c.has('reset-before-request')) return 'reset-before-request';
      if (c.has('reset')) return 'reset';
      if (c.has('5xx')) return '5xx';
      if (c.has('gateway-error')) return 'gateway-error';
      if (outcome.kind === 'refused-stream' && c.has('refused-stream')) return 'refused-stream';
      return undefined;
    }
  }
}

function responseCondition(outcome: Extract<AttemptOutcome, { kind: 'response' }>, rules: RetryOnRules): RetryOnName | undefined {
  const bits = conditionBits(rules.conditions);
  // A response carrying x-envoy-ratelimited is retried under envoy-ratelimited alone; without that
  // condition the header only vetoes the others, so it is looked for only when another one fires.
  if ((bits & BIT.envoyRatelimited) !== 0) {
    return responseHeader(outcome, 'x-envoy-ratelimited') !== undefined ? 'envoy-ratelimited' : statusCondition(outcome, rules, bits);
  }
  const fired = statusCondition(outcome, rules, bits);
  return fired !== undefined && responseHeader(outcome, 'x-envoy-ratelimited') !== undefined ? undefined : fired;
}

/** The condition a response without x-envoy-ratelimited fires, by status, headers and grpc-status. */
function statusCondition(outcome: Extract<AttemptOutcome, { kind: 'response' }>, rules: RetryOnRules, bits: number): RetryOnName | undefined {
  const status = outcome.status;
  if ((bits & BIT.fiveXx) !== 0 && status >= 500 && status < 600) return '5xx';
  if ((bits & BIT.gatewayError) !== 0 && status >= 502 && status <= 504) return 'gateway-error';
  if ((bits & BIT.retriable4xx) !== 0 && status === 409) return 'retriable-4xx';
  if ((bits & BIT.retriableStatusCodes) !== 0 && rules.retriableStatusCodes.includes(status)) return 'retriable-status-codes';
  if ((bits & BIT.retriableHeaders) !== 0 && rules.retriableHeaders.length > 0) {
    const view = responseView(outcome);
    if (rules.retriableHeaders.some((m) => m.test(view))) return 'retriable-headers';
  }
  if ((bits & BIT.grpc) === 0) return undefined;
  const grpc = responseGrpcStatus(outcome);
  if (grpc !== undefined) {
    const name = GRPC_CONDITION.get(grpc);
    if (name !== undefined && rules.conditions.has(name)) return name;
  }
  return undefined;
}

/**
 * What can make `retryConditionFor` fire on a response under one set of rules, worked out once per
 * rules object: a response whose status does not fire by itself and that carries none of
 * `headers` is never retried, so it needs no decision. Retriable-headers rules need one always (a
 * matcher may fire on a header's absence).
 */
export interface ResponseRetryTriggers {
  /** Every response needs the decision. */
  readonly always: boolean;
  /** The status fires a condition whatever the headers say (x-envoy-ratelimited aside, which needs the decision anyway). */
  firesOnStatus(status: number): boolean;
  /** Lower-case response header names whose presence needs the decision (grpc-status, x-envoy-ratelimited). */
  readonly headers: readonly string[];
}

/** The triggers of `rules` (the same object for the same rules). */
export const responseRetryTriggers = derivedOnce((rules: RetryOnRules): ResponseRetryTriggers => {
  const bits = conditionBits(rules.conditions);
  const headers: string[] = [];
  if ((bits & BIT.grpc) !== 0) headers.push('grpc-status');
  if ((bits & BIT.envoyRatelimited) !== 0) headers.push('x-envoy-ratelimited');
  const codes = (bits & BIT.retriableStatusCodes) !== 0 ? rules.retriableStatusCodes : [];
  return {
    always: (bits & BIT.retriableHeaders) !== 0 && rules.retriableHeaders.length > 0,
    firesOnStatus: (status) =>
      ((bits & BIT.fiveXx) !== 0 && status >= 500 && status < 600)
      || ((bits & BIT.gatewayError) !== 0 && status >= 502 && status <= 504)
      || ((bits & BIT.retriable4xx) !== 0 && status === 409)
      || codes.includes(status),
    headers,
  };
});

/** The conditions a response decision reads, as bits (one test each instead of a set lookup). */
const BIT = {
  envoyRatelimited: 1, fiveXx: 2, gatewayError: 4, retriable4xx: 8, retriableStatusCodes: 16, retriableHeaders: 32,
  /** Any gRPC condition. */
  grpc: 64,
} as const;

const BIT_OF: ReadonlyMap<string, number> = new Map<string, number>([
  ['envoy-ratelimited', BIT.envoyRatelimited], ['5xx', BIT.fiveXx], ['gateway-error', BIT.gatewayError], ['retriable-4xx', BIT.retriable4xx],
  ['retriable-status-codes', BIT.retriableStatusCodes], ['retriable-headers', BIT.retriableHeaders],
  ...GRPC_RETRY_ON.map((name) => [name, BIT.grpc] as [string, number]),
]);

/** The bits of a condition set, once per set (the sets rules hold are never changed once made). */
const conditionBits = derivedOnce((conditions: ReadonlySet<RetryOnName>): number => {
  let bits = 0;
  for (const name of conditions) bits |= BIT_OF.get(name) ?? 0;
  return bits;
});

/** Response headers seen through the matcher interface (`:status` included, as Envoy's response map has it). */
function responseView(outcome: Extract<AttemptOutcome, { kind: 'response' }>): RequestView {
  return new RequestView({ authority: '', method: '', path: '', headers: { ...outcome.headers, ':status': String(outcome.status) } });
}
