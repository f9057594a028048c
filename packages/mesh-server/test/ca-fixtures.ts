// Test support for the CA tests: CSRs built with node-forge (honest ones, and ones that claim other
// identities, request CA powers, carry a foreign signature or weak keys), test CA certificates,
// and a reader for issued certificates that parses the DER with node-forge directly.

import { createPublicKey, generateKeyPairSync, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { signCertificate } from '../src/ca/certificate-builder';
import { forge as typedForge, fromBinary, toBinary, type ForgeExtension, type ForgeNameAttribute } from '../src/ca/forge';

// The untyped module, for the few builder calls the CA itself never makes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const forge = require('node-forge') as any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An RSA key pair. */
export interface RsaKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** Makes an RSA key pair (2048 bits, e = 65537 unless told otherwise). */
export function rsaKeys(bits = 2048, publicExponent = 65537): RsaKeys {
  return generateKeyPairSync('rsa', { modulusLength: bits, publicExponent });
}

/** What a test CSR claims. */
export interface CsrClaims {
  readonly subject?: ForgeNameAttribute[];
  /** SANs requested through the extensionRequest attribute (forge altNames form). */
  readonly altNames?: { type: number; value?: string; ip?: string }[];
  /** Ask for CA:TRUE and keyCertSign too. */
  readonly requestCa?: boolean;
  /** Sign with this key instead of the CSR's own (breaks proof of possession). */
  readonly signingKey?: KeyObject;
  /** Signature hash (default sha256). */
  readonly hash?: 'sha1' | 'sha256';
}

/** A PEM CSR for `keys.publicKey` with the given claims, signed with node:crypto. */
export function makeCsr(keys: RsaKeys, claims: CsrClaims = {}): string {
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.publicKeyFromPem(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  csr.setSubject(claims.subject ?? []);
  const extensions: ForgeExtension[] = [];
  if (claims.altNames) extensions.push({ name: 'subjectAltName', altNames: claims.altNames });
  if (claims.requestCa) {
    extensions.push({ name: 'basicConstraints', critical: true, cA: true });
    extensions.push({ name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true, digitalSignature: true });
  }
  if (extensions.length > 0) csr.setAttributes([{ name: 'extensionRequest', extensions }]);
  const hash = claims.hash ?? 'sha256';
  csr.signatureOid = forge.pki.oids[`${hash}WithRSAEncryption`];
  csr.certificationRequestInfo = forge.pki.getCertificationRequestInfo(csr);
  const info = fromBinary(forge.asn1.toDer(csr.certificationRequestInfo).getBytes());
  csr.signature = toBinary(sign(hash, info, claims.signingKey ?? keys.privateKey));
  return forge.pki.certificationRequestToPem(csr);
}

/** A well-formed CSR carrying an EC P-256 key (the CA accepts RSA keys only). */
export function makeEcCsr(): string {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const { asn1 } = forge;
  const info = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x00'),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, []),
    asn1.fromDer(toBinary(publicKey.export({ type: 'spki', format: 'der' }))),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, []),
  ]);
  const signature = sign('sha256', fromBinary(asn1.toDer(info).getBytes()), privateKey);
  const request = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    info,
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('1.2.840.10045.4.3.2').getBytes())]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${toBinary(signature)}`),
  ]);
  return forge.pem.encode({ type: 'CERTIFICATE REQUEST', body: asn1.toDer(request).getBytes() });
}

/** A PEM "CERTIFICATE REQUEST" whose DER is `depth` nested SEQUENCEs. */
export function deeplyNestedCsr(depth: number): string {
  let der = Buffer.alloc(0);
  for (let i = 0; i < depth; i++) der = Buffer.concat([Buffer.from([0x30]), derLength(der.length), der]);
  return forge.pem.encode({ type: 'CERTIFICATE REQUEST', body: toBinary(der) });
}

/** A test CA certificate (CA:TRUE, keyCertSign) for `keys`, self-signed or issued by `issuer`. */
export function makeCaCert(keys: RsaKeys, options: { cn: string; issuer?: { cert: X509Certificate; keys: RsaKeys }; notBefore?: Date; notAfter?: Date; ca?: boolean }): X509Certificate {
  const now = Date.now();
  const signed = signCertificate({
    publicKey: typedForge.pki.publicKeyFromPem(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    subject: [{ name: 'commonName', value: options.cn }],
    ...(options.issuer ? { issuerDer: options.issuer.cert.raw } : {}),
    notBefore: options.notBefore ?? new Date(now - 3_600_000),
    notAfter: options.notAfter ?? new Date(now + 365 * 86_400_000),
    extensions: options.ca === false
      ? [{ name: 'basicConstraints', critical: true, cA: false }, { name: 'subjectKeyIdentifier' }]
      : [{ name: 'basicConstraints', critical: true, cA: true }, { name: 'keyUsage', critical: true, keyCertSign: true, cRLSign: true }, { name: 'subjectKeyIdentifier' }],
  }, options.issuer?.keys.privateKey ?? keys.privateKey, options.issuer ? options.issuer.keys.publicKey : createPublicKey(keys.privateKey));
  return new X509Certificate(signed.der);
}

/** What an issued leaf holds, read from its DER with node-forge (not from OpenSSL's SAN text). */
export interface LeafFacts {
  readonly subjectAttributes: number;
  /** Every SAN entry as `type:value`. */
  readonly sans: string[];
  readonly sanCritical: boolean;
  readonly ca: boolean | undefined;
  readonly basicConstraintsCritical: boolean;
  readonly keyUsage: { critical: boolean; digitalSignature: boolean; keyEncipherment: boolean; keyCertSign: boolean; cRLSign: boolean };
  readonly serverAuth: boolean;
  readonly clientAuth: boolean;
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** Reads the identity-relevant facts of a PEM leaf certificate. */
export function leafFacts(pem: string): LeafFacts {
  const cert = forge.pki.certificateFromPem(pem);
  const ext = (name: string) => cert.getExtension(name);
  const san = ext('subjectAltName');
  const bc = ext('basicConstraints');
  const ku = ext('keyUsage');
  const eku = ext('extKeyUsage');
  return {
    subjectAttributes: cert.subject.attributes.length,
    sans: (san?.altNames ?? []).map((n: { type: number; value: string; ip?: string }) => `${n.type}:${n.ip ?? n.value}`),
    sanCritical: Boolean(san?.critical),
    ca: bc ? Boolean(bc.cA) : undefined,
    basicConstraintsCritical: Boolean(bc?.critical),
    keyUsage: { critical: Boolean(ku?.critical), digitalSignature: Boolean(ku?.digitalSignature), keyEncipherment: Boolean(ku?.keyEncipherment), keyCertSign: Boolean(ku?.keyCertSign), cRLSign: Boolean(ku?.cRLSign) },
    serverAuth: Boolean(eku?.serverAuth),
    clientAuth: Boolean(eku?.clientAuth),
    serialHex: cert.serialNumber,
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
  };
}

/** A fake wall clock for the CA and the token store. */
export class ManualClock {
  constructor(public time: number = Date.now()) {}
  now(): number {
    return this.time;
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
