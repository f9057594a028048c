// Outbound mesh mTLS for grpc-js channels the application creates itself: channel credentials with
// the workload certificate current when they are made, the mesh trust bundle as the only roots, and
// secure naming on the server's DER (its SPIFFE URI SAN must be one of the expected identities).

import * as grpc from '@grpc/grpc-js';
import type { MtlsSource } from '../identity/mesh-mtls';
import { verifyPeerIdentity, readPeerIdentity } from '../identity/peer-verify';
import { GrpcMeshError } from './errors';

/**
 * grpc-js ChannelCredentials for mesh mTLS to a server that must be one of `expectedIdentities`
 * (`spiffe://…`; an empty list accepts any identity of the mesh root). The certificate is read now:
 * a channel keeps it for its life, so make new credentials (and channels) after a rotation; the
 * channel's existing connections keep working until the certificate expires.
 * @throws GrpcMeshError INVALID_OPTIONS when the mesh has no valid workload certificate.
 */
export function meshChannelCredentials(source: MtlsSource, expectedIdentities: readonly string[] = []): grpc.ChannelCredentials {
  let material;
  try {
    material = source.current();
  } catch (error) {
    throw new GrpcMeshError('INVALID_OPTIONS', `meshChannelCredentials: no workload certificate: ${(error as Error).message}`, {}, { cause: error });
  }
  return grpc.credentials.createSsl(Buffer.from(material.trustBundle.join('\n')), Buffer.from(material.keyPem), Buffer.from(material.certChainPem), {
    checkServerIdentity: (_host, cert) => {
      const result = expectedIdentities.length > 0 ? verifyPeerIdentity(cert.raw, expectedIdentities) : readPeerIdentity(cert.raw);
      return result.ok ? undefined : new Error(`secure naming refused the server: ${result.message} (${result.code})`);
    },
  });
}
