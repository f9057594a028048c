// The parts of a VirtualService: HTTP routes (match, destinations, redirect, direct response,
// rewrite, retries, fault, mirror, CORS, headers) and TCP/TLS routes, with Istio's rules for each.

import { destination, headerOperations, ipCidrString, labelMap, percent, port, report, stringMatch } from './common';
import { CORS_METHODS, GRPC_STATUS_NAMES, isAuthorityHeader, matchHeaderNameError, REDIRECT_CODES, regexError, retryOnErrors, tokenHeaderNameError } from './http-rules';
import { dns1123LabelError, fqdnError } from './names';
import {
  at, boolean, type Ctx, deprecated, duration, enumOf, has, integer, item, list, listOf, mapOf, notEnforced, number, object,
  rec, rejected, type Schema, str, string, uint32,
} from './schema';

/** A gateway reference: "mesh", "<namespace>/<name>", or a name in the VirtualService's namespace. */
export const gatewayName = (): Schema => string({
  check(name, path, ctx) {
    if (name === 'mesh') return;
    const slash = name.indexOf('/');
    if (slash < 0) {
      if (name.includes('.')) {
        const [gw, ns] = name.split('.');
        ctx.warn(path, `legacy gateway name format ${JSON.stringify(name)}; prefer "<namespace>/<name>": "${ns}/${gw}"`);
        return report(ctx, path, fqdnError(name));
      }
      return report(ctx, path, dns1123LabelError(name) && `gateway name ${dns1123LabelError(name)}`);
    }
    const ns = name.slice(0, slash);
    const gw = name.slice(slash + 1);
    if (ns === '' || gw === '') return ctx.error(path, `${JSON.stringify(name)}: namespace and gateway name must both be set in "<namespace>/<name>"`);
    report(ctx, path, dns1123LabelError(ns) && `gateway namespace ${dns1123LabelError(ns)}`);
    report(ctx, path, dns1123LabelError(gw) && `gateway name ${dns1123LabelError(gw)}`);
  },
});

const headerMatches = (options: { starIsPresence?: boolean }): Schema => mapOf(
  stringMatch({ presenceAllowed: true, ...options }),
  { key: (k, p, ctx) => report(ctx, p, matchHeaderNameError(k)) },
);

const httpMatch = object({
  name: string(),
  uri: stringMatch({ emptyPrefixAllowed: true }),
  scheme: stringMatch(),
  method: stringMatch(),
  authority: stringMatch(),
  headers: headerMatches({}),
  port: port(),
  sourceLabels: labelMap(),
  gateways: listOf(gatewayName()),
  queryParams: mapOf(stringMatch({ presenceAllowed: true })),
  ignoreUriCase: boolean(),
  withoutHeaders: headerMatches({ starIsPresence: true }),
  sourceNamespace: notEnforced(string({ check: (v, p, ctx) => report(ctx, p, dns1123LabelError(v)) }), 'routes are not scoped by the caller\'s namespace yet'),
  statPrefix: notEnforced(string(), 'per-route statistics prefixes are not emitted'),
});

/** Weighted destinations: weights ≥ 0, and with several destinations their total must not be 0. */
const weightedDestinations = (entry: Schema): Schema => listOf(entry, {
  check(routes, path, ctx) {
    if (routes.length < 2) return;
    if (routes.some((r) => { const w = rec(r)?.weight; return w !== undefined && w !== null && typeof w !== 'number'; })) return; // reported already
    const total = routes.reduce<number>((sum, r) => sum + (typeof rec(r)?.weight === 'number' ? (rec(r)!.weight as number) : 0), 0);
    if (total === 0) ctx.error(path, 'the weights of the destinations add up to 0; give at least one destination a positive weight');
  },
});

const weight = (): Schema => integer({ min: 0 });

const httpRouteDestination = object(
  { destination: destination(), weight: weight(), headers: headerOperations() },
  { required: ['destination'] },
);

const redirect = object(
  {
    uri: string(),
    prefixRewrite: string(),
    authority: string(),
    port: port(),
    derivePort: enumOf(['FROM_PROTOCOL_DEFAULT', 'FROM_REQUEST_PORT']),
    scheme: enumOf(['http', 'https']),
    redirectCode: uint32((code, p, ctx) => {
      if (!REDIRECT_CODES.includes(code)) ctx.error(p, `${code} is not a redirect code Envoy can send; use one of ${REDIRECT_CODES.join(', ')}`);
    }),
  },
  {
    exclusive: [['uri', 'prefixRewrite'], ['port', 'derivePort']],
    check(r, p, ctx) {
      if (!['uri', 'prefixRewrite', 'authority', 'port', 'derivePort', 'scheme'].some((f) => has(r, f))) {
        ctx.error(p, 'a redirect must set at least one of uri, prefixRewrite, authority, scheme, port or derivePort');
      }
    },
  },
);

const directResponse = object(
  {
    status: uint32((status, p, ctx) => {
      if (status < 200 || status > 599) ctx.error(p, `HTTP status ${status} must be in 200..599`);
    }),
    body: object({
      string: string({ check: (v, p, ctx) => checkBodySize(Buffer.byteLength(v), p, ctx) }),
      bytes: string({
        check(v, p, ctx) {
          if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 !== 0) return ctx.error(p, 'must be base64-encoded');
          checkBodySize(Buffer.from(v, 'base64').length, p, ctx);
        },
      }),
    }, { exclusive: [['string', 'bytes']] }),
  },
  { required: ['status'] },
);

function checkBodySize(bytes: number, path: string, ctx: Ctx): void {
  if (bytes > 1024 * 1024) ctx.error(path, `a direct response body must be smaller than 1 MiB (this one is ${bytes} bytes)`);
  else if (bytes > 100 * 1024) ctx.warn(path, `a large direct response body (${bytes} bytes) is sent to every client in every push`);
}

const rewrite = object(
  {
    uri: string(),
    uriRegexRewrite: object(
      { match: string({ check: (v, p, ctx) => report(ctx, p, regexError(v)) }), rewrite: string() },
      { required: ['match', 'rewrite'] },
    ),
    authority: string(),
  },
  {
    exclusive: [['uri', 'uriRegexRewrite']],
    check(r, p, ctx) {
      if (!['uri', 'uriRegexRewrite', 'authority'].some((f) => has(r, f))) ctx.error(p, 'a rewrite must set uri, uriRegexRewrite or authority');
    },
  },
);

const retries = object(
  {
    attempts: integer({ min: 0 }),
    perTryTimeout: duration(),
    retryOn: string({ check: (v, p, ctx) => retryOnErrors(v).forEach((e) => ctx.error(p, e)) }),
    retryRemoteLocalities: notEnforced(boolean(), 'locality-aware retries are not implemented'),
    backoff: duration(),
    retryIgnorePreviousHosts: boolean(),
  },
  {
    check(r, p, ctx) {
      if ((r.attempts ?? 0) !== 0) return;
      const useless = ['perTryTimeout', 'retryOn', 'retryRemoteLocalities'].filter((f) => has(r, f));
      if (useless.length > 0) ctx.error(p, `attempts is 0 (retries disabled), so ${useless.join(', ')} would have no effect; set attempts or remove them`);
    },
  },
);

const fault = object(
  {
    delay: object(
      {
        fixedDelay: duration(),
        exponentialDelay: rejected('exponentialDelay is not supported (Istio does not support it either); use fixedDelay'),
        percentage: percent(),
        percent: deprecated(integer({ min: 0, max: 100 }), 'use percentage: { value: N }'),
      },
      {
        required: ['fixedDelay'],
        exclusive: [['percentage', 'percent']],
      },
    ),
    abort: object(
      {
        httpStatus: integer({ check: (s, p, ctx) => (s < 200 || s > 599 ? ctx.error(p, `HTTP status ${s} must be in 200..599`) : undefined) }),
        grpcStatus: enumOf(GRPC_STATUS_NAMES),
        http2Error: rejected('http2Error aborts are not supported (Istio does not support them either); use httpStatus or grpcStatus'),
        percentage: percent(),
      },
      {
        exclusive: [['httpStatus', 'grpcStatus', 'http2Error']],
        check(a, p, ctx) {
          if (!has(a, 'httpStatus') && !has(a, 'grpcStatus') && !has(a, 'http2Error')) ctx.error(p, 'an abort needs httpStatus or grpcStatus');
        },
      },
    ),
  },
  {
    check(f, p, ctx) {
      if (!has(f, 'delay') && !has(f, 'abort')) ctx.error(p, 'a fault must set delay, abort or both');
    },
  },
);

/** A mirror percentage: any value in 0..100 (Istio's mirror rule, unlike fault percentages). */
const mirrorPercent = (): Schema => object({ value: number({ min: 0, max: 100 }) });

const corsPolicy = object({
  allowOrigins: listOf(stringMatch()),
  allowOrigin: deprecated(listOf(string()), 'use allowOrigins with exact/prefix/regex matches'),
  allowMethods: listOf(enumOf(CORS_METHODS)),
  allowHeaders: listOf(string({ check: (v, p, ctx) => report(ctx, p, tokenHeaderNameError(v, true)) })),
  exposeHeaders: listOf(string({ check: (v, p, ctx) => report(ctx, p, tokenHeaderNameError(v, true)) })),
  maxAge: duration({ wholeSeconds: true }),
  allowCredentials: boolean(),
  unmatchedPreflights: enumOf(['UNSPECIFIED', 'FORWARD', 'IGNORE']),
});

/** One HTTP route rule. */
export const httpRoute: Schema = object(
  {
    name: string(),
    match: listOf(httpMatch),
    route: weightedDestinations(httpRouteDestination),
    redirect,
    directResponse,
    delegate: rejected('delegate is not supported by Inboard; write the routes in this VirtualService'),
    rewrite,
    timeout: duration(),
    retries,
    fault,
    mirror: destination(),
    mirrors: listOf(object({ destination: destination(), percentage: mirrorPercent() }, { required: ['destination'] })),
    mirrorPercentage: mirrorPercent(),
    mirrorPercent: deprecated(integer({ min: 0, max: 100 }), 'use mirrorPercentage: { value: N }'),
    mirror_percent: rejected('mirror_percent is a deprecated alias; write mirrorPercentage: { value: N }'),
    corsPolicy: notEnforced(corsPolicy, 'CORS is not applied by Inboard clients or the gateway yet'),
    headers: headerOperations(),
  },
  {
    exclusive: [['mirror', 'mirrors'], ['mirrorPercentage', 'mirrorPercent']],
    check(route, path, ctx) {
      checkActions(route, path, ctx);
      checkPrefixRewrite(route, path, ctx);
      checkAuthorityRewrite(route, path, ctx);
    },
  },
);

/** route, redirect and directResponse are alternatives; fault and rewrite only go with route. */
function checkActions(route: Record<string, unknown>, path: string, ctx: Ctx): void {
  const hasRoute = list(route.route).length > 0;
  const redirect = has(route, 'redirect');
  const direct = has(route, 'directResponse');
  if (!redirect && !direct) {
    if (!hasRoute && !has(route, 'delegate')) ctx.error(path, 'one of route, redirect or directResponse is required');
    return;
  }
  const action = redirect ? 'redirect' : 'directResponse';
  const others = [
    ...(hasRoute ? ['route'] : []),
    ...['fault', 'rewrite'].filter((f) => has(route, f)),
    ...(redirect && direct ? ['directResponse'] : []),
  ];
  for (const other of others) ctx.error(at(path, action), `${action} cannot be combined with ${other} in one rule`);
}

function checkPrefixRewrite(route: Record<string, unknown>, path: string, ctx: Ctx): void {
  if (!has(rec(route.redirect), 'prefixRewrite')) return;
  list(route.match).forEach((m, i) => {
    const uri = rec(rec(m)?.uri);
    if (uri && !has(uri, 'prefix')) {
      ctx.error(item(at(path, 'match'), i), 'redirect.prefixRewrite requires every URI match of the rule to be a prefix match');
    }
  });
}

/** The authority may be rewritten in one place only: rewrite.authority or a request header. */
function checkAuthorityRewrite(route: Record<string, unknown>, path: string, ctx: Ctx): void {
  const sources: string[] = [];
  if (str(rec(route.rewrite)?.authority)) sources.push('rewrite.authority');
  const request = rec(rec(route.headers)?.request);
  for (const op of ['set', 'add']) {
    for (const name of Object.keys(rec(request?.[op]) ?? {})) if (isAuthorityHeader(name)) sources.push(`headers.request.${op}[${name}]`);
  }
  if (sources.length > 1) ctx.error(path, `the authority is rewritten more than once (${sources.join(', ')}); keep one`);
}

// ---- TCP and TLS ------------------------------------------------------------------------------

const l4MatchFields = {
  destinationSubnets: listOf(ipCidrString()),
  port: port(),
  sourceLabels: labelMap(),
  gateways: listOf(gatewayName()),
  sourceNamespace: string({ check: (v, p, ctx) => report(ctx, p, dns1123LabelError(v)) }),
};

const routeDestination = object({ destination: destination(), weight: weight() }, { required: ['destination'] });

/** One opaque TCP route. */
export const tcpRoute: Schema = object(
  {
    match: listOf(object({ ...l4MatchFields, sourceSubnet: ipCidrString() })),
    route: weightedDestinations(routeDestination),
  },
  { check: (r, p, ctx) => (list(r.route).length === 0 ? ctx.error(at(p, 'route'), 'is required') : undefined) },
);

/** One TLS (SNI) route; SNI hosts are checked against the VirtualService's hosts by the caller. */
export const tlsRoute: Schema = object(
  {
    match: listOf(object({ ...l4MatchFields, sniHosts: listOf(string(), { minItems: 1 }) }, { required: ['sniHosts'] }), { minItems: 1 }),
    route: weightedDestinations(routeDestination),
  },
  {
    required: ['match'],
    check: (r, p, ctx) => (list(r.route).length === 0 ? ctx.error(at(p, 'route'), 'is required') : undefined),
  },
);
