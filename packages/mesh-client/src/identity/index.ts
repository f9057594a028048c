// Workload identity of mesh-client: the certificate from the mesh CA (obtained and rotated), and
// the checks that a TLS peer's certificate names the expected SPIFFE identity. Re-exported by src/index.ts.

export { WorkloadIdentity, wallClock, type WorkloadIdentityOptions, type IdentityStatus } from './workload-identity';
export type { IdentityMaterial } from './issued-chain';
export { grpcCertificateSigner, DEFAULT_CA_SERVER_NAME, type CertificateSigner, type SignedChain, type GrpcSignerOptions } from './ca-client';
export { renewalTime, DEFAULT_RENEWAL, type RenewalPolicy, type CertificateLifetime } from './renewal';
export { readPeerIdentity, verifyPeerIdentity, secureNamingCheck, peerIdentityError, type PeerIdentityResult, type PeerIdentityOptions } from './peer-verify';
export { parseSpiffeId, formatSpiffeId, checkTrustDomain, type SpiffeIdentity } from './spiffe-id';
export { readSubjectAltNames, type SubjectAltNames } from './x509-san';
export { IdentityError, isIdentityError, type IdentityErrorCode } from './errors';
