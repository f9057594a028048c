import assert from 'node:assert/strict';
import { envoyBackoff, exponentialBackoffMs, exponentialRangeMs, rateLimitedBackoffMs, resetIntervalMs } from './backoff';
import { seededRandom } from './clock';

/** Exact mean and variance of min(U{0..range-1}, max). */
function exactMoments(range: number, max: number): { mean: number; variance: number } {
  let s = 0;
  let s2 = 0;
  for (let k = 0; k < range; k++) {
    const v = Math.min(k, max);
    s += v;
    s2 += v * v;
  }
  const mean = s / range;
  return { mean, variance: s2 / range - mean * mean };
}

describe('policy/backoff', () => {
  it('ranges follow (2^N − 1) × base and stop growing once past the maximum', () => {
    const table: [number, number, number, number][] = [
      // retry, base, max, exclusive upper bound of the draw
      [1, 25, 250, 25], [2, 25, 250, 75], [3, 25, 250, 175], [4, 25, 250, 375], [5, 25, 250, 375], [30, 25, 250, 375],
      [1, 100, 1000, 100], [3, 100, 1000, 700], [4, 100, 1000, 1500], [9, 100, 1000, 1500],
      [1, 10, 10, 10], [2, 10, 10, 30], [7, 10, 10, 30],
    ];
    for (const [retry, base, max, range] of table) assert.equal(exponentialRangeMs(retry, base, max), range, `retry ${retry} base ${base}`);
  });

  it('10 000 samples per retry number: integers within bounds, mean within 5 standard errors, cap respected', () => {
    const rng = seededRandom(20251125);
    for (const retry of [1, 2, 3, 4, 6]) {
      const range = exponentialRangeMs(retry);
      const { mean, variance } = exactMoments(range, 250);
      const n = 10_000;
      let sum = 0;
      let atCap = 0;
      for (let i = 0; i < n; i++) {
        const ms = exponentialBackoffMs(retry, rng);
        assert.ok(Number.isInteger(ms) && ms >= 0 && ms < Math.min(range, 251), `retry ${retry}: ${ms}`);
        assert.ok(ms <= 250);
        sum += ms;
        if (ms === 250) atCap++;
      }
      const tolerance = 5 * Math.sqrt(variance / n);
      assert.ok(Math.abs(sum / n - mean) < tolerance, `retry ${retry}: mean ${sum / n} vs ${mean} ± ${tolerance}`);
      if (range > 250) {
        // P(draw ≥ 250) = (range − 250) / range: the mass clamped at the cap.
        const p = (range - 250) / range;
        assert.ok(Math.abs(atCap / n - p) < 5 * Math.sqrt((p * (1 - p)) / n), `retry ${retry}: cap share ${atCap / n} vs ${p}`);
      } else {
        assert.equal(atCap, 0);
      }
    }
  });

  it('the first retries of the defaults wait 0–24, 0–74, 0–174 ms (extremes of the draw)', () => {
    assert.deepEqual([1, 2, 3].map((r) => exponentialBackoffMs(r, () => 0)), [0, 0, 0]);
    assert.deepEqual([1, 2, 3, 4].map((r) => exponentialBackoffMs(r, () => 0.999_999)), [24, 74, 174, 250]);
    assert.throws(() => exponentialBackoffMs(0, () => 0), RangeError);
    assert.throws(() => exponentialBackoffMs(1, () => 0, 0, 10), RangeError);
  });

  it('rate-limited back-off draws in [interval, 1.5 × interval)', () => {
    const rng = seededRandom(3);
    for (let i = 0; i < 2000; i++) {
      const ms = rateLimitedBackoffMs(2000, rng);
      assert.ok(Number.isInteger(ms) && ms >= 2000 && ms < 3000, String(ms));
    }
    assert.equal(rateLimitedBackoffMs(3, () => 0.99), 3);
    assert.throws(() => rateLimitedBackoffMs(1, rng), RangeError);
  });

  it('reset headers: SECONDS, UNIX_TIMESTAMP, first usable header wins, values above the maximum skipped', () => {
    const now = 1_700_000_000_500;
    const headers = [{ name: 'retry-after', format: 'SECONDS' as const }, { name: 'x-ratelimit-reset', format: 'UNIX_TIMESTAMP' as const }];
    const table: [Record<string, string | string[]>, number | undefined][] = [
      [{ 'retry-after': '2' }, 2000],
      [{ 'retry-after': ['3', '9'] }, 3000],
      [{ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT', 'x-ratelimit-reset': '1700000005' }, 5000],
      [{ 'retry-after': '301' }, undefined],
      [{ 'retry-after': '301', 'x-ratelimit-reset': '1700000010' }, 10_000],
      [{ 'x-ratelimit-reset': '1699999999' }, undefined],
      [{ 'x-ratelimit-reset': '1700000000' }, 0],
      [{}, undefined],
    ];
    for (const [h, expected] of table) assert.equal(resetIntervalMs(h, headers, 300_000, now), expected, JSON.stringify(h));
  });

  it('envoyBackoff plugs Envoy\'s schedule into cockatiel\'s back-off interface', () => {
    const first = envoyBackoff(() => 0.999_999).next(undefined);
    const durations = [first.duration];
    let b = first;
    for (let i = 0; i < 4; i++) {
      b = b.next(undefined);
      durations.push(b.duration);
    }
    assert.deepEqual(durations, [24, 74, 174, 250, 250]);
  });
});
