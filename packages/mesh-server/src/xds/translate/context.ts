// The per-translation view: config sorted once into a canonical order (so input order never changes
// output), what the proxy may see (exportTo), the DestinationRule per host (memoised), the client
// profile (proxyless gRPC or Envoy-semantics client) and the warning sink.

import type { Resource } from '../../config/resource';
import { keyOf, keyString } from '../../config/resource';
import type { DestinationRuleSpec, GatewaySpec, ServiceEntrySpec, VirtualServiceSpec } from '../../config/istio-types';
import type { RegistrySnapshot, ServiceInfo } from '../../registry/types';
import type { ProxyInfo, TranslationInput } from '../contracts';
import type { ResolvedOptions } from './defaults';
import { selectDestinationRule, type SelectedDestinationRule } from './destination-rules';
import { isExportedTo, serviceExportTo } from './visibility';
import { WarningSink } from './warnings';

/** Everything the focused builders read, computed once per translate() call. */
export interface TranslationContext {
  readonly proxy: ProxyInfo;
  readonly options: ResolvedOptions;
  readonly warnings: WarningSink;
  readonly registry: RegistrySnapshot;
  /** True for gRPC's own xDS clients (grpc-js-xds and friends), which NACK some Envoy features. */
  readonly grpcClient: boolean;
  /** Services visible to the proxy, sorted by hostname (wildcard ServiceEntry hosts excluded). */
  readonly services: readonly ServiceInfo[];
  /** VirtualServices visible to the proxy, in precedence order (own namespace first, then oldest first). */
  readonly virtualServices: readonly Resource<VirtualServiceSpec>[];
  /** Every Gateway, oldest first. */
  readonly gateways: readonly Resource<GatewaySpec>[];
  /** A visible service by FQDN. */
  service(host: string): ServiceInfo | undefined;
  /** A config resource by "Kind/ns/name" (e.g. the ServiceEntry a service came from). */
  resource(key: string): Resource | undefined;
  /** The DestinationRule that applies to `host` for this proxy, if any. */
  destinationRule(host: string): SelectedDestinationRule | undefined;
}

/** "Kind/ns/name" of a resource, the key warnings and metadata use. */
export function sourceOf(resource: Resource): string {
  return keyString(keyOf(resource));
}

/** Canonical order of config objects: creation time (oldest wins conflicts, as in Istio), then key. */
export function compareResources(a: Resource, b: Resource): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = sourceOf(a);
  const kb = sourceOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** True for the user agents of gRPC's proxyless xDS implementations ("gRPC Node Pure JS", "gRPC Go", …). */
export function isGrpcUserAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && /^grpc[\s-]/i.test(userAgent);
}

/** Builds the context for one translation. */
export function buildContext(input: TranslationInput, proxy: ProxyInfo, options: ResolvedOptions): TranslationContext {
  const warnings = new WarningSink();
  const config = [...input.config].sort(compareResources);
  const configByKey = new Map(config.map((r) => [sourceOf(r), r] as const));
  const ofKind = <S>(kind: string) => config.filter((r) => r.kind === kind) as Resource<S>[];

  const services: ServiceInfo[] = [];
  const serviceByHost = new Map<string, ServiceInfo>();
  for (const host of [...input.registry.services.keys()].sort()) {
    const service = input.registry.services.get(host)!;
    if (!isExportedTo(serviceExportTo(service, configByKey), service.namespace, proxy.namespace)) continue;
    if (host.includes('*')) {
      warnings.add(service.source, `host ${host}: wildcard service hosts are not served to proxyless clients (no cluster, listener or route)`);
      continue;
    }
    const origin = configByKey.get(service.source);
    if (origin?.kind === 'ServiceEntry' && (origin.spec as ServiceEntrySpec).addresses?.length) {
      warnings.add(service.source, 'addresses (virtual IPs) are not used: proxyless clients reach a ServiceEntry by host name only');
    }
    services.push(service);
    serviceByHost.set(host, service);
  }

  const virtualServices = ofKind<VirtualServiceSpec>('VirtualService')
    .filter((vs) => isExportedTo(vs.spec.exportTo, vs.metadata.namespace, proxy.namespace))
    .sort((a, b) => Number(a.metadata.namespace !== proxy.namespace) - Number(b.metadata.namespace !== proxy.namespace));
  const destinationRules = ofKind<DestinationRuleSpec>('DestinationRule');
  const gateways = ofKind<GatewaySpec>('Gateway');

  const drCache = new Map<string, SelectedDestinationRule | undefined>();
  return {
    proxy,
    options,
    warnings,
    registry: input.registry,
    grpcClient: isGrpcUserAgent(proxy.userAgent),
    services,
    virtualServices,
    gateways,
    service: (host) => serviceByHost.get(host),
    resource: (key) => configByKey.get(key),
    destinationRule(host) {
      if (!drCache.has(host)) {
        const namespace = serviceByHost.get(host)?.namespace;
        drCache.set(host, selectDestinationRule(destinationRules, host, namespace, proxy, options.rootNamespace, warnings));
      }
      return drCache.get(host);
    },
  };
}
