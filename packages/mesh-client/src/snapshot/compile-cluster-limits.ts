// Compiles a cluster's protection settings with Envoy's defaults: circuit breaker thresholds per
// routing priority and outlier detection (consumed by the breaker and outlier layers).

import type { CircuitBreakerThresholds, OutlierDetectionConfig } from './types';
import { Issues, fields, join, readBool, readDurationMs, readEnum, readInt, readList, readObject, readDouble } from './proto-readers';

/** Envoy's circuit breaker defaults (1024 connections, pending and requests; 3 retries). */
export const DEFAULT_THRESHOLDS: CircuitBreakerThresholds = Object.freeze({ maxConnections: 1024, maxPendingRequests: 1024, maxRequests: 1024, maxRetries: 3 });

const THRESHOLD_FIELDS = fields('priority', 'max_connections', 'max_pending_requests', 'max_requests', 'max_retries', 'retry_budget', 'max_connection_pools');

/** Compiles Cluster.circuit_breakers. */
export function compileCircuitBreakers(v: unknown, path: string, issues: Issues): { default: CircuitBreakerThresholds; high: CircuitBreakerThresholds; perHostMaxConnections?: number } {
  const o = readObject(v, path, issues);
  const result: { default: CircuitBreakerThresholds; high: CircuitBreakerThresholds; perHostMaxConnections?: number } = { default: DEFAULT_THRESHOLDS, high: DEFAULT_THRESHOLDS };
  if (!o) return result;
  const seen = new Set<string>();
  readList(o['thresholds'], join(path, 'thresholds'), issues).forEach((t, i) => {
    const p = join(join(path, 'thresholds'), i);
    const to = readObject(t, p, issues);
    if (!to) return;
    issues.unknownFields(to, p, THRESHOLD_FIELDS, fields('track_remaining'));
    const priority = readEnum(to['priority'], ['DEFAULT', 'HIGH'] as const, join(p, 'priority'), issues, 'DEFAULT');
    const thresholds: { -readonly [K in keyof CircuitBreakerThresholds]: CircuitBreakerThresholds[K] } = {
      maxConnections: readInt(to['max_connections'], join(p, 'max_connections'), issues) ?? 1024,
      maxPendingRequests: readInt(to['max_pending_requests'], join(p, 'max_pending_requests'), issues) ?? 1024,
      maxRequests: readInt(to['max_requests'], join(p, 'max_requests'), issues) ?? 1024,
      maxRetries: readInt(to['max_retries'], join(p, 'max_retries'), issues) ?? 3,
    };
    const budget = readObject(to['retry_budget'], join(p, 'retry_budget'), issues);
    if (budget) {
      const percent = readObject(budget['budget_percent'], join(p, 'retry_budget.budget_percent'), issues);
      const budgetPercent = percent ? (readDouble(percent['value'], join(p, 'retry_budget.budget_percent.value'), issues) ?? 0) : 20;
      thresholds.retryBudget = { budgetPercent, minRetryConcurrency: readInt(budget['min_retry_concurrency'], join(p, 'retry_budget.min_retry_concurrency'), issues) ?? 3 };
    }
    const pools = readInt(to['max_connection_pools'], join(p, 'max_connection_pools'), issues);
    if (pools !== undefined) thresholds.maxConnectionPools = pools;
    // Envoy takes the first thresholds entry of each priority (find_if); later repeats are ignored, and said so.
    if (seen.has(priority)) {
      issues.note(p, `a second thresholds entry for priority ${priority}: Envoy uses the first one, and so does inboard`);
      return;
    }
    seen.add(priority);
    if (priority === 'HIGH') result.high = thresholds;
    else result.default = thresholds;
  });
  const perHost = readList(o['per_host_thresholds'], join(path, 'per_host_thresholds'), issues);
  if (perHost.length > 0) {
    const first = readObject(perHost[0], join(join(path, 'per_host_thresholds'), 0), issues) ?? {};
    const max = readInt(first['max_connections'], join(path, 'per_host_thresholds[0].max_connections'), issues);
    if (max !== undefined) result.perHostMaxConnections = max;
  }
  return result;
}

const OUTLIER_FIELDS = fields(
  'consecutive_5xx', 'interval', 'base_ejection_time', 'max_ejection_percent', 'enforcing_consecutive_5xx', 'enforcing_success_rate',
  'success_rate_minimum_hosts', 'success_rate_request_volume', 'success_rate_stdev_factor', 'consecutive_gateway_failure',
  'enforcing_consecutive_gateway_failure', 'split_external_local_origin_errors', 'consecutive_local_origin_failure',
  'enforcing_consecutive_local_origin_failure', 'enforcing_local_origin_success_rate', 'failure_percentage_threshold',
  'enforcing_failure_percentage', 'enforcing_failure_percentage_local_origin', 'failure_percentage_minimum_hosts',
  'failure_percentage_request_volume', 'max_ejection_time', 'max_ejection_time_jitter', 'always_eject_one_host',
);

/** Compiles Cluster.outlier_detection with Envoy's documented defaults; percentages must be ≤ 100. */
export function compileOutlierDetection(v: unknown, path: string, issues: Issues): OutlierDetectionConfig | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  issues.unknownFields(o, path, OUTLIER_FIELDS, fields('successful_active_health_check_uneject_host'));
  const int = (key: string, fallback: number) => readInt(o[key], join(path, key), issues) ?? fallback;
  const pct = (key: string, fallback: number) => readInt(o[key], join(path, key), issues, { max: 100 }) ?? fallback;
  const ms = (key: string, fallback: number) => readDurationMs(o[key], join(path, key), issues) ?? fallback;
  const baseEjectionTimeMs = ms('base_ejection_time', 30_000);
  const intervalMs = ms('interval', 10_000);
  // Envoy: max_ejection_time defaults to 300 s or base_ejection_time, whichever is larger.
  const maxEjectionTimeMs = ms('max_ejection_time', Math.max(300_000, baseEjectionTimeMs));
  if (intervalMs <= 0) issues.error(join(path, 'interval'), 'must be greater than 0');
  if (baseEjectionTimeMs <= 0) issues.error(join(path, 'base_ejection_time'), 'must be greater than 0');
  if (o['max_ejection_time'] !== undefined && maxEjectionTimeMs < baseEjectionTimeMs) {
    issues.error(join(path, 'max_ejection_time'), `${maxEjectionTimeMs} ms is less than base_ejection_time (${baseEjectionTimeMs} ms)`);
  }
  return {
    consecutive5xx: int('consecutive_5xx', 5),
    intervalMs,
    baseEjectionTimeMs,
    maxEjectionTimeMs,
    maxEjectionTimeJitterMs: ms('max_ejection_time_jitter', 0),
    maxEjectionPercent: pct('max_ejection_percent', 10),
    enforcingConsecutive5xx: pct('enforcing_consecutive_5xx', 100),
    consecutiveGatewayFailure: int('consecutive_gateway_failure', 5),
    enforcingConsecutiveGatewayFailure: pct('enforcing_consecutive_gateway_failure', 0),
    splitExternalLocalOriginErrors: readBool(o['split_external_local_origin_errors'], join(path, 'split_external_local_origin_errors'), issues),
    consecutiveLocalOriginFailure: int('consecutive_local_origin_failure', 5),
    enforcingConsecutiveLocalOriginFailure: pct('enforcing_consecutive_local_origin_failure', 100),
    enforcingSuccessRate: pct('enforcing_success_rate', 100),
    successRateMinimumHosts: int('success_rate_minimum_hosts', 5),
    successRateRequestVolume: int('success_rate_request_volume', 100),
    successRateStdevFactor: int('success_rate_stdev_factor', 1900),
    enforcingLocalOriginSuccessRate: pct('enforcing_local_origin_success_rate', 100),
    failurePercentageThreshold: pct('failure_percentage_threshold', 85),
    enforcingFailurePercentage: pct('enforcing_failure_percentage', 0),
    enforcingFailurePercentageLocalOrigin: pct('enforcing_failure_percentage_local_origin', 0),
    failurePercentageMinimumHosts: int('failure_percentage_minimum_hosts', 5),
    failurePercentageRequestVolume: int('failure_percentage_request_volume', 50),
    alwaysEjectOneHost: readBool(o['always_eject_one_host'], join(path, 'always_eject_one_host'), issues),
  };
}
