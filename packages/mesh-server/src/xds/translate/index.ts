// Pure translation of Istio config + the service registry into the Envoy v3 resources one client is
// served: Listeners, RouteConfigurations, Clusters, ClusterLoadAssignments, plus the warnings for
// everything that could not be honoured. Sidecars (proxyless clients) and routers (ingress gateways).

import type { ProxyInfo, Translate, TranslationInput, XdsResourceSet } from '../contracts';
import { buildClusters } from './clusters';
import { buildContext } from './context';
import { resolveOptions, type TranslateOptions } from './defaults';
import type { EnvoyObject } from './envoy-names';
import { gatewayResources } from './gateway';
import { inboundListeners } from './inbound-listeners';
import { sidecarListeners } from './listeners';
import { sidecarRouteConfigurations } from './routes';
import { flagUnservedMeshHosts, flagUnsupportedRouteKinds } from './virtual-services';

function sorted(map: Map<string, EnvoyObject>): ReadonlyMap<string, object> {
  return new Map([...map.keys()].sort().map((k) => [k, map.get(k)!] as const));
}

/** Builds a Translate function with non-default options (MeshConfig knobs); see TranslateOptions. */
export function createTranslate(options: TranslateOptions = {}): Translate {
  const resolved = resolveOptions(options);
  return (input: TranslationInput, proxy: ProxyInfo): XdsResourceSet => {
    const ctx = buildContext(input, proxy, resolved);
    flagUnsupportedRouteKinds(ctx);
    let listeners: Map<string, EnvoyObject>;
    let routes: Map<string, EnvoyObject>;
    if (proxy.role === 'router') {
      ({ listeners, routes } = gatewayResources(ctx));
    } else {
      flagUnservedMeshHosts(ctx);
      listeners = sidecarListeners(ctx);
      for (const [name, listener] of inboundListeners(ctx, input.config)) listeners.set(name, listener);
      routes = sidecarRouteConfigurations(ctx);
    }
    const { clusters, endpoints } = buildClusters(ctx);
    return {
      listeners: sorted(listeners),
      routes: sorted(routes),
      clusters: sorted(clusters),
      endpoints: sorted(endpoints),
      warnings: ctx.warnings.toMap(),
    };
  };
}

/** Translation with Istio's defaults: same input and proxy → equal output, whatever the input order. */
export const translate: Translate = createTranslate();

export type { TranslateOptions } from './defaults';
export { clusterName, parseClusterName, resolveHost, routeConfigName, gatewayRouteConfigName, gatewayListenerName } from './names';
export { METADATA_KEY, TYPE_URL } from './envoy-names';
export { readInboardMetadata } from './struct';
export { parseDuration } from './durations';
