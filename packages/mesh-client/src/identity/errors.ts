// Coded errors of workload identity: certificate issuance and renewal, SPIFFE ID parsing and the
// peer-certificate checks. Kept apart from MeshError, whose codes all map to Envoy local replies.

/** Stable codes of identity errors. Tests and callers check `code`, never the message. */
export type IdentityErrorCode =
  | 'IDENTITY_NOT_READY' // no certificate has been issued yet
  | 'IDENTITY_EXPIRED' // the last certificate expired and renewal has not succeeded
  | 'IDENTITY_CLOSED' // the WorkloadIdentity was closed
  | 'CA_REQUEST_FAILED' // the certificate authority refused or could not be reached
  | 'CA_RESPONSE_INVALID' // the CA answered with a chain that does not check out
  | 'INVALID_SPIFFE_ID' // a string is not a well-formed Istio SPIFFE identity
  | 'PEER_CERT_MALFORMED' // the peer certificate's DER does not parse (or is not canonical DER)
  | 'PEER_NO_URI_SAN' // the peer certificate has no URI SAN
  | 'PEER_MULTIPLE_URI_SANS' // more than one URI SAN (an X509-SVID has exactly one)
  | 'PEER_INVALID_SPIFFE_ID' // the URI SAN is not a valid SPIFFE identity
  | 'PEER_FOREIGN_TRUST_DOMAIN' // the identity belongs to a trust domain that is not accepted
  | 'PEER_NOT_LEAF' // CA:TRUE, keyCertSign or cRLSign on a certificate used as an identity
  | 'PEER_BAD_KEY_USAGE' // keyUsage missing, not critical or without digitalSignature
  | 'PEER_IDENTITY_MISMATCH'; // valid identity, but not one the caller expected (secure naming)

/** An error of workload identity with a stable `code` and context `details`. */
export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IdentityError';
  }
}

/** True if `e` is an IdentityError, optionally with the given code. */
export function isIdentityError(e: unknown, code?: IdentityErrorCode): e is IdentityError {
  return e instanceof IdentityError && (code === undefined || e.code === code);
}
