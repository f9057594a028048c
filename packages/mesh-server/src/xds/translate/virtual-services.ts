// Which VirtualService governs a host: for sidecars the mesh-bound VirtualService whose host is the
// most specific match (exact beats wildcard; on a tie the oldest wins and the others are flagged, as
// Istio's IST0109 conflict), and for gateways every VirtualService bound to the gateway.

import type { Resource } from '../../config/resource';
import type { VirtualServiceSpec } from '../../config/istio-types';
import { sourceOf, type TranslationContext } from './context';
import { gatewayRef, hostMatches, hostSpecificity, MESH_GATEWAY, resolveHost } from './names';

/** The hosts of a VirtualService, short names resolved relative to its namespace. */
export function virtualServiceHosts(vs: Resource<VirtualServiceSpec>): string[] {
  return (vs.spec.hosts ?? []).map((h) => resolveHost(h, vs.metadata.namespace));
}

/** The normalised gateways a VirtualService binds to (`mesh` when the list is empty). */
export function boundGateways(vs: Resource<VirtualServiceSpec>): Set<string> {
  const gateways = vs.spec.gateways ?? [];
  if (gateways.length === 0) return new Set([MESH_GATEWAY]);
  return new Set(gateways.map((g) => gatewayRef(g, vs.metadata.namespace)));
}

/** True if the VirtualService applies to sidecars (its gateways are empty or include `mesh`). */
export function appliesToMesh(vs: Resource<VirtualServiceSpec>): boolean {
  return boundGateways(vs).has(MESH_GATEWAY);
}

/**
 * The mesh VirtualService for a service host, or undefined. Flags conflicting VirtualServices that
 * claim the host with the same specificity.
 */
export function meshVirtualServiceFor(ctx: TranslationContext, host: string): Resource<VirtualServiceSpec> | undefined {
  let best: { vs: Resource<VirtualServiceSpec>; rank: number } | undefined;
  const ties: Resource<VirtualServiceSpec>[] = [];
  for (const vs of ctx.virtualServices) {
    if (!appliesToMesh(vs)) continue;
    const ranks = virtualServiceHosts(vs).filter((h) => hostMatches(h, host)).map(hostSpecificity);
    if (ranks.length === 0) continue;
    const rank = Math.max(...ranks);
    if (!best || rank > best.rank) {
      best = { vs, rank };
      ties.length = 0;
    } else if (rank === best.rank) {
      ties.push(vs);
    }
  }
  if (best) {
    for (const loser of ties) {
      ctx.warnings.add(
        sourceOf(loser),
        `host ${host} is also claimed by ${sourceOf(best.vs)} on the mesh gateway (Istio IST0109 conflict); the older one is used and this one is ignored for that host`,
      );
    }
  }
  return best?.vs;
}

/** Flags mesh VirtualService hosts that name no visible service (proxyless clients dial services only). */
export function flagUnservedMeshHosts(ctx: TranslationContext): void {
  for (const vs of ctx.virtualServices) {
    if (!appliesToMesh(vs)) continue;
    for (const host of virtualServiceHosts(vs)) {
      if (ctx.services.some((s) => hostMatches(host, s.hostname))) continue;
      ctx.warnings.add(sourceOf(vs), `host ${host} matches no service visible to this proxy; proxyless clients get no routes for it`);
    }
  }
}

/** Flags VirtualService parts translation never serves (TCP and TLS routes). */
export function flagUnsupportedRouteKinds(ctx: TranslationContext): void {
  for (const vs of ctx.virtualServices) {
    if (vs.spec.tcp?.length) ctx.warnings.add(sourceOf(vs), 'tcp routes are not supported (proxyless clients route HTTP only); ignored');
    if (vs.spec.tls?.length) ctx.warnings.add(sourceOf(vs), 'tls routes are not supported (proxyless clients route HTTP only); ignored');
  }
}
