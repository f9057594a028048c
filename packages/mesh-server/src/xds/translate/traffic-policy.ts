// DestinationRule TrafficPolicy → Cluster fields, as istiod's cluster_traffic_policy.go applies them:
// load balancer (LEAST_REQUEST by default), circuit breakers (2^32-1 unless set), connect timeout,
// HTTP protocol options, TCP keepalive, outlier detection (success-rate ejection off, consecutive
// counters enforced at 100 %, panic threshold = minHealthPercent), and what cannot be applied yet.

import type { ConnectionPoolSettings, LoadBalancerSettings, OutlierDetection, TrafficPolicy } from '../../config/istio-types';
import type { ResolvedOptions } from './defaults';
import { DEFAULT_MINIMUM_RING_SIZE } from './defaults';
import { parseDuration } from './durations';
import { MAX_UINT32, TYPE_URL, WELL_KNOWN, type EnvoyObject } from './envoy-names';

type Warn = (message: string) => void;

function extension(name: string, typedConfig: EnvoyObject): EnvoyObject {
  return { typed_extension_config: { name, typed_config: typedConfig } };
}

/** Locality-weighted round robin: what lb_policy ROUND_ROBIN means, as a typed policy for fallbacks. */
const WRR_ROUND_ROBIN = extension(WELL_KNOWN.lbWrrLocality, {
  '@type': TYPE_URL.lbWrrLocality,
  endpoint_picking_policy: { policies: [extension(WELL_KNOWN.lbRoundRobin, { '@type': TYPE_URL.lbRoundRobin })] },
});

function slowStart(lb: LoadBalancerSettings | undefined, warn: Warn): EnvoyObject | undefined {
  if (lb?.warmupDurationSecs === undefined) return undefined;
  const window = parseDuration(lb.warmupDurationSecs);
  if (!window) {
    warn(`loadBalancer.warmupDurationSecs "${lb.warmupDurationSecs}" is not a duration; ignored`);
    return undefined;
  }
  return { slow_start_window: window };
}

/**
 * Load-balancer fields. Policies other than ROUND_ROBIN and RING_HASH also carry
 * `load_balancing_policy` (the exact policy first, locality-weighted round robin as fallback): Envoy
 * and mesh-client use the first, grpc-js-xds (which NACKs a bare LEAST_REQUEST) picks the fallback.
 */
export function loadBalancerFields(lb: LoadBalancerSettings | undefined, warn: Warn): EnvoyObject {
  const hash = lb?.consistentHash;
  if (hash) {
    if (hash.maglev) {
      const tableSize = hash.maglev.tableSize ? { table_size: { value: hash.maglev.tableSize } } : {};
      return {
        lb_policy: 'MAGLEV',
        ...(hash.maglev.tableSize ? { maglev_lb_config: tableSize } : {}),
        load_balancing_policy: {
          policies: [
            extension(WELL_KNOWN.lbMaglev, { '@type': TYPE_URL.lbMaglev, ...tableSize }),
            // No minimum_ring_size here: grpc-js-xds reads the UInt64 as a string and NACKs it.
            extension(WELL_KNOWN.lbRingHash, { '@type': TYPE_URL.lbRingHash, hash_function: 'XX_HASH' }),
          ],
        },
      };
    }
    const size = hash.ringHash?.minimumRingSize || hash.minimumRingSize || DEFAULT_MINIMUM_RING_SIZE;
    return { lb_policy: 'RING_HASH', ring_hash_lb_config: { minimum_ring_size: { value: size }, hash_function: 'XX_HASH' } };
  }
  const start = slowStart(lb, warn);
  switch (lb?.simple) {
    case 'ROUND_ROBIN':
      return { lb_policy: 'ROUND_ROBIN', ...(start ? { round_robin_lb_config: { slow_start_config: start } } : {}) };
    case 'RANDOM':
      return {
        lb_policy: 'RANDOM',
        load_balancing_policy: { policies: [extension(WELL_KNOWN.lbRandom, { '@type': TYPE_URL.lbRandom }), WRR_ROUND_ROBIN] },
      };
    case 'PASSTHROUGH':
      warn('loadBalancer.simple PASSTHROUGH (original destination) is not supported by proxyless clients; LEAST_REQUEST is used');
      break;
    default:
      break;
  }
  return {
    lb_policy: 'LEAST_REQUEST',
    ...(start ? { least_request_lb_config: { slow_start_config: start } } : {}),
    load_balancing_policy: {
      policies: [
        extension(WELL_KNOWN.lbLeastRequest, { '@type': TYPE_URL.lbLeastRequest, ...(start ? { slow_start_config: start } : {}) }),
        WRR_ROUND_ROBIN,
      ],
    },
  };
}

/** Circuit breakers from connectionPool; unset limits are Istio's 2^32-1. */
export function circuitBreakerFields(pool: ConnectionPoolSettings | undefined): EnvoyObject {
  const limit = (v: number | undefined) => ({ value: v !== undefined && v > 0 ? v : MAX_UINT32 });
  return {
    circuit_breakers: {
      thresholds: [
        {
          priority: 'DEFAULT',
          max_connections: limit(pool?.tcp?.maxConnections),
          max_pending_requests: limit(pool?.http?.http1MaxPendingRequests),
          max_requests: limit(pool?.http?.http2MaxRequests),
          max_retries: limit(pool?.http?.maxRetries),
          track_remaining: true,
        },
      ],
    },
  };
}

function duration(value: string | undefined, field: string, warn: Warn): EnvoyObject | undefined {
  if (value === undefined) return undefined;
  const d = parseDuration(value);
  if (!d) warn(`${field} "${value}" is not a duration; ignored`);
  return d as EnvoyObject | undefined;
}

/**
 * connect_timeout, TCP keepalive and the upstream HTTP protocol options (idle timeout, requests per
 * connection, max connection duration, HTTP/2 for gRPC/HTTP2 ports or h2UpgradePolicy UPGRADE).
 */
export function connectionFields(pool: ConnectionPoolSettings | undefined, protocol: string, http2: boolean, options: ResolvedOptions, warn: Warn): EnvoyObject {
  const out: EnvoyObject = {
    connect_timeout: duration(pool?.tcp?.connectTimeout, 'connectionPool.tcp.connectTimeout', warn) ?? options.connectTimeout,
  };
  const keepalive = pool?.tcp?.tcpKeepalive;
  if (keepalive) {
    const seconds = (v: string | undefined, f: string) => {
      const d = duration(v, `connectionPool.tcp.tcpKeepalive.${f}`, warn) as { seconds: number } | undefined;
      return d ? { value: d.seconds } : undefined;
    };
    const time = seconds(keepalive.time, 'time');
    const interval = seconds(keepalive.interval, 'interval');
    out.upstream_connection_options = {
      tcp_keepalive: {
        ...(keepalive.probes !== undefined ? { keepalive_probes: { value: keepalive.probes } } : {}),
        ...(time ? { keepalive_time: time } : {}),
        ...(interval ? { keepalive_interval: interval } : {}),
      },
    };
  }
  const idle = duration(pool?.http?.idleTimeout, 'connectionPool.http.idleTimeout', warn) ?? duration(pool?.tcp?.idleTimeout, 'connectionPool.tcp.idleTimeout', warn);
  const maxDuration = duration(pool?.tcp?.maxConnectionDuration, 'connectionPool.tcp.maxConnectionDuration', warn);
  const perConnection = pool?.http?.maxRequestsPerConnection ?? 0;
  const streams = pool?.http?.maxConcurrentStreams ?? 0;
  const useH2 = http2 || pool?.http?.h2UpgradePolicy === 'UPGRADE';
  const useClient = pool?.http?.useClientProtocol === true;
  if (!idle && !maxDuration && perConnection <= 0 && streams <= 0 && !useH2 && !useClient) return out;
  const common = {
    ...(idle ? { idle_timeout: idle } : {}),
    ...(perConnection > 0 ? { max_requests_per_connection: { value: perConnection } } : {}),
    ...(maxDuration ? { max_connection_duration: maxDuration } : {}),
  };
  const h2 = { ...(streams > 0 ? { max_concurrent_streams: { value: streams } } : {}) };
  if (streams > 0 && !useH2) warn(`connectionPool.http.maxConcurrentStreams applies to HTTP/2 only; port protocol ${protocol || 'unset'} uses HTTP/1.1`);
  const selection = useClient
    ? { use_downstream_protocol_config: { http_protocol_options: {}, http2_protocol_options: h2 } }
    : { explicit_http_config: useH2 ? { http2_protocol_options: h2 } : { http_protocol_options: {} } };
  out.typed_extension_protocol_options = {
    [WELL_KNOWN.httpProtocolOptions]: {
      '@type': TYPE_URL.httpProtocolOptions,
      ...(Object.keys(common).length > 0 ? { common_http_protocol_options: common } : {}),
      ...selection,
    },
  };
  return out;
}

/** Outlier detection (and the panic threshold it implies), or nothing when the block is absent. */
export function outlierFields(od: (OutlierDetection & { consecutiveErrors?: number }) | undefined, warn: Warn): EnvoyObject {
  if (!od) return {};
  const out: EnvoyObject = { enforcing_success_rate: { value: 0 } };
  if (od.consecutiveErrors !== undefined && od.consecutiveErrors > 0) {
    // Deprecated field: Istio maps it to gateway errors only (istio/api#617).
    out.consecutive_gateway_failure = { value: od.consecutiveErrors };
    out.enforcing_consecutive_gateway_failure = { value: 100 };
    out.enforcing_consecutive_5xx = { value: 0 };
  }
  if (od.consecutive5xxErrors !== undefined) {
    out.consecutive_5xx = { value: od.consecutive5xxErrors };
    out.enforcing_consecutive_5xx = { value: od.consecutive5xxErrors > 0 ? 100 : 0 };
  }
  if (od.consecutiveGatewayErrors !== undefined) {
    out.consecutive_gateway_failure = { value: od.consecutiveGatewayErrors };
    out.enforcing_consecutive_gateway_failure = { value: od.consecutiveGatewayErrors > 0 ? 100 : 0 };
  }
  const interval = duration(od.interval, 'outlierDetection.interval', warn);
  if (interval) out.interval = interval;
  const base = duration(od.baseEjectionTime, 'outlierDetection.baseEjectionTime', warn);
  if (base) out.base_ejection_time = base;
  if (od.maxEjectionPercent !== undefined && od.maxEjectionPercent > 0) out.max_ejection_percent = { value: Math.min(100, od.maxEjectionPercent) };
  if (od.splitExternalLocalOriginErrors) {
    out.split_external_local_origin_errors = true;
    if ((od.consecutiveLocalOriginFailures ?? 0) > 0) {
      out.consecutive_local_origin_failure = { value: od.consecutiveLocalOriginFailures };
      out.enforcing_consecutive_local_origin_failure = { value: 100 };
    }
    out.enforcing_local_origin_success_rate = { value: 0 };
  } else if (od.consecutiveLocalOriginFailures !== undefined) {
    warn('outlierDetection.consecutiveLocalOriginFailures has no effect without splitExternalLocalOriginErrors: true');
  }
  return { outlier_detection: out, common_lb_config: { healthy_panic_threshold: { value: Math.max(0, od.minHealthPercent ?? 0) } } };
}

/** Flags policy fields translation cannot apply yet. */
export function flagUnsupportedPolicy(policy: TrafficPolicy | undefined, warn: Warn): void {
  if (!policy) return;
  if (policy.tunnel !== undefined) warn('trafficPolicy.tunnel is not supported; ignored');
  if (policy.proxyProtocol !== undefined) warn('trafficPolicy.proxyProtocol is not supported; ignored');
  const locality = policy.loadBalancer?.localityLbSetting;
  if (locality && locality.enabled !== false) {
    warn('loadBalancer.localityLbSetting (distribute/failover) is not supported; endpoints keep equal priority and locality weights');
  }
}
