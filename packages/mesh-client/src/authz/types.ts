// Shapes of inbound authorization: what the server hands in for each request, what the compiled
// RBAC filters evaluate against, and the decision that comes back (allowed, with the exact URL the
// application receives, or denied with Envoy's status and the policy at fault).

import type { RequestView } from '../routing/request-view';
import type { PathNormalization } from './normalize-path';

/** Envoy RBAC actions (LOG is Istio's AUDIT). */
export type RbacAction = 'ALLOW' | 'DENY' | 'LOG';

/** One inbound request as the server sees it, before the application does. */
export interface AuthzRequest {
  readonly method: string;
  /** The raw request target as received (req.url / :path): normalised here, never by the caller. */
  readonly path: string;
  /** Header map, lower-case names; repeated headers as arrays (pass req.headersDistinct). */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** `:authority` (the Host header for HTTP/1.1). */
  readonly host: string;
  /** The local port the connection was accepted on (destination.port). */
  readonly port: number;
  /** The local address the connection was accepted on (destination.ip). */
  readonly destinationIp: string;
  /** The connection's peer address (source.ip, Envoy's direct_remote_ip). */
  readonly sourceIp: string;
  /** The original client address when a trusted proxy reported it (remote.ip); default sourceIp. */
  readonly remoteIp?: string;
  /** TLS SNI the client asked for (connection.sni); "" or absent on plaintext. */
  readonly sni?: string;
  /** `:scheme`; default "https" when the peer presented a certificate, else "http". */
  readonly scheme?: string;
  /** The verified peer: `principal` is the SPIFFE ID of its certificate; absent on plaintext. */
  readonly peer: { readonly principal?: string };
  /** The verified JWT payload (RequestAuthentication); request.auth.principal is its `iss`/`sub`. */
  readonly jwtClaims?: Readonly<Record<string, unknown>>;
}

/** Options of authorize. */
export interface AuthzOptions {
  /** Istio's meshConfig.pathNormalization (the inbound listener's metadata says which); default BASE. */
  readonly pathNormalization?: PathNormalization;
}

/** The request facts every compiled matcher reads; built once per request. */
export interface AuthzContext {
  /** Headers with Envoy's pseudo headers (`:authority`, `:method`, `:path` = normalised URL). */
  readonly view: RequestView;
  /** The normalised path without query (url_path). */
  readonly urlPath: string;
  readonly destinationIp: string;
  readonly destinationPort: number;
  readonly directRemoteIp: string;
  readonly remoteIp: string;
  /** spiffe://… of the verified peer certificate; undefined on plaintext. */
  readonly principal: string | undefined;
  readonly sni: string;
  /** Dynamic metadata by filter name (the jwt_authn payload lives here), as JSON. */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** A compiled predicate over one request. */
export type AuthzPredicate = (ctx: AuthzContext) => boolean;

/** One compiled RBAC policy. */
export interface CompiledPolicy {
  readonly name: string;
  readonly matches: AuthzPredicate;
}

/** A compiled `envoy.config.rbac.v3.RBAC`: the action and its policies in name order. */
export interface CompiledRbacRules {
  readonly action: RbacAction;
  readonly policies: readonly CompiledPolicy[];
}

/** A compiled RBAC HTTP filter. */
export interface CompiledRbac {
  /** HTTP filter name (e.g. envoy.filters.http.rbac.DENY). */
  readonly name: string;
  /** Enforced rules; absent = the filter enforces nothing (Envoy: no `rules`). */
  readonly rules?: CompiledRbacRules;
  /** Shadow rules: evaluated and reported, never enforced (Istio dry-run). */
  readonly shadow?: CompiledRbacRules;
  /** Config accepted but not evaluated as written, with how it was compiled instead. */
  readonly notes: readonly string[];
}

/** What a shadow (dry-run) engine would have decided (Envoy's shadow_engine_result). */
export interface ShadowResult {
  readonly filter: string;
  readonly result: 'allowed' | 'denied';
  /** The matching policy (shadow_effective_policy_id), if any. */
  readonly policy?: string;
}

/** The request may proceed; the application must receive `url` as its request target. */
export interface AuthzAllowed {
  readonly allowed: true;
  /** Normalised path without query. */
  readonly path: string;
  /** Normalised path plus the original query: set req.url to exactly this. */
  readonly url: string;
  /** Names of AUDIT (LOG) policies that matched: log the request. */
  readonly audit: readonly string[];
  readonly shadow: readonly ShadowResult[];
}

/** The request must be answered locally (403 RBAC denial, or 400 for a target that cannot be normalised). */
export interface AuthzDenied {
  readonly allowed: false;
  readonly status: 403 | 400;
  /** The RBAC filter that denied (403 only). */
  readonly filter?: string;
  /** The DENY policy that matched; absent when an ALLOW filter found no matching policy. */
  readonly policy?: string;
  /** Human-readable reason (for logs, never for the response body). */
  readonly reason: string;
  /** Envoy's response code details, e.g. `rbac_access_denied_matched_policy[none]`. */
  readonly details: string;
  readonly shadow: readonly ShadowResult[];
}

/** The outcome of authorize. */
export type AuthzDecision = AuthzAllowed | AuthzDenied;
