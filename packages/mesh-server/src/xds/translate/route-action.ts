// The action half of an HTTPRoute: destinations → cluster or weighted_clusters (outbound|PORT|SUBSET|HOST),
// timeout (route timeout + max_stream_duration for gRPC), rewrite, mirrors, consistent-hash policies
// from the DestinationRule, retries; or a redirect / direct response. Mirrors istiod's route.go.

import type { ConsistentHashLB, Destination, HTTPDirectResponse, HTTPRedirect, HTTPRoute } from '../../config/istio-types';
import type { TranslationContext } from './context';
import { effectivePolicy } from './destination-rules';
import { integerPercentToFraction, parseDuration, percentToFraction, ZERO_DURATION } from './durations';
import type { EnvoyObject } from './envoy-names';
import { appendMutations, headerMutations, mutationFields, type HeaderMutations } from './header-operations';
import { clusterName, resolveHost } from './names';
import { retryPolicy } from './retry';

/** Where a route is being built: for which proxy view, from which VirtualService, on which port. */
export interface RouteScope {
  readonly ctx: TranslationContext;
  /** "VirtualService/ns/name". */
  readonly source: string;
  /** Namespace of the VirtualService, for short-name resolution. */
  readonly namespace: string;
  /** The service port (sidecar) or gateway server port the route table serves. */
  readonly listenPort: number;
  readonly warn: (message: string) => void;
}

/** A destination resolved to its cluster. */
export interface ResolvedDestination {
  readonly cluster: string;
  readonly host: string;
  readonly port: number;
  readonly subset?: string;
}

/**
 * Resolves a Destination as istiod's GetDestinationCluster does: short host relative to the
 * VirtualService namespace; port from the destination, else the service's only port, else the
 * listener port. Unknown hosts, ports and subsets still yield a cluster name (the client answers
 * 503, as Envoy does for a missing cluster) and a warning.
 */
export function resolveDestination(scope: RouteScope, destination: Destination): ResolvedDestination {
  const host = resolveHost(destination.host, scope.namespace);
  const service = scope.ctx.service(host);
  const port = destination.port?.number ?? (service?.ports.length === 1 ? service.ports[0]!.port : scope.listenPort);
  const cluster = clusterName(port, destination.subset, host);
  if (!service) {
    scope.warn(`destination host ${host} is not a service visible to this proxy: requests get 503 (no cluster ${cluster})`);
  } else if (!service.ports.some((p) => p.port === port)) {
    scope.warn(`destination port ${port} is not a port of ${host}: requests get 503 (no cluster ${cluster})`);
  } else if (destination.subset !== undefined) {
    const rule = scope.ctx.destinationRule(host);
    if (!rule?.subsets.some((s) => s.name === destination.subset)) {
      scope.warn(`subset "${destination.subset}" of ${host} is not defined by any DestinationRule: requests get 503 (no cluster ${cluster})`);
    }
  }
  return { cluster, host, port, ...(destination.subset !== undefined ? { subset: destination.subset } : {}) };
}

/** The consistent-hash settings of the cluster a destination resolves to, if its DestinationRule sets any. */
export function consistentHashOf(ctx: TranslationContext, host: string, subset: string | undefined, port: number): ConsistentHashLB | undefined {
  return effectivePolicy(ctx.destinationRule(host), subset, port)?.loadBalancer?.consistentHash;
}

/** ConsistentHashLB → RouteAction.HashPolicy (header, cookie, source IP or query parameter). */
export function hashPolicy(hash: ConsistentHashLB | undefined): EnvoyObject | undefined {
  if (!hash) return undefined;
  if (hash.httpHeaderName !== undefined) return { header: { header_name: hash.httpHeaderName } };
  if (hash.httpCookie) {
    const ttl = parseDuration(hash.httpCookie.ttl);
    return {
      cookie: { name: hash.httpCookie.name, ...(ttl ? { ttl } : {}), ...(hash.httpCookie.path ? { path: hash.httpCookie.path } : {}) },
    };
  }
  if (hash.useSourceIp) return { connection_properties: { source_ip: true } };
  if (hash.httpQueryParameterName !== undefined) return { query_parameter: { name: hash.httpQueryParameterName } };
  return undefined;
}

/** Route timeout (0 = disabled, Istio's default) plus the max_stream_duration gRPC clients read. */
export function timeoutFields(timeout: string | undefined, warn: (message: string) => void): EnvoyObject {
  let d = ZERO_DURATION;
  if (timeout !== undefined) {
    const parsed = parseDuration(timeout);
    if (parsed) d = parsed;
    else warn(`timeout "${timeout}" is not a duration; no timeout applied`);
  }
  return { timeout: d, max_stream_duration: { max_stream_duration: d, grpc_timeout_header_max: d } };
}

function mirrorPolicies(scope: RouteScope, http: HTTPRoute & { mirrorPercent?: number }): EnvoyObject[] {
  const out: EnvoyObject[] = [];
  const policy = (destination: Destination, fraction: EnvoyObject) => ({
    cluster: resolveDestination(scope, destination).cluster,
    runtime_fraction: { default_value: fraction },
    trace_sampled: { value: false },
  });
  if (http.mirror) {
    if (http.mirrorPercentage) {
      if (http.mirrorPercentage.value > 0) out.push(policy(http.mirror, { ...percentToFraction(http.mirrorPercentage.value) }));
    } else if (http.mirrorPercent !== undefined) {
      if (http.mirrorPercent > 0) out.push(policy(http.mirror, { ...integerPercentToFraction(http.mirrorPercent) }));
    } else {
      out.push(policy(http.mirror, { ...integerPercentToFraction(100) }));
    }
  }
  for (const mirror of http.mirrors ?? []) {
    if (!mirror.percentage) out.push(policy(mirror.destination, { ...integerPercentToFraction(100) }));
    else if (mirror.percentage.value > 0) out.push(policy(mirror.destination, { ...percentToFraction(mirror.percentage.value) }));
  }
  return out;
}

/**
 * The RouteAction of an HTTPRoute that forwards (has `route`). Returns the action and the header
 * mutations of the Envoy route (route-level plus, for a single destination, the destination's).
 */
export function forwardingAction(scope: RouteScope, http: HTTPRoute, routeHeaders: HeaderMutations): { action: EnvoyObject; headers: HeaderMutations } {
  const action: EnvoyObject = {};
  let headers = routeHeaders;
  let hostRewrite = http.rewrite?.authority ?? routeHeaders.authority;
  const destinations = http.route ?? [];
  const hashPolicies: EnvoyObject[] = [];
  let consistentHash = false;
  if (destinations.length === 1) {
    const only = destinations[0]!;
    const target = resolveDestination(scope, only.destination);
    action.cluster = target.cluster;
    const own = headerMutations(only.headers);
    headers = appendMutations({ ...headers, authority: undefined }, { ...own, authority: undefined });
    hostRewrite = hostRewrite ?? own.authority;
    const hash = hashPolicy(consistentHashOf(scope.ctx, target.host, target.subset, target.port));
    if (hash) hashPolicies.push(hash);
    consistentHash = hash !== undefined;
  } else {
    let weighted = destinations.filter((d) => (d.weight ?? 0) > 0);
    if (weighted.length === 0) {
      scope.warn('all route destinations have weight 0; traffic is split evenly instead');
      weighted = destinations.map((d) => ({ ...d, weight: 1 }));
    }
    const clusters = weighted.map((d) => {
      const target = resolveDestination(scope, d.destination);
      const own = headerMutations(d.headers);
      const hash = hashPolicy(consistentHashOf(scope.ctx, target.host, target.subset, target.port));
      if (hash) hashPolicies.push(hash);
      return {
        name: target.cluster,
        weight: { value: d.weight! },
        ...mutationFields(own),
        ...(own.authority !== undefined ? { host_rewrite_literal: own.authority } : {}),
      };
    });
    const total = clusters.reduce((sum, c) => sum + c.weight.value, 0);
    // grpc-js-xds 1.14.0 divides by total_weight (default 100); 1.14.1 and Envoy sum the weights.
    action.weighted_clusters = { clusters, ...(total !== 100 ? { total_weight: { value: total } } : {}) };
  }
  Object.assign(action, timeoutFields(http.timeout, scope.warn));
  if (http.rewrite?.uriRegexRewrite) {
    action.regex_rewrite = { pattern: { regex: http.rewrite.uriRegexRewrite.match }, substitution: http.rewrite.uriRegexRewrite.rewrite };
  } else if (http.rewrite?.uri !== undefined && http.rewrite.uri !== '') {
    action.prefix_rewrite = http.rewrite.uri;
  }
  if (hostRewrite !== undefined) action.host_rewrite_literal = hostRewrite;
  const mirrors = mirrorPolicies(scope, http);
  if (mirrors.length > 0) action.request_mirror_policies = mirrors;
  if (hashPolicies.length > 0) action.hash_policy = hashPolicies;
  const retry = retryPolicy(http.retries, consistentHash, scope.ctx.options, scope.warn);
  if (retry) action.retry_policy = retry;
  return { action, headers: { ...headers, authority: undefined } };
}

const REDIRECT_CODES: Readonly<Record<number, string>> = {
  301: 'MOVED_PERMANENTLY', 302: 'FOUND', 303: 'SEE_OTHER', 307: 'TEMPORARY_REDIRECT', 308: 'PERMANENT_REDIRECT',
};

/** HTTPRedirect → RedirectAction, or undefined (with a warning) for an unsupported redirectCode. */
export function redirectAction(redirect: HTTPRedirect, listenPort: number, warn: (message: string) => void): EnvoyObject | undefined {
  const code = REDIRECT_CODES[redirect.redirectCode ?? 301];
  if (!code) {
    warn(`redirect.redirectCode ${redirect.redirectCode} is not one of 301, 302, 303, 307, 308; route dropped`);
    return undefined;
  }
  const out: EnvoyObject = {};
  if (redirect.authority) out.host_redirect = redirect.authority;
  if (redirect.uri) out.path_redirect = redirect.uri;
  if (redirect.scheme) out.scheme_redirect = redirect.scheme;
  let port: number | undefined;
  if (redirect.port !== undefined) port = redirect.port;
  else if (redirect.derivePort === 'FROM_REQUEST_PORT') port = listenPort;
  const scheme = redirect.scheme || 'http';
  if (port !== undefined && !(port === 80 && scheme === 'http') && !(port === 443 && scheme === 'https')) out.port_redirect = port;
  out.response_code = code;
  return out;
}

/** HTTPDirectResponse → DirectResponseAction (status and inline body). */
export function directResponseAction(direct: HTTPDirectResponse): EnvoyObject {
  const body = direct.body?.string !== undefined
    ? { inline_string: direct.body.string }
    : direct.body?.bytes !== undefined ? { inline_bytes: direct.body.bytes } : undefined;
  return { status: direct.status, ...(body ? { body } : {}) };
}
