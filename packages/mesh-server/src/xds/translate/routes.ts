// Sidecar RouteConfigurations: one per service HTTP port, named `<fqdn>:<port>` and shared by every
// listener name of that port. Its single virtual host lists every name a client may dial (with and
// without port) and holds the mesh VirtualService's routes, or the default route when none apply.

import { sourceOf, type TranslationContext } from './context';
import { effectivePolicy } from './destination-rules';
import type { EnvoyObject } from './envoy-names';
import { defaultRoute, virtualServiceRoutes } from './http-routes';
import { httpPorts } from './listeners';
import { MESH_GATEWAY, routeConfigName, virtualHostDomains } from './names';
import { hashPolicy } from './route-action';
import { inboardMetadata } from './struct';
import { meshVirtualServiceFor } from './virtual-services';

const MESH = new Set([MESH_GATEWAY]);

/** A RouteConfiguration with the given virtual hosts (clusters are not validated: unknown → 503). */
export function routeConfiguration(name: string, virtualHosts: EnvoyObject[]): EnvoyObject {
  return { name, virtual_hosts: virtualHosts, validate_clusters: { value: false } };
}

/** Every sidecar RouteConfiguration for the services visible to the proxy, by name. */
export function sidecarRouteConfigurations(ctx: TranslationContext): Map<string, EnvoyObject> {
  const out = new Map<string, EnvoyObject>();
  for (const service of ctx.services) {
    const vs = meshVirtualServiceFor(ctx, service.hostname);
    for (const port of httpPorts(service)) {
      const name = routeConfigName(service.hostname, port.port);
      let routes = vs ? virtualServiceRoutes(ctx, vs, port.port, MESH) : [];
      let source = vs ? sourceOf(vs) : 'default';
      if (routes.length === 0) {
        // Istio falls back to default routing when a VirtualService yields no route for this proxy/port.
        const hash = hashPolicy(effectivePolicy(ctx.destinationRule(service.hostname), undefined, port.port)?.loadBalancer?.consistentHash);
        routes = [defaultRoute(ctx, service, port.port, hash)];
        source = 'default';
      }
      const virtualHost: EnvoyObject = {
        name,
        domains: virtualHostDomains(service, port.port, ctx.proxy.namespace),
        routes,
        metadata: inboardMetadata({ source, service: service.hostname, port: port.port }),
      };
      out.set(name, routeConfiguration(name, [virtualHost]));
    }
  }
  return out;
}
