// A workload key and its CSR for the security bench, built as mesh-client builds its own (RSA 2048,
// empty subject, sha256WithRSA; the CA takes the identity from the token, never from the CSR).
// mesh-client keeps its CSR builder internal, so the bench makes its own with node-forge.
import { generateKeyPairSync } from 'node:crypto';

/** The slice of node-forge (which ships no type declarations) used here. */
interface ForgeCsrApi {
  pki: {
    createCertificationRequest(): { publicKey: unknown; setSubject(attributes: unknown[]): void; sign(key: unknown, digest: unknown): void };
    publicKeyFromPem(pem: string): unknown;
    privateKeyFromPem(pem: string): unknown;
    certificationRequestToPem(csr: unknown): string;
  };
  md: { sha256: { create(): unknown } };
}

const forge = require('node-forge') as ForgeCsrApi;

/** A private key (PEM, PKCS#8) and a CSR (PEM) for it. */
export interface WorkloadCsr {
  readonly keyPem: string;
  readonly csrPem: string;
}

/** Makes an RSA key of `bits` and a CSR for it. */
export function workloadCsr(bits = 2048): WorkloadCsr {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  csr.setSubject([]);
  csr.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  return { keyPem, csrPem: forge.pki.certificationRequestToPem(csr) };
}
