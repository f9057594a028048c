// TLS of an ingress Gateway server (`servers[].tls`) → the DownstreamTlsContext of its filter chain:
// SIMPLE / MUTUAL / OPTIONAL_MUTUAL with Istio's file fields or a credentialName (an SDS secret name
// `kubernetes://<name>`, which `inboard gateway --credential-dir` resolves), ISTIO_MUTUAL with mesh certificates.

import type { Server, ServerTLSSettings } from '../../config/istio-types';
import { ADS_CONFIG_SOURCE, TYPE_URL, type EnvoyObject } from './envoy-names';
import { exactSanMatchers, fileSource, MESH_CERTIFICATE, MESH_ROOT_CA, tlsTransportSocket } from './tls-contexts';

type Warn = (message: string) => void;

/** Istio's prefix of credentialName secrets (istiod's `kubernetes://` SDS resource names). */
export const CREDENTIAL_SECRET_PREFIX = 'kubernetes://';
/** Suffix of the CA-certificate secret of a credential (Istio's `<name>-cacert`). */
export const CA_SECRET_SUFFIX = '-cacert';

/** Modes that terminate TLS at the gateway. */
const TERMINATING = new Set(['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL', 'ISTIO_MUTUAL']);

/** Istio TLSProtocol ("TLSV1_2") → Envoy TlsParameters.TlsProtocol ("TLSv1_2"). */
function envoyTlsVersion(version: string | undefined): string | undefined {
  if (version === undefined || version === 'TLS_AUTO') return undefined;
  const m = /^TLSV1_([0-3])$/.exec(version);
  return m ? `TLSv1_${m[1]}` : undefined;
}

function sdsSecret(name: string): EnvoyObject {
  return { name: `${CREDENTIAL_SECRET_PREFIX}${name}`, sds_config: ADS_CONFIG_SOURCE };
}

/** True when the server terminates TLS (HTTPS, or a tls block with a terminating mode). */
export function terminatesTls(server: Server): boolean {
  return server.tls?.mode !== undefined && TERMINATING.has(server.tls.mode);
}

function certificateFields(tls: ServerTLSSettings, mode: string, warn: Warn): EnvoyObject {
  if (mode === 'ISTIO_MUTUAL') return { tls_certificate_provider_instance: { ...MESH_CERTIFICATE } };
  if (tls.credentialName) return { tls_certificate_sds_secret_configs: [sdsSecret(tls.credentialName)] };
  if (tls.credentialNames?.length) {
    if (tls.credentialNames.length > 1) warn(`tls.credentialNames: only the first credential (${tls.credentialNames[0]}) is served; the gateway holds one certificate per server`);
    return { tls_certificate_sds_secret_configs: [sdsSecret(tls.credentialNames[0]!)] };
  }
  const pair = tls.serverCertificate && tls.privateKey
    ? { serverCertificate: tls.serverCertificate, privateKey: tls.privateKey }
    : tls.tlsCertificates?.[0];
  if (tls.tlsCertificates && tls.tlsCertificates.length > 1) warn('tls.tlsCertificates: only the first certificate is served; the gateway holds one certificate per server');
  if (pair?.serverCertificate && pair.privateKey) {
    return { tls_certificates: [{ certificate_chain: fileSource(pair.serverCertificate), private_key: fileSource(pair.privateKey) }] };
  }
  return {};
}

function validationFields(tls: ServerTLSSettings, mode: string, warn: Warn): EnvoyObject {
  const sans = tls.subjectAltNames?.length ? { match_subject_alt_names: exactSanMatchers(tls.subjectAltNames) } : {};
  if (tls.caCrl !== undefined) warn(`tls.caCrl is not supported (no revocation lists); ${tls.caCrl} is not checked`);
  if (tls.verifyCertificateSpki?.length || tls.verifyCertificateHash?.length) warn('tls.verifyCertificateSpki/verifyCertificateHash are not supported by the Inboard gateway; they are not checked');
  if (mode === 'ISTIO_MUTUAL') {
    return { combined_validation_context: { default_validation_context: { ...sans, ca_certificate_provider_instance: { ...MESH_ROOT_CA } } } };
  }
  if (mode !== 'MUTUAL' && mode !== 'OPTIONAL_MUTUAL') return {};
  const caCredential = tls.caCertCredentialName ?? (tls.credentialName ?? tls.credentialNames?.[0]);
  if (tls.caCertificates) return { validation_context: { trusted_ca: fileSource(tls.caCertificates), ...sans } };
  if (caCredential) {
    const name = tls.caCertCredentialName ?? `${caCredential}${CA_SECRET_SUFFIX}`;
    return { combined_validation_context: { default_validation_context: { ...sans }, validation_context_sds_secret_config: sdsSecret(name) } };
  }
  const fromPair = tls.tlsCertificates?.find((c) => c.caCertificates)?.caCertificates;
  if (fromPair) return { validation_context: { trusted_ca: fileSource(fromPair), ...sans } };
  return {};
}

function tlsParams(tls: ServerTLSSettings): EnvoyObject | undefined {
  const min = envoyTlsVersion(tls.minProtocolVersion);
  const max = envoyTlsVersion(tls.maxProtocolVersion);
  const params = {
    ...(min ? { tls_minimum_protocol_version: min } : {}),
    ...(max ? { tls_maximum_protocol_version: max } : {}),
    ...(tls.cipherSuites?.length ? { cipher_suites: [...tls.cipherSuites] } : {}),
    ...(tls.ecdhCurves?.length ? { ecdh_curves: [...tls.ecdhCurves] } : {}),
  };
  return Object.keys(params).length > 0 ? params : undefined;
}

/**
 * The `transport_socket` of a terminating Gateway server, or a reason it cannot be served (PASSTHROUGH
 * modes, missing certificate source). `warn` reports what is served only in part.
 */
export function gatewayTransportSocket(server: Server, warn: Warn): { socket: EnvoyObject } | { problem: string } {
  const tls = server.tls ?? {};
  const mode = tls.mode ?? 'PASSTHROUGH';
  if (mode === 'PASSTHROUGH' || mode === 'AUTO_PASSTHROUGH') {
    return { problem: `tls.mode ${mode} (TLS passthrough, routed by SNI without terminating) is not supported by the Inboard gateway; use SIMPLE or MUTUAL` };
  }
  const certificate = certificateFields(tls, mode, warn);
  if (Object.keys(certificate).length === 0) {
    return { problem: `tls.mode ${mode} needs a certificate: set credentialName (resolved in the gateway's --credential-dir) or serverCertificate and privateKey` };
  }
  const validation = validationFields(tls, mode, warn);
  if ((mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') && Object.keys(validation).length === 0) {
    return { problem: `tls.mode ${mode} needs the client CA: set caCertificates, or credentialName (its ca.crt)` };
  }
  const params = tlsParams(tls);
  const common = { ...certificate, ...validation, ...(params ? { tls_params: params } : {}) };
  const requireClient = mode === 'MUTUAL' || mode === 'ISTIO_MUTUAL';
  return {
    socket: tlsTransportSocket({
      '@type': TYPE_URL.downstreamTlsContext,
      common_tls_context: common,
      ...(requireClient ? { require_client_certificate: { value: true } } : {}),
    }),
  };
}

/** The SNI names a server's filter chain matches: its hosts without namespace ("ns/host"), none for "*". */
export function serverNames(server: Server): string[] {
  const hosts = (server.hosts ?? []).map((h) => (h.includes('/') ? h.slice(h.indexOf('/') + 1) : h));
  if (hosts.includes('*')) return [];
  return [...new Set(hosts.map((h) => h.toLowerCase()))].sort();
}
