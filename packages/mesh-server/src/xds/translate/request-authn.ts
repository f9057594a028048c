// RequestAuthentication → Envoy's jwt_authn JwtAuthentication for a workload's inbound listeners, as
// Istio builds it: one provider `origins-<i>` per jwtRule of every policy that selects the workload
// (root namespace, namespace-wide, then selector), and one rule requiring any provider or none
// (allow_missing). Carried in the listener's `filter_metadata.inboard.jwt_authn`: the jwt_authn proto
// is not among the protos @inboard/xds loads, and gRPC xDS servers have no jwt_authn filter.

import type { Resource } from '../../config/resource';
import type { JWTRule, RequestAuthenticationSpec } from '../../config/istio-types';
import { sourceOf } from './context';
import { parseDuration } from './durations';
import { selectorMatches, type PolicyTarget } from './rbac-policies';
import type { StructJson } from './struct';
import type { WarningSink } from './warnings';

/** `@type` the JwtAuthentication would have as an HTTP filter (the content is that message's, snake_case). */
export const JWT_AUTHN_TYPE_URL = 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';

/** The key of the JWT config in the inbound listener's `inboard` metadata. */
export const JWT_AUTHN_METADATA_KEY = 'jwt_authn';

/** Where the verified payload goes in dynamic metadata: the key Istio's RBAC matchers read. */
export const JWT_PAYLOAD_IN_METADATA = 'payload';

/** Envoy's remote JWKS cache duration Istio sets (5 minutes). */
export const JWKS_CACHE_SECONDS = 300;

/** Istio's default JWKS fetch timeout (JWTRule.timeout). */
export const DEFAULT_JWKS_TIMEOUT = '5s';

/**
 * The RequestAuthentications that apply to `target`, in config order: those of the root namespace
 * (mesh-wide) and of the workload's namespace whose selector is empty or matches its labels.
 */
export function applicableRequestAuthentications(config: readonly Resource[], target: PolicyTarget, rootNamespace: string): Resource<RequestAuthenticationSpec>[] {
  return config
    .filter((r): r is Resource<RequestAuthenticationSpec> => r.kind === 'RequestAuthentication')
    .filter((r) => (r.metadata.namespace === rootNamespace || r.metadata.namespace === target.namespace) && selectorMatches(r.spec.selector, target.labels));
}

/** `outbound|PORT||HOST` for the JWKS server (Envoy's http_uri.cluster; Istio names it so). */
function jwksCluster(uri: URL): string {
  const port = uri.port !== '' ? uri.port : uri.protocol === 'https:' ? '443' : '80';
  return `outbound|${port}||${uri.hostname}`;
}

/** One JwtProvider from a jwtRule, or undefined (with a warning) when it cannot be enforced. */
function provider(rule: JWTRule, source: string, warnings: WarningSink): Record<string, StructJson> | undefined {
  const out: Record<string, StructJson> = { issuer: rule.issuer };
  if (rule.audiences && rule.audiences.length > 0) out['audiences'] = [...rule.audiences];
  if (rule.jwks !== undefined) {
    out['local_jwks'] = { inline_string: rule.jwks };
  } else if (rule.jwksUri !== undefined) {
    let uri: URL;
    try {
      uri = new URL(rule.jwksUri);
    } catch {
      warnings.add(source, `jwtRules issuer ${JSON.stringify(rule.issuer)}: jwksUri ${JSON.stringify(rule.jwksUri)} is not a URL; tokens of this issuer fail verification`);
      return undefined;
    }
    const timeout = parseDuration(rule.timeout ?? DEFAULT_JWKS_TIMEOUT) ?? parseDuration(DEFAULT_JWKS_TIMEOUT)!;
    out['remote_jwks'] = {
      http_uri: { uri: rule.jwksUri, cluster: jwksCluster(uri), timeout: { seconds: Number(timeout.seconds), nanos: timeout.nanos } },
      cache_duration: { seconds: JWKS_CACHE_SECONDS, nanos: 0 },
    };
  } else {
    warnings.add(source, `jwtRules issuer ${JSON.stringify(rule.issuer)}: neither jwks nor jwksUri is set (OpenID discovery is not supported); tokens of this issuer fail verification`);
    return undefined;
  }
  if (rule.fromHeaders?.length) out['from_headers'] = rule.fromHeaders.map((h) => ({ name: h.name, value_prefix: h.prefix ?? '' }));
  if (rule.fromParams?.length) out['from_params'] = [...rule.fromParams];
  if (rule.fromCookies?.length) out['from_cookies'] = [...rule.fromCookies];
  out['forward'] = rule.forwardOriginalToken === true;
  if (rule.outputPayloadToHeader) out['forward_payload_header'] = rule.outputPayloadToHeader;
  if (rule.outputClaimToHeaders?.length) out['claim_to_headers'] = rule.outputClaimToHeaders.map((c) => ({ header_name: c.header, claim_name: c.claim }));
  out['payload_in_metadata'] = JWT_PAYLOAD_IN_METADATA;
  return out;
}

/**
 * The JwtAuthentication (snake_case, Struct-ready) for the RequestAuthentications that apply to a
 * workload, plus `policies` (their "RequestAuthentication/ns/name"); undefined when none has a
 * jwtRule. A rule that cannot be enforced becomes a provider that rejects every token of its issuer
 * (an empty inline JWKS), never a dropped rule: an unverifiable token must not pass as anonymous.
 */
export function jwtAuthnConfig(policies: readonly Resource<RequestAuthenticationSpec>[], warnings: WarningSink): Record<string, StructJson> | undefined {
  const providers: Record<string, StructJson> = {};
  const sources: string[] = [];
  let index = 0;
  for (const policy of policies) {
    const rules = policy.spec.jwtRules ?? [];
    if (rules.length === 0) continue;
    sources.push(sourceOf(policy));
    for (const rule of rules) {
      providers[`origins-${index++}`] = provider(rule, sourceOf(policy), warnings) ?? { issuer: rule.issuer, local_jwks: { inline_string: '{"keys":[]}' }, payload_in_metadata: JWT_PAYLOAD_IN_METADATA };
    }
  }
  if (index === 0) return undefined;
  const requirements: StructJson[] = [...Object.keys(providers).map((name) => ({ provider_name: name })), { allow_missing: {} }];
  return {
    providers,
    rules: [{ match: { prefix: '/' }, requires: { requires_any: { requirements } } }],
    bypass_cors_preflight: true,
    policies: sources,
  };
}
