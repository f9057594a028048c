// Route matching: the first route of a virtual host whose every condition holds, in order
// (Envoy and Istio: first match wins). Pure; the only randomness (runtime_fraction) is injected.

import { defaultRandom, type RandomSource } from '../balancing/random';
import { RequestView, type RouteRequest } from './request-view';
import type { CompiledRoute, CompiledRouteMatch, RouteTable, VirtualHost } from './types';
import { selectVirtualHost } from './virtual-host';

/** Options of a routing decision. */
export interface MatchOptions {
  /** Random source for runtime_fraction matches (default Math.random). */
  readonly random?: RandomSource;
  /** A view prepared by the caller (to share parsed query/path with later steps). */
  readonly view?: RequestView;
}

/** The matched route and its position in the virtual host. */
export interface RouteMatchResult {
  readonly route: CompiledRoute;
  readonly index: number;
}

/**
 * Returns the first route of `vhost` matching `request`, or undefined (Envoy answers 404 NR).
 * Per route: path specifier (prefix on the full `:path`; exact, regex and path-separated prefix on
 * the path without query), all header matchers, all query parameter matchers, gRPC content type,
 * TLS context, and the runtime fraction. One random draw per request serves every runtime_fraction
 * of the table, as Envoy uses one random value per stream — so fractions of successive routes
 * compose like Envoy's traffic-shifting recipes.
 */
export function matchRoute(vhost: VirtualHost, request: RouteRequest, options: MatchOptions = {}): RouteMatchResult | undefined {
  const index = firstMatch(vhost, request, options.view ?? new RequestView(request), options.random);
  return index < 0 ? undefined : { route: vhost.routes[index]!, index };
}

/** The index of the first route of `vhost` that matches (matchRoute's rules), or -1. */
function firstMatch(vhost: VirtualHost, request: RouteRequest, view: RequestView, random: RandomSource | undefined): number {
  let draw = -1;
  const routes = vhost.routes;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i]!;
    const m = route.match;
    if (m.neverMatches !== undefined || !m.path.test(view)) continue;
    if (m.runtimeFractionPerMillion !== undefined) {
      if (draw < 0) draw = Math.floor((random ?? defaultRandom)() * 1_000_000);
      if (draw >= m.runtimeFractionPerMillion) continue;
    }
    if (!allHeadersMatch(m.headers, view)) continue;
    if (m.queryParameters.length > 0 && !m.queryParameters.every((q) => q.test(view))) continue;
    if (m.grpc && !isGrpc(view)) continue;
    if (m.tlsContext && !tlsMatches(m.tlsContext, request)) continue;
    return i;
  }
  return -1;
}

function allHeadersMatch(headers: CompiledRoute['match']['headers'], view: RequestView): boolean {
  for (let i = 0; i < headers.length; i++) if (!headers[i]!.test(view)) return false;
  return true;
}

/** Envoy's Grpc::Common::hasGrpcContentType: `application/grpc` or `application/grpc+…`. */
function isGrpc(view: RequestView): boolean {
  const ct = view.header('content-type');
  return ct !== undefined && ct.startsWith('application/grpc') && (ct.length === 16 || ct[16] === '+');
}

function tlsMatches(want: { readonly presented?: boolean; readonly validated?: boolean }, request: RouteRequest): boolean {
  const tls = request.tls ?? { presented: false, validated: false };
  if (want.presented !== undefined && want.presented !== tls.presented) return false;
  if (want.validated !== undefined && want.validated !== tls.validated) return false;
  return true;
}

/**
 * True when `match` holds for every request whose path starts with '/': a prefix of '' or '/' and
 * no other condition (the route every request of its virtual host reaches, as Istio's default and
 * most single-destination VirtualServices have). The path parameters a table may strip keep the '/'.
 */
export function matchesEveryPath(match: CompiledRouteMatch): boolean {
  return match.path.kind === 'prefix' && (match.path.value === '' || match.path.value === '/') && match.headers.length === 0
    && match.queryParameters.length === 0 && !match.grpc && match.tlsContext === undefined
    && match.runtimeFractionPerMillion === undefined && match.neverMatches === undefined;
}

const NO_OPTIONS: { readonly random?: RandomSource } = {};

/** Result of looking a request up in a route table. */
export type RouteLookup =
  | { readonly ok: true; readonly virtualHost: VirtualHost; readonly route: CompiledRoute; readonly index: number; readonly view: RequestView }
  | { readonly ok: false; readonly reason: 'NO_VIRTUAL_HOST' | 'NO_ROUTE'; readonly virtualHost?: VirtualHost };

/** selectVirtualHost + matchRoute over a RouteTable (honouring ignore_path_parameters_in_path_matching). */
export function findRoute(table: RouteTable, request: RouteRequest, options: { readonly random?: RandomSource } = NO_OPTIONS): RouteLookup {
  const virtualHost = selectVirtualHost(table, request.authority);
  if (!virtualHost) return { ok: false, reason: 'NO_VIRTUAL_HOST' };
  const view = new RequestView(request, table.ignorePathParametersInPathMatching);
  const index = firstMatch(virtualHost, request, view, options.random);
  if (index < 0) return { ok: false, reason: 'NO_ROUTE', virtualHost };
  return { ok: true, virtualHost, route: virtualHost.routes[index]!, index, view };
}
