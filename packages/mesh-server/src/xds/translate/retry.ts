// HTTPRetry → Envoy RetryPolicy with istiod's rules: unset = the mesh default policy (2 retries on
// connect-failure, refused-stream, unavailable, cancelled; a different host each try), attempts 0 =
// no retries, numeric retryOn entries become retriable_status_codes.

import type { HTTPRetry } from '../../config/istio-types';
import type { ResolvedOptions } from './defaults';
import { DEFAULT_HOST_SELECTION_RETRY_MAX_ATTEMPTS, DEFAULT_RETRY_ATTEMPTS, DEFAULT_RETRY_ON } from './defaults';
import { parseDuration } from './durations';
import { TYPE_URL, WELL_KNOWN, type EnvoyObject } from './envoy-names';

/** HTTPRetry plus the fields Istio accepts that the shared type does not list yet. */
export type HTTPRetryInput = HTTPRetry & { retryIgnorePreviousHosts?: boolean };

const PREVIOUS_HOSTS: EnvoyObject = { name: WELL_KNOWN.previousHostsPredicate, typed_config: { '@type': TYPE_URL.previousHosts } };

function defaultPolicy(options: ResolvedOptions, consistentHash: boolean): EnvoyObject {
  return {
    retry_on: DEFAULT_RETRY_ON,
    num_retries: { value: DEFAULT_RETRY_ATTEMPTS },
    ...(consistentHash ? {} : { retry_host_predicate: [PREVIOUS_HOSTS] }),
    host_selection_retry_max_attempts: DEFAULT_HOST_SELECTION_RETRY_MAX_ATTEMPTS,
    ...(options.retry503ByDefault ? { retriable_status_codes: [503] } : {}),
  };
}

/** Splits retryOn into Envoy conditions and HTTP status codes, as istiod's parseRetryOn does. */
export function parseRetryOn(retryOn: string): { retryOn: string; codes: number[] } {
  const conditions: string[] = [];
  const codes: number[] = [];
  for (const raw of retryOn.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    if (/^\d+$/.test(part) && Number(part) >= 100 && Number(part) <= 599) codes.push(Number(part));
    else conditions.push(part);
  }
  let joined = conditions.join(',');
  if (codes.length > 0 && !joined.includes('retriable-status-codes')) joined = joined === '' ? 'retriable-status-codes' : `${joined},retriable-status-codes`;
  return { retryOn: joined, codes };
}

/**
 * The route's retry policy. `retries` undefined → the mesh default (options.defaultHttpRetryPolicy or
 * Istio's); `consistentHash` drops the previous-hosts predicate so retries stay on the hashed host.
 * Returns undefined when retries are disabled (attempts 0).
 */
export function retryPolicy(
  retries: HTTPRetryInput | undefined,
  consistentHash: boolean,
  options: ResolvedOptions,
  warn: (message: string) => void,
): EnvoyObject | undefined {
  const policy: HTTPRetryInput | undefined = retries ?? options.defaultHttpRetryPolicy;
  const out = defaultPolicy(options, consistentHash);
  if (!policy) return out;
  if (!policy.attempts || policy.attempts <= 0) return undefined;
  out.num_retries = { value: policy.attempts };
  if (policy.retryOn) {
    const { retryOn, codes } = parseRetryOn(policy.retryOn);
    out.retry_on = retryOn;
    if (codes.length > 0) out.retriable_status_codes = codes;
    else delete out.retriable_status_codes;
  }
  if (policy.perTryTimeout !== undefined) {
    const d = parseDuration(policy.perTryTimeout);
    if (d) out.per_try_timeout = d;
    else warn(`retries.perTryTimeout "${policy.perTryTimeout}" is not a duration; ignored`);
  }
  if (policy.retryIgnorePreviousHosts !== undefined) {
    if (policy.retryIgnorePreviousHosts) out.retry_host_predicate = [PREVIOUS_HOSTS];
    else delete out.retry_host_predicate;
  }
  if (policy.retryRemoteLocalities) {
    out.retry_priority = {
      name: WELL_KNOWN.previousPriorities,
      typed_config: { '@type': TYPE_URL.previousPriorities, update_frequency: 2 },
    };
  }
  if (policy.backoff !== undefined) {
    const d = parseDuration(policy.backoff);
    if (d && (d.seconds > 0 || d.nanos > 0)) out.retry_back_off = { base_interval: d };
    else warn(`retries.backoff "${policy.backoff}" is not a positive duration; ignored`);
  }
  return out;
}
