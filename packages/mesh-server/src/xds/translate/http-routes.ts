// One VirtualService → the ordered Envoy routes of one route table (a service port for sidecars, a
// gateway port for routers), following istiod's BuildHTTPRoutesForVirtualService: http rules in order,
// one route per match block, port/sourceLabels/sourceNamespace/gateways evaluated for this proxy,
// nothing after a catch-all. Also the default route of a service without a VirtualService.

import type { Resource } from '../../config/resource';
import type { HTTPMatchRequest, HTTPRoute, VirtualServiceSpec } from '../../config/istio-types';
import type { ServiceInfo } from '../../registry/types';
import { sourceOf, type TranslationContext } from './context';
import { WELL_KNOWN, type EnvoyObject } from './envoy-names';
import { headerMutations, mutationFields } from './header-operations';
import { clusterName, gatewayRef } from './names';
import { directResponseAction, forwardingAction, redirectAction, timeoutFields, type RouteScope } from './route-action';
import { corsFilterConfig, faultFilterConfig } from './route-filters';
import { isCatchAllMatch, translateRouteMatch } from './route-match';
import { retryPolicy } from './retry';
import { inboardMetadata } from './struct';
import { labelsMatch } from './visibility';

/** Istio's sourceMatchHTTP: does this match block apply to this proxy (or gateway)? */
export function matchAppliesTo(
  match: HTTPMatchRequest | undefined,
  ctx: TranslationContext,
  gatewayNames: ReadonlySet<string>,
  vsNamespace: string,
): boolean {
  if (!match) return true;
  if (match.gateways && match.gateways.length > 0) {
    return match.gateways.some((g) => gatewayNames.has(gatewayRef(g, vsNamespace)));
  }
  if (!labelsMatch(match.sourceLabels, ctx.proxy.labels)) return false;
  return !match.sourceNamespace || match.sourceNamespace === ctx.proxy.namespace;
}

function routeName(vs: Resource<VirtualServiceSpec>, http: HTTPRoute, index: number, match: HTTPMatchRequest | undefined, matchIndex: number): string {
  const base = http.name ?? `${vs.metadata.namespace}/${vs.metadata.name}[${index}]`;
  if (match?.name) return `${base}.${match.name}`;
  if ((http.match?.length ?? 0) > 1) return `${base}.match[${matchIndex}]`;
  return base;
}

/**
 * The Envoy routes `vs` contributes to a route table on `listenPort`, for gateways `gatewayNames`
 * ("mesh" for sidecars, "ns/name" for a gateway). Empty when no rule applies to this proxy.
 */
export function virtualServiceRoutes(
  ctx: TranslationContext,
  vs: Resource<VirtualServiceSpec>,
  listenPort: number,
  gatewayNames: ReadonlySet<string>,
): EnvoyObject[] {
  const source = sourceOf(vs);
  const warn = (message: string) => ctx.warnings.add(source, message);
  const scope: RouteScope = { ctx, source, namespace: vs.metadata.namespace, listenPort, warn };
  const out: EnvoyObject[] = [];
  const rules = vs.spec.http ?? [];
  for (const [index, http] of rules.entries()) {
    if (http.delegate) {
      warn(`http[${index}]: delegate is not supported; this rule is skipped`);
      continue;
    }
    const matches: (HTTPMatchRequest | undefined)[] = http.match && http.match.length > 0 ? http.match : [undefined];
    let catchAll = !http.match || http.match.length === 0;
    for (const [matchIndex, match] of matches.entries()) {
      if (match?.port !== undefined && match.port !== 0 && match.port !== listenPort) continue;
      if (!matchAppliesTo(match, ctx, gatewayNames, vs.metadata.namespace)) continue;
      const route = translateRoute(scope, vs, http, index, match, matchIndex);
      if (!route) continue;
      out.push(route);
      if (isCatchAllMatch(route.match as EnvoyObject)) {
        catchAll = true;
        break;
      }
    }
    if (catchAll) break;
  }
  return out;
}

function translateRoute(
  scope: RouteScope,
  vs: Resource<VirtualServiceSpec>,
  http: HTTPRoute,
  index: number,
  match: HTTPMatchRequest | undefined,
  matchIndex: number,
): EnvoyObject | undefined {
  const { ctx, warn } = scope;
  const where = `http[${index}]${match ? `.match[${matchIndex}]` : ''}`;
  const translated = translateRouteMatch(match, (m) => warn(`${where}: ${m}`));
  if (ctx.grpcClient) {
    // gRPC clients ignore these conditions and NACK these actions; keep the route table exact instead.
    if (translated.usesQueryParameters) return undefined; // gRPC requests carry no query string: never matches
    if (translated.usesJwtClaims) {
      warn(`${where}: JWT claim matches are not evaluated by proxyless gRPC clients; route omitted for them`);
      return undefined;
    }
    if (http.redirect || http.directResponse) {
      warn(`${where}: ${http.redirect ? 'redirect' : 'directResponse'} is not supported by proxyless gRPC clients (they NACK it); route omitted for them`);
      return undefined;
    }
  }
  const route: EnvoyObject = {
    name: routeName(vs, http, index, match, matchIndex),
    match: translated.match,
    metadata: inboardMetadata({
      source: scope.source,
      http_route: index,
      ...(match ? { match: matchIndex } : {}),
      ...(http.name ? { route_name: http.name } : {}),
      ...(match?.name ? { match_name: match.name } : {}),
    }),
  };
  if (match?.statPrefix) route.stat_prefix = match.statPrefix;
  const routeHeaders = headerMutations(http.headers);
  if (http.redirect) {
    const redirect = redirectAction(http.redirect, scope.listenPort, (m) => warn(`${where}: ${m}`));
    if (!redirect) return undefined;
    route.redirect = redirect;
    Object.assign(route, mutationFields(routeHeaders));
  } else if (http.directResponse) {
    route.direct_response = directResponseAction(http.directResponse);
    Object.assign(route, mutationFields(routeHeaders));
  } else if (http.route && http.route.length > 0) {
    const { action, headers } = forwardingAction(scope, http, routeHeaders);
    route.route = action;
    Object.assign(route, mutationFields(headers));
  } else {
    warn(`${where}: rule has no route, redirect or directResponse; skipped`);
    return undefined;
  }
  const perFilter: EnvoyObject = {};
  if (http.fault) {
    const fault = faultFilterConfig(http.fault, (m) => warn(`${where}: ${m}`));
    if (fault) perFilter[WELL_KNOWN.faultFilter] = fault;
  }
  if (http.corsPolicy) perFilter[WELL_KNOWN.corsFilter] = corsFilterConfig(http.corsPolicy, (m) => warn(`${where}: ${m}`));
  if (Object.keys(perFilter).length > 0) route.typed_per_filter_config = perFilter;
  return route;
}

/**
 * The route of a service port that no VirtualService covers: everything to `outbound|PORT||HOST`
 * with the mesh default retry policy, no timeout, and the DestinationRule's consistent hash if any.
 */
export function defaultRoute(ctx: TranslationContext, service: ServiceInfo, port: number, hash: EnvoyObject | undefined): EnvoyObject {
  const action: EnvoyObject = { cluster: clusterName(port, undefined, service.hostname), ...timeoutFields(undefined, () => undefined) };
  if (hash) action.hash_policy = [hash];
  const retry = retryPolicy(undefined, false, ctx.options, (m) => ctx.warnings.add(service.source, m));
  if (retry) action.retry_policy = retry;
  return {
    name: 'default',
    match: { prefix: '/' },
    route: action,
    metadata: inboardMetadata({ source: 'default', service: service.hostname, port }),
  };
}
