// MeshMtls: the warnings it gives (plaintext once, not when turned off on purpose; a certificate
// naming another identity than the registered one) and close() stopping renewal. Fake signer.

import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import type { CertificateSigner, SignedChain } from './ca-client';
import { MeshMtls } from './mesh-mtls';
import { leafExtensions, makeCertificate, makeKeys, makeRoot } from './test-certificates';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const forge = require('node-forge') as { pki: { certificationRequestFromPem(pem: string): { publicKey: object }; publicKeyToPem(key: object): string } };

/** Signs every CSR for `uri` with a test root. */
function signerFor(uri: string): CertificateSigner & { closed: boolean } {
  const keys = makeKeys();
  const root = makeRoot(keys);
  return {
    closed: false,
    async sign(request): Promise<SignedChain> {
      const keyPem = forge.pki.publicKeyToPem(forge.pki.certificationRequestFromPem(request.csrPem).publicKey);
      const leaf = makeCertificate({
        subjectKey: createPublicKey(keyPem), signingKey: keys.privateKey, issuerPem: root,
        notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000), extensions: leafExtensions(uri),
      });
      return { certChain: [leaf, root], trustBundle: [root] };
    },
    close() { this.closed = true; },
  };
}

const ENABLED = { enabled: true as const, caAddress: 'fake:0', token: 't', trustRootPem: 'unused' };

describe('MeshMtls', () => {
  it('without a token: plaintext, said once; explicitly off: silent', () => {
    const warnings: string[] = [];
    const off = new MeshMtls({ enabled: false, reason: 'no workload token' }, undefined, (m) => warnings.push(m));
    assert.equal(off.enabled, false);
    assert.throws(() => off.current(), /mutual TLS is off/);
    new MeshMtls({ enabled: false, reason: 'options.mtls.enabled is false', explicit: true }, undefined, (m) => warnings.push(m));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /mutual TLS is off: no workload token/);
  });

  it('warns when the certificate names another identity than the registered one; close() stops renewal', async () => {
    const cases: [string, string | undefined, number][] = [
      ['spiffe://cluster.local/ns/default/sa/reviews', 'reviews', 0],
      ['spiffe://cluster.local/ns/default/sa/default', undefined, 0],
      ['spiffe://cluster.local/ns/default/sa/attacker', 'reviews', 1],
    ];
    for (const [uri, serviceAccount, expectedWarnings] of cases) {
      const warnings: string[] = [];
      const signer = signerFor(uri);
      const mtls = new MeshMtls(ENABLED, { namespace: 'default', ...(serviceAccount ? { serviceAccount } : {}) }, (m) => warnings.push(m), { signer, keyBits: 1024 });
      const material = await mtls.whenReady();
      assert.equal(material.identity.uri, uri);
      assert.equal(warnings.length, expectedWarnings, uri);
      mtls.close();
      assert.equal(mtls.identity!.status().state, 'closed');
      assert.equal(signer.closed, true);
    }
  });
});
