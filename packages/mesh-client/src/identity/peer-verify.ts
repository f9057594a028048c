// Pure checks of a TLS peer's certificate as a workload identity (SPIFFE X509-SVID rules), run
// after Node's `tls` has verified the chain: a leaf (not a CA), exactly one URI SAN read from DER,
// a strict SPIFFE ID, an accepted trust domain and — for secure naming — an expected identity.

import type { PeerCertificate } from 'node:tls';
import { IdentityError, type IdentityErrorCode } from './errors';
import { parseSpiffeId, type SpiffeIdentity } from './spiffe-id';
import { EKU_OID, readCertificateExtensions, readExtKeyUsage, readIsCa, readKeyUsage } from './x509-extensions';
import { subjectAltNamesOf } from './x509-san';

/** The outcome of a peer identity check: the identity, or a coded reason for refusing it. */
export type PeerIdentityResult =
  | { readonly ok: true; readonly identity: SpiffeIdentity }
  | { readonly ok: false; readonly code: IdentityErrorCode; readonly message: string };

/** Options of the peer identity checks. */
export interface PeerIdentityOptions {
  /** Trust domains whose identities are accepted (the mesh's own plus aliases). Default: any. */
  readonly trustDomains?: readonly string[];
}

/**
 * Reads the workload identity of a peer certificate (DER) and checks it may serve as one:
 * not a CA (no CA:TRUE, keyCertSign or cRLSign); keyUsage present with digitalSignature; an
 * extKeyUsage, when present, holding both serverAuth and clientAuth; exactly one URI SAN; that
 * URI a strict SPIFFE ID (`spiffe://td/ns/<ns>/sa/<sa>`) of an accepted trust domain.
 * It does not check the chain or validity dates: Node's `tls` does that during the handshake.
 */
export function readPeerIdentity(peerCertDer: Uint8Array, options: PeerIdentityOptions = {}): PeerIdentityResult {
  try {
    const extensions = readCertificateExtensions(peerCertDer);
    const keyUsage = readKeyUsage(extensions);
    if (readIsCa(extensions) === true) return refuse('PEER_NOT_LEAF', 'the peer certificate is a CA certificate (basicConstraints CA:TRUE)');
    if (keyUsage?.keyCertSign || keyUsage?.cRLSign) return refuse('PEER_NOT_LEAF', 'the peer certificate may sign certificates or CRLs (keyCertSign/cRLSign); an identity certificate must not');
    if (!keyUsage || !keyUsage.digitalSignature) return refuse('PEER_BAD_KEY_USAGE', 'the peer certificate lacks keyUsage digitalSignature');
    const eku = readExtKeyUsage(extensions);
    if (eku && !eku.includes(EKU_OID.any) && !(eku.includes(EKU_OID.serverAuth) && eku.includes(EKU_OID.clientAuth))) {
      return refuse('PEER_BAD_KEY_USAGE', `the peer certificate's extKeyUsage (${eku.join(', ')}) lacks serverAuth or clientAuth`);
    }
    const sans = subjectAltNamesOf(extensions);
    if (!sans || sans.uris.length === 0) return refuse('PEER_NO_URI_SAN', 'the peer certificate has no URI SAN, so it names no workload identity');
    if (sans.uris.length > 1) return refuse('PEER_MULTIPLE_URI_SANS', `the peer certificate has ${sans.uris.length} URI SANs; an identity certificate has exactly one`);
    let identity: SpiffeIdentity;
    try {
      identity = parseSpiffeId(sans.uris[0]!);
    } catch (error) {
      return refuse('PEER_INVALID_SPIFFE_ID', (error as Error).message);
    }
    if (options.trustDomains && !options.trustDomains.includes(identity.trustDomain)) {
      return refuse('PEER_FOREIGN_TRUST_DOMAIN', `the peer identity ${identity.uri} is in trust domain ${identity.trustDomain}, which is not one of ${options.trustDomains.join(', ')}`);
    }
    return { ok: true, identity };
  } catch (error) {
    if (error instanceof IdentityError) return refuse(error.code, error.message);
    throw error;
  }
}

/**
 * Secure naming: the peer's identity (as `readPeerIdentity` reads it) must be exactly one of
 * `expectedSpiffeIds` — the identities the control plane announced for the endpoint. An empty
 * list accepts nobody (fail closed).
 */
export function verifyPeerIdentity(peerCertDer: Uint8Array, expectedSpiffeIds: readonly string[], options: PeerIdentityOptions = {}): PeerIdentityResult {
  const result = readPeerIdentity(peerCertDer, options);
  if (!result.ok) return result;
  if (!expectedSpiffeIds.includes(result.identity.uri)) {
    const expected = expectedSpiffeIds.length === 0 ? 'no identity (none was announced for this endpoint)' : expectedSpiffeIds.join(', ');
    return refuse('PEER_IDENTITY_MISMATCH', `the peer is ${result.identity.uri}, but this endpoint may only be served by ${expected}`);
  }
  return result;
}

/**
 * A `checkServerIdentity` for `tls.connect` that applies `verifyPeerIdentity` to the server's
 * certificate instead of hostname matching. The returned Error is an IdentityError with the code.
 */
export function secureNamingCheck(expectedSpiffeIds: readonly string[], options: PeerIdentityOptions = {}): (hostname: string, cert: PeerCertificate) => Error | undefined {
  return (_hostname, cert) => {
    const result = verifyPeerIdentity(cert.raw, expectedSpiffeIds, options);
    return result.ok ? undefined : peerIdentityError(result);
  };
}

/** The IdentityError for a refused result. */
export function peerIdentityError(result: Extract<PeerIdentityResult, { ok: false }>): IdentityError {
  return new IdentityError(result.code, result.message);
}

function refuse(code: IdentityErrorCode, message: string): PeerIdentityResult {
  return { ok: false, code, message };
}
