// SEC-02, the identity half: crafted certificates through the pure peer checks — SANs read from
// DER, exactly one URI SAN, a strict SPIFFE ID, leaf-only key usage, secure naming — including the
// SAN string-injection certificate that fools a regex over Node's `subjectAltName` text.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readPeerIdentity, verifyPeerIdentity, type PeerIdentityResult } from './peer-verify';
import {
  basicConstraints, extKeyUsage, keyUsage, leafExtensions, makeCertificate, makeKeys, makeRoot, pemToDer, subjectAltName,
  type TestExtension, type TestKeys,
} from './test-certificates';
import { EKU_OID, EXTENSION_OID } from './x509-extensions';
import { readSubjectAltNames } from './x509-san';

const ID = 'spiffe://cluster.local/ns/default/sa/reviews';
const INJECTED = 'spiffe://cluster.local/ns/default/sa/reviews, URI:spiffe://cluster.local/ns/admin/sa/root';

describe('peer identity checks (pure, DER)', () => {
  let rootKeys: TestKeys;
  let leafKeys: TestKeys;
  let root: string;
  before(() => {
    rootKeys = makeKeys();
    leafKeys = makeKeys();
    root = makeRoot(rootKeys);
  });

  function leaf(extensions: readonly TestExtension[]): Buffer {
    const now = Date.now();
    return pemToDer(makeCertificate({
      subjectKey: leafKeys.publicKey, signingKey: rootKeys.privateKey, issuerPem: root,
      notBefore: new Date(now - 60_000), notAfter: new Date(now + 3_600_000), extensions,
    }));
  }

  /** The leaf profile with one extension replaced (or removed, with `undefined`). */
  function variant(oid: string, replacement: TestExtension | undefined, uri = ID): Buffer {
    const base = leafExtensions(uri).filter((e) => e.oid !== oid);
    return leaf(replacement ? [...base, replacement] : base);
  }

  const san = (names: Parameters<typeof subjectAltName>[0]): TestExtension => ({ oid: EXTENSION_OID.subjectAltName, critical: true, value: subjectAltName(names) });
  const codeOf = (result: PeerIdentityResult) => (result.ok ? 'OK' : result.code);

  it('accepts a mesh leaf and returns its identity', () => {
    const result = readPeerIdentity(leaf(leafExtensions(ID)));
    assert.ok(result.ok);
    assert.equal(result.identity.uri, ID);
    assert.equal(result.identity.principal, 'cluster.local/ns/default/sa/reviews');
  });

  it('refuses every malformed identity with its reason code', () => {
    const table: [string, () => Buffer, string][] = [
      ['CA:TRUE leaf', () => variant(EXTENSION_OID.basicConstraints, { oid: EXTENSION_OID.basicConstraints, critical: true, value: basicConstraints(true) }), 'PEER_NOT_LEAF'],
      ['keyCertSign on a leaf', () => variant(EXTENSION_OID.keyUsage, { oid: EXTENSION_OID.keyUsage, critical: true, value: keyUsage({ digitalSignature: true, keyCertSign: true }) }), 'PEER_NOT_LEAF'],
      ['cRLSign on a leaf', () => variant(EXTENSION_OID.keyUsage, { oid: EXTENSION_OID.keyUsage, critical: true, value: keyUsage({ digitalSignature: true, cRLSign: true }) }), 'PEER_NOT_LEAF'],
      ['no keyUsage', () => variant(EXTENSION_OID.keyUsage, undefined), 'PEER_BAD_KEY_USAGE'],
      ['keyUsage without digitalSignature', () => variant(EXTENSION_OID.keyUsage, { oid: EXTENSION_OID.keyUsage, critical: true, value: keyUsage({ keyEncipherment: true }) }), 'PEER_BAD_KEY_USAGE'],
      ['EKU emailProtection only', () => variant(EXTENSION_OID.extKeyUsage, { oid: EXTENSION_OID.extKeyUsage, value: extKeyUsage([EKU_OID.emailProtection]) }), 'PEER_BAD_KEY_USAGE'],
      ['EKU serverAuth only', () => variant(EXTENSION_OID.extKeyUsage, { oid: EXTENSION_OID.extKeyUsage, value: extKeyUsage([EKU_OID.serverAuth]) }), 'PEER_BAD_KEY_USAGE'],
      ['no SAN extension', () => variant(EXTENSION_OID.subjectAltName, undefined), 'PEER_NO_URI_SAN'],
      ['DNS SAN only', () => variant(EXTENSION_OID.subjectAltName, san([{ dns: 'reviews.default.svc.cluster.local' }])), 'PEER_NO_URI_SAN'],
      ['two URI SANs', () => variant(EXTENSION_OID.subjectAltName, san([{ uri: ID }, { uri: 'spiffe://cluster.local/ns/admin/sa/root' }])), 'PEER_MULTIPLE_URI_SANS'],
      ['SAN string injection', () => leaf(leafExtensions(INJECTED)), 'PEER_INVALID_SPIFFE_ID'],
      ['NUL inside the URI SAN', () => variant(EXTENSION_OID.subjectAltName, san([{ uri: Buffer.from(`${ID}\u0000.evil`, 'latin1') }])), 'PEER_INVALID_SPIFFE_ID'],
      ['NUL inside the trust domain', () => leaf(leafExtensions('spiffe://cluster.local\u0000evil/ns/default/sa/reviews')), 'PEER_INVALID_SPIFFE_ID'],
      ['https scheme', () => leaf(leafExtensions('https://cluster.local/ns/default/sa/reviews')), 'PEER_INVALID_SPIFFE_ID'],
      ['uppercase trust domain', () => leaf(leafExtensions('spiffe://CLUSTER.local/ns/default/sa/reviews')), 'PEER_INVALID_SPIFFE_ID'],
      ['percent-encoded path', () => leaf(leafExtensions('spiffe://cluster.local/ns/default/sa/%72eviews')), 'PEER_INVALID_SPIFFE_ID'],
      ['dot-dot path', () => leaf(leafExtensions('spiffe://cluster.local/ns/default/sa/../sa/admin')), 'PEER_INVALID_SPIFFE_ID'],
      ['trailing slash', () => leaf(leafExtensions(`${ID}/`)), 'PEER_INVALID_SPIFFE_ID'],
      ['query', () => leaf(leafExtensions(`${ID}?admin=1`)), 'PEER_INVALID_SPIFFE_ID'],
      ['empty path', () => leaf(leafExtensions('spiffe://cluster.local')), 'PEER_INVALID_SPIFFE_ID'],
      ['duplicate SAN extension', () => leaf([...leafExtensions(ID), san([{ uri: 'spiffe://cluster.local/ns/admin/sa/root' }])]), 'PEER_CERT_MALFORMED'],
      ['not DER at all', () => Buffer.from('hello'), 'PEER_CERT_MALFORMED'],
      ['truncated DER', () => leaf(leafExtensions(ID)).subarray(0, 200), 'PEER_CERT_MALFORMED'],
    ];
    for (const [name, make, code] of table) assert.equal(codeOf(readPeerIdentity(make())), code, name);
  });

  it('reads the injected SAN as ONE name, where a regex over Node\'s subjectAltName text finds two', () => {
    const der = leaf(leafExtensions(INJECTED));
    const text = new X509Certificate(der).subjectAltName ?? '';
    const regexFinds = [...text.matchAll(/URI:(spiffe:\/\/[^\s,"]+)/g)].map((m) => m[1]);
    assert.ok(regexFinds.includes('spiffe://cluster.local/ns/admin/sa/root'), `the trap is real: ${text}`);
    assert.deepEqual(readSubjectAltNames(der)?.uris, [INJECTED]);
  });

  it('keeps SAN bytes as they are, NUL included, and reads every name kind', () => {
    const der = variant(EXTENSION_OID.subjectAltName, san([{ uri: Buffer.from('spiffe://a\u0000b', 'latin1') }, { dns: 'x.example' }, { ip: Buffer.from([127, 0, 0, 1]) }, { email: 'a@b' }]));
    const names = readSubjectAltNames(der);
    assert.deepEqual(names && { ...names }, { uris: ['spiffe://a\u0000b'], dnsNames: ['x.example'], ipAddresses: ['127.0.0.1'], emails: ['a@b'], otherCount: 0, critical: true });
  });

  it('accepts only listed trust domains when told', () => {
    const der = leaf(leafExtensions('spiffe://other.domain/ns/default/sa/reviews'));
    assert.equal(codeOf(readPeerIdentity(der)), 'OK');
    assert.equal(codeOf(readPeerIdentity(der, { trustDomains: ['cluster.local'] })), 'PEER_FOREIGN_TRUST_DOMAIN');
    assert.equal(codeOf(readPeerIdentity(der, { trustDomains: ['cluster.local', 'other.domain'] })), 'OK');
  });

  it('secure naming: the identity must be one the endpoint was announced with', () => {
    const der = leaf(leafExtensions(ID));
    assert.equal(codeOf(verifyPeerIdentity(der, [ID])), 'OK');
    assert.equal(codeOf(verifyPeerIdentity(der, ['spiffe://cluster.local/ns/default/sa/ratings', ID])), 'OK');
    assert.equal(codeOf(verifyPeerIdentity(der, ['spiffe://cluster.local/ns/default/sa/ratings'])), 'PEER_IDENTITY_MISMATCH');
    assert.equal(codeOf(verifyPeerIdentity(der, [`${ID} `])), 'PEER_IDENTITY_MISMATCH');
    assert.equal(codeOf(verifyPeerIdentity(der, [])), 'PEER_IDENTITY_MISMATCH');
  });
});
