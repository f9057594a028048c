// Ingress-gateway (role "router") translation, as istiod's gateway builder: Gateways whose selector
// matches the proxy's labels give one listener per server port (`0.0.0.0_<port>`) and a RouteConfiguration
// `http.<port>`; its virtual hosts are Gateway server hosts ∩ hosts of the VirtualServices bound to
// that Gateway, routes merged across VirtualServices with catch-alls moved last.

import type { Resource } from '../../config/resource';
import type { GatewaySpec, Server } from '../../config/istio-types';
import { sourceOf, type TranslationContext } from './context';
import type { EnvoyObject } from './envoy-names';
import { virtualServiceRoutes } from './http-routes';
import { gatewayListener } from './listeners';
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

/** The gateway servers this proxy implements, grouped by port (HTTP servers only; others flagged). */
function serversByPort(ctx: TranslationContext): Map<number, BoundServer[]> {
  const byPort = new Map<number, BoundServer[]>();
  for (const gateway of ctx.gateways) {
    const selector = gateway.spec.selector ?? ctx.options.defaultGatewaySelector;
    if (!labelsMatch(selector, ctx.proxy.labels)) continue;
    for (const [index, server] of (gateway.spec.servers ?? []).entries()) {
      const protocol = (server.port?.protocol ?? '').toUpperCase();
      if (!HTTP_SERVER_PROTOCOLS.has(protocol)) {
        ctx.warnings.add(sourceOf(gateway), `servers[${index}]: protocol ${protocol} is not supported (HTTP servers only); server skipped`);
        continue;
      }
      if (Object.keys(server.tls ?? {}).some((key) => key !== 'httpsRedirect')) {
        ctx.warnings.add(sourceOf(gateway), `servers[${index}]: tls settings other than httpsRedirect on an HTTP server are ignored`);
      }
      const list = byPort.get(server.port.number) ?? [];
      list.push({ gateway, server });
      byPort.set(server.port.number, list);
    }
  }
  return byPort;
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
    listeners.set(name, gatewayListener(name, binds[0]!, port, routeConfig));
  }
  for (const entry of bound) {
    const [vs, gatewayName, matched] = entry.split('|');
    if (matched === 'false' && !bound.has(`${vs}|${gatewayName}|true`)) {
      ctx.warnings.add(vs!, `no host matches a server host of gateway ${gatewayName}; the VirtualService adds no route to it`);
    }
  }
  return { listeners, routes };
}
