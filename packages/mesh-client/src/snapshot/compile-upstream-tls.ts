// Compiles a cluster's transport sockets: UpstreamTlsContext (SNI, ALPN, SAN matchers, certificate
// sources) and transport_socket_matches, and picks the one an endpoint uses.

import { compileStringMatcher } from '../routing/matchers';
import { cloneFrozen } from './freeze';
import { Issues, Obj, join, readList, readObject, readString, structToJson, unwrapAny } from './proto-readers';
import type { Endpoint, TransportSocketMatch, UpstreamTls } from './types';

const UPSTREAM_TLS = 'envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const RAW_BUFFER = 'envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer';

/**
 * Compiles a core.v3.TransportSocket. Returns `null` for plaintext (raw_buffer), UpstreamTls for
 * TLS, undefined with an error for any other socket type.
 */
export function compileTransportSocket(v: unknown, path: string, issues: Issues): UpstreamTls | null | undefined {
  const o = readObject(v, path, issues);
  if (!o) return null;
  const any = unwrapAny(o['typed_config']);
  if (!any) {
    const name = readString(o['name'], join(path, 'name'), issues);
    if (name === 'envoy.transport_sockets.raw_buffer' || name === undefined) return null;
    issues.error(join(path, 'typed_config'), `transport socket "${name}" needs a typed_config`);
    return undefined;
  }
  if (any.typeName === RAW_BUFFER) return null;
  if (any.typeName !== UPSTREAM_TLS) {
    issues.error(join(path, 'typed_config'), `transport socket type ${any.typeName} is not supported (UpstreamTlsContext or RawBuffer)`);
    return undefined;
  }
  return compileUpstreamTls(any.message, join(path, 'typed_config'), issues);
}

function compileUpstreamTls(o: Obj, path: string, issues: Issues): UpstreamTls {
  const common = readObject(o['common_tls_context'], join(path, 'common_tls_context'), issues) ?? {};
  const cp = join(path, 'common_tls_context');
  const tls: { -readonly [K in keyof UpstreamTls]: UpstreamTls[K] } = {
    alpn: readList(common['alpn_protocols'], join(cp, 'alpn_protocols'), issues).map(String),
    subjectAltNames: [],
    config: cloneFrozen(o),
  };
  const sni = readString(o['sni'], join(path, 'sni'), issues);
  if (sni) tls.sni = sni;
  const sds = readList(common['tls_certificate_sds_secret_configs'], join(cp, 'tls_certificate_sds_secret_configs'), issues);
  const provider = readObject(common['tls_certificate_provider_instance'], join(cp, 'tls_certificate_provider_instance'), issues);
  if (sds.length > 0) tls.certificate = { kind: 'sds', name: String((sds[0] as Obj)?.['name'] ?? '') };
  else if (provider) tls.certificate = providerRef(provider);
  else if (readList(common['tls_certificates'], join(cp, 'tls_certificates'), issues).length > 0) tls.certificate = { kind: 'inline' };

  const combined = readObject(common['combined_validation_context'], join(cp, 'combined_validation_context'), issues);
  const validation = combined ? readObject(combined['default_validation_context'], join(cp, 'combined_validation_context.default_validation_context'), issues)
    : readObject(common['validation_context'], join(cp, 'validation_context'), issues);
  const vpath = combined ? join(cp, 'combined_validation_context.default_validation_context') : join(cp, 'validation_context');
  const validationSds = readObject(combined ? combined['validation_context_sds_secret_config'] : common['validation_context_sds_secret_config'], join(cp, 'validation_context_sds_secret_config'), issues);
  const validationProvider = readObject(combined ? combined['validation_context_certificate_provider_instance'] : common['validation_context_certificate_provider_instance'], join(cp, 'validation_context_certificate_provider_instance'), issues)
    ?? readObject(validation?.['ca_certificate_provider_instance'], join(vpath, 'ca_certificate_provider_instance'), issues);
  if (validationSds) tls.validation = { kind: 'sds', name: String(validationSds['name'] ?? '') };
  else if (validationProvider) tls.validation = providerRef(validationProvider);
  else if (validation?.['trusted_ca'] !== undefined) tls.validation = { kind: 'inline' };
  const sans: { sanType?: string; matcher: NonNullable<ReturnType<typeof compileStringMatcher>> }[] = [];
  if (validation) {
    readList(validation['match_subject_alt_names'], join(vpath, 'match_subject_alt_names'), issues).forEach((m, i) => {
      const matcher = compileStringMatcher(m, join(join(vpath, 'match_subject_alt_names'), i), issues);
      if (matcher) sans.push({ matcher });
    });
    readList(validation['match_typed_subject_alt_names'], join(vpath, 'match_typed_subject_alt_names'), issues).forEach((m, i) => {
      const mp = join(join(vpath, 'match_typed_subject_alt_names'), i);
      const mo = readObject(m, mp, issues) ?? {};
      const matcher = compileStringMatcher(mo['matcher'], join(mp, 'matcher'), issues);
      if (matcher) sans.push({ sanType: String(mo['san_type'] ?? 'SAN_TYPE_UNSPECIFIED'), matcher });
    });
  }
  tls.subjectAltNames = sans;
  return tls;
}

function providerRef(o: Obj): { kind: 'provider'; instance: string; certificateName?: string } {
  const certificateName = typeof o['certificate_name'] === 'string' && o['certificate_name'] !== '' ? o['certificate_name'] : undefined;
  return { kind: 'provider', instance: String(o['instance_name'] ?? ''), ...(certificateName ? { certificateName } : {}) };
}

/** Compiles transport_socket_matches (order matters: the first match wins). */
export function compileTransportSocketMatches(v: unknown, path: string, issues: Issues): TransportSocketMatch[] {
  const out: TransportSocketMatch[] = [];
  readList(v, path, issues).forEach((m, i) => {
    const p = join(path, i);
    const o = readObject(m, p, issues);
    if (!o) return;
    const tls = compileTransportSocket(o['transport_socket'], join(p, 'transport_socket'), issues);
    if (tls === undefined) return;
    out.push({ name: String(o['name'] ?? ''), match: cloneFrozen(structToJson(o['match'])), ...(tls ? { tls } : {}) });
  });
  return out;
}

/**
 * The TLS settings for one endpoint: the first transport_socket_matches entry whose `match`
 * fields all equal the endpoint's `envoy.transport_socket_match` metadata (an empty match matches
 * all), else the cluster's transport_socket. undefined = plaintext.
 */
export function upstreamTlsFor(cluster: { readonly tls?: UpstreamTls; readonly transportSocketMatches: readonly TransportSocketMatch[] }, endpoint: Endpoint): UpstreamTls | undefined {
  const meta = endpoint.metadata['envoy.transport_socket_match'] ?? {};
  for (const m of cluster.transportSocketMatches) {
    if (Object.entries(m.match).every(([k, v]) => meta[k] === v)) return m.tls;
  }
  return cluster.tls;
}
