// Request mirroring (RouteAction.request_mirror_policies): which mirror clusters a request is
// copied to, and the shadow authority Envoy gives the copy (`host-shadow[:port]`).

import type { RequestHeaders } from '../routing/request-view';
import type { MirrorPolicy } from '../routing/types';
import { compileMirrorPolicies } from '../snapshot/compile-route-policies';
import type { Issue } from '../snapshot/proto-readers';
import type { Random } from './clock';
import { compileStrict } from './strict-compile';

/**
 * Compiles a route's `request_mirror_policies` list through the snapshot compiler, strictly (an
 * unset runtime_fraction mirrors every request).
 * @throws MeshError CONFIG_REJECTED naming each invalid field.
 */
export function compileMirrorConfig(requestMirrorPolicies: unknown, notes?: Issue[]): readonly MirrorPolicy[] {
  return compileStrict('request_mirror_policies', (issues) => compileMirrorPolicies(requestMirrorPolicies, 'request_mirror_policies', issues), notes);
}

/** One copy to send: fire-and-forget, its response discarded. */
export interface MirrorTarget {
  readonly cluster: string;
  /** The copy's `:authority` (with `-shadow` unless the policy disables it). */
  readonly authority: string;
  /** Whether the copy's span is sampled (trace_sampled, default true). */
  readonly traceSampled: boolean;
}

/** The request facts mirroring reads. */
export interface MirrorRequest {
  readonly authority: string;
  readonly method: string;
  readonly headers: RequestHeaders;
}

/**
 * The mirrors that fire for one request, as Envoy's router decides them: none for CONNECT;
 * otherwise each policy fires when one random value drawn for the request (Envoy uses the
 * stream id, shared by all policies) falls below its fraction; a `cluster_header` policy whose
 * header is absent or empty is skipped.
 */
export function decideMirrors(policies: readonly MirrorPolicy[], rng: Random, request: MirrorRequest): MirrorTarget[] {
  if (policies.length === 0 || request.method.toUpperCase() === 'CONNECT') return [];
  const r = Math.floor(rng() * 1_000_000);
  const out: MirrorTarget[] = [];
  for (const p of policies) {
    if (r >= p.perMillion) continue;
    const cluster = p.cluster ?? (p.clusterHeader !== undefined ? first(request.headers, p.clusterHeader) : undefined);
    if (cluster === undefined || cluster === '') continue;
    out.push({ cluster, authority: p.appendShadowSuffix ? shadowAuthority(request.authority) : request.authority, traceSampled: p.traceSampled });
  }
  return out;
}

/**
 * Envoy's shadowAppendedHost: `-shadow` goes before the port when there is one
 * (`reviews:9080` → `reviews-shadow:9080`, `[::1]:80` → `[::1]-shadow:80`), else at the end
 * (`reviews` → `reviews-shadow`, `[::1]` → `[::1]-shadow`).
 */
export function shadowAuthority(authority: string): string {
  const colon = authority.lastIndexOf(':');
  const bracket = authority.lastIndexOf(']');
  if (colon < 0 || (bracket >= 0 && bracket > colon)) return `${authority}-shadow`;
  return `${authority.slice(0, colon)}-shadow${authority.slice(colon)}`;
}

function first(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  return v === undefined || typeof v === 'string' ? v : v[0];
}
