// Envoy TLS building blocks shared by clusters, inbound listeners and the gateway: transport sockets,
// mesh certificates from certificate-provider instances (Istio's proxyless-gRPC shape, the only one
// grpc-js-xds accepts), SPIFFE SAN matchers and Istio's outbound SNI.

import { TYPE_URL, WELL_KNOWN, type EnvoyObject } from './envoy-names';

/** The certificate-provider instance every mesh workload is bootstrapped with (Istio's `default`). */
export const MESH_PROVIDER_INSTANCE = 'default';

/** The workload certificate of the mesh provider instance. */
export const MESH_CERTIFICATE: EnvoyObject = Object.freeze({ instance_name: MESH_PROVIDER_INSTANCE, certificate_name: 'default' });

/** The mesh root bundle of the provider instance (Istio's certificate name `ROOTCA`). */
export const MESH_ROOT_CA: EnvoyObject = Object.freeze({ instance_name: MESH_PROVIDER_INSTANCE, certificate_name: 'ROOTCA' });

/** `[{ exact: san }]` for each SAN, sorted and de-duplicated (deterministic output). */
export function exactSanMatchers(sans: Iterable<string>): EnvoyObject[] {
  return [...new Set(sans)].sort().map((exact) => ({ exact }));
}

/**
 * CommonTlsContext with the mesh workload certificate and the mesh root, verifying the peer's
 * SAN against `sans` (none: any certificate of the mesh root is accepted).
 */
export function meshCommonTlsContext(sans: readonly string[] = []): EnvoyObject {
  return {
    tls_certificate_provider_instance: { ...MESH_CERTIFICATE },
    combined_validation_context: {
      default_validation_context: {
        ...(sans.length > 0 ? { match_subject_alt_names: exactSanMatchers(sans) } : {}),
        ca_certificate_provider_instance: { ...MESH_ROOT_CA },
      },
    },
  };
}

/** A `envoy.transport_sockets.tls` TransportSocket around a TLS context (UpstreamTlsContext or DownstreamTlsContext). */
export function tlsTransportSocket(typedConfig: EnvoyObject): EnvoyObject {
  return { name: WELL_KNOWN.tlsTransportSocket, typed_config: typedConfig };
}

/** The plaintext TransportSocket (`envoy.transport_sockets.raw_buffer`), named only: its config is empty. */
export function rawBufferTransportSocket(): EnvoyObject {
  return { name: WELL_KNOWN.rawBufferTransportSocket };
}

/** UpstreamTlsContext for mesh mTLS (Istio's ISTIO_MUTUAL): mesh certificate, mesh root, secure-naming SANs, SNI. */
export function meshUpstreamTlsContext(sans: readonly string[], sni: string): EnvoyObject {
  return { '@type': TYPE_URL.upstreamTlsContext, common_tls_context: meshCommonTlsContext(sans), sni };
}

/** DownstreamTlsContext of a mesh server: mesh certificate, client certificate required and checked against the mesh root. */
export function meshDownstreamTlsContext(): EnvoyObject {
  return { '@type': TYPE_URL.downstreamTlsContext, common_tls_context: meshCommonTlsContext(), require_client_certificate: { value: true } };
}

/** Istio's SNI for mesh mTLS to a cluster: `outbound_.<port>_.<subset>_.<host>` (subset empty when none). */
export function istioOutboundSni(port: number, subset: string | undefined, host: string): string {
  return `outbound_.${port}_.${subset ?? ''}_.${host}`;
}

/** A DataSource reading a file. */
export function fileSource(filename: string): EnvoyObject {
  return { filename };
}
