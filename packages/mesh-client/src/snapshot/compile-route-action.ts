// Compiles a route's action: RouteAction (cluster / cluster_header / weighted_clusters, rewrites,
// timeouts and the policies), RedirectAction, DirectResponseAction and NonForwardingAction.

import { compileSubstitution } from '../routing/regex';
import type {
  ClusterTarget, DirectResponseAction, ForwardAction, HostRewrite, MirrorPolicy, RedirectAction, RetryPolicy, WeightedClusterEntry,
} from '../routing/types';
import { compileFilterOverrides } from './compile-filters';
import { compileHeaderMutation } from './compile-headers';
import { compileHashPolicies, compileMirrorPolicies, compileRetryPolicy } from './compile-route-policies';
import {
  Issues, Obj, fields, join, readBool, readDurationMs, readEnum, readInt, readList, readMetadata, readObject, readString,
} from './proto-readers';

/** Envoy's route timeout when RouteAction.timeout is unset. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;
const UINT32_MAX = 4_294_967_295;

/** Policies inherited from the enclosing virtual host and route configuration. */
export interface InheritedPolicies {
  readonly retryPolicy?: RetryPolicy;
  /** Virtual host's mirror policies if non-empty, else the route configuration's. */
  readonly mirrorPolicies: readonly MirrorPolicy[];
}

const ROUTE_ACTION_FIELDS = fields(
  'cluster', 'cluster_header', 'weighted_clusters', 'cluster_specifier_plugin', 'inline_cluster_specifier_plugin',
  'cluster_not_found_response_code', 'metadata_match', 'prefix_rewrite', 'regex_rewrite', 'path_rewrite_policy',
  'host_rewrite_literal', 'auto_host_rewrite', 'host_rewrite_header', 'host_rewrite_path_regex', 'append_x_forwarded_host',
  'timeout', 'idle_timeout', 'retry_policy', 'request_mirror_policies', 'priority', 'hash_policy', 'upgrade_configs',
  'max_stream_duration', 'max_grpc_timeout', 'grpc_timeout_offset',
);

/** Compiles a RouteAction. */
export function compileForwardAction(o: Obj, path: string, inherited: InheritedPolicies, issues: Issues): ForwardAction | undefined {
  const before = issues.errors.length;
  issues.unknownFields(o, path, ROUTE_ACTION_FIELDS);
  const target = compileTarget(o, path, issues);
  const prefixRewrite = readString(o['prefix_rewrite'], join(path, 'prefix_rewrite'), issues);
  const regexRewrite = o['regex_rewrite'] === undefined ? undefined : compileSubstitution(o['regex_rewrite'], join(path, 'regex_rewrite'), issues);
  if (prefixRewrite !== undefined && prefixRewrite !== '' && o['regex_rewrite'] !== undefined) {
    issues.error(path, 'Cannot specify both prefix_rewrite and regex_rewrite');
  }
  if (o['path_rewrite_policy'] !== undefined) {
    issues.error(join(path, 'path_rewrite_policy'), 'path_rewrite_policy extensions are not supported');
  }
  const timeout = readDurationMs(o['timeout'], join(path, 'timeout'), issues);
  const ownRetry = o['retry_policy'] === undefined ? undefined : compileRetryPolicy(o['retry_policy'], join(path, 'retry_policy'), issues);
  const ownMirrors = compileMirrorPolicies(o['request_mirror_policies'], join(path, 'request_mirror_policies'), issues);
  const action: { -readonly [K in keyof ForwardAction]: ForwardAction[K] } = {
    kind: 'forward',
    target: target ?? { kind: 'cluster', cluster: '' },
    clusterNotFoundStatus: ({ SERVICE_UNAVAILABLE: 503, NOT_FOUND: 404, INTERNAL_SERVER_ERROR: 500 } as const)[
      readEnum(o['cluster_not_found_response_code'], ['SERVICE_UNAVAILABLE', 'NOT_FOUND', 'INTERNAL_SERVER_ERROR'] as const, join(path, 'cluster_not_found_response_code'), issues, 'SERVICE_UNAVAILABLE')],
    appendXForwardedHost: readBool(o['append_x_forwarded_host'], join(path, 'append_x_forwarded_host'), issues),
    timeoutMs: timeout ?? DEFAULT_ROUTE_TIMEOUT_MS,
    timeoutDefaulted: timeout === undefined,
    hashPolicies: compileHashPolicies(o['hash_policy'], join(path, 'hash_policy'), issues),
    mirrorPolicies: ownMirrors.length > 0 ? ownMirrors : inherited.mirrorPolicies,
    priority: readEnum(o['priority'], ['DEFAULT', 'HIGH'] as const, join(path, 'priority'), issues, 'DEFAULT'),
    upgradeConfigs: readList(o['upgrade_configs'], join(path, 'upgrade_configs'), issues).map((u, i) => {
      const uo = readObject(u, join(join(path, 'upgrade_configs'), i), issues) ?? {};
      const enabled = uo['enabled'] === undefined ? true : readBool(uo['enabled'], join(join(path, 'upgrade_configs'), i) + '.enabled', issues);
      return { upgradeType: String(uo['upgrade_type'] ?? '').toLowerCase(), enabled };
    }),
  };
  if (prefixRewrite !== undefined && prefixRewrite !== '') action.prefixRewrite = prefixRewrite;
  if (regexRewrite) action.regexRewrite = regexRewrite;
  const hostRewrite = compileHostRewrite(o, path, issues);
  if (hostRewrite) action.hostRewrite = hostRewrite;
  const idle = readDurationMs(o['idle_timeout'], join(path, 'idle_timeout'), issues);
  if (idle !== undefined) action.idleTimeoutMs = idle;
  const retryPolicy = ownRetry ?? inherited.retryPolicy;
  if (retryPolicy) action.retryPolicy = retryPolicy;
  const msd = readObject(o['max_stream_duration'], join(path, 'max_stream_duration'), issues);
  const maxGrpc = readDurationMs(o['max_grpc_timeout'], join(path, 'max_grpc_timeout'), issues);
  const grpcOffset = readDurationMs(o['grpc_timeout_offset'], join(path, 'grpc_timeout_offset'), issues);
  if (msd || maxGrpc !== undefined) {
    const p = join(path, 'max_stream_duration');
    const maxStreamDurationMs = msd && readDurationMs(msd['max_stream_duration'], join(p, 'max_stream_duration'), issues);
    const headerMax = (msd && readDurationMs(msd['grpc_timeout_header_max'], join(p, 'grpc_timeout_header_max'), issues)) ?? maxGrpc;
    const headerOffset = (msd && readDurationMs(msd['grpc_timeout_header_offset'], join(p, 'grpc_timeout_header_offset'), issues)) ?? grpcOffset;
    action.maxStreamDuration = {
      ...(maxStreamDurationMs !== undefined ? { maxStreamDurationMs } : {}),
      ...(headerMax !== undefined ? { grpcTimeoutHeaderMaxMs: headerMax } : {}),
      ...(headerOffset !== undefined ? { grpcTimeoutHeaderOffsetMs: headerOffset } : {}),
    };
  }
  if (o['metadata_match'] !== undefined) {
    action.metadataMatch = readMetadata(o['metadata_match']);
    issues.note(join(path, 'metadata_match'), 'metadata_match (subset load balancing) is not honoured; all endpoints of the cluster are candidates');
  }
  return issues.errors.length > before ? undefined : action;
}

function compileTarget(o: Obj, path: string, issues: Issues): ClusterTarget | undefined {
  if (o['cluster'] !== undefined) {
    const cluster = readString(o['cluster'], join(path, 'cluster'), issues) ?? '';
    if (cluster === '') {
      issues.error(join(path, 'cluster'), 'cluster name must not be empty');
      return undefined;
    }
    return { kind: 'cluster', cluster };
  }
  if (o['cluster_header'] !== undefined) {
    const header = (readString(o['cluster_header'], join(path, 'cluster_header'), issues) ?? '').toLowerCase();
    if (header === '') {
      issues.error(join(path, 'cluster_header'), 'cluster_header must not be empty');
      return undefined;
    }
    return { kind: 'cluster_header', header };
  }
  if (o['weighted_clusters'] !== undefined) return compileWeightedClusters(o['weighted_clusters'], join(path, 'weighted_clusters'), issues);
  if (o['cluster_specifier_plugin'] !== undefined || o['inline_cluster_specifier_plugin'] !== undefined) {
    issues.error(path, 'cluster specifier plugins are not supported');
    return undefined;
  }
  issues.error(path, 'route action needs cluster, cluster_header or weighted_clusters');
  return undefined;
}

const WEIGHTED_FIELDS = fields('clusters', 'total_weight', 'header_name');
const CLUSTER_WEIGHT_FIELDS = fields(
  'name', 'cluster_header', 'weight', 'metadata_match', 'request_headers_to_add', 'request_headers_to_remove',
  'response_headers_to_add', 'response_headers_to_remove', 'typed_per_filter_config', 'host_rewrite_literal',
);

function compileWeightedClusters(v: unknown, path: string, issues: Issues): ClusterTarget | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  issues.unknownFields(o, path, WEIGHTED_FIELDS);
  const list = readList(o['clusters'], join(path, 'clusters'), issues);
  if (list.length === 0) {
    issues.error(join(path, 'clusters'), 'weighted_clusters needs at least one cluster');
    return undefined;
  }
  const clusters: WeightedClusterEntry[] = [];
  let total = 0;
  list.forEach((item, i) => {
    const p = join(join(path, 'clusters'), i);
    const c = readObject(item, p, issues);
    if (!c) return;
    issues.unknownFields(c, p, CLUSTER_WEIGHT_FIELDS);
    const name = readString(c['name'], join(p, 'name'), issues) || undefined;
    const clusterHeader = readString(c['cluster_header'], join(p, 'cluster_header'), issues)?.toLowerCase() || undefined;
    if (name && clusterHeader) return issues.error(p, 'Only one of name or cluster_header can be specified');
    if (!name && !clusterHeader) return issues.error(p, 'weighted cluster needs a name or a cluster_header');
    const weight = readInt(c['weight'], join(p, 'weight'), issues, { max: UINT32_MAX }) ?? 0;
    total += weight;
    const hostRewriteLiteral = readString(c['host_rewrite_literal'], join(p, 'host_rewrite_literal'), issues) || undefined;
    clusters.push({
      ...(name ? { name } : {}),
      ...(clusterHeader ? { clusterHeader } : {}),
      weight,
      requestHeaders: compileHeaderMutation(c['request_headers_to_add'], c['request_headers_to_remove'], join(p, 'request_headers_to_add'), join(p, 'request_headers_to_remove'), 'request', issues),
      responseHeaders: compileHeaderMutation(c['response_headers_to_add'], c['response_headers_to_remove'], join(p, 'response_headers_to_add'), join(p, 'response_headers_to_remove'), 'response', issues),
      ...(hostRewriteLiteral ? { hostRewriteLiteral } : {}),
      filterOverrides: compileFilterOverrides(c['typed_per_filter_config'], join(p, 'typed_per_filter_config'), issues),
      ...(c['metadata_match'] !== undefined ? { metadataMatch: readMetadata(c['metadata_match']) } : {}),
    });
  });
  if (total === 0) issues.error(join(path, 'clusters'), 'Sum of weights in the weighted_cluster must be greater than 0');
  if (total > UINT32_MAX) issues.error(join(path, 'clusters'), `Sum of weights in the weighted_cluster must not exceed ${UINT32_MAX} (got ${total})`);
  const header = readString(o['header_name'], join(path, 'header_name'), issues)?.toLowerCase() || undefined;
  return { kind: 'weighted', clusters, totalWeight: total, ...(header ? { randomValueHeader: header } : {}) };
}

function compileHostRewrite(o: Obj, path: string, issues: Issues): HostRewrite | undefined {
  if (o['host_rewrite_literal'] !== undefined) {
    const value = readString(o['host_rewrite_literal'], join(path, 'host_rewrite_literal'), issues) ?? '';
    return value === '' ? undefined : { kind: 'literal', value };
  }
  if (o['auto_host_rewrite'] !== undefined) {
    return readBool(o['auto_host_rewrite'], join(path, 'auto_host_rewrite'), issues) ? { kind: 'auto' } : undefined;
  }
  if (o['host_rewrite_header'] !== undefined) {
    const header = (readString(o['host_rewrite_header'], join(path, 'host_rewrite_header'), issues) ?? '').toLowerCase();
    return header === '' ? undefined : { kind: 'header', header };
  }
  if (o['host_rewrite_path_regex'] !== undefined) {
    const substitution = compileSubstitution(o['host_rewrite_path_regex'], join(path, 'host_rewrite_path_regex'), issues);
    return substitution && { kind: 'path_regex', substitution };
  }
  return undefined;
}

const REDIRECT_FIELDS = fields('https_redirect', 'scheme_redirect', 'host_redirect', 'port_redirect', 'path_redirect', 'prefix_rewrite', 'regex_rewrite', 'response_code', 'strip_query');
const REDIRECT_CODES = { MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 } as const;

/** Compiles a RedirectAction (default code 301). */
export function compileRedirectAction(o: Obj, path: string, issues: Issues): RedirectAction | undefined {
  const before = issues.errors.length;
  issues.unknownFields(o, path, REDIRECT_FIELDS);
  const action: { -readonly [K in keyof RedirectAction]: RedirectAction[K] } = {
    kind: 'redirect',
    status: REDIRECT_CODES[readEnum(o['response_code'], Object.keys(REDIRECT_CODES) as (keyof typeof REDIRECT_CODES)[], join(path, 'response_code'), issues, 'MOVED_PERMANENTLY')],
    stripQuery: readBool(o['strip_query'], join(path, 'strip_query'), issues),
  };
  if (readBool(o['https_redirect'], join(path, 'https_redirect'), issues)) action.scheme = 'https';
  const scheme = readString(o['scheme_redirect'], join(path, 'scheme_redirect'), issues);
  if (scheme) action.scheme = scheme.toLowerCase();
  const host = readString(o['host_redirect'], join(path, 'host_redirect'), issues);
  if (host) action.host = host;
  const port = readInt(o['port_redirect'], join(path, 'port_redirect'), issues, { max: 65535 });
  if (port) action.port = port;
  const pathRedirect = readString(o['path_redirect'], join(path, 'path_redirect'), issues);
  if (pathRedirect !== undefined && o['path_redirect'] !== '') action.pathRedirect = pathRedirect;
  const prefixRewrite = readString(o['prefix_rewrite'], join(path, 'prefix_rewrite'), issues);
  if (prefixRewrite !== undefined) action.prefixRewrite = prefixRewrite;
  if (o['regex_rewrite'] !== undefined) {
    const regexRewrite = compileSubstitution(o['regex_rewrite'], join(path, 'regex_rewrite'), issues);
    if (regexRewrite) action.regexRewrite = regexRewrite;
  }
  return issues.errors.length > before ? undefined : action;
}

/** Compiles a DirectResponseAction; the body may not exceed `maxBodyBytes` (Envoy's default 4096). */
export function compileDirectResponse(o: Obj, path: string, maxBodyBytes: number, issues: Issues): DirectResponseAction | undefined {
  issues.unknownFields(o, path, fields('status', 'body'));
  const status = readInt(o['status'], join(path, 'status'), issues) ?? 0;
  if (status < 200 || status >= 600) {
    issues.error(join(path, 'status'), `status must be within [200, 600) (got ${status})`);
    return undefined;
  }
  const bodySource = readObject(o['body'], join(path, 'body'), issues);
  if (!bodySource) return { kind: 'direct', status };
  const p = join(path, 'body');
  let body: string | Uint8Array;
  if (bodySource['inline_string'] !== undefined) body = readString(bodySource['inline_string'], join(p, 'inline_string'), issues) ?? '';
  else if (bodySource['inline_bytes'] !== undefined) {
    const bytes = bodySource['inline_bytes'];
    body = bytes instanceof Uint8Array ? bytes : Buffer.from(String(bytes), 'base64');
  } else {
    issues.error(p, 'only inline_string and inline_bytes bodies are supported (filename and environment_variable read outside the config)');
    return undefined;
  }
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > maxBodyBytes) {
    issues.error(p, `response body size is ${size} bytes; maximum is ${maxBodyBytes}`);
    return undefined;
  }
  return { kind: 'direct', status, body };
}
