// Rotation against the real signing service: mesh-server's CA and TLS gRPC endpoint run in their
// own process (packages/mesh-server/test/ca-signing-harness.ts); a FakeClock drives WorkloadIdentity
// and, over the harness's stdin, the CA's clock. 60 s certificates; only the network calls are real.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnTs, stopProcess, waitForLine } from '../../../../testing/spawn';
import { FakeClock, seededRandom } from '../policy/clock';
import { isIdentityError } from './errors';
import { WorkloadIdentity, type IdentityMaterial } from './workload-identity';

const HARNESS = 'packages/mesh-server/test/ca-signing-harness.ts';

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('WorkloadIdentity rotation against the real signing service', function () {
  this.timeout(30_000);
  let harness: ChildProcess;
  let ca: { port: number; token: string; root: string };
  let identity: WorkloadIdentity | undefined;
  let clock: FakeClock;
  let dataDir: string;

  /** Sets the CA process's clock and waits for its acknowledgement. */
  async function setCaTime(ms: number): Promise<void> {
    const ack = waitForLine(harness, new RegExp(`^time-ok ${ms}$`));
    harness.stdin!.write(`time ${ms}\n`);
    await ack;
  }

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-rotation-'));
    harness = spawnTs(HARNESS, [dataDir]); // the test removes the dir: the harness gets SIGKILLed
    const ready = await waitForLine(harness, /^READY (.*)$/);
    ca = JSON.parse(ready[1]!) as typeof ca;
  });

  after(async () => {
    identity?.close();
    if (harness) await stopProcess(harness);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('rotates 60 s certificates at 45–55 % of their life and never hands out an expired one', async () => {
    const start = Math.floor(Date.now() / 1000) * 1000; // X.509 times have whole seconds
    clock = new FakeClock(start);
    await setCaTime(start);
    identity = new WorkloadIdentity({
      caAddress: `127.0.0.1:${ca.port}`, token: ca.token, trustRootPem: ca.root, ttlMs: 60_000, clock, random: seededRandom(11),
    });
    const rotations: IdentityMaterial[] = [];
    identity.onRotate((m) => rotations.push(m));
    let material = await identity.whenReady();
    assert.equal(material.identity.uri, 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews');
    assert.deepEqual(material.trustBundle, [ca.root]);
    assert.ok(new X509Certificate(material.certChain[0]!).verify(new X509Certificate(ca.root).publicKey));
    const fractions: number[] = [];
    for (let round = 1; round <= 6; round++) {
      const life = material.notAfter - material.issuedAt; // X.509 keeps whole seconds: (59 s, 60 s]
      assert.ok(life > 59_000 && life <= 60_000, `the CA issued a 60 s certificate (${life} ms left at issue)`);
      const at: number = identity.status().nextAttemptAt!;
      fractions.push((at - material.issuedAt) / life);
      await setCaTime(at);
      clock.advanceTo(at - 1);
      assert.equal(identity.current(), material);
      clock.advanceTo(at); // the renewal timer fires; the CSR goes over the network
      assert.ok(identity.current().notAfter > clock.now(), 'the old certificate is still valid while renewing');
      await until(() => rotations.length === round + 1, `rotation ${round}`);
      const next = identity.current();
      assert.notEqual(next.serialNumber, material.serialNumber);
      assert.equal(next.notAfter, Math.floor(at / 1000) * 1000 + 60_000);
      assert.ok(next.notAfter > clock.now());
      material = next;
    }
    assert.ok(fractions.every((f) => f >= 0.45 && f <= 0.55), `renewal points ${fractions.join(', ')}`);
    assert.ok(new Set(fractions).size > 1, 'jitter spreads the renewal points');
  });

  it('fails closed with IDENTITY_EXPIRED when the CA is gone past notAfter', async () => {
    assert.ok(identity, 'needs the identity of the previous test');
    const material = identity.current();
    await stopProcess(harness, 'SIGKILL');
    for (let guard = 0; clock.now() < material.notAfter && guard < 100; guard++) {
      const failures = identity.status().failures;
      clock.advanceTo(Math.min(identity.status().nextAttemptAt!, material.notAfter));
      if (clock.now() < material.notAfter) await until(() => identity!.status().failures > failures, 'a failed renewal');
    }
    assert.throws(() => identity!.current(), (e: unknown) => isIdentityError(e, 'IDENTITY_EXPIRED'));
    assert.match(identity.status().lastError?.message ?? '', /CreateCertificate at 127\.0\.0\.1:\d+ failed: UNAVAILABLE/);
  });
});
