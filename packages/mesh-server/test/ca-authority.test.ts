// The certificate authority: root creation and persistence, operator roots and intermediates, the
// leaf profile, TTL rules, and SEC-01's CSR identity-theft attempts against `sign` itself.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { DEFAULT_WORKLOAD_TTL_MS, openCertificateAuthority, type CertificateAuthority } from '../src/ca/authority';
import { isServerError } from '../src/errors';
import { deeplyNestedCsr, leafFacts, makeCaCert, makeCsr, makeEcCsr, ManualClock, rsaKeys, type RsaKeys } from './ca-fixtures';

const ID_A = { namespace: 'team-a', serviceAccount: 'reviews' };

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-ca-'));
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(isServerError(error, 'BAD_REQUEST'), `expected a BAD_REQUEST MeshServerError, got ${String(error)}`);
    return String(error.details.reason ?? 'BAD_REQUEST');
  }
  assert.fail('expected the call to throw');
}

async function reasonOfAsync(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isServerError(error, 'BAD_REQUEST'), `expected a BAD_REQUEST MeshServerError, got ${String(error)}`);
    return String(error.details.reason ?? 'BAD_REQUEST');
  }
  assert.fail('expected the promise to reject');
}

describe('certificate authority', function () {
  this.timeout(20_000);
  let keys: RsaKeys;
  let otherKeys: RsaKeys;
  const dirs: string[] = [];
  const dir = () => { const d = tempDir(); dirs.push(d); return d; };

  before(() => {
    keys = rsaKeys();
    otherKeys = rsaKeys();
  });
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  describe('generated root', () => {
    it('is created on first start, persisted with a 0600 key, and reused after a restart', async () => {
      const dataDir = dir();
      const first = await openCertificateAuthority({ dataDir });
      assert.equal(first.source, 'generated');
      assert.equal((fs.statSync(path.join(dataDir, 'ca', 'ca-key.pem')).mode & 0o777), 0o600);
      assert.equal((fs.statSync(path.join(dataDir, 'ca')).mode & 0o777), 0o700);
      const root = new X509Certificate(first.trustBundle()[0]!);
      assert.equal(root.ca, true);
      assert.match(root.subject, /O=cluster\.local/);
      const second = await openCertificateAuthority({ dataDir });
      assert.equal(second.source, 'data-dir');
      assert.deepEqual(second.trustBundle(), first.trustBundle());
      // A leaf issued after the restart chains to the root from before it.
      const leaf = new X509Certificate(second.sign(makeCsr(keys), ID_A).certChain[0]!);
      assert.ok(leaf.verify(root.publicKey));
    });

    it('tightens a key file that became readable by others', async () => {
      const dataDir = dir();
      await openCertificateAuthority({ dataDir });
      const keyFile = path.join(dataDir, 'ca', 'ca-key.pem');
      fs.chmodSync(keyFile, 0o644);
      await openCertificateAuthority({ dataDir });
      assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    });

    it('refuses to start when the certificate is there but its key is gone', async () => {
      const dataDir = dir();
      await openCertificateAuthority({ dataDir });
      fs.rmSync(path.join(dataDir, 'ca', 'ca-key.pem'));
      assert.equal(await reasonOfAsync(openCertificateAuthority({ dataDir })), 'CA_INVALID');
    });

    it('replaces a key left without a certificate by a crash between the two writes', async () => {
      const dataDir = dir();
      fs.mkdirSync(path.join(dataDir, 'ca'), { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'ca', 'ca-key.pem'), otherKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const ca = await openCertificateAuthority({ dataDir });
      assert.equal(ca.source, 'generated');
      assert.ok(new X509Certificate(ca.trustBundle()[0]!).checkPrivateKey(
        (await import('node:crypto')).createPrivateKey(fs.readFileSync(path.join(dataDir, 'ca', 'ca-key.pem')))));
    });

    it('adds extra roots from <dataDir>/ca/extra-roots.pem to the trust bundle, once each', async () => {
      const dataDir = dir();
      const first = await openCertificateAuthority({ dataDir });
      const extra = makeCaCert(otherKeys, { cn: 'next root' });
      fs.writeFileSync(path.join(dataDir, 'ca', 'extra-roots.pem'), extra.toString() + extra.toString() + first.trustBundle()[0]);
      const ca = await openCertificateAuthority({ dataDir });
      assert.deepEqual(ca.trustBundle(), [first.trustBundle()[0], extra.toString()]);
    });

    it('refuses a non-CA certificate in extra-roots.pem', async () => {
      const dataDir = dir();
      await openCertificateAuthority({ dataDir });
      fs.writeFileSync(path.join(dataDir, 'ca', 'extra-roots.pem'), makeCaCert(otherKeys, { cn: 'leafish', ca: false }).toString());
      assert.equal(await reasonOfAsync(openCertificateAuthority({ dataDir })), 'CA_INVALID');
    });
  });

  describe('operator CA (--ca-cert/--ca-key)', () => {
    let rootKeys: RsaKeys;
    let intermediateKeys: RsaKeys;
    let root: X509Certificate;
    let intermediate: X509Certificate;
    before(() => {
      rootKeys = rsaKeys();
      intermediateKeys = rsaKeys();
      root = makeCaCert(rootKeys, { cn: 'operator root' });
      intermediate = makeCaCert(intermediateKeys, { cn: 'operator intermediate', issuer: { cert: root, keys: rootKeys } });
    });

    function files(certs: X509Certificate[], key: RsaKeys): { caCertFile: string; caKeyFile: string } {
      const d = dir();
      const caCertFile = path.join(d, 'ca-cert.pem');
      const caKeyFile = path.join(d, 'ca-key.pem');
      fs.writeFileSync(caCertFile, certs.map((c) => c.toString()).join(''));
      fs.writeFileSync(caKeyFile, key.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      return { caCertFile, caKeyFile };
    }

    it('signs with an intermediate and returns leaf → intermediate → root', async () => {
      const ca = await openCertificateAuthority({ dataDir: dir(), ...files([intermediate, root], intermediateKeys) });
      assert.equal(ca.source, 'operator');
      assert.deepEqual(ca.trustBundle(), [root.toString()]);
      const chain = ca.sign(makeCsr(keys), ID_A).certChain.map((p) => new X509Certificate(p));
      assert.equal(chain.length, 3);
      assert.ok(chain[0]!.verify(intermediate.publicKey) && chain[0]!.checkIssued(intermediate));
      assert.equal(chain[1]!.fingerprint256, intermediate.fingerprint256);
      assert.equal(chain[2]!.fingerprint256, root.fingerprint256);
    });

    it('finds the root of a lone intermediate in extra-roots.pem', async () => {
      const dataDir = dir();
      fs.mkdirSync(path.join(dataDir, 'ca'), { recursive: true });
      fs.writeFileSync(path.join(dataDir, 'ca', 'extra-roots.pem'), root.toString());
      const ca = await openCertificateAuthority({ dataDir, ...files([intermediate], intermediateKeys) });
      assert.equal(ca.sign(makeCsr(keys), ID_A).certChain.length, 3);
    });

    it('accepts an operator root', async () => {
      const ca = await openCertificateAuthority({ dataDir: dir(), ...files([root], rootKeys) });
      assert.deepEqual(ca.trustBundle(), [root.toString()]);
    });

    it('refuses bad operator material with CA_INVALID', async () => {
      const cases: [string, () => { caCertFile?: string; caKeyFile?: string }][] = [
        ['lone intermediate without its root', () => files([intermediate], intermediateKeys)],
        ['key of another certificate', () => files([intermediate, root], rootKeys)],
        ['not a CA', () => { const k = rsaKeys(); return files([makeCaCert(k, { cn: 'not a ca', ca: false, issuer: { cert: root, keys: rootKeys } }), root], k); }],
        ['expired CA', () => files([makeCaCert(rootKeys, { cn: 'old', notBefore: new Date(Date.now() - 2 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) })], rootKeys)],
        ['chain out of order', () => files([root, intermediate], rootKeys)],
        ['only --ca-cert', () => ({ caCertFile: files([root], rootKeys).caCertFile })],
        ['EC key', () => {
          const f = files([root], rootKeys);
          fs.writeFileSync(f.caKeyFile, (require('node:crypto') as typeof import('node:crypto')).generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
          return f;
        }],
      ];
      for (const [name, make] of cases) {
        assert.equal(await reasonOfAsync(openCertificateAuthority({ dataDir: dir(), ...make() })), 'CA_INVALID', name);
      }
    });

    it('never issues a leaf that outlives the CA chain', async () => {
      const shortRoot = makeCaCert(rootKeys, { cn: 'short', notAfter: new Date(Date.now() + 3_600_000) });
      const ca = await openCertificateAuthority({ dataDir: dir(), ...files([shortRoot], rootKeys) });
      const issued = ca.sign(makeCsr(keys), ID_A);
      assert.equal(issued.notAfter.getTime(), Date.parse(shortRoot.validTo));
    });
  });

  describe('leaves', () => {
    let ca: CertificateAuthority;
    const clock = new ManualClock(Date.parse('2026-06-01T12:00:00.000Z'));
    before(async () => {
      ca = await openCertificateAuthority({ dataDir: dir(), clock, trustDomain: 'mesh.example' });
    });

    it('have the X509-SVID profile: one critical URI SAN, empty subject, CA:FALSE, digitalSignature, both EKUs', () => {
      const issued = ca.sign(makeCsr(keys), ID_A);
      const facts = leafFacts(issued.certChain[0]!);
      assert.deepEqual(facts.sans, ['6:spiffe://mesh.example/ns/team-a/sa/reviews']);
      assert.equal(issued.spiffeId, 'spiffe://mesh.example/ns/team-a/sa/reviews');
      assert.equal(facts.sanCritical, true);
      assert.equal(facts.subjectAttributes, 0);
      assert.equal(facts.ca, false);
      assert.equal(facts.basicConstraintsCritical, true);
      assert.deepEqual(facts.keyUsage, { critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: false, cRLSign: false });
      assert.equal(facts.serverAuth && facts.clientAuth, true);
      assert.equal(facts.serialHex.length, 32);
      assert.equal(facts.notBefore.getTime(), clock.now() - 60_000);
      assert.equal(facts.notAfter.getTime(), clock.now() + DEFAULT_WORKLOAD_TTL_MS);
      assert.equal(issued.certChain.length, 2);
      assert.equal(issued.certChain[1], ca.trustBundle()[0]);
    });

    it('get fresh random serial numbers', () => {
      const serials = new Set(Array.from({ length: 20 }, () => ca.sign(makeCsr(keys), ID_A).serialNumber));
      assert.equal(serials.size, 20);
    });

    it('use the default TTL for an absent, zero or negative TTL, and refuse one over the maximum', async () => {
      for (const ttl of [undefined, 0, -5]) {
        assert.equal(ca.sign(makeCsr(keys), ID_A, ttl).notAfter.getTime(), clock.now() + DEFAULT_WORKLOAD_TTL_MS, String(ttl));
      }
      assert.equal(ca.sign(makeCsr(keys), ID_A, 60_000).notAfter.getTime(), clock.now() + 60_000);
      assert.equal(ca.sign(makeCsr(keys), ID_A, ca.maxTtlMs).notAfter.getTime(), clock.now() + 90 * 86_400_000);
      assert.equal(reasonOf(() => ca.sign(makeCsr(keys), ID_A, ca.maxTtlMs + 1)), 'TTL_TOO_LONG');
      assert.equal(reasonOf(() => ca.sign(makeCsr(keys), ID_A, Number.NaN)), 'TTL_INVALID');
      const strict = await openCertificateAuthority({ dataDir: dir(), maxTtlMs: 3_600_000, defaultTtlMs: 60_000 });
      assert.equal(reasonOf(() => strict.sign(makeCsr(keys), ID_A, 3_600_001)), 'TTL_TOO_LONG');
    });

    it('refuse identities that are not valid Kubernetes names', () => {
      for (const identity of [{ namespace: 'A', serviceAccount: 'x' }, { namespace: 'a/../b', serviceAccount: 'x' }, { namespace: 'a', serviceAccount: 'x%2fy' }, { namespace: 'a', serviceAccount: '' }]) {
        assert.throws(() => ca.sign(makeCsr(keys), identity), (e: unknown) => isServerError(e, 'BAD_REQUEST'), JSON.stringify(identity));
      }
    });
  });

  describe('SEC-01: the identity comes from the caller, never from the CSR', () => {
    let ca: CertificateAuthority;
    before(async () => {
      ca = await openCertificateAuthority({ dataDir: dir() });
    });

    it('ignores a CSR that names another identity in its subject, URI, DNS, IP and email SANs, and asks for CA powers', () => {
      const csr = makeCsr(keys, {
        subject: [{ name: 'commonName', value: 'spiffe://cluster.local/ns/kube-system/sa/admin' }, { name: 'organizationName', value: 'root' }],
        altNames: [
          { type: 6, value: 'spiffe://cluster.local/ns/kube-system/sa/admin' },
          { type: 6, value: 'spiffe://cluster.local/ns/team-a/sa/reviews, URI:spiffe://cluster.local/ns/kube-system/sa/admin' },
          { type: 2, value: 'istiod.istio-system.svc' },
          { type: 7, ip: '10.0.0.1' },
          { type: 1, value: 'admin@example.com' },
        ],
        requestCa: true,
      });
      const facts = leafFacts(ca.sign(csr, ID_A).certChain[0]!);
      assert.deepEqual(facts.sans, ['6:spiffe://cluster.local/ns/team-a/sa/reviews']);
      assert.equal(facts.subjectAttributes, 0);
      assert.equal(facts.ca, false);
      assert.equal(facts.keyUsage.keyCertSign || facts.keyUsage.cRLSign, false);
    });

    it('property: whatever a CSR claims, the leaf carries exactly the identity it was signed for', () => {
      const name = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
      const claim = fc.oneof(
        fc.record({ type: fc.constant(6), value: fc.string({ maxLength: 80 }).map((s) => `spiffe://cluster.local/ns/${s}`) }),
        fc.record({ type: fc.constant(2), value: fc.domain() }),
        fc.record({ type: fc.constant(1), value: fc.emailAddress() }),
      );
      fc.assert(fc.property(name, name, fc.array(claim, { maxLength: 4 }), fc.boolean(), (namespace, serviceAccount, altNames, requestCa) => {
        const issued = ca.sign(makeCsr(keys, { altNames, requestCa, subject: [{ name: 'commonName', value: 'x' }] }), { namespace, serviceAccount });
        const facts = leafFacts(issued.certChain[0]!);
        assert.deepEqual(facts.sans, [`6:spiffe://cluster.local/ns/${namespace}/sa/${serviceAccount}`]);
        assert.equal(facts.ca, false);
      }), { numRuns: 40, seed: 7 });
    });

    it('refuses bad CSRs with a reason and keeps working', () => {
      const cases: [string, string, string][] = [
        ['signed by another key (no proof of possession)', makeCsr(keys, { signingKey: otherKeys.privateKey }), 'CSR_BAD_SIGNATURE'],
        ['RSA public exponent 3', makeCsr(rsaKeys(2048, 3)), 'CSR_WEAK_KEY'],
        ['1024-bit key', makeCsr(rsaKeys(1024)), 'CSR_WEAK_KEY'],
        ['EC key', makeEcCsr(), 'CSR_UNSUPPORTED_KEY'],
        ['SHA-1 signature', makeCsr(keys, { hash: 'sha1' }), 'CSR_UNSUPPORTED_SIGNATURE'],
        ['10 000 nested SEQUENCEs', deeplyNestedCsr(10_000), 'CSR_INVALID'],
        ['empty', '', 'CSR_INVALID'],
        ['not PEM', 'hello', 'CSR_INVALID'],
        ['a certificate instead of a CSR', ca.trustBundle()[0]!, 'CSR_INVALID'],
        ['two CSRs', makeCsr(keys) + makeCsr(keys), 'CSR_INVALID'],
        ['oversized', `-----BEGIN CERTIFICATE REQUEST-----\n${'A'.repeat(20_000)}\n-----END CERTIFICATE REQUEST-----\n`, 'CSR_INVALID'],
        ['trailing bytes after the DER', withTrailingByte(makeCsr(keys)), 'CSR_INVALID'],
      ];
      for (const [name, csr, reason] of cases) assert.equal(reasonOf(() => ca.sign(csr, ID_A)), reason, name);
      assert.equal(ca.sign(makeCsr(keys), ID_A).certChain.length, 2);
    });
  });
});

function withTrailingByte(pem: string): string {
  const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const der = Buffer.concat([Buffer.from(body, 'base64'), Buffer.from([0])]);
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}
