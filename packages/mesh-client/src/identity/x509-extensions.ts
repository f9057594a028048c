// Reads X.509 v3 extensions straight from a certificate's DER bytes (node-forge's ASN.1 parser,
// canonical DER enforced) and decodes the ones that decide whether a certificate may serve as a
// workload identity: basicConstraints, keyUsage, extKeyUsage. Never reads OpenSSL's text forms.

import { X509Certificate } from 'node:crypto';
import { IdentityError } from './errors';
import { forge, fromBinary, toBinary, type Asn1Node } from './forge';

/** One extension as it sits in the certificate: OID, critical flag, the extnValue bytes. */
export interface RawExtension {
  readonly oid: string;
  readonly critical: boolean;
  readonly value: Buffer;
}

/** Extension OIDs this folder reads. */
export const EXTENSION_OID = {
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
} as const;

/** Extended key usage OIDs. */
export const EKU_OID = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  any: '2.5.29.37.0',
} as const;

/** The keyUsage bits that matter here. */
export interface KeyUsage {
  readonly critical: boolean;
  readonly digitalSignature: boolean;
  readonly keyEncipherment: boolean;
  readonly keyCertSign: boolean;
  readonly cRLSign: boolean;
}

/** Largest certificate accepted for parsing (bytes). */
export const MAX_CERTIFICATE_BYTES = 64 * 1024;
const MAX_DEPTH = 32;

/**
 * Parses DER with node-forge (strict lengths, every byte consumed, bounded depth) and checks that
 * re-encoding gives back the same bytes, so indefinite or non-minimal lengths — inputs on which
 * two parsers may disagree — are refused.
 * @throws IdentityError PEER_CERT_MALFORMED naming `what`.
 */
export function parseCanonicalDer(bytes: Uint8Array, what: string): Asn1Node {
  const binary = toBinary(bytes);
  let node: Asn1Node;
  try {
    node = forge.asn1.fromDer(binary, { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: MAX_DEPTH });
  } catch (cause) {
    throw malformed(`${what} is not valid DER: ${(cause as Error).message}`, cause);
  }
  if (forge.asn1.toDer(node).getBytes() !== binary) throw malformed(`${what} is not canonical DER (indefinite or non-minimal lengths)`);
  return node;
}

/**
 * Every extension of a DER certificate, in order. The certificate must also parse with OpenSSL
 * (`X509Certificate`), be canonical DER, and hold each extension at most once (RFC 5280 §4.2).
 * @throws IdentityError PEER_CERT_MALFORMED
 */
export function readCertificateExtensions(der: Uint8Array): RawExtension[] {
  if (der.byteLength === 0 || der.byteLength > MAX_CERTIFICATE_BYTES) throw malformed(`certificate size ${der.byteLength} bytes is outside 1..${MAX_CERTIFICATE_BYTES}`);
  try {
    new X509Certificate(der);
  } catch (cause) {
    throw malformed(`OpenSSL cannot parse the certificate: ${(cause as Error).message}`, cause);
  }
  const certificate = parseCanonicalDer(der, 'the certificate');
  const tbs = children(certificate, 'Certificate')[0];
  if (!tbs || !isUniversal(tbs, forge.asn1.Type.SEQUENCE)) throw malformed('the certificate has no TBSCertificate');
  const wrapper = children(tbs, 'TBSCertificate').find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  if (!wrapper) return [];
  const list = children(wrapper, 'extensions [3]');
  if (list.length !== 1 || !isUniversal(list[0]!, forge.asn1.Type.SEQUENCE)) throw malformed('extensions [3] must hold one SEQUENCE');
  const seen = new Set<string>();
  const out: RawExtension[] = [];
  for (const extension of children(list[0]!, 'Extensions')) {
    const parts = children(extension, 'Extension');
    const oidNode = parts[0];
    const valueNode = parts[parts.length - 1];
    if (!oidNode || !valueNode || parts.length > 3 || !isUniversal(oidNode, forge.asn1.Type.OID) || !isUniversal(valueNode, forge.asn1.Type.OCTETSTRING) || valueNode.constructed) {
      throw malformed('an Extension is not SEQUENCE { OID, [BOOLEAN], OCTET STRING }');
    }
    let critical = false;
    if (parts.length === 3) {
      const flag = parts[1]!;
      if (!isUniversal(flag, forge.asn1.Type.BOOLEAN) || flag.value !== '\xff') throw malformed('an Extension critical flag is not a DER BOOLEAN TRUE');
      critical = true;
    }
    const oid = forge.asn1.derToOid(oidNode.value as string);
    if (seen.has(oid)) throw malformed(`extension ${oid} appears more than once`);
    seen.add(oid);
    out.push({ oid, critical, value: fromBinary(valueNode.value as string) });
  }
  return out;
}

/** basicConstraints cA flag: true, false, or undefined when the extension is absent. */
export function readIsCa(extensions: readonly RawExtension[]): boolean | undefined {
  const ext = extensions.find((e) => e.oid === EXTENSION_OID.basicConstraints);
  if (!ext) return undefined;
  const seq = parseCanonicalDer(ext.value, 'basicConstraints');
  if (!isUniversal(seq, forge.asn1.Type.SEQUENCE)) throw malformed('basicConstraints is not a SEQUENCE');
  const first = children(seq, 'basicConstraints')[0];
  return first !== undefined && isUniversal(first, forge.asn1.Type.BOOLEAN) && first.value === '\xff';
}

/** keyUsage bits, or undefined when the extension is absent. */
export function readKeyUsage(extensions: readonly RawExtension[]): KeyUsage | undefined {
  const ext = extensions.find((e) => e.oid === EXTENSION_OID.keyUsage);
  if (!ext) return undefined;
  const bits = parseCanonicalDer(ext.value, 'keyUsage');
  if (!isUniversal(bits, forge.asn1.Type.BITSTRING) || bits.constructed) throw malformed('keyUsage is not a BIT STRING');
  const bytes = fromBinary(bits.value as string);
  const first = bytes.length > 1 ? bytes[1]! : 0;
  return {
    critical: ext.critical,
    digitalSignature: (first & 0x80) !== 0,
    keyEncipherment: (first & 0x20) !== 0,
    keyCertSign: (first & 0x04) !== 0,
    cRLSign: (first & 0x02) !== 0,
  };
}

/** extKeyUsage OIDs, or undefined when the extension is absent. */
export function readExtKeyUsage(extensions: readonly RawExtension[]): string[] | undefined {
  const ext = extensions.find((e) => e.oid === EXTENSION_OID.extKeyUsage);
  if (!ext) return undefined;
  const seq = parseCanonicalDer(ext.value, 'extKeyUsage');
  if (!isUniversal(seq, forge.asn1.Type.SEQUENCE)) throw malformed('extKeyUsage is not a SEQUENCE');
  return children(seq, 'extKeyUsage').map((n) => {
    if (!isUniversal(n, forge.asn1.Type.OID)) throw malformed('extKeyUsage holds a non-OID');
    return forge.asn1.derToOid(n.value as string);
  });
}

/** The child nodes of a constructed node. @throws PEER_CERT_MALFORMED when `node` is primitive. */
export function children(node: Asn1Node, what: string): Asn1Node[] {
  if (!node.constructed || !Array.isArray(node.value)) throw malformed(`${what} is not a constructed ASN.1 value`);
  return node.value;
}

/** True if `node` is a UNIVERSAL node of the given type. */
export function isUniversal(node: Asn1Node, type: number): boolean {
  return node.tagClass === forge.asn1.Class.UNIVERSAL && node.type === type;
}

function malformed(message: string, cause?: unknown): IdentityError {
  return new IdentityError('PEER_CERT_MALFORMED', message, {}, cause === undefined ? undefined : { cause });
}
