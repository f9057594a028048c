// Compiles a Cluster: discovery type, load balancing policy (lb_policy or load_balancing_policy),
// panic threshold and locality weighting, protocol, timeouts, breakers, outlier detection, TLS.

import { compileCircuitBreakers, compileOutlierDetection } from './compile-cluster-limits';
import { compileLoadAssignment } from './compile-endpoints';
import { compileTransportSocket, compileTransportSocketMatches } from './compile-upstream-tls';
import {
  Issues, Obj, fields, join, readBool, readDouble, readDurationMs, readEnum, readInt, readList, readMetadata, readObject, readPercent,
  readString, unwrapAny,
} from './proto-readers';
import type { ClusterConfig } from './types';

const CLUSTER_FIELDS = fields(
  'name', 'type', 'cluster_type', 'eds_cluster_config', 'connect_timeout', 'lb_policy', 'load_assignment', 'circuit_breakers',
  'common_http_protocol_options', 'http_protocol_options', 'http2_protocol_options', 'typed_extension_protocol_options',
  'outlier_detection', 'ring_hash_lb_config', 'maglev_lb_config', 'original_dst_lb_config', 'least_request_lb_config',
  'round_robin_lb_config', 'common_lb_config', 'transport_socket', 'transport_socket_matches', 'metadata', 'protocol_selection',
  'load_balancing_policy', 'max_requests_per_connection', 'health_checks',
);
const CLUSTER_HARMLESS = fields(
  'alt_stat_name', 'per_connection_buffer_limit_bytes', 'dns_refresh_rate', 'dns_failure_refresh_rate', 'respect_dns_ttl',
  'dns_lookup_family', 'dns_resolvers', 'use_tcp_for_dns_lookups', 'dns_resolution_config', 'typed_dns_resolver_config',
  'wait_for_warm_on_init', 'cleanup_interval', 'upstream_connection_options', 'track_timeout_budgets', 'track_cluster_stats',
  'lrs_server', 'lrs_report_endpoint_metrics', 'close_connections_on_host_health_failure', 'ignore_health_on_host_removal',
  'connection_pool_per_downstream_connection', 'upstream_bind_config', 'preconnect_policy',
);

const TYPES = ['STATIC', 'STRICT_DNS', 'LOGICAL_DNS', 'EDS', 'ORIGINAL_DST'] as const;
const LB_POLICIES = ['ROUND_ROBIN', 'LEAST_REQUEST', 'RING_HASH', 'RANDOM', 'ORIGINAL_DST_LB', 'MAGLEV', 'CLUSTER_PROVIDED', 'LOAD_BALANCING_POLICY_CONFIG'] as const;
const AGGREGATE = 'envoy.extensions.clusters.aggregate.v3.ClusterConfig';
const HTTP_PROTOCOL_OPTIONS = 'envoy.extensions.upstreams.http.v3.HttpProtocolOptions';
const RING_MAX = 8_388_608;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Compiles a Cluster. */
export function compileCluster(o: Obj, issues: Issues): ClusterConfig | undefined {
  const before = issues.errors.length;
  issues.unknownFields(o, '', CLUSTER_FIELDS, CLUSTER_HARMLESS);
  const name = readString(o['name'], 'name', issues) ?? '';
  if (name === '') issues.error('name', 'cluster name must not be empty');
  const cluster: Mutable<ClusterConfig> = {
    name,
    type: 'STATIC',
    connectTimeoutMs: readDurationMs(o['connect_timeout'], 'connect_timeout', issues) ?? 5000,
    lbPolicy: 'ROUND_ROBIN',
    ringHash: { minRingSize: 1024, maxRingSize: RING_MAX, useHostnameForHashing: false },
    leastRequest: { choiceCount: 2, activeRequestBias: 1 },
    maglevTableSize: 65537,
    localityWeighted: false,
    panicThresholdPercent: 50,
    failTrafficOnPanic: false,
    circuitBreakers: compileCircuitBreakers(o['circuit_breakers'], 'circuit_breakers', issues),
    protocol: 'http1',
    transportSocketMatches: compileTransportSocketMatches(o['transport_socket_matches'], 'transport_socket_matches', issues),
    metadata: readMetadata(o['metadata']),
  };
  compileDiscovery(o, cluster, issues);
  compileLoadBalancing(o, cluster, issues);
  compileProtocol(o, cluster, issues);
  const outlier = compileOutlierDetection(o['outlier_detection'], 'outlier_detection', issues);
  if (outlier) cluster.outlierDetection = outlier;
  const tls = compileTransportSocket(o['transport_socket'], 'transport_socket', issues);
  if (tls) cluster.tls = tls;
  if (readList(o['health_checks'], 'health_checks', issues).length > 0) {
    issues.note('health_checks', 'active health checking is not performed by inboard; endpoints keep their EDS health status');
  }
  return issues.errors.length > before ? undefined : cluster;
}

function compileDiscovery(o: Obj, cluster: Mutable<ClusterConfig>, issues: Issues): void {
  const custom = readObject(o['cluster_type'], 'cluster_type', issues);
  if (custom) {
    const any = unwrapAny(custom['typed_config']);
    if (any?.typeName !== AGGREGATE) {
      issues.error('cluster_type', `custom cluster type ${String(custom['name'] ?? any?.typeName ?? '')} is not supported (only envoy.clusters.aggregate)`);
      return;
    }
    cluster.type = 'AGGREGATE';
    cluster.aggregateClusters = readList(any.message['clusters'], 'cluster_type.typed_config.clusters', issues).map(String);
    return;
  }
  cluster.type = readEnum(o['type'], TYPES, 'type', issues, 'STATIC');
  if (cluster.type === 'EDS') {
    const eds = readObject(o['eds_cluster_config'], 'eds_cluster_config', issues);
    cluster.edsServiceName = (eds && readString(eds['service_name'], 'eds_cluster_config.service_name', issues)) || cluster.name;
  } else if (o['load_assignment'] !== undefined) {
    const la = readObject(o['load_assignment'], 'load_assignment', issues);
    const endpoints = la && compileLoadAssignment(la, issues, 'load_assignment', cluster.name);
    if (endpoints) cluster.loadAssignment = endpoints;
  }
  if (cluster.type === 'STRICT_DNS' || cluster.type === 'LOGICAL_DNS') {
    issues.note('type', `${cluster.type} endpoints are used as given (host names are resolved by the transport when connecting)`);
  }
  if (cluster.type === 'ORIGINAL_DST') {
    const od = readObject(o['original_dst_lb_config'], 'original_dst_lb_config', issues) ?? {};
    const port = readInt(od['upstream_port_override'], 'original_dst_lb_config.upstream_port_override', issues);
    cluster.originalDst = {
      useHttpHeader: readBool(od['use_http_header'], 'original_dst_lb_config.use_http_header', issues),
      httpHeaderName: (readString(od['http_header_name'], 'original_dst_lb_config.http_header_name', issues) || 'x-envoy-original-dst-host').toLowerCase(),
      ...(port !== undefined ? { upstreamPortOverride: port } : {}),
    };
  }
}

function compileLoadBalancing(o: Obj, cluster: Mutable<ClusterConfig>, issues: Issues): void {
  const common = readObject(o['common_lb_config'], 'common_lb_config', issues);
  if (common) {
    issues.unknownFields(common, 'common_lb_config', fields('healthy_panic_threshold', 'zone_aware_lb_config', 'locality_weighted_lb_config', 'consistent_hashing_lb_config'),
      fields('update_merge_window', 'ignore_new_hosts_until_first_hc', 'close_connections_on_host_set_change', 'override_host_status'));
    const panic = readPercent(common['healthy_panic_threshold'], 'common_lb_config.healthy_panic_threshold', issues);
    if (panic !== undefined) cluster.panicThresholdPercent = Math.floor(panic);
    if (common['locality_weighted_lb_config'] !== undefined) cluster.localityWeighted = true;
    const zoneAware = readObject(common['zone_aware_lb_config'], 'common_lb_config.zone_aware_lb_config', issues);
    if (zoneAware) {
      cluster.failTrafficOnPanic = readBool(zoneAware['fail_traffic_on_panic'], 'common_lb_config.zone_aware_lb_config.fail_traffic_on_panic', issues);
      issues.note('common_lb_config.zone_aware_lb_config', 'zone aware routing is not performed (the client does not know its own zone); fail_traffic_on_panic is honoured');
    }
    const hashing = readObject(common['consistent_hashing_lb_config'], 'common_lb_config.consistent_hashing_lb_config', issues);
    if (hashing) applyConsistentHashing(hashing, 'common_lb_config.consistent_hashing_lb_config', cluster, issues);
  }
  const policy = readEnum(o['lb_policy'], LB_POLICIES, 'lb_policy', issues, 'ROUND_ROBIN');
  if (o['load_balancing_policy'] !== undefined && (o['lb_policy'] === undefined || policy === 'LOAD_BALANCING_POLICY_CONFIG')) {
    compilePolicyList(o['load_balancing_policy'], 'load_balancing_policy', cluster, issues);
    return;
  }
  switch (policy) {
    case 'ORIGINAL_DST_LB':
    case 'CLUSTER_PROVIDED':
      cluster.lbPolicy = 'CLUSTER_PROVIDED';
      if (cluster.type !== 'ORIGINAL_DST' && cluster.type !== 'AGGREGATE') issues.error('lb_policy', `${policy} is only valid for ORIGINAL_DST and aggregate clusters`);
      break;
    case 'LOAD_BALANCING_POLICY_CONFIG':
      issues.error('load_balancing_policy', 'lb_policy LOAD_BALANCING_POLICY_CONFIG needs load_balancing_policy');
      break;
    default:
      cluster.lbPolicy = policy;
  }
  const ring = readObject(o['ring_hash_lb_config'], 'ring_hash_lb_config', issues);
  if (ring) applyRingHash(ring, 'ring_hash_lb_config', cluster, issues);
  const lr = readObject(o['least_request_lb_config'], 'least_request_lb_config', issues);
  if (lr) applyLeastRequest(lr, 'least_request_lb_config', cluster, issues);
  const maglev = readObject(o['maglev_lb_config'], 'maglev_lb_config', issues);
  if (maglev) cluster.maglevTableSize = readInt(maglev['table_size'], 'maglev_lb_config.table_size', issues, { max: 5_000_011 }) ?? 65537;
  if (cluster.lbPolicy === 'MAGLEV') issues.note('lb_policy', 'MAGLEV is served by the ring-hash balancer (same consistency property, different key-to-host map)');
}

const POLICY_TYPES = 'envoy.extensions.load_balancing_policies.';

/** load_balancing_policy: the first policy Inboard supports wins (gRFC A52); none supported is an error. */
function compilePolicyList(v: unknown, path: string, cluster: Mutable<ClusterConfig>, issues: Issues): void {
  const o = readObject(v, path, issues) ?? {};
  const policies = readList(o['policies'], join(path, 'policies'), issues);
  for (let i = 0; i < policies.length; i++) {
    const p = join(join(path, 'policies'), i);
    const ext = readObject(readObject(policies[i], p, issues)?.['typed_extension_config'], join(p, 'typed_extension_config'), issues);
    const any = unwrapAny(ext?.['typed_config']);
    if (!any) continue;
    const cp = join(p, 'typed_extension_config.typed_config');
    const m = any.message;
    const locality = readObject(m['locality_lb_config'], join(cp, 'locality_lb_config'), issues);
    if (locality?.['locality_weighted_lb_config'] !== undefined) cluster.localityWeighted = true;
    switch (any.typeName) {
      case `${POLICY_TYPES}round_robin.v3.RoundRobin`: cluster.lbPolicy = 'ROUND_ROBIN'; return;
      case `${POLICY_TYPES}random.v3.Random`: cluster.lbPolicy = 'RANDOM'; return;
      case `${POLICY_TYPES}pick_first.v3.PickFirst`: cluster.lbPolicy = 'PICK_FIRST'; return;
      case `${POLICY_TYPES}least_request.v3.LeastRequest`: cluster.lbPolicy = 'LEAST_REQUEST'; applyLeastRequest(m, cp, cluster, issues); return;
      case `${POLICY_TYPES}ring_hash.v3.RingHash`:
      case `${POLICY_TYPES}maglev.v3.Maglev`:
        cluster.lbPolicy = any.typeName.endsWith('RingHash') ? 'RING_HASH' : 'MAGLEV';
        applyRingHash(m, cp, cluster, issues);
        if (m['locality_weighted_lb_config'] !== undefined) cluster.localityWeighted = true;
        if (cluster.lbPolicy === 'MAGLEV') issues.note(cp, 'MAGLEV is served by the ring-hash balancer');
        return;
      case `${POLICY_TYPES}wrr_locality.v3.WrrLocality`:
        cluster.localityWeighted = true;
        compilePolicyList(m['endpoint_picking_policy'], join(cp, 'endpoint_picking_policy'), cluster, issues);
        return;
      case `${POLICY_TYPES}client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin`:
        cluster.lbPolicy = 'ROUND_ROBIN';
        issues.note(cp, 'client-side weighted round robin is served as ROUND_ROBIN (no ORCA load reports)');
        return;
      default:
        continue;
    }
  }
  issues.error(path, 'none of the load_balancing_policy policies is supported');
}

function applyRingHash(o: Obj, path: string, cluster: Mutable<ClusterConfig>, issues: Issues): void {
  const min = readInt(o['minimum_ring_size'], join(path, 'minimum_ring_size'), issues, { max: RING_MAX }) ?? 1024;
  const max = readInt(o['maximum_ring_size'], join(path, 'maximum_ring_size'), issues, { max: RING_MAX }) ?? RING_MAX;
  if (min > max) issues.error(path, `ring hash: minimum_ring_size (${min}) > maximum_ring_size (${max})`);
  const fn = readEnum(o['hash_function'], ['XX_HASH', 'MURMUR_HASH_2', 'DEFAULT_HASH'] as const, join(path, 'hash_function'), issues, 'XX_HASH');
  if (fn === 'MURMUR_HASH_2') issues.error(join(path, 'hash_function'), 'MURMUR_HASH_2 is not supported; use XX_HASH');
  cluster.ringHash = { ...cluster.ringHash, minRingSize: Math.max(min, 1), maxRingSize: max };
  const hashing = readObject(o['consistent_hashing_lb_config'], join(path, 'consistent_hashing_lb_config'), issues);
  if (hashing) applyConsistentHashing(hashing, join(path, 'consistent_hashing_lb_config'), cluster, issues);
  if (o['use_hostname_for_hashing'] === true) cluster.ringHash = { ...cluster.ringHash, useHostnameForHashing: true };
  if (o['hash_balance_factor'] !== undefined) issues.note(join(path, 'hash_balance_factor'), 'bounded-load hashing (hash_balance_factor) is not honoured');
}

function applyConsistentHashing(o: Obj, path: string, cluster: Mutable<ClusterConfig>, issues: Issues): void {
  if (readBool(o['use_hostname_for_hashing'], join(path, 'use_hostname_for_hashing'), issues)) cluster.ringHash = { ...cluster.ringHash, useHostnameForHashing: true };
  if (o['hash_balance_factor'] !== undefined) issues.note(join(path, 'hash_balance_factor'), 'bounded-load hashing (hash_balance_factor) is not honoured');
}

function applyLeastRequest(o: Obj, path: string, cluster: Mutable<ClusterConfig>, issues: Issues): void {
  const choiceCount = readInt(o['choice_count'], join(path, 'choice_count'), issues) ?? 2;
  if (choiceCount < 2) issues.error(join(path, 'choice_count'), `choice_count must be ≥ 2 (got ${choiceCount})`);
  const biasObj = readObject(o['active_request_bias'], join(path, 'active_request_bias'), issues);
  const bias = biasObj ? readDouble(biasObj['default_value'], join(path, 'active_request_bias.default_value'), issues) ?? 0 : 1;
  if (bias < 0) issues.error(join(path, 'active_request_bias'), `active_request_bias must be ≥ 0 (got ${bias})`);
  if (biasObj && typeof biasObj['runtime_key'] === 'string' && biasObj['runtime_key'] !== '') issues.note(join(path, 'active_request_bias.runtime_key'), 'runtime key not honoured; default_value used');
  if (o['slow_start_config'] !== undefined) issues.note(join(path, 'slow_start_config'), 'slow start is not honoured');
  cluster.leastRequest = { choiceCount, activeRequestBias: bias };
}

function compileProtocol(o: Obj, cluster: Mutable<ClusterConfig>, issues: Issues): void {
  if (o['http2_protocol_options'] !== undefined) cluster.protocol = 'http2';
  if (readEnum(o['protocol_selection'], ['USE_CONFIGURED_PROTOCOL', 'USE_DOWNSTREAM_PROTOCOL'] as const, 'protocol_selection', issues, 'USE_CONFIGURED_PROTOCOL') === 'USE_DOWNSTREAM_PROTOCOL') cluster.protocol = 'downstream';
  let common = readObject(o['common_http_protocol_options'], 'common_http_protocol_options', issues);
  let commonPath = 'common_http_protocol_options';
  const extensions = readObject(o['typed_extension_protocol_options'], 'typed_extension_protocol_options', issues) ?? {};
  for (const [key, value] of Object.entries(extensions)) {
    const any = unwrapAny(value);
    const p = join('typed_extension_protocol_options', key);
    if (any?.typeName !== HTTP_PROTOCOL_OPTIONS) {
      issues.note(p, `protocol options of type ${any?.typeName ?? 'unknown'} are not honoured`);
      continue;
    }
    const m = any.message;
    const explicit = readObject(m['explicit_http_config'], join(p, 'explicit_http_config'), issues);
    if (explicit) cluster.protocol = explicit['http2_protocol_options'] !== undefined ? 'http2' : explicit['http3_protocol_options'] !== undefined ? 'http2' : 'http1';
    if (m['use_downstream_protocol_config'] !== undefined) cluster.protocol = 'downstream';
    if (m['auto_config'] !== undefined) cluster.protocol = 'auto';
    if (explicit?.['http3_protocol_options'] !== undefined) issues.note(join(p, 'explicit_http_config.http3_protocol_options'), 'HTTP/3 is not supported; HTTP/2 is used');
    if (m['common_http_protocol_options'] !== undefined) {
      common = readObject(m['common_http_protocol_options'], join(p, 'common_http_protocol_options'), issues);
      commonPath = join(p, 'common_http_protocol_options');
    }
  }
  const legacyMax = readInt(o['max_requests_per_connection'], 'max_requests_per_connection', issues);
  if (legacyMax) cluster.maxRequestsPerConnection = legacyMax;
  if (common) {
    const idle = readDurationMs(common['idle_timeout'], join(commonPath, 'idle_timeout'), issues);
    if (idle !== undefined) cluster.idleTimeoutMs = idle;
    const lifetime = readDurationMs(common['max_connection_duration'], join(commonPath, 'max_connection_duration'), issues);
    if (lifetime !== undefined) cluster.maxConnectionDurationMs = lifetime;
    const perConnection = readInt(common['max_requests_per_connection'], join(commonPath, 'max_requests_per_connection'), issues);
    if (perConnection) cluster.maxRequestsPerConnection = perConnection;
  }
}
