// Virtual host selection by authority, in Envoy's order: exact domain, then suffix wildcards
// (`*.foo.com`, longest first), then prefix wildcards (`foo.*`, longest first), then `*`.

import { asciiLower } from './matchers';
import type { RouteTable, VirtualHost } from './types';

/**
 * Picks the virtual host for an authority (`host` or `host:port`), as Envoy's
 * RouteMatcher::findVirtualHost does:
 * - the authority is lower-cased (domains were lower-cased when compiled);
 * - it is matched as given, port included — Envoy does not retry without the port. Istio lists
 *   both `host` and `host:port` in a virtual host's domains; a RouteConfiguration with
 *   `ignore_port_in_host_matching` strips the port before matching (domains keep theirs);
 * - a wildcard never matches the empty string (`*.foo.com` does not match `.foo.com`).
 * Returns undefined when nothing matches (the request then gets 404 NR).
 */
export function selectVirtualHost(table: RouteTable, authority: string): VirtualHost | undefined {
  let host = asciiLower(authority);
  if (table.ignorePortInHostMatching) host = stripPort(host);
  const index = table.domains;
  const exact = index.exact.get(host);
  if (exact) return exact;
  for (const group of index.suffixes) {
    if (group.length >= host.length) continue;
    const vh = group.hosts.get(host.slice(host.length - group.length));
    if (vh) return vh;
  }
  for (const group of index.prefixes) {
    if (group.length >= host.length) continue;
    const vh = group.hosts.get(host.slice(0, group.length));
    if (vh) return vh;
  }
  return index.any;
}

/**
 * Removes a trailing `:port` from an authority (Envoy's HeaderUtility::getPortStart: the last ':'
 * outside an IPv6 `[...]` literal, followed by digits).
 */
export function stripPort(authority: string): string {
  const colon = authority.lastIndexOf(':');
  if (colon < 0) return authority;
  const bracket = authority.lastIndexOf(']');
  if (bracket > colon) return authority;
  const port = authority.slice(colon + 1);
  return /^\d+$/.test(port) ? authority.slice(0, colon) : authority;
}
