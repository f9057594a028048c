// RequestAuthentication on an inbound request, in process (Envoy's jwt_authn with Istio's rules):
// find every token, pick the provider by the token's issuer, verify with `jose` against the inline or
// fetched (cached) JWKS with asymmetric algorithms only, and produce the principal, the claims and
// the request edits — or Envoy's 401 `Jwt verification fails` for any token that does not verify.

import type { JwksSource, JwtAuthnConfig, JwtProviderConfig } from '../snapshot/compile-jwt';
import type { LocalReply } from '../authz';
import {
  claimHeaderValue, claimValue, extractTokens, removeQueryParams, type DistinctHeaders, type FoundToken, type RequestEdit,
} from './request-authn-tokens';

/**
 * Algorithms a token may be signed with: asymmetric ones only. `none` and HS* are never accepted —
 * an HMAC "signed" with a public key (key confusion) cannot verify, whatever the JWKS holds.
 */
export const ALLOWED_JWT_ALGORITHMS: readonly string[] = Object.freeze([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
]);

/** The `jose` module (ESM-only, so loaded with a dynamic import from this CommonJS package; Node caches it). */
export type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
type KeyResolver = ReturnType<Jose['createLocalJWKSet']> | ReturnType<Jose['createRemoteJWKSet']>;

/** Loads `jose`. */
export function loadJose(): Promise<Jose> {
  return import('jose');
}

/** Longest token considered (longer ones are rejected before any parsing). */
export const MAX_TOKEN_LENGTH = 8192;

/** Envoy's 401 body for a token that fails verification. */
export const JWT_FAILURE_BODY = 'Jwt verification fails';

/** The inbound request facts authentication reads. */
export interface AuthnRequest {
  readonly method: string;
  /** The raw request target (path and query). */
  readonly url: string;
  readonly headers: DistinctHeaders;
  /** `http` or `https` (for the 401's realm). */
  readonly scheme: string;
  readonly host: string;
}

/** The result of authenticating one request. */
export type AuthnOutcome =
  | { readonly kind: 'anonymous'; readonly edit: RequestEdit }
  | {
    readonly kind: 'authenticated';
    /** The verified payload (the claims authorization reads); with several tokens, the first. */
    readonly claims: Readonly<Record<string, unknown>>;
    /** `<iss>/<sub>`, when both are strings. */
    readonly principal?: string;
    readonly edit: RequestEdit;
  }
  | { readonly kind: 'rejected'; readonly reason: string; readonly reply: LocalReply };

/**
 * Key resolvers by JWKS source, kept across config pushes so a remote JWKS is fetched once per cache
 * period (not once per push). Remote sets use jose's cache: keys fetched within `cacheMs` are used
 * without a fetch; after that a failed refetch fails verification (closed).
 */
export class JwksCache {
  private readonly resolvers = new Map<string, KeyResolver>();

  /** The key resolver for a provider's JWKS source. */
  resolver(jose: Jose, source: JwksSource): KeyResolver {
    const { createLocalJWKSet, createRemoteJWKSet } = jose;
    const key = source.kind === 'local' ? `local|${source.jwks}` : `remote|${source.uri}|${source.cacheMs}|${source.timeoutMs}`;
    let resolver = this.resolvers.get(key);
    if (!resolver) {
      resolver = source.kind === 'local'
        ? createLocalJWKSet(JSON.parse(source.jwks) as Parameters<typeof createLocalJWKSet>[0])
        : createRemoteJWKSet(new URL(source.uri), { timeoutDuration: source.timeoutMs, cacheMaxAge: source.cacheMs, cooldownDuration: Math.min(30_000, source.cacheMs) });
      this.resolvers.set(key, resolver);
    }
    return resolver;
  }
}

/** Envoy's 401: `www-authenticate: Bearer realm="<scheme>://<host><path>", error="invalid_token"`. */
export function jwtFailureReply(request: Pick<AuthnRequest, 'scheme' | 'host' | 'url'>): LocalReply {
  const q = request.url.search(/[?#]/);
  const path = q < 0 ? request.url : request.url.slice(0, q);
  const realm = `${request.scheme}://${request.host}${path}`.replace(/["\\\r\n]/g, '');
  return {
    status: 401,
    headers: {
      'content-type': 'text/plain',
      'content-length': String(Buffer.byteLength(JWT_FAILURE_BODY)),
      'www-authenticate': `Bearer realm="${realm}", error="invalid_token"`,
    },
    body: JWT_FAILURE_BODY,
  };
}

function isCorsPreflight(request: AuthnRequest): boolean {
  return request.method === 'OPTIONS' && (request.headers['origin']?.length ?? 0) > 0 && (request.headers['access-control-request-method']?.length ?? 0) > 0;
}

/** Verifies one token; its `iss` picks the providers to try. Returns the payload and provider, or why not. */
async function verifyToken(
  token: string, config: JwtAuthnConfig, jwks: JwksCache, now: number,
): Promise<{ ok: true; payload: Record<string, unknown>; provider: JwtProviderConfig } | { ok: false; reason: string }> {
  const jose = await loadJose();
  const { decodeJwt, decodeProtectedHeader, jwtVerify } = jose;
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: `Jwt is longer than ${MAX_TOKEN_LENGTH} characters` };
  let iss: unknown;
  try {
    const header = decodeProtectedHeader(token);
    if (typeof header.alg !== 'string' || !ALLOWED_JWT_ALGORITHMS.includes(header.alg)) return { ok: false, reason: `Jwt algorithm ${JSON.stringify(header.alg)} is not allowed` };
    iss = decodeJwt(token).iss;
  } catch (error) {
    return { ok: false, reason: `Jwt is not in the form of Header.Payload.Signature: ${(error as Error).message}` };
  }
  const candidates = config.providers.filter((p) => p.issuer === iss);
  if (candidates.length === 0) return { ok: false, reason: `Jwt issuer ${JSON.stringify(iss)} is not configured` };
  let reason = '';
  for (const provider of candidates) {
    try {
      const { payload } = await jwtVerify(token, jwks.resolver(jose, provider.jwks), {
        issuer: provider.issuer,
        ...(provider.audiences.length > 0 ? { audience: [...provider.audiences] } : {}),
        algorithms: [...ALLOWED_JWT_ALGORITHMS],
        clockTolerance: provider.clockSkewSeconds,
        currentDate: new Date(now),
      });
      return { ok: true, payload: payload as Record<string, unknown>, provider };
    } catch (error) {
      const e = error as { code?: string; message?: string };
      reason = `${provider.name}: ${e.code ?? 'ERR'} ${e.message ?? String(error)}`;
    }
  }
  return { ok: false, reason };
}

/** Every token at any provider's locations (Envoy's requires_any extracts from all of them). */
function allTokens(config: JwtAuthnConfig, request: AuthnRequest): FoundToken[] {
  const byToken = new Map<string, FoundToken>();
  for (const provider of config.providers) {
    for (const found of extractTokens(provider.locations, request.url, request.headers)) {
      const seen = byToken.get(found.token);
      byToken.set(found.token, seen ? { token: found.token, places: [...seen.places, ...found.places.filter((l) => !seen.places.includes(l))] } : found);
    }
  }
  return [...byToken.values()];
}

/** Headers the providers write: incoming copies are always removed (the application must not trust them). */
function outputHeaders(config: JwtAuthnConfig): string[] {
  return [...new Set(config.providers.flatMap((p) => [...(p.payloadHeader ? [p.payloadHeader] : []), ...p.claimHeaders.map((c) => c.header)]))];
}

/**
 * The outcome when no token needs verifying (no token, or a CORS preflight): anonymous, or 401 when
 * tokens are required. Undefined when the request carries a token. Synchronous.
 */
export function outcomeWithoutVerification(config: JwtAuthnConfig, request: AuthnRequest): AuthnOutcome | undefined {
  const anonymous: RequestEdit = { url: request.url, removeHeaders: outputHeaders(config), removeCookies: [], setHeaders: {} };
  if (config.bypassCorsPreflight && isCorsPreflight(request)) return { kind: 'anonymous', edit: anonymous };
  if (allTokens(config, request).length > 0) return undefined;
  return config.allowMissing ? { kind: 'anonymous', edit: anonymous } : { kind: 'rejected', reason: 'Jwt is missing', reply: jwtFailureReply(request) };
}

/**
 * Authenticates one request against a listener's JWT config. Every token found must verify (a good
 * token never carries a bad one through); no token passes as anonymous when the config allows missing
 * tokens (Istio's RequestAuthentication always does). `now` is the verification time in ms.
 */
export async function authenticateRequest(config: JwtAuthnConfig, request: AuthnRequest, jwks: JwksCache, now: number): Promise<AuthnOutcome> {
  const early = outcomeWithoutVerification(config, request);
  if (early) return early;
  const outputs = outputHeaders(config);
  const tokens = allTokens(config, request);
  const verified: { found: FoundToken; payload: Record<string, unknown>; provider: JwtProviderConfig }[] = [];
  for (const found of tokens) {
    const result = await verifyToken(found.token, config, jwks, now);
    if (!result.ok) return { kind: 'rejected', reason: result.reason, reply: jwtFailureReply(request) };
    verified.push({ found, payload: result.payload, provider: result.provider });
  }
  const removeHeaders = new Set(outputs);
  const removeParams = new Set<string>();
  const removeCookies = new Set<string>();
  const setHeaders: Record<string, string> = {};
  for (const { found, payload, provider } of verified) {
    if (!provider.forward) {
      for (const place of found.places) {
        if (place.kind === 'header') removeHeaders.add(place.name);
        else if (place.kind === 'param') removeParams.add(place.name);
        else removeCookies.add(place.name);
      }
    }
    if (provider.payloadHeader) setHeaders[provider.payloadHeader] = found.token.split('.')[1] ?? '';
    for (const { header, claim } of provider.claimHeaders) {
      const value = claimHeaderValue(claimValue(payload, claim));
      if (value !== undefined) setHeaders[header] = value;
    }
  }
  const claims = verified[0]!.payload;
  const { iss, sub } = claims;
  return {
    kind: 'authenticated',
    claims,
    ...(typeof iss === 'string' && typeof sub === 'string' ? { principal: `${iss}/${sub}` } : {}),
    edit: { url: removeQueryParams(request.url, removeParams), removeHeaders: [...removeHeaders], removeCookies: [...removeCookies], setHeaders },
  };
}
