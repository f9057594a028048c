// Listeners: for proxyless clients one API listener per name a client may dial for a service port
// (`reviews`, `reviews:9080`, `reviews.default`, …, the FQDN with and without port), each an
// HttpConnectionManager over RDS (ADS) naming the service port's RouteConfiguration `<fqdn>:<port>`;
// for ingress gateways a socket listener `0.0.0.0_<port>` over RDS `http.<port>`.

import type { ServiceInfo, ServicePortInfo } from '../../registry/types';
import type { TranslationContext } from './context';
import { ADS_CONFIG_SOURCE, TYPE_URL, WELL_KNOWN, type EnvoyObject } from './envoy-names';
import { dialNames, isHttpProtocol, routeConfigName } from './names';

/**
 * The HTTP filter chain: fault (so per-route fault config applies), CORS (optional: clients without
 * a CORS filter skip it instead of NACKing), router last — what grpc-js-xds requires.
 */
export function httpFilters(): EnvoyObject[] {
  return [
    { name: WELL_KNOWN.faultFilter, typed_config: { '@type': TYPE_URL.httpFault } },
    { name: WELL_KNOWN.corsFilter, typed_config: { '@type': TYPE_URL.cors }, is_optional: true },
    { name: WELL_KNOWN.routerFilter, typed_config: { '@type': TYPE_URL.router } },
  ];
}

/** An HttpConnectionManager (as an Any) fetching `routeConfig` over ADS. */
export function httpConnectionManager(routeConfig: string, statPrefix: string): EnvoyObject {
  return {
    '@type': TYPE_URL.httpConnectionManager,
    stat_prefix: statPrefix,
    rds: { config_source: ADS_CONFIG_SOURCE, route_config_name: routeConfig },
    http_filters: httpFilters(),
  };
}

/** A proxyless client listener: `name` with an api_listener HCM over RDS `routeConfig`. */
export function apiListener(name: string, routeConfig: string): EnvoyObject {
  return { name, api_listener: { api_listener: httpConnectionManager(routeConfig, routeConfig) } };
}

/** A gateway socket listener on `bind:port` over RDS `routeConfig`. */
export function gatewayListener(name: string, bind: string, port: number, routeConfig: string): EnvoyObject {
  return {
    name,
    address: { socket_address: { address: bind, port_value: port } },
    filter_chains: [
      { filters: [{ name: WELL_KNOWN.httpConnectionManager, typed_config: httpConnectionManager(routeConfig, `outbound_${name}`) }] },
    ],
  };
}

/** The HTTP ports of a service (ports proxyless clients route). */
export function httpPorts(service: ServiceInfo): ServicePortInfo[] {
  return service.ports.filter((p) => isHttpProtocol(p.protocol));
}

/**
 * The port a dial name without a port (`reviews`) means: the only HTTP port, else port 80 if the
 * service has it, else the lowest-numbered HTTP port.
 */
export function defaultPort(service: ServiceInfo): number | undefined {
  const ports = httpPorts(service).map((p) => p.port).sort((a, b) => a - b);
  if (ports.length <= 1) return ports[0];
  return ports.includes(80) ? 80 : ports[0];
}

/** Every API listener for the services visible to a sidecar proxy, by name. */
export function sidecarListeners(ctx: TranslationContext): Map<string, EnvoyObject> {
  const out = new Map<string, EnvoyObject>();
  const owner = new Map<string, string>();
  for (const service of ctx.services) {
    const portless = defaultPort(service);
    for (const port of httpPorts(service)) {
      const routeConfig = routeConfigName(service.hostname, port.port);
      for (const name of dialNames(service, port.port, ctx.proxy.namespace, port.port === portless)) {
        const taken = owner.get(name);
        if (taken !== undefined) {
          ctx.warnings.add(service.source, `listener name ${name} is already used by ${taken}; ${routeConfig} is not reachable under that name`);
          continue;
        }
        owner.set(name, routeConfig);
        out.set(name, apiListener(name, routeConfig));
      }
    }
  }
  return out;
}
