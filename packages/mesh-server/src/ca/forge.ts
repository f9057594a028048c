// A typed view of the part of node-forge the certificate authority uses: PEM and DER parsing,
// PKCS#10 request reading, and building a TBSCertificate. node-forge ships no type declarations;
// signatures themselves are made and checked with node:crypto (OpenSSL), never with forge's RSA.

/** A parsed ASN.1 node (node-forge's representation; byte strings are "binary" JS strings). */
export interface Asn1Node {
  tagClass: number;
  type: number;
  constructed: boolean;
  value: Asn1Node[] | string;
}

/** A byte buffer of node-forge. */
export interface ForgeBytes {
  getBytes(): string;
}

/** An RSA public key of node-forge (n and e are jsbn BigIntegers). */
export interface ForgeRsaPublicKey {
  n: { bitLength(): number };
  e: { toString(radix?: number): string };
}

/** An X.501 name attribute as node-forge's setSubject accepts it. */
export interface ForgeNameAttribute {
  name?: string;
  shortName?: string;
  value: string;
}

/** An extension as node-forge's builders accept it (fields depend on `name`). */
export interface ForgeExtension {
  name: string;
  critical?: boolean;
  [field: string]: unknown;
}

/** A certificate under construction. */
export interface ForgeCertificate {
  version: number;
  serialNumber: string;
  publicKey: ForgeRsaPublicKey;
  signatureOid: string | null;
  siginfo: { algorithmOid: string | null };
  validity: { notBefore: Date; notAfter: Date };
  setSubject(attributes: ForgeNameAttribute[]): void;
  setExtensions(extensions: ForgeExtension[]): void;
}

/** A parsed PKCS#10 certification request. */
export interface ForgeCertificationRequest {
  publicKey: ForgeRsaPublicKey;
  signatureOid: string;
  signature: string;
  certificationRequestInfo: Asn1Node;
}

/** One PEM block. */
export interface PemMessage {
  type: string;
  procType: { type: string } | null;
  body: string;
}

/** The node-forge API surface used by the CA. */
export interface ForgeApi {
  asn1: {
    Class: { UNIVERSAL: number; CONTEXT_SPECIFIC: number };
    Type: { OID: number; SEQUENCE: number; BITSTRING: number; NULL: number; INTEGER: number };
    fromDer(bytes: string, options: { strict?: boolean; parseAllBytes?: boolean; decodeBitStrings?: boolean; maxDepth?: number }): Asn1Node;
    toDer(node: Asn1Node): ForgeBytes;
    create(tagClass: number, type: number, constructed: boolean, value: Asn1Node[] | string): Asn1Node;
    oidToDer(oid: string): ForgeBytes;
  };
  pem: { decode(text: string): PemMessage[] };
  pki: {
    oids: Record<string, string>;
    createCertificate(): ForgeCertificate;
    getTBSCertificate(cert: ForgeCertificate): Asn1Node;
    certificationRequestFromAsn1(node: Asn1Node, computeHash?: boolean): ForgeCertificationRequest;
    publicKeyFromPem(pem: string): ForgeRsaPublicKey;
    publicKeyToPem(key: ForgeRsaPublicKey): string;
  };
}

/** node-forge, typed to the subset above. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const forge: ForgeApi = require('node-forge') as ForgeApi;

/** A Buffer as a node-forge "binary" string. */
export function toBinary(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** A node-forge "binary" string as a Buffer. */
export function fromBinary(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}
