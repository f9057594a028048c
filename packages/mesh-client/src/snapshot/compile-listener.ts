// Compiles a Listener: the HttpConnectionManager of an api_listener (client side) or of each
// filter chain of a socket listener (server side) — route source (RDS or inline) and HTTP filters.

import { compileFault, FILTER_TYPES } from './compile-filters';
import { readSocketAddress } from './compile-endpoints';
import { compileRouteConfiguration } from './compile-route-config';
import { cloneFrozen } from './freeze';
import { Issues, Obj, fields, join, readBool, readDurationMs, readList, readMetadata, readObject, readString, structToJson, unwrapAny } from './proto-readers';
import type { HttpConnectionManagerSpec, HttpFilterSpec, ListenerSpec } from './types';

const HCM = 'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';

const LISTENER_FIELDS = fields('name', 'address', 'filter_chains', 'default_filter_chain', 'api_listener');
const LISTENER_HARMLESS = fields(
  'stat_prefix', 'traffic_direction', 'listener_filters', 'listener_filters_timeout', 'continue_on_listener_filters_timeout',
  'use_original_dst', 'per_connection_buffer_limit_bytes', 'metadata', 'drain_type', 'socket_options', 'transparent', 'freebind',
  'tcp_backlog_size', 'bind_to_port', 'enable_reuse_port', 'connection_balance_config', 'additional_addresses', 'access_log',
);

/** Compiles a Listener. */
export function compileListener(o: Obj, issues: Issues): ListenerSpec | undefined {
  const before = issues.errors.length;
  issues.unknownFields(o, '', LISTENER_FIELDS, LISTENER_HARMLESS);
  const name = readString(o['name'], 'name', issues) ?? '';
  if (name === '') issues.error('name', 'listener name must not be empty');
  const api = readObject(o['api_listener'], 'api_listener', issues);
  let listener: ListenerSpec | undefined;
  if (api) {
    const any = unwrapAny(api['api_listener']);
    if (any?.typeName !== HCM) {
      issues.error('api_listener.api_listener', `api_listener must hold an HttpConnectionManager (got ${any?.typeName ?? 'nothing'})`);
    } else {
      const http = compileHcm(any.message, 'api_listener.api_listener', issues);
      if (http) listener = { name, kind: 'api', http, ...(http.routeConfigName ? { routeConfigName: http.routeConfigName } : {}), filterChains: [], metadata: readMetadata(o['metadata']) };
    }
  } else {
    const address = readSocketAddress(o['address'], 'address', issues);
    const chains = [...readList(o['filter_chains'], 'filter_chains', issues).map((c, i) => [c, join('filter_chains', i)] as const)];
    if (o['default_filter_chain'] !== undefined) chains.push([o['default_filter_chain'], 'default_filter_chain']);
    const filterChains = chains.map(([c, p]) => compileFilterChain(c, p, issues)).filter((c) => c !== undefined);
    const http = filterChains.find((c) => c.http)?.http;
    listener = {
      name,
      kind: 'socket',
      ...(http ? { http } : {}),
      ...(http?.routeConfigName ? { routeConfigName: http.routeConfigName } : {}),
      ...(address ? { address } : {}),
      filterChains,
      metadata: readMetadata(o['metadata']),
    };
  }
  return issues.errors.length > before ? undefined : listener;
}

function compileFilterChain(v: unknown, path: string, issues: Issues): ListenerSpec['filterChains'][number] | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  issues.unknownFields(o, path, fields('filter_chain_match', 'filters', 'transport_socket', 'name'), fields('metadata', 'transport_socket_connect_timeout', 'use_proxy_proto'));
  let http: HttpConnectionManagerSpec | undefined;
  readList(o['filters'], join(path, 'filters'), issues).forEach((f, i) => {
    const fp = join(join(path, 'filters'), i);
    const fo = readObject(f, fp, issues) ?? {};
    const any = unwrapAny(fo['typed_config']);
    if (any?.typeName === HCM) http = compileHcm(any.message, join(fp, 'typed_config'), issues);
    else issues.note(fp, `network filter ${String(fo['name'] ?? any?.typeName ?? '')} is not honoured`);
  });
  const transport = readObject(o['transport_socket'], join(path, 'transport_socket'), issues);
  return {
    name: String(o['name'] ?? ''),
    match: cloneFrozen(structToJson(o['filter_chain_match'] ?? {})),
    ...(http ? { http } : {}),
    ...(transport ? { transportSocket: cloneFrozen(transport) } : {}),
  };
}

const HCM_FIELDS = fields(
  'rds', 'route_config', 'scoped_routes', 'http_filters', 'strip_any_host_port', 'strip_matching_host_port', 'stream_idle_timeout',
  'request_timeout', 'common_http_protocol_options',
);
const HCM_HARMLESS = fields(
  'codec_type', 'stat_prefix', 'use_remote_address', 'xff_num_trusted_hops', 'generate_request_id', 'preserve_external_request_id',
  'always_set_request_id_in_response', 'tracing', 'access_log', 'server_name', 'server_header_transformation', 'via', 'skip_xff_append',
  'internal_address_config', 'http_protocol_options', 'http2_protocol_options', 'delayed_close_timeout', 'drain_timeout',
  'add_user_agent', 'represent_ipv4_remote_address_as_ipv4_mapped_ipv6', 'request_id_extension', 'upgrade_configs',
  'forward_client_cert_details', 'set_current_client_cert_details', 'request_headers_timeout', 'max_request_headers_kb',
);

function compileHcm(o: Obj, path: string, issues: Issues): HttpConnectionManagerSpec | undefined {
  const before = issues.errors.length;
  issues.unknownFields(o, path, HCM_FIELDS, HCM_HARMLESS);
  const spec: { -readonly [K in keyof HttpConnectionManagerSpec]: HttpConnectionManagerSpec[K] } = { httpFilters: compileHttpFilters(o['http_filters'], join(path, 'http_filters'), issues) };
  const rds = readObject(o['rds'], join(path, 'rds'), issues);
  if (rds) {
    const name = readString(rds['route_config_name'], join(path, 'rds.route_config_name'), issues) ?? '';
    if (name === '') issues.error(join(path, 'rds.route_config_name'), 'route_config_name must not be empty');
    spec.routeConfigName = name;
  } else if (o['route_config'] !== undefined) {
    const rc = readObject(o['route_config'], join(path, 'route_config'), issues);
    const table = rc && compileRouteConfiguration(rc, issues, join(path, 'route_config'));
    if (table) spec.inlineRouteTable = table;
  } else if (o['scoped_routes'] !== undefined) {
    issues.error(join(path, 'scoped_routes'), 'scoped routes (SRDS) are not supported');
  } else {
    issues.error(path, 'HttpConnectionManager needs rds or route_config');
  }
  if (readBool(o['strip_any_host_port'], join(path, 'strip_any_host_port'), issues)) spec.stripPort = 'any';
  else if (readBool(o['strip_matching_host_port'], join(path, 'strip_matching_host_port'), issues)) spec.stripPort = 'matching';
  const idle = readDurationMs(o['stream_idle_timeout'], join(path, 'stream_idle_timeout'), issues);
  if (idle !== undefined) spec.streamIdleTimeoutMs = idle;
  const request = readDurationMs(o['request_timeout'], join(path, 'request_timeout'), issues);
  if (request !== undefined) spec.requestTimeoutMs = request;
  const common = readObject(o['common_http_protocol_options'], join(path, 'common_http_protocol_options'), issues);
  const msd = common && readDurationMs(common['max_stream_duration'], join(path, 'common_http_protocol_options.max_stream_duration'), issues);
  if (msd !== undefined && msd !== null) spec.maxStreamDurationMs = msd;
  for (const key of ['normalize_path', 'merge_slashes', 'path_with_escaped_slashes_action', 'local_reply_config'] as const) {
    if (o[key] !== undefined && o[key] !== false) issues.note(join(path, key), 'not honoured by inboard');
  }
  return issues.errors.length > before ? undefined : spec;
}

/**
 * Compiles http_filters. The router must be the last filter (Envoy rejects anything else); the
 * fault filter is compiled; RBAC is kept for the authorization layer; other filters are noted, and
 * ECDS (config_discovery) is an error unless the filter is optional.
 */
function compileHttpFilters(v: unknown, path: string, issues: Issues): HttpFilterSpec[] {
  const list = readList(v, path, issues);
  const filters: HttpFilterSpec[] = [];
  list.forEach((f, i) => {
    const p = join(path, i);
    const o = readObject(f, p, issues);
    if (!o) return;
    const name = readString(o['name'], join(p, 'name'), issues) ?? '';
    if (name === '') issues.error(join(p, 'name'), 'HTTP filter name must not be empty');
    const optional = readBool(o['is_optional'], join(p, 'is_optional'), issues);
    const disabled = readBool(o['disabled'], join(p, 'disabled'), issues);
    if (o['config_discovery'] !== undefined) {
      if (optional) issues.note(join(p, 'config_discovery'), `optional filter ${name} uses ECDS, which is not supported; skipped`);
      else issues.error(join(p, 'config_discovery'), `filter ${name} uses ECDS (config_discovery), which is not supported`);
      return;
    }
    const any = unwrapAny(o['typed_config']);
    const spec: { -readonly [K in keyof HttpFilterSpec]: HttpFilterSpec[K] } = { name, optional, disabled };
    if (any) {
      spec.typeName = any.typeName;
      spec.config = cloneFrozen(any.message);
      if (any.typeName === FILTER_TYPES.FAULT) {
        const fault = compileFault(any.message, join(p, 'typed_config'), issues);
        if (fault) spec.fault = fault;
      } else if (any.typeName !== FILTER_TYPES.ROUTER && any.typeName !== FILTER_TYPES.RBAC) {
        issues.note(p, `HTTP filter ${name} (${any.typeName}) is not honoured by inboard${optional ? ' (optional)' : ''}`);
      }
    }
    filters.push(spec);
  });
  const routerAt = filters.findIndex((f) => f.typeName === FILTER_TYPES.ROUTER || f.name === 'envoy.filters.http.router');
  if (filters.length > 0) {
    if (routerAt < 0) issues.error(path, `non-terminal filter ${filters[filters.length - 1]!.name} is the last filter in a http filter chain (the router filter is missing)`);
    else if (routerAt !== filters.length - 1) issues.error(join(path, routerAt), `terminal filter ${filters[routerAt]!.name} must be the last filter in a http filter chain`);
  }
  return filters;
}
