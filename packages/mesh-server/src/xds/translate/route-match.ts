// HTTPMatchRequest → Envoy RouteMatch, as istiod's TranslateRouteMatch builds it: uri exact/prefix/
// regex, headers and withoutHeaders (sorted by name), then :method, :authority, :scheme, then query
// parameters; `{}` or regex "*" means "present"; JWT claim headers become dynamic-metadata matchers.

import type { HTTPMatchRequest, StringMatch } from '../../config/istio-types';
import type { EnvoyObject } from './envoy-names';

/** A translated match and the facts callers need to decide whether a client can use it. */
export interface TranslatedMatch {
  readonly match: EnvoyObject;
  /** Matches on `@request.auth.claims.*` (needs JWT authentication in the client). */
  readonly usesJwtClaims: boolean;
  /** Matches on query parameters (gRPC requests have none). */
  readonly usesQueryParameters: boolean;
}

const RESERVED_HEADER_KEYS = new Set(['uri', 'scheme', 'method', 'authority']);
const JWT_CLAIM_PREFIX = '@request.auth.claims';

/** StringMatch → envoy.type.matcher.v3.StringMatcher, or undefined when no match kind is set. */
export function toStringMatcher(sm: StringMatch | undefined): EnvoyObject | undefined {
  if (!sm) return undefined;
  if (sm.exact !== undefined) return { exact: sm.exact };
  if (sm.prefix !== undefined) return sm.prefix === '' ? undefined : { prefix: sm.prefix };
  if (sm.regex !== undefined) return sm.regex === '' ? { exact: '' } : { safe_regex: { regex: sm.regex } };
  return undefined;
}

/** True when Istio turns a StringMatch into a presence check: empty, or the non-RE2 regex "*". */
function isPresenceMatch(sm: StringMatch | undefined): boolean {
  if (!sm) return true;
  if (sm.regex === '*') return true;
  if (sm.prefix === '') return true; // every value has the empty prefix
  return sm.exact === undefined && sm.prefix === undefined && sm.regex === undefined;
}

/** A HeaderMatcher for one header name and StringMatch. */
export function headerMatcher(name: string, sm: StringMatch | undefined): EnvoyObject {
  if (isPresenceMatch(sm)) return { name, present_match: true };
  return { name, string_match: toStringMatcher(sm) };
}

/** The claim path of "@request.auth.claims.a.b" or "@request.auth.claims[a][b]", or undefined. */
export function jwtClaimPath(header: string): string[] | undefined {
  if (!header.startsWith(JWT_CLAIM_PREFIX)) return undefined;
  const rest = header.slice(JWT_CLAIM_PREFIX.length);
  if (rest.startsWith('.')) {
    const parts = rest.slice(1).split('.');
    return parts.every((p) => p !== '') ? parts : undefined;
  }
  const bracketed = /^(\[[^\][]+\])+$/.exec(rest);
  if (!bracketed) return undefined;
  return [...rest.matchAll(/\[([^\][]+)\]/g)].map((m) => m[1]!);
}

/** Istio's dynamic-metadata matcher for a JWT claim (filter istio_authn, list of claim values). */
function claimMatcher(path: readonly string[], sm: StringMatch | undefined, invert: boolean): EnvoyObject {
  const stringMatch = toStringMatcher(sm) ?? { safe_regex: { regex: '.+' } };
  return {
    filter: 'istio_authn',
    path: [{ key: 'request.auth.claims' }, ...path.map((key) => ({ key }))],
    value: { list_match: { one_of: { string_match: stringMatch } } },
    ...(invert ? { invert: true } : {}),
  };
}

/**
 * Translates one HTTPMatchRequest (undefined = match everything). `warn` receives problems with
 * individual fields; the match is still produced without them.
 */
export function translateRouteMatch(match: HTTPMatchRequest | undefined, warn: (message: string) => void): TranslatedMatch {
  if (!match) return { match: { prefix: '/' }, usesJwtClaims: false, usesQueryParameters: false };
  const out: EnvoyObject = {};
  const uri = match.uri;
  if (uri?.exact !== undefined) out.path = uri.exact;
  else if (uri?.prefix !== undefined) out.prefix = uri.prefix;
  else if (uri?.regex !== undefined) out.safe_regex = { regex: uri.regex };
  else out.prefix = '/';
  if (match.ignoreUriCase) out.case_sensitive = { value: false };

  const headers: EnvoyObject[] = [];
  const dynamicMetadata: EnvoyObject[] = [];
  const add = (name: string, sm: StringMatch | undefined, invert: boolean) => {
    const claim = jwtClaimPath(name);
    if (claim) {
      dynamicMetadata.push(claimMatcher(claim, sm, invert));
      return;
    }
    if (RESERVED_HEADER_KEYS.has(name.toLowerCase())) {
      warn(`match header "${name}" ignored: uri, scheme, method and authority have their own match fields`);
      return;
    }
    const m = headerMatcher(name, sm);
    if (invert) {
      m.invert_match = true;
      if (!isPresenceMatch(sm)) m.treat_missing_header_as_empty = true;
    }
    headers.push(m);
  };
  for (const [name, sm] of Object.entries(match.headers ?? {})) add(name, sm, false);
  for (const [name, sm] of Object.entries(match.withoutHeaders ?? {})) add(name, sm, true);
  headers.sort((a, b) => compare(a.name as string, b.name as string) || Number(!!a.invert_match) - Number(!!b.invert_match));
  if (match.method) headers.push(headerMatcher(':method', match.method));
  if (match.authority) headers.push(headerMatcher(':authority', match.authority));
  if (match.scheme) headers.push(headerMatcher(':scheme', match.scheme));
  if (headers.length > 0) out.headers = headers;

  const query = Object.keys(match.queryParams ?? {}).sort().map((name) => {
    const sm = match.queryParams![name];
    return isPresenceMatch(sm) ? { name, present_match: true } : { name, string_match: toStringMatcher(sm) };
  });
  if (query.length > 0) out.query_parameters = query;
  if (dynamicMetadata.length > 0) out.dynamic_metadata = dynamicMetadata;
  return { match: out, usesJwtClaims: dynamicMetadata.length > 0, usesQueryParameters: query.length > 0 };
}

/** Istio's IsCatchAllRoute: prefix "/" or regex ".*" with no header, query or metadata conditions. */
export function isCatchAllMatch(match: EnvoyObject): boolean {
  const pathAll = match.prefix === '/' || (match.safe_regex as { regex?: string } | undefined)?.regex === '.*';
  return pathAll && !match.headers && !match.query_parameters && !match.dynamic_metadata;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
