// Compiles the policies a route carries for the layers below routing: retry policy, hash
// policies, request mirror policies, and the route's source (VirtualService) from its metadata.

import { compileHeaderMatcher } from '../routing/matchers';
import { compileSubstitution } from '../routing/regex';
import type { HashPolicy, MetadataMap, MirrorPolicy, RetryPolicy, RouteSource } from '../routing/types';
import {
  Issues, fields, join, readBool, readDurationMs, readEnum, readInt, readList, readObject, readOptionalBool,
  readRuntimeFractionPerMillion, readString,
} from './proto-readers';

/** retry_on names Envoy knows (x-envoy-retry-on and x-envoy-retry-grpc-on). */
export const RETRY_ON_NAMES: ReadonlySet<string> = new Set([
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'envoy-ratelimited', 'retriable-4xx',
  'refused-stream', 'retriable-status-codes', 'retriable-headers', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
]);

const PREVIOUS_HOSTS = 'envoy.retry_host_predicates.previous_hosts';
const DEFAULT_BACKOFF_BASE_MS = 25;

const RETRY_FIELDS = fields(
  'retry_on', 'num_retries', 'per_try_timeout', 'per_try_idle_timeout', 'retry_host_predicate', 'host_selection_retry_max_attempts',
  'retriable_status_codes', 'retry_back_off', 'rate_limited_retry_back_off', 'retriable_headers', 'retriable_request_headers',
);

/**
 * Compiles a RetryPolicy with Envoy's defaults: num_retries 1, back-off base 25 ms and max 10× base,
 * host_selection_retry_max_attempts 1. Unknown retry_on names are noted (Envoy ignores them).
 */
export function compileRetryPolicy(v: unknown, path: string, issues: Issues): RetryPolicy | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  issues.unknownFields(o, path, RETRY_FIELDS);
  const retryOn = (readString(o['retry_on'], join(path, 'retry_on'), issues) ?? '')
    .split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const name of retryOn) {
    if (!RETRY_ON_NAMES.has(name)) issues.note(join(path, 'retry_on'), `unknown retry_on condition "${name}" is ignored`);
  }
  const predicates = readList(o['retry_host_predicate'], join(path, 'retry_host_predicate'), issues).map((item, i) => {
    const p = join(join(path, 'retry_host_predicate'), i);
    const name = readString(readObject(item, p, issues)?.['name'], join(p, 'name'), issues) ?? '';
    if (name !== PREVIOUS_HOSTS) issues.note(p, `retry host predicate "${name}" is not honoured`);
    return name;
  });
  const backOff = readObject(o['retry_back_off'], join(path, 'retry_back_off'), issues);
  const baseIntervalMs = backOff ? readDurationMs(backOff['base_interval'], join(path, 'retry_back_off.base_interval'), issues) : DEFAULT_BACKOFF_BASE_MS;
  if (backOff && (baseIntervalMs === undefined || baseIntervalMs <= 0)) issues.error(join(path, 'retry_back_off.base_interval'), 'base_interval is required and must be greater than 0');
  const base = Math.max(1, baseIntervalMs ?? DEFAULT_BACKOFF_BASE_MS);
  const maxIntervalMs = (backOff && readDurationMs(backOff['max_interval'], join(path, 'retry_back_off.max_interval'), issues)) ?? base * 10;
  if (maxIntervalMs < base) issues.error(join(path, 'retry_back_off.max_interval'), `max_interval (${maxIntervalMs} ms) must be ≥ base_interval (${base} ms)`);

  const policy: { -readonly [K in keyof RetryPolicy]: RetryPolicy[K] } = {
    retryOn,
    numRetries: readInt(o['num_retries'], join(path, 'num_retries'), issues) ?? 1,
    retriableStatusCodes: readList(o['retriable_status_codes'], join(path, 'retriable_status_codes'), issues)
      .map((c, i) => readInt(c, join(join(path, 'retriable_status_codes'), i), issues) ?? 0),
    backoff: { baseIntervalMs: base, maxIntervalMs },
    hostPredicates: predicates,
    avoidPreviousHosts: predicates.includes(PREVIOUS_HOSTS),
    hostSelectionRetryMaxAttempts: readInt(o['host_selection_retry_max_attempts'], join(path, 'host_selection_retry_max_attempts'), issues) || 1,
    retriableHeaders: matchers(o['retriable_headers'], join(path, 'retriable_headers'), issues),
    retriableRequestHeaders: matchers(o['retriable_request_headers'], join(path, 'retriable_request_headers'), issues),
  };
  const perTry = readDurationMs(o['per_try_timeout'], join(path, 'per_try_timeout'), issues);
  if (perTry !== undefined && perTry > 0) policy.perTryTimeoutMs = perTry;
  const perTryIdle = readDurationMs(o['per_try_idle_timeout'], join(path, 'per_try_idle_timeout'), issues);
  if (perTryIdle !== undefined && perTryIdle > 0) policy.perTryIdleTimeoutMs = perTryIdle;
  const rateLimited = readObject(o['rate_limited_retry_back_off'], join(path, 'rate_limited_retry_back_off'), issues);
  if (rateLimited) {
    const p = join(path, 'rate_limited_retry_back_off');
    policy.rateLimitedBackoff = {
      resetHeaders: readList(rateLimited['reset_headers'], join(p, 'reset_headers'), issues).map((h, i) => {
        const hp = join(join(p, 'reset_headers'), i);
        const ho = readObject(h, hp, issues) ?? {};
        return {
          name: (readString(ho['name'], join(hp, 'name'), issues) ?? '').toLowerCase(),
          format: readEnum(ho['format'], ['SECONDS', 'UNIX_TIMESTAMP'] as const, join(hp, 'format'), issues, 'SECONDS'),
        };
      }),
      maxIntervalMs: readDurationMs(rateLimited['max_interval'], join(p, 'max_interval'), issues) ?? 300_000,
    };
  }
  return policy;
}

function matchers(v: unknown, path: string, issues: Issues) {
  return readList(v, path, issues).map((h, i) => compileHeaderMatcher(h, join(path, i), issues)).filter((h) => h !== undefined);
}

/** Compiles RouteAction.hash_policy entries. */
export function compileHashPolicies(v: unknown, path: string, issues: Issues): HashPolicy[] {
  const out: HashPolicy[] = [];
  readList(v, path, issues).forEach((item, i) => {
    const p = join(path, i);
    const o = readObject(item, p, issues);
    if (!o) return;
    const terminal = readBool(o['terminal'], join(p, 'terminal'), issues);
    const header = readObject(o['header'], join(p, 'header'), issues);
    const cookie = readObject(o['cookie'], join(p, 'cookie'), issues);
    const query = readObject(o['query_parameter'], join(p, 'query_parameter'), issues);
    const filterState = readObject(o['filter_state'], join(p, 'filter_state'), issues);
    if (header) {
      const name = (readString(header['header_name'], join(p, 'header.header_name'), issues) ?? '').toLowerCase();
      if (name === '') return issues.error(join(p, 'header.header_name'), 'header_name must not be empty');
      const regexRewrite = header['regex_rewrite'] === undefined ? undefined : compileSubstitution(header['regex_rewrite'], join(p, 'header.regex_rewrite'), issues);
      out.push({ kind: 'header', name, ...(regexRewrite ? { regexRewrite } : {}), terminal });
    } else if (cookie) {
      const name = readString(cookie['name'], join(p, 'cookie.name'), issues) ?? '';
      if (name === '') return issues.error(join(p, 'cookie.name'), 'cookie name must not be empty');
      const ttlMs = readDurationMs(cookie['ttl'], join(p, 'cookie.ttl'), issues);
      const cookiePath = readString(cookie['path'], join(p, 'cookie.path'), issues);
      const attributes = readList(cookie['attributes'], join(p, 'cookie.attributes'), issues).map((a, j) => {
        const ao = readObject(a, join(join(p, 'cookie.attributes'), j), issues) ?? {};
        return { name: String(ao['name'] ?? ''), value: String(ao['value'] ?? '') };
      });
      out.push({ kind: 'cookie', name, ...(ttlMs !== undefined ? { ttlMs } : {}), ...(cookiePath ? { path: cookiePath } : {}), attributes, terminal });
    } else if (o['connection_properties'] !== undefined) {
      const props = readObject(o['connection_properties'], join(p, 'connection_properties'), issues) ?? {};
      if (readBool(props['source_ip'], join(p, 'connection_properties.source_ip'), issues)) out.push({ kind: 'source_ip', terminal });
    } else if (query) {
      const name = readString(query['name'], join(p, 'query_parameter.name'), issues) ?? '';
      if (name === '') return issues.error(join(p, 'query_parameter.name'), 'query parameter name must not be empty');
      out.push({ kind: 'query_parameter', name, terminal });
    } else if (filterState) {
      const key = readString(filterState['key'], join(p, 'filter_state.key'), issues) ?? '';
      issues.note(join(p, 'filter_state'), 'filter_state hash policy never produces a hash in-process (no filter state)');
      out.push({ kind: 'filter_state', key, terminal });
    } else {
      issues.error(p, 'hash policy needs header, cookie, connection_properties, query_parameter or filter_state');
    }
  });
  return out;
}

/** Compiles request_mirror_policies (unset runtime_fraction = mirror every request). */
export function compileMirrorPolicies(v: unknown, path: string, issues: Issues): MirrorPolicy[] {
  const out: MirrorPolicy[] = [];
  readList(v, path, issues).forEach((item, i) => {
    const p = join(path, i);
    const o = readObject(item, p, issues);
    if (!o) return;
    issues.unknownFields(o, p, fields('cluster', 'cluster_header', 'runtime_fraction', 'trace_sampled', 'disable_shadow_host_suffix_append'));
    const cluster = readString(o['cluster'], join(p, 'cluster'), issues) || undefined;
    const clusterHeader = readString(o['cluster_header'], join(p, 'cluster_header'), issues)?.toLowerCase() || undefined;
    if (cluster && clusterHeader) return issues.error(p, 'Only one of cluster and cluster_header can be specified');
    if (!cluster && !clusterHeader) return issues.error(p, 'mirror policy needs cluster or cluster_header');
    out.push({
      ...(cluster ? { cluster } : {}),
      ...(clusterHeader ? { clusterHeader } : {}),
      perMillion: o['runtime_fraction'] === undefined ? 1_000_000 : readRuntimeFractionPerMillion(o['runtime_fraction'], join(p, 'runtime_fraction'), issues, 1_000_000),
      traceSampled: readOptionalBool(o['trace_sampled'], join(p, 'trace_sampled'), issues) ?? true,
      appendShadowSuffix: !readBool(o['disable_shadow_host_suffix_append'], join(p, 'disable_shadow_host_suffix_append'), issues),
    });
  });
  return out;
}

const ISTIO_CONFIG_PATH = /\/namespaces\/([^/]+)\/virtual-service\/([^/]+)$/;

/**
 * The VirtualService a route came from, for explain: `filter_metadata.inboard`
 * `{ virtual_service: "ns/name", route_index: n }` (camelCase accepted) or, as Inboard's control
 * plane writes it, `{ source: "VirtualService/ns/name", http_route: n }`, else Istio's
 * `filter_metadata.istio.config` path (…/namespaces/NS/virtual-service/NAME).
 */
export function routeSource(metadata: MetadataMap): RouteSource | undefined {
  const inboard = metadata['inboard'];
  const istio = metadata['istio'];
  const source: { virtualService?: string; routeIndex?: number; config?: string } = {};
  const vs = inboard?.['virtual_service'] ?? inboard?.['virtualService'];
  if (typeof vs === 'string') source.virtualService = vs;
  // Inboard's control plane writes `source: "VirtualService/ns/name"` and `http_route: n`.
  const from = inboard?.['source'];
  if (source.virtualService === undefined && typeof from === 'string' && from.startsWith('VirtualService/')) source.virtualService = from.slice('VirtualService/'.length);
  const index = inboard?.['route_index'] ?? inboard?.['routeIndex'] ?? inboard?.['http_route'];
  if (typeof index === 'number' && Number.isInteger(index)) source.routeIndex = index;
  const config = istio?.['config'];
  if (typeof config === 'string') {
    source.config = config;
    const m = ISTIO_CONFIG_PATH.exec(config);
    if (m && source.virtualService === undefined) source.virtualService = `${m[1]}/${m[2]}`;
  }
  return Object.keys(source).length === 0 ? undefined : source;
}
