// Outbound TLS of a cluster, with Istio's semantics: DestinationRule `tls.mode` ISTIO_MUTUAL → mesh
// mTLS (certificate-provider instances, secure-naming SANs, Istio SNI); no tls setting → auto mTLS
// (transport_socket_matches: endpoints labelled tlsMode=istio get mTLS, others plaintext); DISABLE →
// plaintext; SIMPLE/MUTUAL → file-based TLS. Proxyless gRPC clients get only what grpc-js-xds accepts.

import { toStruct } from '@inboard/xds';
import type { ClientTLSSettings, ServiceEntrySpec } from '../../config/istio-types';
import type { ServiceInfo, ServicePortInfo } from '../../registry/types';
import type { TranslationContext } from './context';
import { spiffeIdentity } from './endpoints';
import { TYPE_URL, type EnvoyObject } from './envoy-names';
import { exactSanMatchers, fileSource, istioOutboundSni, meshUpstreamTlsContext, rawBufferTransportSocket, tlsTransportSocket } from './tls-contexts';

type Warn = (message: string) => void;

/**
 * Secure naming: the SPIFFE identities allowed to serve a service port — the service accounts of its
 * workloads (all subsets, as Istio), plus a ServiceEntry's `subjectAltNames`.
 */
export function serviceIdentities(ctx: TranslationContext, service: ServiceInfo, port: ServicePortInfo): string[] {
  const ids = new Set<string>();
  for (const { endpoint } of ctx.registry.endpointsFor(service.hostname, port.port)) {
    if (endpoint.origin !== 'ServiceEntry') ids.add(spiffeIdentity(endpoint));
  }
  const origin = ctx.resource(service.source);
  if (origin?.kind === 'ServiceEntry') for (const san of (origin.spec as ServiceEntrySpec).subjectAltNames ?? []) ids.add(san);
  return [...ids].sort();
}

/** Where a cluster's TLS comes from. */
export interface ClusterTlsTarget {
  readonly service: ServiceInfo;
  readonly port: ServicePortInfo;
  readonly subset: string | undefined;
  /** True for EDS clusters (endpoint metadata can select the transport socket). */
  readonly eds: boolean;
}

function meshMtls(ctx: TranslationContext, target: ClusterTlsTarget, tls: ClientTLSSettings | undefined): EnvoyObject {
  const sans = tls?.subjectAltNames?.length ? [...tls.subjectAltNames] : serviceIdentities(ctx, target.service, target.port);
  const sni = tls?.sni ?? istioOutboundSni(target.port.port, target.subset, target.service.hostname);
  return tlsTransportSocket(meshUpstreamTlsContext(sans, sni));
}

/** SIMPLE / MUTUAL: certificates from files (Istio's clientCertificate/privateKey/caCertificates). */
function fileTls(target: ClusterTlsTarget, tls: ClientTLSSettings, warn: Warn): EnvoyObject {
  const mode = tls.mode!;
  const common: EnvoyObject = {};
  if (tls.credentialName !== undefined) {
    warn(`tls.credentialName "${tls.credentialName}" is not supported in a DestinationRule (Inboard serves no secret discovery); ` +
      `give the files with clientCertificate/privateKey/caCertificates. The cluster still uses TLS, ${mode === 'MUTUAL' ? 'without a client certificate' : 'verified against the system roots'}`);
  }
  if (mode === 'MUTUAL' && tls.clientCertificate && tls.privateKey) {
    common.tls_certificates = [{ certificate_chain: fileSource(tls.clientCertificate), private_key: fileSource(tls.privateKey) }];
  } else if (mode === 'MUTUAL' && tls.credentialName === undefined) {
    warn('tls.mode MUTUAL needs clientCertificate and privateKey; the cluster uses TLS without a client certificate');
  } else if (mode === 'SIMPLE' && (tls.clientCertificate || tls.privateKey)) {
    warn('tls.clientCertificate/privateKey are ignored in mode SIMPLE (no client certificate is sent); use mode MUTUAL');
  }
  if (tls.caCrl !== undefined) warn(`tls.caCrl is not supported (no revocation lists); ${tls.caCrl} is not checked`);
  if (tls.insecureSkipVerify !== true) {
    const sans = tls.subjectAltNames?.length ? { match_subject_alt_names: exactSanMatchers(tls.subjectAltNames) } : {};
    const ca = tls.caCertificates ? { trusted_ca: fileSource(tls.caCertificates) } : {};
    if (Object.keys(sans).length + Object.keys(ca).length > 0) common.validation_context = { ...ca, ...sans };
  }
  return tlsTransportSocket({ '@type': TYPE_URL.upstreamTlsContext, common_tls_context: common, sni: tls.sni ?? target.service.hostname });
}

/**
 * The cluster fields for its upstream TLS: `transport_socket`, `transport_socket_matches`, or none
 * (plaintext). `tls` is the effective policy's tls block; `warn` reports on the policy's source.
 */
export function upstreamTlsFields(ctx: TranslationContext, target: ClusterTlsTarget, tls: ClientTLSSettings | undefined, warn: Warn): EnvoyObject {
  const mode = tls?.mode;
  switch (mode) {
    case 'DISABLE':
      return {};
    case 'ISTIO_MUTUAL':
      if (ctx.grpcClient) {
        warn('tls.mode ISTIO_MUTUAL: a proxyless gRPC client accepts this cluster only when its bootstrap has certificate_providers.default ' +
          '(and it uses XdsChannelCredentials); without them grpc-js-xds rejects the cluster');
      }
      return { transport_socket: meshMtls(ctx, target, tls) };
    case 'SIMPLE':
    case 'MUTUAL':
      if (ctx.grpcClient) {
        warn(`tls.mode ${mode} is not served to proxyless gRPC clients (grpc-js-xds accepts only certificate-provider instances, not certificate files); their connections to ${target.service.hostname} are not encrypted`);
        return {};
      }
      return { transport_socket: fileTls(target, tls!, warn) };
    default:
      break;
  }
  // Auto mTLS: only where endpoint metadata can choose, only inside the mesh, never to gRPC's own
  // clients (Istio's gRPC generator does not either: a gRPC server cannot serve PERMISSIVE).
  if (ctx.grpcClient || !target.eds || target.service.location === 'MESH_EXTERNAL') return {};
  return {
    transport_socket_matches: [
      { name: 'tlsMode-istio', match: toStruct({ tlsMode: 'istio' }), transport_socket: meshMtls(ctx, target, undefined) },
      { name: 'tlsMode-disabled', match: toStruct({}), transport_socket: rawBufferTransportSocket() },
    ],
  };
}
