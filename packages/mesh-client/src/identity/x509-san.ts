// Subject alternative names read from a certificate's DER bytes — the one SAN parser of the mesh.
// Never from Node's `subjectAltName` string: a single URI SAN holding `, URI:spiffe://…` reads as
// two names there (Node CVE-2021-44532). Bytes are kept as they are (NUL included), never trimmed.

import { IdentityError } from './errors';
import { forge, fromBinary, type Asn1Node } from './forge';
import { EXTENSION_OID, children, isUniversal, parseCanonicalDer, readCertificateExtensions, type RawExtension } from './x509-extensions';

/** The names of a subjectAltName extension, by kind, in certificate order. */
export interface SubjectAltNames {
  /** uniformResourceIdentifier [6] values, byte for byte (latin1), unvalidated. */
  readonly uris: readonly string[];
  /** dNSName [2] values. */
  readonly dnsNames: readonly string[];
  /** iPAddress [7] values in text form (IPv4 dotted, IPv6 colon-hex). */
  readonly ipAddresses: readonly string[];
  /** rfc822Name [1] values. */
  readonly emails: readonly string[];
  /** How many names of other kinds (otherName, directoryName, registeredID …) there are. */
  readonly otherCount: number;
  /** Whether the extension is marked critical. */
  readonly critical: boolean;
}

const URI_TAG = 6;
const DNS_TAG = 2;
const IP_TAG = 7;
const EMAIL_TAG = 1;

/**
 * The SANs of a DER certificate, or undefined when it has no subjectAltName extension.
 * @throws IdentityError PEER_CERT_MALFORMED when the certificate or the extension does not parse.
 */
export function readSubjectAltNames(certificateDer: Uint8Array): SubjectAltNames | undefined {
  return subjectAltNamesOf(readCertificateExtensions(certificateDer));
}

/** The SANs among already-read extensions, or undefined when there is no subjectAltName. */
export function subjectAltNamesOf(extensions: readonly RawExtension[]): SubjectAltNames | undefined {
  const extension = extensions.find((e) => e.oid === EXTENSION_OID.subjectAltName);
  return extension ? decodeGeneralNames(extension.value, extension.critical) : undefined;
}

/**
 * Decodes the extnValue of a subjectAltName extension (GeneralNames, RFC 5280 §4.2.1.6).
 * @throws IdentityError PEER_CERT_MALFORMED
 */
export function decodeGeneralNames(extnValue: Uint8Array, critical = false): SubjectAltNames {
  const root = parseCanonicalDer(extnValue, 'subjectAltName');
  if (!isUniversal(root, forge.asn1.Type.SEQUENCE)) throw malformed('subjectAltName is not a SEQUENCE of GeneralName');
  const names = children(root, 'subjectAltName');
  if (names.length === 0) throw malformed('subjectAltName is empty (RFC 5280 requires at least one name)');
  const uris: string[] = [];
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  const emails: string[] = [];
  let otherCount = 0;
  for (const name of names) {
    if (name.tagClass !== forge.asn1.Class.CONTEXT_SPECIFIC) throw malformed('a GeneralName is not context-tagged');
    switch (name.type) {
      case URI_TAG: uris.push(primitive(name, 'uniformResourceIdentifier')); break;
      case DNS_TAG: dnsNames.push(primitive(name, 'dNSName')); break;
      case EMAIL_TAG: emails.push(primitive(name, 'rfc822Name')); break;
      case IP_TAG: ipAddresses.push(ipText(fromBinary(primitive(name, 'iPAddress')))); break;
      default: otherCount++;
    }
  }
  return { uris, dnsNames, ipAddresses, emails, otherCount, critical };
}

function primitive(node: Asn1Node, what: string): string {
  if (node.constructed || typeof node.value !== 'string') throw malformed(`${what} must be a primitive (IMPLICIT) value`);
  return node.value;
}

function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return groups.join(':');
  }
  throw malformed(`iPAddress has ${bytes.length} bytes (expected 4 or 16)`);
}

function malformed(message: string): IdentityError {
  return new IdentityError('PEER_CERT_MALFORMED', message);
}
