// Istio's naming rules used by translation: cluster names (outbound|PORT|SUBSET|HOST), short-name
// resolution relative to a config object's namespace, wildcard host matching, the names a proxyless
// client may dial for a service port, and gateway references in VirtualService.gateways.

import type { ServiceInfo } from '../../registry/types';

/** DNS suffix of in-cluster service hostnames. */
export const CLUSTER_DOMAIN = 'svc.cluster.local';

/** The reserved gateway name that means "every sidecar" in VirtualService.gateways. */
export const MESH_GATEWAY = 'mesh';

/** `outbound|PORT|SUBSET|HOST`, Istio's outbound cluster name (SUBSET empty when none). */
export function clusterName(port: number, subset: string | undefined, host: string): string {
  return `outbound|${port}|${subset ?? ''}|${host}`;
}

/** The parts of an `outbound|PORT|SUBSET|HOST` cluster name, or undefined if it is not one. */
export function parseClusterName(name: string): { port: number; subset: string; host: string } | undefined {
  const parts = name.split('|');
  if (parts.length !== 4 || parts[0] !== 'outbound') return undefined;
  const port = Number(parts[1]);
  if (!Number.isInteger(port)) return undefined;
  return { port, subset: parts[2]!, host: parts[3]! };
}

/**
 * Resolves a host written in a config object of `namespace`, as Istio does: a name without dots
 * ("reviews") becomes `reviews.<namespace>.svc.cluster.local`; anything with a dot, and "*", stays.
 */
export function resolveHost(host: string, namespace: string): string {
  if (host === '*' || host.includes('.')) return host;
  return `${host}.${namespace}.${CLUSTER_DOMAIN}`;
}

/** True if `pattern` ("*", "*.example.com" or an exact name) covers `host` (which may be a wildcard too). */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern === host) return true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1); // ".example.com"
    if (host.startsWith('*.')) return host.slice(1).endsWith(suffix);
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return false;
}

/**
 * The intersection of two hosts when one covers the other (the more specific one), else undefined.
 * Used for Gateway server hosts ∩ VirtualService hosts.
 */
export function hostIntersection(a: string, b: string): string | undefined {
  if (hostMatches(a, b)) return b;
  if (hostMatches(b, a)) return a;
  return undefined;
}

/** Specificity rank for choosing the most specific wildcard: exact > longer wildcard > "*". */
export function hostSpecificity(host: string): number {
  if (host === '*') return 0;
  if (host.startsWith('*.')) return host.length;
  return Number.MAX_SAFE_INTEGER;
}

/** True if the hostname is a Kubernetes-style `<name>.<ns>.svc.cluster.local` for the service. */
function isKubernetesHost(service: ServiceInfo): boolean {
  return service.name !== undefined && service.hostname === `${service.name}.${service.namespace}.${CLUSTER_DOMAIN}`;
}

/**
 * The host names (without port) a client in `proxyNamespace` may dial for a service, in the order
 * Istio's DNS search path would try them: `name` (same namespace only), `name.ns`, `name.ns.svc`,
 * then the FQDN. ServiceEntry and other non-Kubernetes hosts have only their own hostname.
 */
export function hostAliases(service: ServiceInfo, proxyNamespace: string): string[] {
  if (!isKubernetesHost(service)) return [service.hostname];
  const name = service.name!;
  const ns = service.namespace;
  const out: string[] = [];
  if (ns === proxyNamespace) out.push(name);
  out.push(`${name}.${ns}`, `${name}.${ns}.svc`, service.hostname);
  return out;
}

/**
 * The names a client may dial for one service port, used both as Listener names and as virtual-host
 * domains: every alias with `:port`, plus the bare alias when this port is the service's default port.
 */
export function dialNames(service: ServiceInfo, port: number, proxyNamespace: string, isDefaultPort: boolean): string[] {
  const out: string[] = [];
  for (const alias of hostAliases(service, proxyNamespace)) {
    if (isDefaultPort) out.push(alias);
    out.push(`${alias}:${port}`);
  }
  return out;
}

/** Every alias, bare and with `:port` — the virtual-host domains of one service port. */
export function virtualHostDomains(service: ServiceInfo, port: number, proxyNamespace: string): string[] {
  return dialNames(service, port, proxyNamespace, true);
}

/** Name of the RouteConfiguration (and canonical listener) of a service port: `<fqdn>:<port>`. */
export function routeConfigName(host: string, port: number): string {
  return `${host}:${port}`;
}

/** Gateway listener name `<bind>_<port>` (Istio's `0.0.0.0_8080`). */
export function gatewayListenerName(bind: string, port: number): string {
  return `${bind}_${port}`;
}

/** Gateway RouteConfiguration name `http.<port>`, as Istio names it. */
export function gatewayRouteConfigName(port: number): string {
  return `http.${port}`;
}

/**
 * Normalises a gateway reference from VirtualService.gateways (or a match's gateways) written in
 * `vsNamespace`: `mesh` stays, `ns/name` stays, a bare `name` becomes `vsNamespace/name`, and the
 * legacy `name.ns[.svc.cluster.local]` form becomes `ns/name`.
 */
export function gatewayRef(ref: string, vsNamespace: string): string {
  if (ref === MESH_GATEWAY) return ref;
  if (ref.includes('/')) return ref;
  const dot = ref.indexOf('.');
  if (dot < 0) return `${vsNamespace}/${ref}`;
  const [name, ns] = ref.split('.');
  return `${ns}/${name}`;
}

/** True for port protocols a proxyless HTTP client can route (Istio's IsHTTPOrSniffed). */
export function isHttpProtocol(protocol: string): boolean {
  const p = protocol.toUpperCase();
  return p === 'HTTP' || p === 'HTTP2' || p === 'GRPC' || p === 'GRPC-WEB' || p === 'HTTP_PROXY' || p === '' || p === 'UNSUPPORTED';
}

/** True for protocols spoken over HTTP/2 upstream (gRPC and HTTP2 ports). */
export function isHttp2Protocol(protocol: string): boolean {
  const p = protocol.toUpperCase();
  return p === 'HTTP2' || p === 'GRPC' || p === 'GRPC-WEB';
}
