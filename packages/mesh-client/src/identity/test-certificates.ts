// Test support (not exported by the package): crafts X.509 certificates byte by byte — good ones
// and deliberately bad ones (expired, CA leaves, two URI SANs, injected SAN text, NUL bytes,
// duplicate extensions) — with node-forge's ASN.1 writer and node:crypto signatures.

import { createPublicKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { forge, fromBinary, toBinary, type Asn1Node } from './forge';
import { EKU_OID, EXTENSION_OID } from './x509-extensions';

/** A key pair for test certificates (EC P-256: fast to make; RSA when asked). */
export interface TestKeys {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly privateKeyPem: string;
}

/** Makes a key pair. */
export function makeKeys(type: 'ec' | 'rsa' = 'ec'): TestKeys {
  const pair = type === 'ec'
    ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...pair, privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** One extension to put in a certificate. */
export interface TestExtension {
  readonly oid: string;
  readonly critical?: boolean;
  /** DER of the extnValue content. */
  readonly value: Buffer;
}

/** What a crafted certificate holds. */
export interface TestCertificateSpec {
  /** Public key of the subject. */
  readonly subjectKey: KeyObject;
  /** Private key that signs; the issuer's (or the subject's own for a self-signed one). */
  readonly signingKey: KeyObject;
  readonly subjectCn?: string;
  /** Issuer's certificate (PEM); omit for self-signed (issuer = subject). */
  readonly issuerPem?: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: readonly TestExtension[];
}

/** Builds and signs a certificate; returns its PEM. */
export function makeCertificate(spec: TestCertificateSpec): string {
  const { asn1 } = forge;
  const seq = (items: Asn1Node[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
  const subject = nameDer(spec.subjectCn ?? '');
  const issuer = spec.issuerPem ? subjectOf(spec.issuerPem) : subject;
  const algorithm = signatureAlgorithm(spec.signingKey);
  const extensions = spec.extensions.map((e) => seq([
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(e.oid).getBytes()),
    ...(e.critical ? [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff')] : []),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, toBinary(e.value)),
  ]));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  const tbs = seq([
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, '\x02')]),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, toBinary(serial)),
    algorithm.node(),
    issuer,
    seq([time(spec.notBefore), time(spec.notAfter)]),
    subject,
    parse(spec.subjectKey.export({ type: 'spki', format: 'der' })),
    ...(extensions.length > 0 ? [asn1.create(asn1.Class.CONTEXT_SPECIFIC, 3, true, [seq(extensions)])] : []),
  ]);
  const tbsDer = fromBinary(asn1.toDer(tbs).getBytes());
  const signature = sign(algorithm.hash, tbsDer, spec.signingKey);
  const certificate = seq([tbs, algorithm.node(), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\x00${toBinary(signature)}`)]);
  return new X509Certificate(fromBinary(asn1.toDer(certificate).getBytes())).toString();
}

/** extnValue of basicConstraints. */
export function basicConstraints(ca: boolean): Buffer {
  const { asn1 } = forge;
  return der(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, ca ? [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BOOLEAN, false, '\xff')] : []));
}

/** extnValue of keyUsage with the named bits. */
export function keyUsage(bits: { digitalSignature?: boolean; keyEncipherment?: boolean; keyCertSign?: boolean; cRLSign?: boolean }): Buffer {
  let byte = 0;
  if (bits.digitalSignature) byte |= 0x80;
  if (bits.keyEncipherment) byte |= 0x20;
  if (bits.keyCertSign) byte |= 0x04;
  if (bits.cRLSign) byte |= 0x02;
  let unused = 0;
  while (unused < 8 && byte !== 0 && (byte & (1 << unused)) === 0) unused++;
  const content = byte === 0 ? '\x00' : String.fromCharCode(unused, byte);
  return der(forge.asn1.create(forge.asn1.Class.UNIVERSAL, forge.asn1.Type.BITSTRING, false, content));
}

/** extnValue of extKeyUsage with the given OIDs. */
export function extKeyUsage(oids: readonly string[]): Buffer {
  const { asn1 } = forge;
  return der(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, oids.map((oid) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()))));
}

/** A GeneralName: URI [6], DNS [2], IP [7] (raw bytes) or email [1]. */
export type TestGeneralName = { uri: string | Buffer } | { dns: string } | { ip: Buffer } | { email: string };

/** extnValue of subjectAltName; URI values may be raw bytes (to plant NULs and such). */
export function subjectAltName(names: readonly TestGeneralName[]): Buffer {
  const { asn1 } = forge;
  const items = names.map((n) => {
    if ('uri' in n) return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 6, false, typeof n.uri === 'string' ? n.uri : toBinary(n.uri));
    if ('dns' in n) return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 2, false, n.dns);
    if ('ip' in n) return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 7, false, toBinary(n.ip));
    return asn1.create(asn1.Class.CONTEXT_SPECIFIC, 1, false, n.email);
  });
  return der(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items));
}

/** The extensions of a mesh CA (critical CA:TRUE, keyCertSign + cRLSign). */
export function caExtensions(): TestExtension[] {
  return [
    { oid: EXTENSION_OID.basicConstraints, critical: true, value: basicConstraints(true) },
    { oid: EXTENSION_OID.keyUsage, critical: true, value: keyUsage({ keyCertSign: true, cRLSign: true, digitalSignature: true }) },
  ];
}

/** The extensions of a good workload leaf (the mesh CA's profile) for one URI SAN. */
export function leafExtensions(uri: string): TestExtension[] {
  return [
    { oid: EXTENSION_OID.basicConstraints, critical: true, value: basicConstraints(false) },
    { oid: EXTENSION_OID.keyUsage, critical: true, value: keyUsage({ digitalSignature: true, keyEncipherment: true }) },
    { oid: EXTENSION_OID.extKeyUsage, value: extKeyUsage([EKU_OID.serverAuth, EKU_OID.clientAuth]) },
    { oid: EXTENSION_OID.subjectAltName, critical: true, value: subjectAltName([{ uri }]) },
  ];
}

/** A self-signed root CA valid from an hour ago for `days` days. */
export function makeRoot(keys: TestKeys, cn = 'test root', now = Date.now(), days = 365): string {
  return makeCertificate({
    subjectKey: keys.publicKey, signingKey: keys.privateKey, subjectCn: cn,
    notBefore: new Date(now - 3_600_000), notAfter: new Date(now + days * 86_400_000), extensions: caExtensions(),
  });
}

/** DER of a certificate PEM. */
export function pemToDer(pem: string): Buffer {
  return new X509Certificate(pem).raw;
}

function der(node: Asn1Node): Buffer {
  return fromBinary(forge.asn1.toDer(node).getBytes());
}

function parse(bytes: Buffer): Asn1Node {
  return forge.asn1.fromDer(toBinary(bytes), { strict: true, parseAllBytes: true, decodeBitStrings: false });
}

function nameDer(cn: string): Asn1Node {
  const { asn1 } = forge;
  if (cn === '') return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, []);
  const attribute = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer('2.5.4.3').getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, 12 /* UTF8String */, false, Buffer.from(cn, 'utf8').toString('latin1')),
  ]);
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [asn1.create(asn1.Class.UNIVERSAL, 17 /* SET */, true, [attribute])]);
}

function subjectOf(pem: string): Asn1Node {
  const certificate = parse(pemToDer(pem));
  const tbs = (certificate.value as Asn1Node[])[0]!;
  return (tbs.value as Asn1Node[])[5]!;
}

function time(date: Date): Asn1Node {
  const iso = date.toISOString();
  const year = date.getUTCFullYear();
  const digits = `${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return year >= 1950 && year < 2050
    ? forge.asn1.create(forge.asn1.Class.UNIVERSAL, 23 /* UTCTime */, false, `${String(year).slice(2)}${digits}`)
    : forge.asn1.create(forge.asn1.Class.UNIVERSAL, 24 /* GeneralizedTime */, false, `${year}${digits}`);
}

function signatureAlgorithm(key: KeyObject): { hash: string; node: () => Asn1Node } {
  const { asn1 } = forge;
  const isEc = createPublicKey(key).asymmetricKeyType === 'ec';
  const oid = isEc ? '1.2.840.10045.4.3.2' : '1.2.840.113549.1.1.11';
  return {
    hash: 'sha256',
    node: () => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
      ...(isEc ? [] : [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]),
    ]),
  };
}
