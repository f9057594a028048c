// Per-route HTTP filter configs: Istio `fault` → envoy.filters.http.fault HTTPFault (delay and abort,
// percentages per million, gRPC status names → codes) and `corsPolicy` → a CORS policy wrapped in an
// optional FilterConfig so clients without a CORS filter (grpc-js-xds) ignore it instead of NACKing.

import type { CorsPolicy, HTTPFaultInjection, StringMatch } from '../../config/istio-types';
import { integerPercentToFraction, parseDuration, percentToFraction } from './durations';
import { TYPE_URL, type EnvoyObject } from './envoy-names';
import { toStringMatcher } from './route-match';

/** gRPC status names as Istio's `abort.grpcStatus` accepts them. */
export const GRPC_STATUS_CODES: Readonly<Record<string, number>> = {
  OK: 0, CANCELLED: 1, UNKNOWN: 2, INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, NOT_FOUND: 5,
  ALREADY_EXISTS: 6, PERMISSION_DENIED: 7, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, ABORTED: 10,
  OUT_OF_RANGE: 11, UNIMPLEMENTED: 12, INTERNAL: 13, UNAVAILABLE: 14, DATA_LOSS: 15, UNAUTHENTICATED: 16,
};

/**
 * Istio HTTPFaultInjection → HTTPFault (with '@type'). An unset percentage means "never" for both
 * delay and abort (Istio's documented default); it is written out as 0 because grpc-js-xds requires
 * the field. Returns undefined when neither a usable delay nor abort remains.
 */
export function faultFilterConfig(fault: HTTPFaultInjection, warn: (message: string) => void): EnvoyObject | undefined {
  const out: EnvoyObject = { '@type': TYPE_URL.httpFault };
  if (fault.delay) {
    const d = fault.delay;
    const fixed = parseDuration(d.fixedDelay);
    if (!fixed) {
      warn(`fault.delay without a valid fixedDelay ("${d.fixedDelay ?? ''}"): only fixedDelay is supported; delay ignored`);
    } else {
      const percentage = d.percentage ? percentToFraction(d.percentage.value) : integerPercentToFraction(d.percent ?? 0);
      out.delay = { fixed_delay: fixed, percentage };
    }
  }
  if (fault.abort) {
    const a = fault.abort;
    const percentage = a.percentage ? percentToFraction(a.percentage.value) : integerPercentToFraction(0);
    if (a.httpStatus !== undefined) {
      out.abort = { http_status: a.httpStatus, percentage };
    } else if (a.grpcStatus !== undefined) {
      const code = GRPC_STATUS_CODES[a.grpcStatus.toUpperCase()];
      if (code === undefined) warn(`fault.abort.grpcStatus "${a.grpcStatus}" is not a gRPC status name; abort ignored`);
      else out.abort = { grpc_status: code, percentage };
    } else {
      warn('fault.abort needs httpStatus or grpcStatus; abort ignored');
    }
  }
  return out.delay || out.abort ? out : undefined;
}

/** Istio CorsPolicy (with the deprecated `allowOrigin` strings) → optional FilterConfig{CorsPolicy}. */
export function corsFilterConfig(cors: CorsPolicy & { allowOrigin?: string[] }, warn: (message: string) => void): EnvoyObject {
  const policy: EnvoyObject = { '@type': TYPE_URL.corsPolicy };
  const origins = cors.allowOrigins
    ? cors.allowOrigins.map((o: StringMatch) => toStringMatcher(o)).filter((m): m is EnvoyObject => m !== undefined)
    : (cors.allowOrigin ?? []).map((o) => (o === '*' ? { safe_regex: { regex: '.*' } } : { exact: o }));
  if (origins.length > 0) policy.allow_origin_string_match = origins;
  if (cors.allowMethods?.length) policy.allow_methods = cors.allowMethods.join(',');
  if (cors.allowHeaders?.length) policy.allow_headers = cors.allowHeaders.join(',');
  if (cors.exposeHeaders?.length) policy.expose_headers = cors.exposeHeaders.join(',');
  if (cors.maxAge !== undefined) {
    const d = parseDuration(cors.maxAge);
    if (d) policy.max_age = String(d.seconds);
    else warn(`corsPolicy.maxAge "${cors.maxAge}" is not a duration; ignored`);
  }
  if (cors.allowCredentials !== undefined) policy.allow_credentials = { value: cors.allowCredentials };
  policy.filter_enabled = { default_value: { numerator: 100, denominator: 'HUNDRED' } };
  policy.forward_not_matching_preflights = { value: cors.unmatchedPreflights !== 'IGNORE' };
  return { '@type': TYPE_URL.filterConfig, config: policy, is_optional: true };
}
