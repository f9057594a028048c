// The per-request decision of inbound authorization: normalise the target once, run the RBAC filters in
// chain order as Envoy's HTTP RBAC filter does, and return either the exact URL the application must
// receive or Envoy's local reply (403 "RBAC: access denied", 400 for a target that cannot be normalised).

import { LOCAL_REPLY, RESPONSE_FLAGS_HEADER } from '../errors';
import { normalizePath, type RejectedTarget } from './normalize-path';
import { authzContext } from './request-context';
import type { AuthzContext, AuthzDecision, AuthzDenied, AuthzOptions, AuthzRequest, CompiledRbac, CompiledRbacRules, ShadowResult } from './types';

/** The first policy (in name order) that matches, or undefined (Envoy's effective policy id). */
function firstMatch(rules: CompiledRbacRules, ctx: AuthzContext): string | undefined {
  for (const policy of rules.policies) if (policy.matches(ctx)) return policy.name;
  return undefined;
}

/** "ns[default]-policy[deny-admin]-rule[0]" → "AuthorizationPolicy default/deny-admin rule 0" (else as is). */
export function describeRbacPolicy(name: string): string {
  const m = /^ns\[(.*)\]-policy\[(.*)\]-rule\[(\d+)\]$/.exec(name);
  return m ? `AuthorizationPolicy ${m[1]}/${m[2]} rule ${m[3]}` : `RBAC policy ${name}`;
}

function badRequest(target: RejectedTarget): AuthzDenied {
  return { allowed: false, status: 400, reason: target.reason, details: target.details, shadow: [] };
}

/**
 * Decides one inbound request against the compiled RBAC filters of its listener (in chain order:
 * AUDIT, DENY, ALLOW as translated). No filters = allowed (no policy applies). The path is
 * normalised here; on `allowed` hand the application `decision.url`, byte-for-byte.
 */
export function authorize(filters: readonly CompiledRbac[], request: AuthzRequest, options: AuthzOptions = {}): AuthzDecision {
  const target = normalizePath(request.path, options.pathNormalization);
  if (!target.ok) return badRequest(target);
  const ctx = authzContext(request, target);
  const audit: string[] = [];
  const shadow: ShadowResult[] = [];
  for (const filter of filters) {
    if (filter.shadow) {
      const policy = firstMatch(filter.shadow, ctx);
      const denied = filter.shadow.action === 'ALLOW' ? policy === undefined : filter.shadow.action === 'DENY' && policy !== undefined;
      shadow.push({ filter: filter.name, result: denied ? 'denied' : 'allowed', ...(policy !== undefined ? { policy } : {}) });
    }
    if (!filter.rules) continue;
    const policy = firstMatch(filter.rules, ctx);
    if (filter.rules.action === 'LOG') {
      if (policy !== undefined) audit.push(policy);
    } else if (filter.rules.action === 'DENY' && policy !== undefined) {
      return { allowed: false, status: 403, filter: filter.name, policy, reason: `denied by ${describeRbacPolicy(policy)}`, details: `rbac_access_denied_matched_policy[${policy}]`, shadow };
    } else if (filter.rules.action === 'ALLOW' && policy === undefined) {
      return { allowed: false, status: 403, filter: filter.name, reason: 'no ALLOW policy matched the request', details: 'rbac_access_denied_matched_policy[none]', shadow };
    }
  }
  return { allowed: true, path: target.path, url: target.url, audit, shadow };
}

/**
 * A filter list that denies every request: what a listener whose RBAC config failed to compile
 * must enforce (an invalid policy never fails open).
 */
export function denyAllFilters(name = 'envoy.filters.http.rbac'): CompiledRbac[] {
  return [{ name, rules: { action: 'ALLOW', policies: [] }, notes: ['the RBAC config was rejected; every request is denied'] }];
}

/** A local reply to write instead of calling the application. */
export interface LocalReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Envoy's RBAC denial: 403 `RBAC: access denied` (text/plain). For gRPC requests (`grpc: true`)
 * Envoy's gRPC form: HTTP 200, trailers-only, grpc-status 7 (PERMISSION_DENIED) with that message.
 */
export function denyResponse(options: { grpc?: boolean } = {}): LocalReply {
  const body = LOCAL_REPLY.ACCESS_DENIED.body!;
  if (options.grpc) return { status: 200, headers: { 'content-type': 'application/grpc', 'grpc-status': '7', 'grpc-message': body }, body: '' };
  return { status: 403, headers: { 'content-length': String(Buffer.byteLength(body)), 'content-type': 'text/plain', [RESPONSE_FLAGS_HEADER]: 'RBAC' }, body };
}

/** The local reply for a denied decision: denyResponse for 403, an empty 400 for a rejected target. */
export function localReplyFor(decision: AuthzDenied, options: { grpc?: boolean } = {}): LocalReply {
  if (decision.status === 403) return denyResponse(options);
  if (options.grpc) return { status: 200, headers: { 'content-type': 'application/grpc', 'grpc-status': '13', 'grpc-message': decision.reason }, body: '' };
  return { status: 400, headers: { 'content-length': '0', 'content-type': 'text/plain' }, body: '' };
}
