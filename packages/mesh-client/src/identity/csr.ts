// The workload's key pair (node:crypto, RSA because the mesh CA's certificates are built with
// node-forge, which handles RSA keys only) and its PKCS#10 request: node-forge lays out the request,
// node:crypto signs it. The subject stays empty — the CA takes the identity from the token.

import { createPublicKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { forge, fromBinary, toBinary } from './forge';

/** A workload's private key. */
export interface WorkloadKey {
  readonly privateKey: KeyObject;
  /** PKCS#8 PEM, as `tls.createSecureContext({ key })` takes it. */
  readonly privateKeyPem: string;
}

/** RSA modulus size of workload keys. */
export const WORKLOAD_KEY_BITS = 2048;

const generateKeyPairAsync = promisify(generateKeyPair);

/** Makes a fresh RSA key pair (off the event loop). */
export async function generateWorkloadKey(bits = WORKLOAD_KEY_BITS): Promise<WorkloadKey> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: bits });
  return { privateKey, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** A PEM CSR for `key` with an empty subject, signed sha256WithRSAEncryption. */
export function buildCsr(key: WorkloadKey): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }).toString());
  csr.setSubject([]);
  csr.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  const info = forge.pki.getCertificationRequestInfo(csr);
  csr.certificationRequestInfo = info;
  csr.signature = toBinary(sign('sha256', fromBinary(forge.asn1.toDer(info).getBytes()), key.privateKey));
  return forge.pki.certificationRequestToPem(csr);
}
