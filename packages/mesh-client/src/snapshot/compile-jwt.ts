// Reads the JWT authentication an inbound listener carries (RequestAuthentication, translated by the
// control plane into Envoy's jwt_authn JwtAuthentication shape under `filter_metadata.inboard.jwt_authn`)
// into a frozen, validated config. Anything this client cannot enforce as written is an error, so the
// listener fails closed instead of letting an unverified token through.

import { AuthzError, type AuthzConfigIssue } from '../authz/errors';

/** The key of the JWT config in the inbound listener's `inboard` metadata. */
export const JWT_AUTHN_METADATA_KEY = 'jwt_authn';

/** Envoy's default clock skew for exp/nbf (JwtProvider.clock_skew_seconds). */
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
/** Envoy's default remote JWKS cache duration (RemoteJwks.cache_duration: 5 minutes). */
export const DEFAULT_JWKS_CACHE_MS = 300_000;
/** Istio's default JWKS fetch timeout (JWTRule.timeout: 5 s). */
export const DEFAULT_JWKS_TIMEOUT_MS = 5_000;

/** Where a token is looked for: a header (with a value prefix), a query parameter or a cookie. */
export type TokenLocation =
  | { readonly kind: 'header'; readonly name: string; readonly prefix: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'cookie'; readonly name: string };

/** The key source of a provider: an inline JWKS (JSON text) or a URL fetched and cached. */
export type JwksSource =
  | { readonly kind: 'local'; readonly jwks: string }
  | { readonly kind: 'remote'; readonly uri: string; readonly cacheMs: number; readonly timeoutMs: number };

/** One JwtProvider (one Istio jwtRule). */
export interface JwtProviderConfig {
  readonly name: string;
  readonly issuer: string;
  /** Accepted audiences; empty = the audience is not checked. */
  readonly audiences: readonly string[];
  readonly jwks: JwksSource;
  /** Token locations; Envoy's defaults (`Authorization: Bearer`, `?access_token`) when none are configured. */
  readonly locations: readonly TokenLocation[];
  /** Keep the token in the request after verification (Istio forwardOriginalToken). */
  readonly forward: boolean;
  /** Header that receives the base64url payload (Istio outputPayloadToHeader). */
  readonly payloadHeader?: string;
  /** Headers that receive claims (Istio outputClaimToHeaders). */
  readonly claimHeaders: readonly { readonly header: string; readonly claim: string }[];
  readonly clockSkewSeconds: number;
}

/** The JWT authentication of one inbound listener. */
export interface JwtAuthnConfig {
  /** Providers in config order; a token's `iss` picks the provider. */
  readonly providers: readonly JwtProviderConfig[];
  /** A request without any token passes authentication (Istio: authorization decides). */
  readonly allowMissing: boolean;
  /** CORS preflight requests skip authentication (Istio sets bypass_cors_preflight). */
  readonly bypassCorsPreflight: boolean;
  /** "RequestAuthentication/ns/name" of the policies the providers came from (for explain and logs). */
  readonly policies: readonly string[];
}

type Json = Record<string, unknown>;

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const PROVIDER_FIELDS = new Set([
  'issuer', 'audiences', 'local_jwks', 'remote_jwks', 'from_headers', 'from_params', 'from_cookies', 'forward',
  'forward_payload_header', 'claim_to_headers', 'payload_in_metadata', 'clock_skew_seconds',
]);
const TOP_FIELDS = new Set(['providers', 'rules', 'bypass_cors_preflight', 'policies']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Collects problems with their field paths; throws them together at the end. */
class Problems {
  readonly list: AuthzConfigIssue[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

function str(v: unknown, path: string, p: Problems, options: { optional?: boolean } = {}): string | undefined {
  if (v === undefined && options.optional) return undefined;
  if (typeof v !== 'string' || v === '') {
    p.add(path, `must be a non-empty string, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

function strings(v: unknown, path: string, p: Problems): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    p.add(path, 'must be a list of strings');
    return [];
  }
  return v.map((x, i) => str(x, `${path}[${i}]`, p)).filter((x): x is string => x !== undefined);
}

function headerName(v: unknown, path: string, p: Problems): string | undefined {
  const name = str(v, path, p);
  if (name === undefined) return undefined;
  if (!HEADER_NAME.test(name.toLowerCase())) p.add(path, `${JSON.stringify(name)} is not a valid header name`);
  return name.toLowerCase();
}

/** Duration `{ seconds, nanos }` (numbers or strings) in ms, or `fallback` when absent. */
function durationMs(v: unknown, path: string, p: Problems, fallback: number): number {
  if (v === undefined) return fallback;
  const seconds = Number(isObject(v) ? v['seconds'] ?? 0 : NaN);
  const nanos = Number(isObject(v) ? v['nanos'] ?? 0 : NaN);
  const ms = seconds * 1000 + nanos / 1e6;
  if (!Number.isFinite(ms) || ms <= 0) {
    p.add(path, `must be a positive duration { seconds, nanos }, got ${JSON.stringify(v)}`);
    return fallback;
  }
  return ms;
}

function jwksSource(o: Json, path: string, p: Problems): JwksSource | undefined {
  const local = o['local_jwks'];
  const remote = o['remote_jwks'];
  if ((local === undefined) === (remote === undefined)) {
    p.add(path, 'must set exactly one of local_jwks and remote_jwks');
    return undefined;
  }
  if (local !== undefined) {
    const jwks = str(isObject(local) ? local['inline_string'] : undefined, `${path}.local_jwks.inline_string`, p);
    if (jwks === undefined) return undefined;
    try {
      const parsed: unknown = JSON.parse(jwks);
      if (!isObject(parsed) || !Array.isArray(parsed['keys'])) p.add(`${path}.local_jwks.inline_string`, 'is not a JSON Web Key Set ({ "keys": [...] })');
    } catch (error) {
      p.add(`${path}.local_jwks.inline_string`, `is not valid JSON: ${(error as Error).message}`);
    }
    return { kind: 'local', jwks };
  }
  const r = isObject(remote) ? remote : {};
  const httpUri = isObject(r['http_uri']) ? r['http_uri'] : {};
  const uri = str(httpUri['uri'], `${path}.remote_jwks.http_uri.uri`, p);
  if (uri === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(uri);
  } catch {
    p.add(`${path}.remote_jwks.http_uri.uri`, `${JSON.stringify(uri)} is not a URL`);
  }
  if (parsed && parsed.protocol !== 'https:' && parsed.protocol !== 'http:') p.add(`${path}.remote_jwks.http_uri.uri`, `${JSON.stringify(uri)} must be http:// or https://`);
  return {
    kind: 'remote',
    uri,
    cacheMs: durationMs(r['cache_duration'], `${path}.remote_jwks.cache_duration`, p, DEFAULT_JWKS_CACHE_MS),
    timeoutMs: durationMs(httpUri['timeout'], `${path}.remote_jwks.http_uri.timeout`, p, DEFAULT_JWKS_TIMEOUT_MS),
  };
}

function locations(o: Json, path: string, p: Problems): TokenLocation[] {
  const out: TokenLocation[] = [];
  const headers = Array.isArray(o['from_headers']) ? o['from_headers'] : o['from_headers'] === undefined ? [] : (p.add(`${path}.from_headers`, 'must be a list'), []);
  headers.forEach((h: unknown, i: number) => {
    const at = `${path}.from_headers[${i}]`;
    const name = headerName(isObject(h) ? h['name'] : undefined, `${at}.name`, p);
    const prefix = isObject(h) && h['value_prefix'] !== undefined ? h['value_prefix'] : '';
    if (typeof prefix !== 'string') p.add(`${at}.value_prefix`, 'must be a string');
    if (name !== undefined) out.push({ kind: 'header', name, prefix: typeof prefix === 'string' ? prefix : '' });
  });
  for (const name of strings(o['from_params'], `${path}.from_params`, p)) out.push({ kind: 'param', name });
  for (const name of strings(o['from_cookies'], `${path}.from_cookies`, p)) out.push({ kind: 'cookie', name });
  // Envoy: with no location configured, `Authorization: Bearer <token>` and `?access_token=`.
  if (out.length === 0) out.push({ kind: 'header', name: 'authorization', prefix: 'Bearer ' }, { kind: 'param', name: 'access_token' });
  return out;
}

function provider(name: string, o: unknown, path: string, p: Problems): JwtProviderConfig | undefined {
  if (!isObject(o)) {
    p.add(path, 'must be an object');
    return undefined;
  }
  for (const key of Object.keys(o)) if (!PROVIDER_FIELDS.has(key)) p.add(`${path}.${key}`, 'is not a field this client enforces (unknown JwtProvider field)');
  const issuer = str(o['issuer'], `${path}.issuer`, p);
  const jwks = jwksSource(o, path, p);
  const forward = o['forward'] === undefined ? false : o['forward'];
  if (typeof forward !== 'boolean') p.add(`${path}.forward`, 'must be a boolean');
  const payloadHeader = o['forward_payload_header'] === undefined ? undefined : headerName(o['forward_payload_header'], `${path}.forward_payload_header`, p);
  const claimHeaders = (Array.isArray(o['claim_to_headers']) ? o['claim_to_headers'] : []).map((c: unknown, i: number) => ({
    header: headerName(isObject(c) ? c['header_name'] : undefined, `${path}.claim_to_headers[${i}].header_name`, p) ?? '',
    claim: str(isObject(c) ? c['claim_name'] : undefined, `${path}.claim_to_headers[${i}].claim_name`, p) ?? '',
  }));
  const skew = o['clock_skew_seconds'] === undefined ? DEFAULT_CLOCK_SKEW_SECONDS : Number(o['clock_skew_seconds']);
  if (!Number.isInteger(skew) || skew < 0) p.add(`${path}.clock_skew_seconds`, 'must be a non-negative integer');
  if (issuer === undefined || jwks === undefined) return undefined;
  return {
    name, issuer, audiences: strings(o['audiences'], `${path}.audiences`, p), jwks, locations: locations(o, path, p),
    forward: forward === true, ...(payloadHeader !== undefined ? { payloadHeader } : {}), claimHeaders, clockSkewSeconds: skew,
  };
}

/**
 * The one rule shape this client enforces (the one the control plane writes, Istio's): match prefix
 * "/" requiring any of the providers or none at all (allow_missing). Returns allowMissing.
 */
function readRules(rules: unknown, providers: ReadonlySet<string>, p: Problems): boolean {
  if (!Array.isArray(rules) || rules.length !== 1 || !isObject(rules[0])) {
    p.add('jwt_authn.rules', 'must hold exactly one rule (match prefix "/", requires_any of the providers)');
    return false;
  }
  const rule = rules[0];
  const match = isObject(rule['match']) ? rule['match'] : {};
  if (match['prefix'] !== '/' || Object.keys(match).length !== 1) p.add('jwt_authn.rules[0].match', 'must be { prefix: "/" }');
  const requires = isObject(rule['requires']) ? rule['requires'] : {};
  const any = isObject(requires['requires_any']) ? requires['requires_any'] : undefined;
  const list = any && Array.isArray(any['requirements']) ? any['requirements'] : undefined;
  const single = isObject(requires['provider_name']) || typeof requires['provider_name'] === 'string' ? [requires] : undefined;
  const requirements = list ?? single;
  if (!requirements) {
    p.add('jwt_authn.rules[0].requires', 'must be requires_any of provider_name entries (and allow_missing) or one provider_name');
    return false;
  }
  let allowMissing = false;
  const named = new Set<string>();
  requirements.forEach((r: unknown, i: number) => {
    const at = `jwt_authn.rules[0].requires.requires_any.requirements[${i}]`;
    if (isObject(r) && isObject(r['allow_missing']) && Object.keys(r).length === 1) allowMissing = true;
    else if (isObject(r) && typeof r['provider_name'] === 'string' && providers.has(r['provider_name'])) named.add(r['provider_name']);
    else p.add(at, `must be { provider_name } naming a provider, or { allow_missing: {} }; got ${JSON.stringify(r)}`);
  });
  for (const name of providers) if (!named.has(name)) p.add('jwt_authn.rules[0].requires', `provider ${JSON.stringify(name)} is not required by the rule`);
  return allowMissing;
}

/**
 * Compiles `inboard.jwt_authn` of an inbound listener's metadata. Undefined when the listener has no
 * JWT authentication. Throws AuthzError INVALID_INBOUND_METADATA listing every problem.
 */
export function compileJwtAuthn(metadata: Readonly<Record<string, unknown>> | undefined): JwtAuthnConfig | undefined {
  const inboard = metadata?.['inboard'];
  const raw = isObject(inboard) ? inboard[JWT_AUTHN_METADATA_KEY] : undefined;
  if (raw === undefined) return undefined;
  const p = new Problems();
  if (!isObject(raw)) throw new AuthzError('INVALID_INBOUND_METADATA', 'inbound listener metadata inboard.jwt_authn must be an object');
  for (const key of Object.keys(raw)) if (!TOP_FIELDS.has(key)) p.add(`jwt_authn.${key}`, 'is not a field this client enforces');
  const providersRaw = isObject(raw['providers']) ? raw['providers'] : {};
  if (Object.keys(providersRaw).length === 0) p.add('jwt_authn.providers', 'must name at least one provider');
  const providers = Object.entries(providersRaw)
    .map(([name, o]) => provider(name, o, `jwt_authn.providers.${name}`, p))
    .filter((x): x is JwtProviderConfig => x !== undefined);
  const allowMissing = readRules(raw['rules'], new Set(Object.keys(providersRaw)), p);
  const bypass = raw['bypass_cors_preflight'] ?? false;
  if (typeof bypass !== 'boolean') p.add('jwt_authn.bypass_cors_preflight', 'must be a boolean');
  const policies = Array.isArray(raw['policies']) ? raw['policies'].filter((x): x is string => typeof x === 'string') : [];
  if (p.list.length > 0) {
    throw new AuthzError('INVALID_INBOUND_METADATA', `inbound listener JWT config cannot be enforced: ${p.list.map((i) => `${i.path}: ${i.message}`).join('; ')}`, p.list);
  }
  return deepFreeze({ providers, allowMissing, bypassCorsPreflight: bypass === true, policies });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
