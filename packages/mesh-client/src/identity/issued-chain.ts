// Checks what the CA sent back before the workload uses it: the leaf certifies our key, carries
// one valid SPIFFE identity in the leaf profile, chains to a root of the trust bundle, and is not
// expired. Produces the immutable IdentityMaterial that WorkloadIdentity hands out.

import { X509Certificate } from 'node:crypto';
import type { WorkloadKey } from './csr';
import { IdentityError } from './errors';
import { readPeerIdentity } from './peer-verify';
import type { SpiffeIdentity } from './spiffe-id';

/** A usable workload identity: key, certificate chain, trust bundle. Immutable. */
export interface IdentityMaterial {
  /** The private key, PKCS#8 PEM (for `tls.createSecureContext({ key })`). */
  readonly keyPem: string;
  /** PEM certificates, the leaf first (the CA's order). */
  readonly certChain: readonly string[];
  /** `certChain` joined, for `tls.createSecureContext({ cert })`. */
  readonly certChainPem: string;
  /** PEM roots to verify peers against (`ca` of a secure context). */
  readonly trustBundle: readonly string[];
  /** The identity in the leaf's URI SAN. */
  readonly identity: SpiffeIdentity;
  /** Leaf validity, epoch ms. */
  readonly notBefore: number;
  readonly notAfter: number;
  /** When this client received the certificate (its own clock), epoch ms. */
  readonly issuedAt: number;
  /** Leaf serial number, uppercase hex as OpenSSL prints it. */
  readonly serialNumber: string;
}

/**
 * Builds IdentityMaterial from a CA response, or throws IdentityError CA_RESPONSE_INVALID naming
 * the problem. `trustBundle` absent means the chain's last certificate is the only root.
 */
export function checkIssuedChain(key: WorkloadKey, certChain: readonly string[], trustBundle: readonly string[] | undefined, now: number): IdentityMaterial {
  if (certChain.length === 0) throw invalid('the CA returned an empty certificate chain');
  const certs = certChain.map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch (cause) {
      throw invalid(`certificate ${i + 1} of the chain does not parse: ${(cause as Error).message}`);
    }
  });
  const leaf = certs[0]!;
  if (!leaf.checkPrivateKey(key.privateKey)) throw invalid('the leaf certificate is not for the key this workload sent');
  const identity = readPeerIdentity(leaf.raw);
  if (!identity.ok) throw invalid(`the leaf certificate is not a usable workload identity: ${identity.message}`);
  for (let i = 0; i + 1 < certs.length; i++) {
    if (!certs[i]!.checkIssued(certs[i + 1]!) || !certs[i]!.verify(certs[i + 1]!.publicKey)) throw invalid(`certificate ${i + 1} of the chain is not signed by certificate ${i + 2}`);
  }
  const last = certs[certs.length - 1]!;
  const bundle = trustBundle && trustBundle.length > 0 ? trustBundle : [last.toString()];
  const roots = bundle.map((pem, i) => {
    try {
      return new X509Certificate(pem);
    } catch (cause) {
      throw invalid(`trust bundle root ${i + 1} does not parse: ${(cause as Error).message}`);
    }
  });
  const anchored = roots.some((root) => root.fingerprint256 === last.fingerprint256 || (last.checkIssued(root) && last.verify(root.publicKey)));
  if (!anchored) throw invalid('the certificate chain does not end at a root of the trust bundle');
  const notBefore = Date.parse(leaf.validFrom);
  const notAfter = Date.parse(leaf.validTo);
  if (notAfter <= now) throw invalid(`the CA issued a certificate that expired at ${leaf.validTo}; check the clocks of the control plane and this host`);
  return Object.freeze({
    keyPem: key.privateKeyPem,
    certChain: Object.freeze([...certChain]),
    certChainPem: certChain.join(''),
    trustBundle: Object.freeze(roots.map((r) => r.toString())),
    identity: identity.identity,
    notBefore,
    notAfter,
    issuedAt: now,
    serialNumber: leaf.serialNumber,
  });
}

function invalid(message: string): IdentityError {
  return new IdentityError('CA_RESPONSE_INVALID', message);
}
