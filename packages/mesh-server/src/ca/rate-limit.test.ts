// Token-bucket arithmetic of the signing endpoint's rate limiter, on a manual clock.

import assert from 'node:assert/strict';
import { RateLimiter } from './rate-limit';

describe('RateLimiter', () => {
  it('allows a burst of `capacity`, then refills continuously', () => {
    let now = 0;
    const limiter = new RateLimiter({ capacity: 2, refillPerSecond: 0.5 }, { now: () => now });
    assert.deepEqual([limiter.take('a'), limiter.take('a')], [{ ok: true }, { ok: true }]);
    assert.deepEqual(limiter.take('a'), { ok: false, retryAfterMs: 2_000 });
    now = 1_000; // half a request refilled
    assert.deepEqual(limiter.take('a'), { ok: false, retryAfterMs: 1_000 });
    now = 2_000;
    assert.deepEqual(limiter.take('a'), { ok: true });
    now = 60_000; // never more than capacity
    assert.deepEqual([limiter.take('a'), limiter.take('a'), limiter.take('a').ok], [{ ok: true }, { ok: true }, false]);
  });

  it('keeps one bucket per key and forgets the least recently used beyond maxKeys', () => {
    const now = 0;
    const limiter = new RateLimiter({ capacity: 1, refillPerSecond: 0.001, maxKeys: 2 }, { now: () => now });
    assert.equal(limiter.take('a').ok, true);
    assert.equal(limiter.take('b').ok, true);
    assert.equal(limiter.take('a').ok, false);
    assert.equal(limiter.take('c').ok, true); // evicts b (least recently used)
    assert.equal(limiter.take('b').ok, true); // b starts over with a full bucket
  });

  it('ignores a clock that goes backwards', () => {
    let now = 10_000;
    const limiter = new RateLimiter({ capacity: 1, refillPerSecond: 1 }, { now: () => now });
    assert.equal(limiter.take('a').ok, true);
    now = 0;
    assert.equal(limiter.take('a').ok, false);
    now = 11_000;
    assert.equal(limiter.take('a').ok, true);
  });

  it('refuses nonsensical parameters', () => {
    assert.throws(() => new RateLimiter({ capacity: 0, refillPerSecond: 1 }, { now: () => 0 }), RangeError);
    assert.throws(() => new RateLimiter({ capacity: 1, refillPerSecond: 0 }, { now: () => 0 }), RangeError);
  });
});
