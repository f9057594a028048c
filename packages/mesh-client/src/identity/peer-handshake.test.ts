// SEC-02, the handshake half: real mutual-TLS handshakes on loopback with Node's `tls` (chain,
// dates, purpose) plus the DER identity checks (secure naming on the client, readPeerIdentity on the
// server). Every bad certificate in the matrix must be refused, each with a reason code.

import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { readPeerIdentity, secureNamingCheck } from './peer-verify';
import {
  basicConstraints, caExtensions, extKeyUsage, keyUsage, leafExtensions, makeCertificate, makeKeys, makeRoot, subjectAltName,
  type TestExtension, type TestKeys,
} from './test-certificates';
import { EKU_OID, EXTENSION_OID } from './x509-extensions';

const SERVER_ID = 'spiffe://cluster.local/ns/default/sa/reviews';
const CLIENT_ID = 'spiffe://cluster.local/ns/default/sa/productpage';
const HOUR = 3_600_000;

interface Party {
  readonly key: string;
  readonly cert: string;
}

/** How one handshake ended on each side: 'OK' or a reason code. */
interface Outcome {
  readonly client: string;
  readonly server: string;
}

/**
 * Runs one mutual-TLS exchange: the server requires and verifies a client certificate, checks its
 * identity from DER and answers "ok"; the client verifies the server chain and applies secure naming.
 */
async function handshake(options: { server: Party; client?: Party; serverTrusts: string[]; clientTrusts: string[]; expectServer?: string[] }): Promise<Outcome> {
  let serverOutcome = 'PENDING';
  // rejectUnauthorized: false + the explicit `authorized` check below is how an inbound server
  // learns (and logs) WHY a client certificate failed; with `true`, Node drops the socket silently.
  const server = tls.createServer({ key: options.server.key, cert: options.server.cert, ca: options.serverTrusts, requestCert: true, rejectUnauthorized: false }, (socket) => {
    const peer = socket.getPeerX509Certificate();
    const refusal = !peer ? 'NO_PEER_CERTIFICATE' : !socket.authorized ? String(socket.authorizationError ?? 'UNAUTHORIZED') : undefined;
    const identity = peer && !refusal ? readPeerIdentity(peer.raw) : undefined;
    if (refusal || !identity?.ok) {
      serverOutcome = refusal ?? (identity && !identity.ok ? identity.code : 'UNKNOWN');
      socket.destroy();
      return;
    }
    serverOutcome = 'OK';
    socket.end('ok');
  });
  server.on('tlsClientError', (error: NodeJS.ErrnoException) => {
    if (serverOutcome === 'PENDING') serverOutcome = error.code ?? error.message; // the first error is the reason
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const client = await new Promise<string>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1', port,
        ca: options.clientTrusts,
        ...(options.client ? { key: options.client.key, cert: options.client.cert } : {}),
        checkServerIdentity: secureNamingCheck(options.expectServer ?? [SERVER_ID]),
      });
      let data = '';
      socket.on('data', (chunk) => { data += chunk.toString(); });
      socket.on('error', (error: NodeJS.ErrnoException) => { socket.destroy(); resolve(error.code ?? error.message); });
      socket.on('close', () => resolve(data === 'ok' ? 'OK' : 'CLOSED_WITHOUT_ANSWER'));
      socket.setTimeout(5_000, () => { socket.destroy(); resolve('TIMEOUT'); });
    });
    const deadline = Date.now() + 5_000;
    while (serverOutcome === 'PENDING' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    return { client, server: serverOutcome };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('SEC-02 mutual TLS peer validation matrix (real handshakes on loopback)', function () {
  this.timeout(20_000);
  let rootKeys: TestKeys;
  let root: string;
  let foreignKeys: TestKeys;
  let foreignRoot: string;
  let keys: TestKeys;
  let goodServer: Party;
  let goodClient: Party;

  function issue(options: { extensions: readonly TestExtension[]; signer?: { keys: TestKeys; cert: string }; notBefore?: number; notAfter?: number; selfSigned?: boolean }): Party {
    const now = Date.now();
    const signer = options.signer ?? { keys: rootKeys, cert: root };
    const cert = makeCertificate({
      subjectKey: keys.publicKey,
      signingKey: options.selfSigned ? keys.privateKey : signer.keys.privateKey,
      ...(options.selfSigned ? {} : { issuerPem: signer.cert }),
      subjectCn: options.selfSigned ? 'self' : '',
      notBefore: new Date(options.notBefore ?? now - 60_000),
      notAfter: new Date(options.notAfter ?? now + HOUR),
      extensions: options.extensions,
    });
    return { key: keys.privateKeyPem, cert };
  }

  const withReplaced = (uri: string, oid: string, replacement: TestExtension | undefined) => [
    ...leafExtensions(uri).filter((e) => e.oid !== oid), ...(replacement ? [replacement] : []),
  ];

  before(() => {
    rootKeys = makeKeys();
    root = makeRoot(rootKeys, 'mesh root');
    foreignKeys = makeKeys();
    foreignRoot = makeRoot(foreignKeys, 'foreign root');
    keys = makeKeys();
    goodServer = issue({ extensions: leafExtensions(SERVER_ID) });
    goodClient = issue({ extensions: leafExtensions(CLIENT_ID) });
  });

  it('accepts good certificates on both sides', async () => {
    assert.deepEqual(await handshake({ server: goodServer, client: goodClient, serverTrusts: [root], clientTrusts: [root] }), { client: 'OK', server: 'OK' });
  });

  describe('the client refuses the server certificate', () => {
    const cases: [string, () => { server: Party; clientTrusts?: string[]; expectServer?: string[] }, string[]][] = [
      ['expired', () => ({ server: issue({ extensions: leafExtensions(SERVER_ID), notBefore: Date.now() - 2 * HOUR, notAfter: Date.now() - HOUR }) }), ['CERT_HAS_EXPIRED']],
      ['not yet valid', () => ({ server: issue({ extensions: leafExtensions(SERVER_ID), notBefore: Date.now() + HOUR, notAfter: Date.now() + 2 * HOUR }) }), ['CERT_NOT_YET_VALID']],
      ['signed by a root that is not in the bundle', () => ({ server: issue({ extensions: leafExtensions(SERVER_ID), signer: { keys: foreignKeys, cert: foreignRoot } }) }), ['UNABLE_TO_VERIFY_LEAF_SIGNATURE']],
      ['signed by a root removed from the bundle (rotation step 3)', () => ({ server: goodServer, clientTrusts: [foreignRoot] }), ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN']],
      ['self-signed leaf', () => ({ server: issue({ extensions: leafExtensions(SERVER_ID), selfSigned: true }) }), ['DEPTH_ZERO_SELF_SIGNED_CERT']],
      ['expired intermediate', () => {
        const intermediateKeys = makeKeys();
        const intermediate = makeCertificate({ subjectKey: intermediateKeys.publicKey, signingKey: rootKeys.privateKey, issuerPem: root, subjectCn: 'old intermediate', notBefore: new Date(Date.now() - 2 * HOUR), notAfter: new Date(Date.now() - HOUR), extensions: caExtensions() });
        const leaf = issue({ extensions: leafExtensions(SERVER_ID), signer: { keys: intermediateKeys, cert: intermediate } });
        return { server: { key: leaf.key, cert: leaf.cert + intermediate } };
      }, ['CERT_HAS_EXPIRED']],
      ['issued by a leaf without basicConstraints', () => {
        const leafAKeys = makeKeys();
        const leafA = makeCertificate({ subjectKey: leafAKeys.publicKey, signingKey: rootKeys.privateKey, issuerPem: root, subjectCn: 'leaf A', notBefore: new Date(Date.now() - HOUR), notAfter: new Date(Date.now() + HOUR), extensions: [] });
        const leafB = issue({ extensions: leafExtensions(SERVER_ID), signer: { keys: leafAKeys, cert: leafA } });
        return { server: { key: leafB.key, cert: leafB.cert + leafA } };
      }, ['INVALID_CA', 'INVALID_PURPOSE']],
      ['valid SVID of another workload (secure naming)', () => ({ server: issue({ extensions: leafExtensions('spiffe://cluster.local/ns/default/sa/attacker') }) }), ['PEER_IDENTITY_MISMATCH']],
      ['two URI SANs', () => ({ server: issue({ extensions: withReplaced(SERVER_ID, EXTENSION_OID.subjectAltName, { oid: EXTENSION_OID.subjectAltName, critical: true, value: subjectAltName([{ uri: SERVER_ID }, { uri: 'spiffe://cluster.local/ns/admin/sa/root' }]) }) }) }), ['PEER_MULTIPLE_URI_SANS']],
      ['no URI SAN', () => ({ server: issue({ extensions: withReplaced(SERVER_ID, EXTENSION_OID.subjectAltName, { oid: EXTENSION_OID.subjectAltName, value: subjectAltName([{ dns: 'reviews' }]) }) }) }), ['PEER_NO_URI_SAN']],
      ['SAN string injection', () => ({ server: issue({ extensions: leafExtensions(`${SERVER_ID}, URI:spiffe://cluster.local/ns/admin/sa/root`) }), expectServer: [SERVER_ID, 'spiffe://cluster.local/ns/admin/sa/root'] }), ['PEER_INVALID_SPIFFE_ID']],
      ['NUL in the SAN', () => ({ server: issue({ extensions: withReplaced(SERVER_ID, EXTENSION_OID.subjectAltName, { oid: EXTENSION_OID.subjectAltName, critical: true, value: subjectAltName([{ uri: Buffer.from(`${SERVER_ID}\u0000x`, 'latin1') }]) }) }) }), ['PEER_INVALID_SPIFFE_ID']],
      ['CA:TRUE leaf', () => ({ server: issue({ extensions: withReplaced(SERVER_ID, EXTENSION_OID.basicConstraints, { oid: EXTENSION_OID.basicConstraints, critical: true, value: basicConstraints(true) }) }) }), ['PEER_NOT_LEAF', 'INVALID_PURPOSE']],
      ['keyCertSign leaf', () => ({ server: issue({ extensions: withReplaced(SERVER_ID, EXTENSION_OID.keyUsage, { oid: EXTENSION_OID.keyUsage, critical: true, value: keyUsage({ digitalSignature: true, keyCertSign: true }) }) }) }), ['PEER_NOT_LEAF']],
      ['EKU without serverAuth', () => ({ server: issue({ extensions: withReplaced(SERVER_ID, EXTENSION_OID.extKeyUsage, { oid: EXTENSION_OID.extKeyUsage, value: extKeyUsage([EKU_OID.clientAuth]) }) }) }), ['INVALID_PURPOSE']],
      ['EKU emailProtection only', () => ({ server: issue({ extensions: withReplaced(SERVER_ID, EXTENSION_OID.extKeyUsage, { oid: EXTENSION_OID.extKeyUsage, value: extKeyUsage([EKU_OID.emailProtection]) }) }) }), ['INVALID_PURPOSE']],
    ];
    for (const [name, make, codes] of cases) {
      it(name, async () => {
        const setup = make();
        const outcome = await handshake({ server: setup.server, client: goodClient, serverTrusts: [root], clientTrusts: setup.clientTrusts ?? [root], ...(setup.expectServer ? { expectServer: setup.expectServer } : {}) });
        assert.ok(codes.includes(outcome.client), `client outcome ${outcome.client}, expected one of ${codes.join(', ')}`);
        assert.notEqual(outcome.server, 'OK');
      });
    }
  });

  describe('the server refuses the client certificate', () => {
    const cases: [string, () => { client?: Party; serverTrusts?: string[] }, string[]][] = [
      ['no client certificate', () => ({}), ['NO_PEER_CERTIFICATE']],
      ['client certificate from a foreign root', () => ({ client: issue({ extensions: leafExtensions(CLIENT_ID), signer: { keys: foreignKeys, cert: foreignRoot } }) }), ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']],
      ['expired client certificate', () => ({ client: issue({ extensions: leafExtensions(CLIENT_ID), notBefore: Date.now() - 2 * HOUR, notAfter: Date.now() - HOUR }) }), ['CERT_HAS_EXPIRED', 'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED']],
      ['EKU without clientAuth', () => ({ client: issue({ extensions: withReplaced(CLIENT_ID, EXTENSION_OID.extKeyUsage, { oid: EXTENSION_OID.extKeyUsage, value: extKeyUsage([EKU_OID.serverAuth]) }) }) }), ['INVALID_PURPOSE', 'ERR_SSL_UNSUPPORTED_CERTIFICATE_PURPOSE']],
      ['two URI SANs', () => ({ client: issue({ extensions: withReplaced(CLIENT_ID, EXTENSION_OID.subjectAltName, { oid: EXTENSION_OID.subjectAltName, critical: true, value: subjectAltName([{ uri: CLIENT_ID }, { uri: SERVER_ID }]) }) }) }), ['PEER_MULTIPLE_URI_SANS']],
      ['SAN string injection', () => ({ client: issue({ extensions: leafExtensions(`${CLIENT_ID}, URI:${SERVER_ID}`) }) }), ['PEER_INVALID_SPIFFE_ID']],
      ['CA:TRUE client leaf', () => ({ client: issue({ extensions: withReplaced(CLIENT_ID, EXTENSION_OID.basicConstraints, { oid: EXTENSION_OID.basicConstraints, critical: true, value: basicConstraints(true) }) }) }), ['PEER_NOT_LEAF', 'INVALID_PURPOSE']],
    ];
    for (const [name, make, codes] of cases) {
      it(name, async () => {
        const setup = make();
        const outcome = await handshake({ server: goodServer, ...(setup.client ? { client: setup.client } : {}), serverTrusts: setup.serverTrusts ?? [root], clientTrusts: [root] });
        assert.ok(codes.includes(outcome.server), `server outcome ${outcome.server}, expected one of ${codes.join(', ')}`);
        assert.notEqual(outcome.client, 'OK');
      });
    }
  });
});
