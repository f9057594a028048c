// Compiles a RouteConfiguration into a RouteTable: virtual hosts with Envoy's domain index,
// routes in order (match + action + header mutations + filter overrides), inherited policies.

import type { CompiledRoute, DomainIndex, MirrorPolicy, RetryPolicy, RouteAction, RouteTable, VirtualHost } from '../routing/types';
import { compileFilterOverrides } from './compile-filters';
import { compileHeaderMutation } from './compile-headers';
import { compileDirectResponse, compileForwardAction, compileRedirectAction } from './compile-route-action';
import { compileRouteMatch } from './compile-route-match';
import { compileMirrorPolicies, compileRetryPolicy, routeSource } from './compile-route-policies';
import { Issues, Obj, fields, join, readBool, readEnum, readInt, readList, readMetadata, readObject, readString } from './proto-readers';

const DEFAULT_MAX_DIRECT_RESPONSE_BODY = 4096;

const ROUTE_CONFIG_FIELDS = fields(
  'name', 'virtual_hosts', 'vhds', 'response_headers_to_add', 'response_headers_to_remove', 'request_headers_to_add',
  'request_headers_to_remove', 'most_specific_header_mutations_wins', 'max_direct_response_body_size_bytes',
  'cluster_specifier_plugins', 'request_mirror_policies', 'ignore_port_in_host_matching',
  'ignore_path_parameters_in_path_matching', 'typed_per_filter_config', 'metadata',
);
const ROUTE_CONFIG_HARMLESS = fields('validate_clusters', 'internal_only_headers');

/** Compiles a RouteConfiguration (errors and notes go to `issues`, paths relative to the resource). */
export function compileRouteConfiguration(o: Obj, issues: Issues, path = ''): RouteTable | undefined {
  const before = issues.errors.length;
  issues.unknownFields(o, path, ROUTE_CONFIG_FIELDS, ROUTE_CONFIG_HARMLESS);
  const name = readString(o['name'], join(path, 'name'), issues) ?? '';
  if (o['vhds'] !== undefined) issues.error(join(path, 'vhds'), 'VHDS (on-demand virtual hosts) is not supported');
  readList(o['cluster_specifier_plugins'], join(path, 'cluster_specifier_plugins'), issues).forEach((plugin, i) => {
    const optional = readBool(readObject(plugin, join(join(path, 'cluster_specifier_plugins'), i), issues)?.['is_optional'], join(join(path, 'cluster_specifier_plugins'), i), issues);
    if (optional) issues.note(join(join(path, 'cluster_specifier_plugins'), i), 'optional cluster specifier plugin ignored (not supported)');
    else issues.error(join(join(path, 'cluster_specifier_plugins'), i), 'cluster specifier plugins are not supported');
  });
  const maxBody = readInt(o['max_direct_response_body_size_bytes'], join(path, 'max_direct_response_body_size_bytes'), issues) ?? DEFAULT_MAX_DIRECT_RESPONSE_BODY;
  const mirrorPolicies = compileMirrorPolicies(o['request_mirror_policies'], join(path, 'request_mirror_policies'), issues);

  const virtualHosts: VirtualHost[] = [];
  readList(o['virtual_hosts'], join(path, 'virtual_hosts'), issues).forEach((v, i) => {
    const vh = compileVirtualHost(v, join(join(path, 'virtual_hosts'), i), { mirrorPolicies, maxBody }, issues);
    if (vh) virtualHosts.push(vh);
  });
  const domains = buildDomainIndex(virtualHosts, name, join(path, 'virtual_hosts'), issues);
  if (issues.errors.length > before) return undefined;
  return {
    name,
    virtualHosts,
    domains,
    ignorePortInHostMatching: readBool(o['ignore_port_in_host_matching'], join(path, 'ignore_port_in_host_matching'), issues),
    ignorePathParametersInPathMatching: readBool(o['ignore_path_parameters_in_path_matching'], join(path, 'ignore_path_parameters_in_path_matching'), issues),
    requestHeaders: compileHeaderMutation(o['request_headers_to_add'], o['request_headers_to_remove'], join(path, 'request_headers_to_add'), join(path, 'request_headers_to_remove'), 'request', issues),
    responseHeaders: compileHeaderMutation(o['response_headers_to_add'], o['response_headers_to_remove'], join(path, 'response_headers_to_add'), join(path, 'response_headers_to_remove'), 'response', issues),
    mostSpecificHeaderMutationsWins: readBool(o['most_specific_header_mutations_wins'], join(path, 'most_specific_header_mutations_wins'), issues),
    mirrorPolicies,
    filterOverrides: compileFilterOverrides(o['typed_per_filter_config'], join(path, 'typed_per_filter_config'), issues),
    metadata: readMetadata(o['metadata']),
  };
}

const VHOST_FIELDS = fields(
  'name', 'domains', 'routes', 'matcher', 'require_tls', 'request_headers_to_add', 'request_headers_to_remove',
  'response_headers_to_add', 'response_headers_to_remove', 'typed_per_filter_config', 'include_request_attempt_count',
  'include_attempt_count_in_response', 'retry_policy', 'request_mirror_policies', 'metadata',
);
const VHOST_HARMLESS = fields('virtual_clusters', 'per_request_buffer_limit_bytes');

interface TableContext {
  readonly mirrorPolicies: readonly MirrorPolicy[];
  readonly maxBody: number;
}

function compileVirtualHost(v: unknown, path: string, table: TableContext, issues: Issues): VirtualHost | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  const before = issues.errors.length;
  issues.unknownFields(o, path, VHOST_FIELDS, VHOST_HARMLESS);
  const name = readString(o['name'], join(path, 'name'), issues) ?? '';
  if (name === '') issues.error(join(path, 'name'), 'virtual host name must not be empty');
  const domains = readList(o['domains'], join(path, 'domains'), issues).map((d, i) => (readString(d, join(join(path, 'domains'), i), issues) ?? '').toLowerCase());
  if (domains.length === 0) issues.error(join(path, 'domains'), 'virtual host needs at least one domain');
  domains.forEach((d, i) => { if (d === '') issues.error(join(join(path, 'domains'), i), 'domain must not be empty'); });
  if (o['matcher'] !== undefined) issues.error(join(path, 'matcher'), 'virtual host matcher trees are not supported; use routes');
  const retryPolicy = o['retry_policy'] === undefined ? undefined : compileRetryPolicy(o['retry_policy'], join(path, 'retry_policy'), issues);
  const ownMirrors = compileMirrorPolicies(o['request_mirror_policies'], join(path, 'request_mirror_policies'), issues);
  const mirrorPolicies = ownMirrors.length > 0 ? ownMirrors : table.mirrorPolicies;
  const routes: CompiledRoute[] = [];
  readList(o['routes'], join(path, 'routes'), issues).forEach((r, i) => {
    const route = compileRoute(r, join(join(path, 'routes'), i), i, { retryPolicy, mirrorPolicies, maxBody: table.maxBody }, issues);
    if (route) routes.push(route);
  });
  if (issues.errors.length > before) return undefined;
  const vh: { -readonly [K in keyof VirtualHost]: VirtualHost[K] } = {
    name,
    domains,
    routes,
    requestHeaders: compileHeaderMutation(o['request_headers_to_add'], o['request_headers_to_remove'], join(path, 'request_headers_to_add'), join(path, 'request_headers_to_remove'), 'request', issues),
    responseHeaders: compileHeaderMutation(o['response_headers_to_add'], o['response_headers_to_remove'], join(path, 'response_headers_to_add'), join(path, 'response_headers_to_remove'), 'response', issues),
    mirrorPolicies,
    filterOverrides: compileFilterOverrides(o['typed_per_filter_config'], join(path, 'typed_per_filter_config'), issues),
    requireTls: readEnum(o['require_tls'], ['NONE', 'EXTERNAL_ONLY', 'ALL'] as const, join(path, 'require_tls'), issues, 'NONE'),
    includeRequestAttemptCount: readBool(o['include_request_attempt_count'], join(path, 'include_request_attempt_count'), issues),
    includeAttemptCountInResponse: readBool(o['include_attempt_count_in_response'], join(path, 'include_attempt_count_in_response'), issues),
    metadata: readMetadata(o['metadata']),
  };
  if (retryPolicy) vh.retryPolicy = retryPolicy;
  if (vh.requireTls !== 'NONE') issues.note(join(path, 'require_tls'), 'require_tls is not honoured (in-process callers have no downstream TLS to enforce)');
  return vh;
}

const ROUTE_FIELDS = fields(
  'name', 'match', 'route', 'redirect', 'direct_response', 'filter_action', 'non_forwarding_action', 'metadata', 'decorator',
  'typed_per_filter_config', 'request_headers_to_add', 'request_headers_to_remove', 'response_headers_to_add', 'response_headers_to_remove',
);
const ROUTE_HARMLESS = fields('per_request_buffer_limit_bytes', 'stat_prefix', 'tracing');

interface RouteContext {
  readonly retryPolicy: RetryPolicy | undefined;
  readonly mirrorPolicies: readonly MirrorPolicy[];
  readonly maxBody: number;
}

function compileRoute(v: unknown, path: string, index: number, ctx: RouteContext, issues: Issues): CompiledRoute | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  const before = issues.errors.length;
  issues.unknownFields(o, path, ROUTE_FIELDS, ROUTE_HARMLESS);
  const match = compileRouteMatch(o['match'], join(path, 'match'), issues);
  let action: RouteAction | undefined;
  const routeAction = readObject(o['route'], join(path, 'route'), issues);
  const redirect = readObject(o['redirect'], join(path, 'redirect'), issues);
  const direct = readObject(o['direct_response'], join(path, 'direct_response'), issues);
  if (routeAction) {
    action = compileForwardAction(routeAction, join(path, 'route'), { ...(ctx.retryPolicy ? { retryPolicy: ctx.retryPolicy } : {}), mirrorPolicies: ctx.mirrorPolicies }, issues);
  } else if (redirect) action = compileRedirectAction(redirect, join(path, 'redirect'), issues);
  else if (direct) action = compileDirectResponse(direct, join(path, 'direct_response'), ctx.maxBody, issues);
  else if (o['non_forwarding_action'] !== undefined) action = { kind: 'non_forwarding' };
  else if (o['filter_action'] !== undefined) issues.error(join(path, 'filter_action'), 'filter_action is not supported');
  else issues.error(path, 'route needs an action (route, redirect, direct_response or non_forwarding_action)');

  const metadata = readMetadata(o['metadata']);
  if (!match || !action || issues.errors.length > before) return undefined;
  const name = readString(o['name'], join(path, 'name'), issues);
  const decorator = readObject(o['decorator'], join(path, 'decorator'), issues);
  const source = routeSource(metadata);
  return {
    index,
    ...(name ? { name } : {}),
    match,
    action,
    requestHeaders: compileHeaderMutation(o['request_headers_to_add'], o['request_headers_to_remove'], join(path, 'request_headers_to_add'), join(path, 'request_headers_to_remove'), 'request', issues),
    responseHeaders: compileHeaderMutation(o['response_headers_to_add'], o['response_headers_to_remove'], join(path, 'response_headers_to_add'), join(path, 'response_headers_to_remove'), 'response', issues),
    filterOverrides: compileFilterOverrides(o['typed_per_filter_config'], join(path, 'typed_per_filter_config'), issues),
    metadata,
    ...(source ? { source } : {}),
    ...(typeof decorator?.['operation'] === 'string' ? { decoratorOperation: decorator['operation'] } : {}),
  };
}

/**
 * Builds Envoy's virtual host lookup: exact domains, `*suffix` and `prefix*` wildcards grouped by
 * length (longest first) and `*`. A domain may appear only once in the whole route configuration.
 */
function buildDomainIndex(hosts: readonly VirtualHost[], routeConfigName: string, path: string, issues: Issues): DomainIndex {
  const exact = new Map<string, VirtualHost>();
  const suffixes = new Map<number, Map<string, VirtualHost>>();
  const prefixes = new Map<number, Map<string, VirtualHost>>();
  let any: VirtualHost | undefined;
  const seen = new Set<string>();
  for (const vh of hosts) {
    for (const domain of vh.domains) {
      if (seen.has(domain)) {
        issues.error(path, `Only unique values for domains are permitted. Duplicate entry of domain ${domain} in route ${routeConfigName}`);
        continue;
      }
      seen.add(domain);
      if (domain === '*') any = vh;
      else if (domain.startsWith('*')) addByLength(suffixes, domain.slice(1), vh);
      else if (domain.endsWith('*')) addByLength(prefixes, domain.slice(0, -1), vh);
      else exact.set(domain, vh);
    }
  }
  const byLength = (m: Map<number, Map<string, VirtualHost>>) =>
    [...m.entries()].sort((a, b) => b[0] - a[0]).map(([length, hostsByKey]) => ({ length, hosts: hostsByKey }));
  return { exact, suffixes: byLength(suffixes), prefixes: byLength(prefixes), ...(any ? { any } : {}) };
}

function addByLength(m: Map<number, Map<string, VirtualHost>>, key: string, vh: VirtualHost): void {
  let group = m.get(key.length);
  if (!group) m.set(key.length, (group = new Map()));
  group.set(key, vh);
}
