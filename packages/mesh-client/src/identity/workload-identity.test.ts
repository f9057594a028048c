// WorkloadIdentity against an in-process fake CA (a CertificateSigner that signs with a test root):
// first issuance, renewal scheduling, retries with backoff, IDENTITY_EXPIRED when renewal keeps
// failing past notAfter, refusal of bad CA answers, and close(). Time is a FakeClock.

import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { backoffDelay, DEFAULT_BACKOFF } from '@inboard/xds';
import { FakeClock, seededRandom } from '../policy/clock';
import type { CertificateSigner, SignedChain } from './ca-client';
import { isIdentityError, type IdentityError } from './errors';
import { leafExtensions, makeCertificate, makeKeys, makeRoot, type TestKeys } from './test-certificates';
import { WorkloadIdentity, type IdentityMaterial } from './workload-identity';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const forge = require('node-forge') as { pki: { certificationRequestFromPem(pem: string): { publicKey: object }; publicKeyToPem(key: object): string } };

const ID = 'spiffe://cluster.local/ns/default/sa/reviews';

/** A CA in the test process: signs each CSR's key with `root`, or fails while `failing` is set. */
class FakeCa implements CertificateSigner {
  failing: Error | undefined;
  /** Replaces the chain for the next answer (to send bad chains). */
  tamper: ((csrKeyPem: string) => SignedChain) | undefined;
  requests = 0;
  closed = false;
  constructor(private readonly rootKeys: TestKeys, readonly root: string, private readonly clock: FakeClock, private readonly ttlMs: number) {}

  async sign(request: { csrPem: string }): Promise<SignedChain> {
    this.requests++;
    if (this.failing) throw this.failing;
    const keyPem = forge.pki.publicKeyToPem(forge.pki.certificationRequestFromPem(request.csrPem).publicKey);
    if (this.tamper) return this.tamper(keyPem);
    const now = this.clock.now();
    const leaf = makeCertificate({
      subjectKey: createPublicKey(keyPem), signingKey: this.rootKeys.privateKey, issuerPem: this.root,
      notBefore: new Date(now - 60_000), notAfter: new Date(now + this.ttlMs), extensions: leafExtensions(ID),
    });
    return { certChain: [leaf, this.root], trustBundle: [this.root] };
  }

  close(): void {
    this.closed = true;
  }
}

/** Polls (real time, bounded) until `condition` holds. Async work here is key generation. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('WorkloadIdentity (fake CA, fake clock)', function () {
  this.timeout(20_000);
  let rootKeys: TestKeys;
  let root: string;
  const identities: WorkloadIdentity[] = [];
  before(() => {
    rootKeys = makeKeys();
    root = makeRoot(rootKeys, 'fake ca', Date.parse('2026-01-01T00:00:00Z'), 3650);
  });
  afterEach(() => identities.splice(0).forEach((i) => i.close()));

  function start(ttlMs = 60_000) {
    // Whole seconds: X.509 times have second precision.
    const clock = new FakeClock(Date.parse('2026-06-01T00:00:00Z'));
    const ca = new FakeCa(rootKeys, root, clock, ttlMs);
    const identity = new WorkloadIdentity({ caAddress: 'fake:0', token: 't', trustRootPem: root, clock, random: seededRandom(3), signer: ca, keyBits: 1024 });
    identities.push(identity);
    return { clock, ca, identity };
  }

  it('is not ready before the first certificate, then hands it out and tells listeners', async () => {
    const { identity } = start();
    const rotations: IdentityMaterial[] = [];
    identity.onRotate((m) => rotations.push(m));
    assert.throws(() => identity.current(), (e: unknown) => isIdentityError(e, 'IDENTITY_NOT_READY'));
    const material = await identity.whenReady();
    assert.equal(material.identity.uri, ID);
    assert.deepEqual(material.trustBundle, [root]);
    assert.equal(material.certChainPem, material.certChain.join(''));
    assert.match(material.keyPem, /BEGIN PRIVATE KEY/);
    assert.equal(identity.current(), material);
    assert.deepEqual(rotations, [material]);
    assert.equal(identity.status().state, 'ready');
  });

  it('renews at 45–55 % of the lifetime with a new key, and never shows an expired certificate', async () => {
    const { clock, identity } = start();
    let material = await identity.whenReady();
    for (let round = 0; round < 5; round++) {
      const at = identity.status().nextAttemptAt!;
      const fraction = (at - material.issuedAt) / (material.notAfter - material.issuedAt);
      assert.ok(fraction >= 0.45 && fraction <= 0.55, `renewal at ${fraction} of the lifetime`);
      clock.advanceTo(at - 1);
      assert.equal(identity.current(), material);
      clock.advanceTo(at);
      const previous = material;
      await until(() => identity.status().issued === round + 2, `renewal ${round + 1}`);
      material = identity.current();
      assert.notEqual(material.keyPem, previous.keyPem);
      assert.notEqual(material.serialNumber, previous.serialNumber);
      assert.ok(material.notAfter > clock.now());
    }
  });

  it('retries with jittered backoff, then reports IDENTITY_EXPIRED once the certificate runs out', async () => {
    const { clock, ca, identity } = start();
    const errors: IdentityError[] = [];
    identity.onError((e) => errors.push(e));
    const material = await identity.whenReady();
    ca.failing = new Error('CA down');
    clock.advanceTo(identity.status().nextAttemptAt!);
    await until(() => identity.status().failures === 1, 'the first failure');
    // The next retries follow backoffDelay(attempt) with the injected random source.
    const random = seededRandom(3);
    random(); // the draw the renewal jitter used
    for (let attempt = 0; attempt < 3; attempt++) {
      const failedAt = clock.now();
      assert.equal(identity.status().nextAttemptAt, failedAt + backoffDelay(attempt, random, DEFAULT_BACKOFF));
      clock.advanceTo(identity.status().nextAttemptAt!);
      await until(() => identity.status().failures === attempt + 2, `failure ${attempt + 2}`);
    }
    assert.ok(errors.length >= 4 && errors.every((e) => isIdentityError(e, 'CA_REQUEST_FAILED')));
    assert.equal(identity.current(), material, 'still valid: keep serving it');
    // Jump past notAfter while the CA stays down (timers fire; every retry fails).
    for (let guard = 0; clock.now() < material.notAfter && guard < 200; guard++) {
      const before = identity.status().failures;
      clock.advanceTo(Math.min(identity.status().nextAttemptAt!, material.notAfter));
      if (clock.now() < material.notAfter) await until(() => identity.status().failures > before, 'another failure');
    }
    assert.throws(() => identity.current(), (e: unknown) => isIdentityError(e, 'IDENTITY_EXPIRED'));
    assert.equal(identity.status().state, 'expired');
    ca.failing = undefined;
    const issuedBefore = identity.status().issued;
    clock.advanceTo(identity.status().nextAttemptAt!);
    await until(() => identity.status().issued > issuedBefore, 'recovery');
    assert.ok(identity.current().notAfter > clock.now());
  });

  it('refuses CA answers that do not check out, and retries', async () => {
    const { clock, ca, identity } = start();
    const errors: IdentityError[] = [];
    identity.onError((e) => errors.push(e));
    const otherKeys = makeKeys();
    const strangerKeys = makeKeys();
    const stranger = makeRoot(strangerKeys, 'stranger');
    const now = Date.parse('2026-06-01T00:00:00Z');
    const leafFor = (subjectKey: TestKeys['publicKey'], signer: TestKeys, issuer: string, uri = ID, notAfter = now + 60_000) => makeCertificate({
      subjectKey, signingKey: signer.privateKey, issuerPem: issuer, notBefore: new Date(now - 60_000), notAfter: new Date(notAfter), extensions: leafExtensions(uri),
    });
    const bad: ((keyPem: string) => SignedChain)[] = [
      () => ({ certChain: [] }),
      () => ({ certChain: ['garbage'] }),
      () => ({ certChain: [leafFor(otherKeys.publicKey, rootKeys, root), root] }), // not our key
      (k) => ({ certChain: [leafFor(createPublicKey(k), strangerKeys, stranger), stranger], trustBundle: [root] }), // foreign root
      (k) => ({ certChain: [leafFor(createPublicKey(k), rootKeys, root, 'spiffe://cluster.local/ns/a/sa/b, URI:x'), root] }), // bad identity
      (k) => ({ certChain: [leafFor(createPublicKey(k), rootKeys, root, ID, now - 1_000), root] }), // already expired
    ];
    ca.tamper = bad[0];
    await until(() => identity.status().failures === 1, 'first refusal');
    for (let i = 1; i < bad.length; i++) {
      ca.tamper = bad[i];
      clock.advanceTo(identity.status().nextAttemptAt!);
      await until(() => identity.status().failures === i + 1, `refusal ${i + 1}`);
    }
    assert.ok(errors.every((e) => isIdentityError(e, 'CA_RESPONSE_INVALID')), errors.map((e) => e.message).join('\n'));
    assert.throws(() => identity.current(), (e: unknown) => isIdentityError(e, 'IDENTITY_NOT_READY'));
  });

  it('close() stops renewals, rejects waiters and releases the signer', async () => {
    const { clock, ca, identity } = start();
    ca.failing = new Error('down');
    const waiting = identity.whenReady();
    await until(() => identity.status().failures === 1, 'a failure');
    identity.close();
    await assert.rejects(waiting, (e: unknown) => isIdentityError(e, 'IDENTITY_CLOSED'));
    assert.throws(() => identity.current(), (e: unknown) => isIdentityError(e, 'IDENTITY_CLOSED'));
    assert.equal(ca.closed, true);
    assert.equal(clock.pendingTimers(), 0);
    const requests = ca.requests;
    clock.advance(3_600_000);
    assert.equal(ca.requests, requests);
    assert.equal(identity.status().state, 'closed');
  });

  it('whenReady honours an AbortSignal', async () => {
    const { ca, identity } = start();
    ca.failing = new Error('down');
    const controller = new AbortController();
    const waiting = identity.whenReady(controller.signal);
    controller.abort(new Error('gave up'));
    await assert.rejects(waiting, /gave up/);
  });
});
