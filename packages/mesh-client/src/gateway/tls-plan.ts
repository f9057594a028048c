// How one TLS filter chain of a gateway listener terminates: its DownstreamTlsContext resolved to
// files — Istio's file fields as sent, a credentialName secret (`kubernetes://NAME`) as
// `<credential dir>/NAME/tls.crt|tls.key|ca.crt` (a Kubernetes TLS secret's keys), or the operator's
// --tls-cert/--tls-key — plus its SNI names, client-certificate mode and TLS parameters. Pure.

/** Certificate and key files (PEM) a TLS listener terminates with. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Where certificates come from besides the files a listener names. */
export interface CertificateSources {
  /** Operator certificate for servers that name a credential but no credential directory is given. */
  readonly operator?: TlsFiles;
  /** Directory of credentials: `<dir>/<credentialName>/tls.crt`, `tls.key` and (MUTUAL) `ca.crt`. */
  readonly credentialDir?: string;
}

/** One SNI-matched TLS filter chain. */
export interface TlsChainPlan extends TlsFiles {
  /** The filter chain's name (the Gateway server it came from). */
  readonly name: string;
  /** SNI names it serves (`*.example.com` wildcards); empty = any. */
  readonly serverNames: readonly string[];
  /** Client certificates: none, required (MUTUAL) or verified when sent (OPTIONAL_MUTUAL). */
  readonly clientCertificate: 'none' | 'required' | 'optional';
  /** CA bundle (PEM) that client certificates must chain to. */
  readonly caFile?: string;
  /** Node's minVersion / maxVersion ('TLSv1.2'…) and cipher list. */
  readonly minVersion?: string;
  readonly maxVersion?: string;
  readonly ciphers?: string;
  /** Node's ecdhCurve list ("X25519:P-256"). */
  readonly ecdhCurve?: string;
}

const DOWNSTREAM_TLS = 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';
const SECRET_PREFIX = 'kubernetes://';
const CA_SUFFIX = '-cacert';

type Rec = Record<string, unknown>;

function record(value: unknown): Rec | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Rec) : undefined;
}

function filename(dataSource: unknown): string | undefined {
  const name = record(dataSource)?.['filename'];
  return typeof name === 'string' && name !== '' ? name : undefined;
}

function secretName(config: unknown): string | undefined {
  const name = record(config)?.['name'];
  if (typeof name !== 'string' || name === '') return undefined;
  return name.startsWith(SECRET_PREFIX) ? name.slice(SECRET_PREFIX.length) : name;
}

function credentialFile(dir: string, credential: string, file: string): string {
  return `${dir.replace(/\/+$/, '')}/${credential}/${file}`;
}

/** Envoy TlsProtocol "TLSv1_2" → Node "TLSv1.2". */
function nodeVersion(value: unknown): string | undefined {
  const m = typeof value === 'string' ? /^TLSv1_([0-3])$/.exec(value) : null;
  return m ? `TLSv1.${m[1]}` : undefined;
}

function certificateOf(common: Rec, sources: CertificateSources): TlsFiles | string {
  const certificates = common['tls_certificates'];
  const first = Array.isArray(certificates) ? record(certificates[0]) : undefined;
  const certFile = filename(first?.['certificate_chain']);
  const keyFile = filename(first?.['private_key']);
  if (certFile && keyFile) return { certFile, keyFile };
  if (record(common['tls_certificate_provider_instance'])) {
    return 'ISTIO_MUTUAL needs the gateway\'s own mesh certificate, which `inboard gateway` does not obtain; use SIMPLE or MUTUAL with a credentialName';
  }
  const sds = common['tls_certificate_sds_secret_configs'];
  const credential = Array.isArray(sds) ? secretName(sds[0]) : undefined;
  if (credential && sources.credentialDir) {
    return { certFile: credentialFile(sources.credentialDir, credential, 'tls.crt'), keyFile: credentialFile(sources.credentialDir, credential, 'tls.key') };
  }
  if (sources.operator) return sources.operator;
  if (credential) {
    return `the server's credentialName "${credential}" needs a credential directory: start the gateway with --credential-dir DIR holding DIR/${credential}/tls.crt and tls.key (or give --tls-cert and --tls-key)`;
  }
  return 'the server is HTTPS but names no certificate (credentialName or serverCertificate/privateKey); start the gateway with --tls-cert and --tls-key to use an operator certificate';
}

function caOf(common: Rec, sources: CertificateSources): string | undefined | { problem: string } {
  const combined = record(common['combined_validation_context']);
  const validation = record(common['validation_context']) ?? record(combined?.['default_validation_context']);
  const sans = validation?.['match_subject_alt_names'];
  if (Array.isArray(sans) && sans.length > 0) {
    return { problem: 'subjectAltNames checks of client certificates are not supported by the Inboard gateway; remove subjectAltNames from the server\'s tls' };
  }
  const file = filename(validation?.['trusted_ca']);
  if (file) return file;
  const sdsName = secretName(combined?.['validation_context_sds_secret_config'] ?? common['validation_context_sds_secret_config']);
  if (!sdsName) return undefined;
  const credential = sdsName.endsWith(CA_SUFFIX) ? sdsName.slice(0, -CA_SUFFIX.length) : sdsName;
  if (!sources.credentialDir) {
    return { problem: `the client CA of credential "${credential}" needs a credential directory: start the gateway with --credential-dir DIR holding DIR/${credential}/ca.crt` };
  }
  return credentialFile(sources.credentialDir, credential, 'ca.crt');
}

/**
 * The TLS plan of one filter chain from its transport socket; a string says why it cannot be
 * served. `serverNames` come from the chain's filter_chain_match.
 */
export function planTlsChain(name: string, serverNames: readonly string[], transportSocket: Readonly<Rec>, sources: CertificateSources): TlsChainPlan | string {
  const typed = record(transportSocket['typed_config']);
  const typeUrl = String(typed?.['@type'] ?? '');
  if (!typeUrl.endsWith(DOWNSTREAM_TLS)) return `transport socket ${typeUrl || String(transportSocket['name'] ?? '')} is not a DownstreamTlsContext`;
  const common = record(typed?.['common_tls_context']) ?? {};
  const certificate = certificateOf(common, sources);
  if (typeof certificate === 'string') return certificate;
  const ca = caOf(common, sources);
  if (typeof ca === 'object') return ca.problem;
  const required = record(typed?.['require_client_certificate'])?.['value'] === true || typed?.['require_client_certificate'] === true;
  if (required && !ca) return 'the server requires client certificates (MUTUAL) but names no client CA (caCertificates or the credential\'s ca.crt)';
  const params = record(common['tls_params']) ?? {};
  const ciphers = Array.isArray(params['cipher_suites']) ? (params['cipher_suites'] as unknown[]).map(String).join(':') : undefined;
  const curves = Array.isArray(params['ecdh_curves']) ? (params['ecdh_curves'] as unknown[]).map(String).join(':') : undefined;
  const minVersion = nodeVersion(params['tls_minimum_protocol_version']);
  const maxVersion = nodeVersion(params['tls_maximum_protocol_version']);
  return {
    name,
    serverNames: serverNames.map((s) => s.toLowerCase()),
    ...certificate,
    clientCertificate: required ? 'required' : ca ? 'optional' : 'none',
    ...(ca ? { caFile: ca } : {}),
    ...(minVersion ? { minVersion } : {}),
    ...(maxVersion ? { maxVersion } : {}),
    ...(ciphers ? { ciphers } : {}),
    ...(curves ? { ecdhCurve: curves } : {}),
  };
}

/** True when `host` (lower-case, no port) is one of `names`: exact, or under a `*.suffix` wildcard; empty `names` = any. */
export function serverNameMatches(names: readonly string[], host: string): boolean {
  if (names.length === 0) return true;
  return names.some((n) => n === host || (n.startsWith('*.') && host.length > n.length - 1 && host.endsWith(n.slice(1))));
}

/** The chain for an SNI name: exact, then the longest wildcard, then a chain without names; undefined = none. */
export function chainForServerName<T extends { readonly serverNames: readonly string[] }>(chains: readonly T[], servername: string | undefined): T | undefined {
  const sni = (servername ?? '').toLowerCase();
  if (sni !== '') {
    const exact = chains.find((c) => c.serverNames.includes(sni));
    if (exact) return exact;
    let best: { chain: T; length: number } | undefined;
    for (const chain of chains) {
      for (const n of chain.serverNames) {
        if (n.startsWith('*.') && serverNameMatches([n], sni) && (!best || n.length > best.length)) best = { chain, length: n.length };
      }
    }
    if (best) return best.chain;
  }
  return chains.find((c) => c.serverNames.length === 0);
}
