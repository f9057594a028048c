// Inbound listeners of a serving workload, as Istio's proxyless generator builds them: `xds.istio.io/grpc/
// lds/inbound/<ip>:<port>`, filter chains by the port's mTLS mode, each an HCM with the RBAC filters, the
// router and an inline non_forwarding route (gRFC A36); mode and path normalization in filter_metadata.inboard.

import net from 'node:net';
import type { Resource } from '../../config/resource';
import type { ServiceInfo, WorkloadEndpoint } from '../../registry/types';
import { TYPE_URL, WELL_KNOWN, type EnvoyObject } from './envoy-names';
import { effectiveMtlsModes, type PortMtls } from './inbound-mtls';
import { applicableAuthorizationPolicies, authorizationHttpFilters, routerFilter, type PolicyTarget } from './rbac-policies';
import { compareResources, sourceOf, type TranslationContext } from './context';
import { inboardMetadata, type StructJson } from './struct';
import { applicableRequestAuthentications, jwtAuthnConfig } from './request-authn';
import { meshDownstreamTlsContext, tlsTransportSocket } from './tls-contexts';

/** Istio's server listener name prefix (grpcxds.ServerListenerNamePrefix), the bootstrap template's `%s` follows. */
export const INBOUND_LISTENER_PREFIX = 'xds.istio.io/grpc/lds/inbound/';

/** Istio's default meshConfig.pathNormalization, announced to clients in the listener metadata. */
export const DEFAULT_PATH_NORMALIZATION = 'BASE';

/** Addresses every served port also gets a listener for: servers bound to all interfaces ask for these. */
const WILDCARD_ADDRESSES: readonly string[] = ['0.0.0.0', '::'];

/** `xds.istio.io/grpc/lds/inbound/<ip>:<port>`, IPv6 in brackets (Go's net.JoinHostPort). */
export function inboundListenerName(ip: string, port: number): string {
  return `${INBOUND_LISTENER_PREFIX}${net.isIPv6(ip) ? `[${ip}]` : ip}:${port}`;
}

/** The address and port of an inbound listener name, or undefined for any other name. */
export function parseInboundListenerName(name: string): { ip: string; port: number } | undefined {
  if (!name.startsWith(INBOUND_LISTENER_PREFIX)) return undefined;
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(name.slice(INBOUND_LISTENER_PREFIX.length));
  const ip = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!ip || net.isIP(ip) === 0 || !(port >= 1 && port <= 65535)) return undefined;
  return { ip, port };
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/**
 * The registry endpoints that are this proxy's workload: same namespace and the same labels (the
 * proxy's own registration and its replicas — clients with equal labels share one translated view).
 */
export function workloadEndpoints(ctx: TranslationContext): WorkloadEndpoint[] {
  const { namespace, labels } = ctx.proxy;
  return ctx.registry.endpoints.filter((e) => e.origin !== 'ServiceEntry' && e.namespace === namespace && sameLabels(e.labels, labels));
}

/** The workload ports the endpoints serve: their named ports plus the ports services resolve to them. */
export function servedPorts(ctx: TranslationContext, endpoints: readonly WorkloadEndpoint[]): number[] {
  const own = new Set(endpoints.map((e) => e.id));
  const listed = new Set(endpoints.flatMap((e) => e.services ?? []));
  const ports = new Set<number>(endpoints.flatMap((e) => Object.values(e.ports)));
  const { namespace, labels } = ctx.proxy;
  const selects = (s: ServiceInfo) => listed.has(s.hostname)
    || (s.namespace === namespace && s.selector !== undefined && Object.entries(s.selector).every(([k, v]) => labels[k] === v));
  for (const service of [...ctx.registry.services.values()].filter(selects)) {
    for (const port of service.ports) {
      for (const member of ctx.registry.endpointsFor(service.hostname, port.port)) {
        if (own.has(member.endpoint.id)) ports.add(member.port);
      }
    }
  }
  return [...ports].filter((p) => Number.isInteger(p) && p >= 1 && p <= 65535).sort((a, b) => a - b);
}

function inboundHcm(statPrefix: string, httpFilters: readonly EnvoyObject[]): EnvoyObject {
  return {
    '@type': TYPE_URL.httpConnectionManager,
    stat_prefix: statPrefix,
    route_config: {
      name: 'inbound',
      virtual_hosts: [{ name: 'inbound', domains: ['*'], routes: [{ match: { prefix: '/' }, non_forwarding_action: {} }] }],
    },
    http_filters: [...httpFilters, routerFilter()],
  };
}

/**
 * The filter chains of one port's mTLS mode: STRICT → one chain with the mesh DownstreamTlsContext;
 * PERMISSIVE → a TLS chain (`transport_protocol: tls`) and a plaintext one (`raw_buffer`); DISABLE →
 * plaintext only. A gRPC xDS server cannot tell TLS from plaintext (it drops `tls`-matched chains),
 * so, as Istio's gRPC generator, PERMISSIVE is served to it as plaintext only.
 */
export function inboundFilterChains(mode: PortMtls['mode'], hcm: EnvoyObject, grpcServer: boolean): EnvoyObject[] {
  const filters = [{ name: WELL_KNOWN.httpConnectionManager, typed_config: hcm }];
  const mtls = (match: EnvoyObject | undefined): EnvoyObject => ({
    name: 'inbound-mtls',
    ...(match ? { filter_chain_match: match } : {}),
    filters,
    transport_socket: tlsTransportSocket(meshDownstreamTlsContext()),
  });
  const plaintext = (match: EnvoyObject | undefined): EnvoyObject => ({ name: 'inbound-plaintext', ...(match ? { filter_chain_match: match } : {}), filters });
  if (mode === 'STRICT') return [mtls(undefined)];
  if (mode === 'PERMISSIVE' && !grpcServer) return [mtls({ transport_protocol: 'tls' }), plaintext({ transport_protocol: 'raw_buffer' })];
  return [plaintext(undefined)];
}

/** One inbound listener. */
function inboundListener(ip: string, port: number, mtls: PortMtls, rbac: readonly EnvoyObject[], policies: readonly string[], grpcServer: boolean, jwtAuthn?: Record<string, StructJson>): EnvoyObject {
  return {
    name: inboundListenerName(ip, port),
    address: { socket_address: { address: ip, port_value: port } },
    traffic_direction: 'INBOUND',
    filter_chains: inboundFilterChains(mtls.mode, inboundHcm(`inbound_${ip}_${port}`, rbac), grpcServer),
    metadata: inboardMetadata({
      mtls_mode: mtls.mode,
      mtls_policy: mtls.source,
      path_normalization: DEFAULT_PATH_NORMALIZATION,
      authorization_policies: [...policies],
      jwt_authn: jwtAuthn,
    }),
  };
}

/**
 * The inbound listeners of a sidecar proxy that serves: for each port its workload serves, one per
 * workload address and one each for 0.0.0.0 and ::. `config` is the translation input's config.
 * Empty for a proxy with no registered workload.
 */
export function inboundListeners(ctx: TranslationContext, config: readonly Resource[]): Map<string, EnvoyObject> {
  const out = new Map<string, EnvoyObject>();
  const endpoints = workloadEndpoints(ctx);
  const ports = servedPorts(ctx, endpoints);
  if (ports.length === 0) return out;
  const target: PolicyTarget = { namespace: ctx.proxy.namespace, labels: ctx.proxy.labels };
  const rootNamespace = ctx.options.rootNamespace;
  const ordered = [...config].sort(compareResources);
  const policies = applicableAuthorizationPolicies(ordered, target, rootNamespace);
  const rbac = authorizationHttpFilters(policies, { grpcClient: ctx.grpcClient }, ctx.warnings);
  const modes = effectiveMtlsModes(ordered, target, ports, rootNamespace, ctx.warnings);
  const addresses = [...new Set([...endpoints.map((e) => e.address), ...WILDCARD_ADDRESSES])].filter((a) => net.isIP(a) !== 0);
  const policyKeys = policies.map(sourceOf);
  const jwtAuthn = jwtAuthnConfig(applicableRequestAuthentications(ordered, target, rootNamespace), ctx.warnings);
  if (jwtAuthn && ctx.grpcClient) {
    for (const source of jwtAuthn['policies'] as string[]) ctx.warnings.add(source, 'RequestAuthentication is not enforced by proxyless gRPC servers (gRPC has no jwt_authn filter); serve with mesh-client to verify tokens');
  }
  for (const port of ports) {
    const mtls = modes.get(port)!;
    if (ctx.grpcClient && mtls.mode === 'PERMISSIVE' && mtls.source) {
      ctx.warnings.add(mtls.source, `port ${port}: PERMISSIVE is served to a proxyless gRPC server as plaintext only (it cannot accept both on one port); use STRICT or DISABLE`);
    }
    for (const ip of addresses) out.set(inboundListenerName(ip, port), inboundListener(ip, port, mtls, rbac, policyKeys, ctx.grpcClient, jwtAuthn));
  }
  return out;
}
