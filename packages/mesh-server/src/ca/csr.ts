// Reads and checks a PKCS#10 certificate signing request for the CA: bounded, canonical DER; an RSA
// key of 2048–8192 bits with a public exponent ≥ 65537; a SHA-2 self-signature verified with
// node:crypto (proof of possession). Everything else the CSR says (subject, SANs, extensions) is ignored.

import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { MeshServerError } from '../errors';
import { forge, fromBinary, type Asn1Node, type ForgeCertificationRequest, type ForgeRsaPublicKey } from './forge';

/** Why a CSR was refused (MeshServerError BAD_REQUEST, `details.reason`). */
export type CsrProblem = 'CSR_INVALID' | 'CSR_UNSUPPORTED_KEY' | 'CSR_WEAK_KEY' | 'CSR_UNSUPPORTED_SIGNATURE' | 'CSR_BAD_SIGNATURE';

/** A CSR that passed every check: only its public key is used. */
export interface CheckedCsr {
  /** The subject public key (node-forge object, goes into the certificate). */
  readonly publicKey: ForgeRsaPublicKey;
  /** The same key for node:crypto. */
  readonly publicKeyObject: KeyObject;
  /** RSA modulus size. */
  readonly keyBits: number;
}

/** Largest CSR PEM accepted, in bytes. */
export const MAX_CSR_PEM_BYTES = 16 * 1024;
/** Smallest and largest RSA modulus accepted. */
export const MIN_RSA_BITS = 2048;
export const MAX_RSA_BITS = 8192;

const MAX_DEPTH = 16;
const SIGNATURE_HASH: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
};

/**
 * Parses and verifies a PEM CSR.
 * @throws MeshServerError BAD_REQUEST with `details.reason` (a CsrProblem) and a message naming the problem.
 */
export function checkCsr(csrPem: string): CheckedCsr {
  if (typeof csrPem !== 'string' || csrPem.trim() === '') throw refuse('CSR_INVALID', 'csr is empty; send a PEM "CERTIFICATE REQUEST"');
  if (Buffer.byteLength(csrPem, 'utf8') > MAX_CSR_PEM_BYTES) throw refuse('CSR_INVALID', `csr is larger than ${MAX_CSR_PEM_BYTES} bytes`);
  const body = pemBody(csrPem);
  let node: Asn1Node;
  try {
    node = forge.asn1.fromDer(body, { strict: true, parseAllBytes: true, maxDepth: MAX_DEPTH });
  } catch (cause) {
    throw refuse('CSR_INVALID', `csr is not valid DER: ${(cause as Error).message}`);
  }
  if (forge.asn1.toDer(node).getBytes() !== body) throw refuse('CSR_INVALID', 'csr is not canonical DER (indefinite or non-minimal lengths)');
  let csr: ForgeCertificationRequest;
  try {
    csr = forge.pki.certificationRequestFromAsn1(node);
  } catch (cause) {
    const message = (cause as Error).message;
    if (/OID is not RSA/.test(message)) throw refuse('CSR_UNSUPPORTED_KEY', 'csr public key is not RSA; the CA signs RSA keys only (node-forge builds certificates for RSA keys)');
    throw refuse('CSR_INVALID', `csr is not a PKCS#10 CertificationRequest: ${message}`);
  }
  const keyBits = csr.publicKey.n.bitLength();
  if (keyBits < MIN_RSA_BITS || keyBits > MAX_RSA_BITS) throw refuse('CSR_WEAK_KEY', `csr RSA key has ${keyBits} bits; use ${MIN_RSA_BITS}–${MAX_RSA_BITS}`);
  const exponent = BigInt(`0x${csr.publicKey.e.toString(16)}`);
  if (exponent < 65537n || exponent % 2n === 0n) throw refuse('CSR_WEAK_KEY', `csr RSA public exponent ${exponent} is not allowed; use 65537`);
  const hash = SIGNATURE_HASH[csr.signatureOid];
  if (!hash) throw refuse('CSR_UNSUPPORTED_SIGNATURE', `csr signature algorithm ${csr.signatureOid} is not accepted; sign with sha256WithRSAEncryption`);
  const publicKeyObject = createPublicKey(forge.pki.publicKeyToPem(csr.publicKey));
  const signed = fromBinary(forge.asn1.toDer(csr.certificationRequestInfo).getBytes());
  let valid = false;
  try {
    valid = verify(hash, signed, publicKeyObject, fromBinary(csr.signature));
  } catch {
    valid = false;
  }
  if (!valid) throw refuse('CSR_BAD_SIGNATURE', 'csr signature does not verify with the public key it carries (proof of possession failed)');
  return { publicKey: csr.publicKey, publicKeyObject, keyBits };
}

function pemBody(csrPem: string): string {
  let messages;
  try {
    messages = forge.pem.decode(csrPem);
  } catch (cause) {
    throw refuse('CSR_INVALID', `csr is not PEM: ${(cause as Error).message}`);
  }
  if (messages.length !== 1) throw refuse('CSR_INVALID', `csr must hold exactly one PEM block, found ${messages.length}`);
  const message = messages[0]!;
  if (message.type !== 'CERTIFICATE REQUEST') throw refuse('CSR_INVALID', `csr PEM block is "${message.type}", expected "CERTIFICATE REQUEST"`);
  if (message.procType) throw refuse('CSR_INVALID', 'csr PEM block has Proc-Type headers; send a plain PEM');
  if (message.body.length === 0) throw refuse('CSR_INVALID', 'csr PEM block is empty');
  return message.body;
}

function refuse(reason: CsrProblem, message: string): MeshServerError {
  return new MeshServerError('BAD_REQUEST', message, { reason });
}
