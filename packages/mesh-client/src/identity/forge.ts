// A typed view of the small part of node-forge the workload identity uses: DER parsing (for
// certificate extensions) and PKCS#10 request building. node-forge ships no type declarations.

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
  length(): number;
}

/** Options of `asn1.fromDer`. */
export interface FromDerOptions {
  strict?: boolean;
  parseAllBytes?: boolean;
  decodeBitStrings?: boolean;
  maxDepth?: number;
}

/** An RSA public key object of node-forge. */
export type ForgeRsaPublicKey = object;

/** An X.501 name attribute, as node-forge's setSubject accepts it. */
export interface ForgeNameAttribute {
  name?: string;
  shortName?: string;
  type?: string;
  value: string;
}

/** A certificate or request extension, as node-forge's builders accept it. */
export interface ForgeExtension {
  name: string;
  critical?: boolean;
  [field: string]: unknown;
}

/** A PKCS#10 certification request of node-forge. */
export interface ForgeCertificationRequest {
  publicKey: ForgeRsaPublicKey;
  signatureOid: string | null;
  signature: string | null;
  certificationRequestInfo: Asn1Node | null;
  setSubject(attributes: ForgeNameAttribute[]): void;
  setAttributes(attributes: { name: string; extensions?: ForgeExtension[]; value?: string }[]): void;
}

/** The node-forge API surface used by this folder. */
export interface ForgeApi {
  asn1: {
    Class: { UNIVERSAL: number; CONTEXT_SPECIFIC: number };
    Type: {
      BOOLEAN: number; INTEGER: number; BITSTRING: number; OCTETSTRING: number; OID: number;
      SEQUENCE: number; IA5STRING: number; NULL: number;
    };
    fromDer(bytes: string, options: FromDerOptions): Asn1Node;
    toDer(node: Asn1Node): ForgeBytes;
    create(tagClass: number, type: number, constructed: boolean, value: Asn1Node[] | string): Asn1Node;
    derToOid(bytes: string): string;
    oidToDer(oid: string): ForgeBytes;
  };
  pki: {
    oids: Record<string, string>;
    publicKeyFromPem(pem: string): ForgeRsaPublicKey;
    createCertificationRequest(): ForgeCertificationRequest;
    getCertificationRequestInfo(csr: ForgeCertificationRequest): Asn1Node;
    certificationRequestToPem(csr: ForgeCertificationRequest): string;
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
