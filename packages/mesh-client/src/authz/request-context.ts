// The request facts RBAC matchers read: normalised path, authority without a trailing dot, canonical
// addresses, the peer principal and the JWT as dynamic metadata (jwt_authn payload, istio_authn
// principal); plus the repeated-header check that answers 400 before authorization.

import { RequestView } from '../routing/request-view';
import type { NormalizedTarget } from './normalize-path';
import { canonicalIp } from './rbac-matchers';
import type { AuthzContext, AuthzRequest } from './types';

/** Envoy's jwt_authn filter name: its payload metadata is where Istio's JWT matchers look. */
export const JWT_AUTHN_FILTER = 'envoy.filters.http.jwt_authn';
/** The key under JWT_AUTHN_FILTER holding the verified payload. */
export const JWT_PAYLOAD_KEY = 'payload';
/** Istio's authn metadata namespace: `request.auth.principal` is the JWT's `<iss>/<sub>`. */
export const ISTIO_AUTHN_FILTER = 'istio_authn';

/** Dynamic metadata from a verified JWT payload: jwt_authn's payload and Istio's request principal. */
export function jwtMetadata(claims: Readonly<Record<string, unknown>> | undefined): Readonly<Record<string, unknown>> {
  if (!claims) return {};
  const { iss, sub } = claims;
  return {
    [JWT_AUTHN_FILTER]: { [JWT_PAYLOAD_KEY]: claims },
    ...(typeof iss === 'string' && typeof sub === 'string' ? { [ISTIO_AUTHN_FILTER]: { 'request.auth.principal': `${iss}/${sub}` } } : {}),
  };
}

/**
 * The authority authorization matches: the Host as sent, without a trailing dot on the host part
 * (`a.b.` and `a.b.:80` are `a.b` and `a.b:80`, as Envoy's strip_trailing_host_dot). Case is kept:
 * host matchers are case-insensitive. The port is kept, so a policy on `host:*` still sees it.
 */
export function normalizeAuthority(host: string): string {
  const bracket = host.startsWith('[') ? host.indexOf(']') : -1;
  const colon = bracket >= 0 ? host.indexOf(':', bracket) : host.lastIndexOf(':');
  const name = colon >= 0 ? host.slice(0, colon) : host;
  const port = colon >= 0 ? host.slice(colon) : '';
  return name.endsWith('.') && name.length > 1 ? `${name.slice(0, -1)}${port}` : host;
}

/** Headers of which a request may carry only one; a second copy is answered with 400 (RFC 9112 for Host). */
export const SINGLE_VALUE_HEADERS: readonly string[] = ['host', ':authority', 'authorization', 'proxy-authorization', 'content-length'];

/**
 * A reason to reject the request with 400 before authorization, or undefined: a repeated
 * single-value header (two Hosts, two Authorizations), which Node would silently reduce to the
 * first — then authorization and the application could read different values. Pass
 * req.headersDistinct (every header as an array).
 */
export function headerProblem(headersDistinct: Readonly<Record<string, readonly string[] | string | undefined>>): string | undefined {
  for (const name of SINGLE_VALUE_HEADERS) {
    const v = headersDistinct[name];
    if (Array.isArray(v) && v.length > 1) return `the request carries ${v.length} ${name} headers; only one is allowed`;
  }
  return undefined;
}

/** The request facts for the matchers, from a request and its already normalised target. */
export function authzContext(request: AuthzRequest, target: NormalizedTarget): AuthzContext {
  const principal = request.peer.principal === '' ? undefined : request.peer.principal;
  const view = new RequestView({
    authority: normalizeAuthority(request.host),
    method: request.method,
    path: target.url,
    headers: request.headers,
    scheme: request.scheme ?? (principal !== undefined ? 'https' : 'http'),
  });
  const directRemoteIp = canonicalIp(request.sourceIp);
  return {
    view,
    urlPath: target.path,
    destinationIp: canonicalIp(request.destinationIp),
    destinationPort: request.port,
    directRemoteIp,
    remoteIp: request.remoteIp !== undefined ? canonicalIp(request.remoteIp) : directRemoteIp,
    principal,
    sni: request.sni ?? '',
    metadata: jwtMetadata(request.jwtClaims),
  };
}
