// Builds and signs X.509 certificates for the CA: node-forge lays out the TBSCertificate and its
// extensions, node:crypto (OpenSSL) makes the sha256WithRSAEncryption signature — about 40× faster
// than forge's JavaScript RSA — and every result is checked against the issuer key before use.

import { randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { MeshServerError } from '../errors';
import { forge, fromBinary, toBinary, type Asn1Node, type ForgeExtension, type ForgeNameAttribute, type ForgeRsaPublicKey } from './forge';

/** What goes into a certificate. */
export interface CertificateTemplate {
  /** The subject's RSA public key (node-forge object). */
  readonly publicKey: ForgeRsaPublicKey;
  /** Subject attributes; empty for workload leaves (their identity is the critical URI SAN). */
  readonly subject: readonly ForgeNameAttribute[];
  /** The issuer's certificate (DER); omit to self-sign (issuer = subject). */
  readonly issuerDer?: Buffer;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Extensions in node-forge's form (subjectKeyIdentifier is computed from publicKey). */
  readonly extensions: readonly ForgeExtension[];
}

/** A signed certificate. */
export interface SignedCertificate {
  readonly pem: string;
  readonly der: Buffer;
  /** Serial number, lowercase hex. */
  readonly serialNumber: string;
}

const MAX_DEPTH = 32;

/**
 * Signs `template` with `signingKey` (an RSA private key; for a self-signed certificate the
 * subject's own). The serial number is 126 random bits, positive and minimally encoded.
 * @throws MeshServerError STORE_FAILURE if the signature does not verify with `issuerPublicKey`.
 */
export function signCertificate(template: CertificateTemplate, signingKey: KeyObject, issuerPublicKey: KeyObject): SignedCertificate {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x3f) | 0x40; // positive, no leading zero byte needed
  const serialNumber = serial.toString('hex');
  const cert = forge.pki.createCertificate();
  cert.version = 2;
  cert.publicKey = template.publicKey;
  cert.serialNumber = serialNumber;
  cert.validity.notBefore = template.notBefore;
  cert.validity.notAfter = template.notAfter;
  cert.setSubject([...template.subject]);
  cert.setExtensions(template.extensions.map((e) => ({ ...e })));
  cert.signatureOid = forge.pki.oids.sha256WithRSAEncryption!;
  cert.siginfo.algorithmOid = cert.signatureOid;
  const tbs = forge.pki.getTBSCertificate(cert);
  const fields = tbs.value as Asn1Node[];
  // TBSCertificate: version, serial, signature, issuer (3), validity, subject (5), spki, extensions.
  fields[3] = template.issuerDer ? subjectNameOf(template.issuerDer) : fields[5]!;
  const tbsDer = fromBinary(forge.asn1.toDer(tbs).getBytes());
  const signature = sign('sha256', tbsDer, signingKey);
  const { asn1 } = forge;
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(cert.signatureOid).getBytes()),
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
    ]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${toBinary(signature)}`),
  ]);
  const der = fromBinary(asn1.toDer(certificate).getBytes());
  const parsed = new X509Certificate(der);
  if (!parsed.verify(issuerPublicKey)) {
    throw new MeshServerError('STORE_FAILURE', 'a certificate the CA just signed does not verify with the CA public key; the CA key and certificate do not match', { serialNumber });
  }
  return { pem: parsed.toString(), der, serialNumber };
}

/** The raw subject Name of a DER certificate, as an ASN.1 node (used as a child's issuer). */
export function subjectNameOf(certificateDer: Buffer): Asn1Node {
  return tbsFields(certificateDer)[5]!;
}

/**
 * The extnValue bytes and critical flag of extension `oid` in a DER certificate, or undefined.
 * For the CA's own certificates (key identifiers, keyUsage); peers' SANs are read by mesh-client.
 */
export function findExtension(certificateDer: Buffer, oid: string): { critical: boolean; value: Buffer } | undefined {
  const wrapper = tbsFields(certificateDer).find((n) => n.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  const list = wrapper && Array.isArray(wrapper.value) ? wrapper.value[0] : undefined;
  if (!list || !Array.isArray(list.value)) return undefined;
  const oidDer = forge.asn1.oidToDer(oid).getBytes();
  for (const extension of list.value) {
    const parts = Array.isArray(extension.value) ? extension.value : [];
    if (parts[0]?.value !== oidDer) continue;
    const value = parts[parts.length - 1]!.value;
    return { critical: parts.length === 3 && parts[1]!.value === '\xff', value: fromBinary(typeof value === 'string' ? value : '') };
  }
  return undefined;
}

/** The subjectKeyIdentifier of a DER certificate (raw key id bytes), or undefined. */
export function subjectKeyIdentifierOf(certificateDer: Buffer): Buffer | undefined {
  const extension = findExtension(certificateDer, '2.5.29.14');
  if (!extension) return undefined;
  const node = forge.asn1.fromDer(toBinary(extension.value), { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: MAX_DEPTH });
  return typeof node.value === 'string' ? fromBinary(node.value) : undefined;
}

/** keyUsage bit keyCertSign of a DER certificate: true/false, or undefined when keyUsage is absent. */
export function allowsCertificateSigning(certificateDer: Buffer): boolean | undefined {
  const extension = findExtension(certificateDer, '2.5.29.15');
  if (!extension) return undefined;
  const node = forge.asn1.fromDer(toBinary(extension.value), { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: MAX_DEPTH });
  const bits = fromBinary(typeof node.value === 'string' ? node.value : '');
  return bits.length > 1 && (bits[1]! & 0x04) !== 0;
}

function tbsFields(certificateDer: Buffer): Asn1Node[] {
  const certificate = forge.asn1.fromDer(toBinary(certificateDer), { strict: true, parseAllBytes: true, decodeBitStrings: false, maxDepth: MAX_DEPTH });
  const tbs = Array.isArray(certificate.value) ? certificate.value[0] : undefined;
  if (!tbs || !Array.isArray(tbs.value) || tbs.value.length < 6) {
    throw new MeshServerError('BAD_REQUEST', 'not an X.509 certificate (no TBSCertificate)');
  }
  const first = tbs.value[0]!;
  const hasVersion = first.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && first.type === 0;
  // A v1 certificate has no [0] version; pad so that indices match the v3 layout.
  return hasVersion ? tbs.value : [first, ...tbs.value];
}
