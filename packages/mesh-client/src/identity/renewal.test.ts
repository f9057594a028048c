// Renewal timing: Istio's TestRotateTimeNoJitter table reproduced with jitter 0, and the jitter
// band (45–55 % of the lifetime with the defaults) over many seeded draws.

import assert from 'node:assert/strict';
import { seededRandom } from '../policy/clock';
import { DEFAULT_RENEWAL, renewalTime } from './renewal';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('renewalTime', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  const noJitter = (graceRatio: number) => ({ graceRatio, jitter: 0 });
  const half = () => 0.5;

  it("matches Istio's TestRotateTimeNoJitter", () => {
    const cases: [string, number, number, number, number][] = [
      // name, issuedAt, notAfter, ratio, expected delay from now (<= 0 means "renew now")
      ['1 h certificate, ratio 0.5', now, now + HOUR, 0.5, 30 * MIN],
      ['1 h certificate, ratio 0.25', now, now + HOUR, 0.25, 45 * MIN],
      ['ratio 1: immediately', now, now + HOUR, 1, 0],
      ['already expired', now - 2 * HOUR, now - HOUR, 0.5, -1.5 * HOUR],
      ['created 30 min in the future, ratio 0.25', now + 30 * MIN, now + 90 * MIN, 0.25, 75 * MIN],
    ];
    for (const [name, issuedAt, notAfter, ratio, delay] of cases) {
      assert.equal(renewalTime({ issuedAt, notAfter }, noJitter(ratio), half) - now, delay, name);
    }
  });

  it('spreads renewals over 45–55 % of the lifetime with the defaults, reaching both ends', () => {
    const random = seededRandom(1);
    const fractions = Array.from({ length: 2_000 }, () => (renewalTime({ issuedAt: now, notAfter: now + 60_000 }, DEFAULT_RENEWAL, random) - now) / 60_000);
    assert.ok(fractions.every((f) => f >= 0.45 && f <= 0.55), 'outside the band');
    assert.ok(Math.min(...fractions) < 0.451 && Math.max(...fractions) > 0.549, 'the band is not covered');
    assert.equal(renewalTime({ issuedAt: now, notAfter: now + 60_000 }, DEFAULT_RENEWAL, () => 0) - now, 27_000);
    assert.ok(Math.abs(renewalTime({ issuedAt: now, notAfter: now + 60_000 }, DEFAULT_RENEWAL, () => 0.999999999) - now - 33_000) < 0.01);
  });

  it('never renews after notAfter and refuses nonsensical policies', () => {
    assert.equal(renewalTime({ issuedAt: now, notAfter: now + HOUR }, { graceRatio: 0, jitter: 0.5 }, () => 0.99), now + HOUR);
    assert.throws(() => renewalTime({ issuedAt: now, notAfter: now + 1 }, { graceRatio: 1.5, jitter: 0 }, half), RangeError);
    assert.throws(() => renewalTime({ issuedAt: now, notAfter: now + 1 }, { graceRatio: 0.5, jitter: 1 }, half), RangeError);
  });
});
