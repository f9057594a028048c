// Ingress-gateway (role "router") translation, as istiod's gateway builder: one listener per Gateway server
// port (`0.0.0.0_<port>`, an SNI-matched TLS filter chain per HTTPS server) and RouteConfiguration `http.<port>`
// whose virtual hosts are server hosts ∩ bound VirtualService hosts, routes merged with catch-alls last.

import type { Resource } from '../../config/resource';
import type { GatewaySpec, Server } from '../../config/istio-types';
import { sourceOf, type TranslationContext } from './context';
import { WELL_KNOWN, type EnvoyObject } from './envoy-names';
import { gatewayTransportSocket, serverNames, terminatesTls } from './gateway-tls';
import { virtualServiceRoutes } from './http-routes';
import { gatewayListener, httpConnectionManager } from './listeners';
import { gatewayListenerName, gatewayRouteConfigName, hostIntersection } from './names';
import { isCatchAllMatch } from './route-match';
import { routeConfiguration } from './routes';
import { inboardMetadata } from './struct';
import { labelsMatch } from './visibility';
import { boundGateways, virtualServiceHosts } from './virtual-services';

const HTTP_SERVER_PROTOCOLS = new Set(['HTTP', 'HTTP2', 'GRPC', 'GRPC-WEB']);

interface BoundServer {
  readonly gateway: Resource<GatewaySpec>;
  readonly server: Server;
  readonly index: number;
  /** The DownstreamTlsContext transport socket of a server that terminates TLS. */
  readonly transportSocket?: EnvoyObject;
}

interface VirtualHostDraft {
  readonly routes: EnvoyObject[];
  readonly sources: string[];
  requireTls: boolean;
}

/** Splits a Gateway server host "ns/host" (namespace defaults to any), resolving "." to the Gateway's namespace. */
function serverHost(entry: string, gatewayNamespace: string): { namespace: string; host: string } {
  const slash = entry.indexOf('/');
  if (slash < 0) return { namespace: '*', host: entry };
  const ns = entry.slice(0, slash);
  return { namespace: ns === '.' ? gatewayNamespace : ns, host: entry.slice(slash + 1) };
}

function domainsOf(host: string): string[] {
  return host.includes('*') ? [host] : [host, `${host}:*`];
}

/** Moves catch-all routes behind the others, keeping relative order (istiod's SortVHostRoutes). */
function catchAllsLast(routes: EnvoyObject[]): EnvoyObject[] {
  const isCatchAll = (r: EnvoyObject) => isCatchAllMatch(r.match as EnvoyObject);
  return [...routes.filter((r) => !isCatchAll(r)), ...routes.filter(isCatchAll)];
}

/** The gateway servers this proxy implements, grouped by port (HTTP and HTTPS servers; others flagged). */
function serversByPort(ctx: TranslationContext): Map<number, BoundServer[]> {
  const byPort = new Map<number, BoundServer[]>();
  for (const gateway of ctx.gateways) {
    const selector = gateway.spec.selector ?? ctx.options.defaultGatewaySelector;
    if (!labelsMatch(selector, ctx.proxy.labels)) continue;
    for (const [index, server] of (gateway.spec.servers ?? []).entries()) {
      const warn = (message: string) => ctx.warnings.add(sourceOf(gateway), `servers[${index}]: ${message}`);
      const protocol = (server.port?.protocol ?? '').toUpperCase();
      if (!HTTP_SERVER_PROTOCOLS.has(protocol) && protocol !== 'HTTPS') {
        warn(`protocol ${protocol} is not supported (HTTP and HTTPS servers only); server skipped`);
        continue;
      }
      let transportSocket: EnvoyObject | undefined;
      if (protocol === 'HTTPS' || terminatesTls(server)) {
        const tls = gatewayTransportSocket(server, warn);
        if ('problem' in tls) {
          warn(`${tls.problem}; server skipped`);
          continue;
        }
        transportSocket = tls.socket;
      } else if (Object.keys(server.tls ?? {}).some((key) => key !== 'httpsRedirect')) {
        warn('tls settings other than httpsRedirect on an HTTP server without a tls.mode are ignored');
      }
      const list = byPort.get(server.port.number) ?? [];
      list.push({ gateway, server, index, ...(transportSocket ? { transportSocket } : {}) });
      byPort.set(server.port.number, list);
    }
  }
  for (const [port, servers] of byPort) {
    if (!servers.some((s) => s.transportSocket) || servers.every((s) => s.transportSocket)) continue;
    for (const plain of servers.filter((s) => !s.transportSocket)) {
      ctx.warnings.add(sourceOf(plain.gateway), `servers[${plain.index}]: port ${port} also has TLS servers; a port is either plaintext or TLS, so this plaintext server is skipped`);
    }
    byPort.set(port, servers.filter((s) => s.transportSocket));
  }
  return byPort;
}

/**
 * One filter chain per TLS server, matched by SNI (`server_names` from its hosts, none for "*"),
 * each with the port's HCM and the server's DownstreamTlsContext. A server whose SNI names repeat an
 * earlier server's is flagged and left out (Envoy rejects duplicate filter chain matches).
 */
function tlsFilterChains(ctx: TranslationContext, servers: readonly BoundServer[], hcm: EnvoyObject): EnvoyObject[] {
  const chains: EnvoyObject[] = [];
  const seen = new Map<string, string>();
  for (const bound of servers) {
    const names = serverNames(bound.server);
    const key = names.join(',');
    const label = `${sourceOf(bound.gateway)} servers[${bound.index}]`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      ctx.warnings.add(sourceOf(bound.gateway), `servers[${bound.index}]: hosts ${key || '*'} are already served over TLS on port ${bound.server.port.number} by ${earlier}; server skipped`);
      continue;
    }
    seen.set(key, label);
    chains.push({
      name: label,
      ...(names.length > 0 ? { filter_chain_match: { server_names: names } } : {}),
      filters: [{ name: WELL_KNOWN.httpConnectionManager, typed_config: hcm }],
      transport_socket: bound.transportSocket,
    });
  }
  return chains;
}

/** Listeners and RouteConfigurations of an ingress gateway proxy. */
export function gatewayResources(ctx: TranslationContext): { listeners: Map<string, EnvoyObject>; routes: Map<string, EnvoyObject> } {
  const listeners = new Map<string, EnvoyObject>();
  const routes = new Map<string, EnvoyObject>();
  const byPort = serversByPort(ctx);
  const bound = new Set<string>();
  for (const port of [...byPort.keys()].sort((a, b) => a - b)) {
    const servers = byPort.get(port)!;
    const binds = [...new Set(servers.map((s) => s.server.bind ?? '0.0.0.0'))];
    if (binds.length > 1) ctx.warnings.add(sourceOf(servers[1]!.gateway), `port ${port}: servers bind different addresses (${binds.join(', ')}); ${binds[0]} is used`);
    const drafts = new Map<string, VirtualHostDraft>();
    for (const { gateway, server } of servers) {
      const gatewayName = `${gateway.metadata.namespace}/${gateway.metadata.name}`;
      for (const vs of ctx.virtualServices) {
        if (!boundGateways(vs).has(gatewayName)) continue;
        const hosts = new Set<string>();
        for (const entry of server.hosts ?? []) {
          const { namespace, host } = serverHost(entry, gateway.metadata.namespace);
          if (namespace !== '*' && namespace !== vs.metadata.namespace) continue;
          for (const vsHost of virtualServiceHosts(vs)) {
            const both = hostIntersection(host, vsHost);
            if (both !== undefined) hosts.add(both);
          }
        }
        bound.add(`${sourceOf(vs)}|${gatewayName}|${hosts.size > 0}`);
        if (hosts.size === 0) continue;
        const vsRoutes = virtualServiceRoutes(ctx, vs, port, new Set([gatewayName]));
        if (vsRoutes.length === 0) continue;
        for (const host of hosts) {
          const draft = drafts.get(host) ?? { routes: [], sources: [], requireTls: false };
          if (!draft.sources.includes(sourceOf(vs))) {
            draft.routes.push(...vsRoutes);
            draft.sources.push(sourceOf(vs));
          }
          draft.requireTls ||= server.tls?.httpsRedirect === true;
          drafts.set(host, draft);
        }
      }
    }
    const virtualHosts = [...drafts.keys()].sort().map((host) => {
      const draft = drafts.get(host)!;
      return {
        name: `${host}:${port}`,
        domains: domainsOf(host),
        routes: draft.sources.length > 1 ? catchAllsLast(draft.routes) : draft.routes,
        ...(draft.requireTls ? { require_tls: 'ALL' } : {}),
        metadata: inboardMetadata({ source: draft.sources.join(','), gateway_port: port }),
      };
    });
    const routeConfig = gatewayRouteConfigName(port);
    routes.set(routeConfig, routeConfiguration(routeConfig, virtualHosts));
    const name = gatewayListenerName(binds[0]!, port);
    const listener = gatewayListener(name, binds[0]!, port, routeConfig);
    if (servers.some((s) => s.transportSocket)) {
      listener.filter_chains = tlsFilterChains(ctx, servers, httpConnectionManager(routeConfig, `outbound_${name}`));
    }
    listeners.set(name, listener);
  }
  for (const entry of bound) {
    const [vs, gatewayName, matched] = entry.split('|');
    if (matched === 'false' && !bound.has(`${vs}|${gatewayName}|true`)) {
      ctx.warnings.add(vs!, `no host matches a server host of gateway ${gatewayName}; the VirtualService adds no route to it`);
    }
  }
  return { listeners, routes };
}
