import assert from 'node:assert/strict';
import { addBuckets, EDGE_DURATION_BOUNDS_MS, emptyBuckets, quantileFromBuckets } from './duration-histogram';

/** Buckets with `n` observations in the bucket whose upper bound is `le`. */
function at(entries: readonly [le: number | 'inf', n: number][]): number[] {
  const b = emptyBuckets();
  for (const [le, n] of entries) b[le === 'inf' ? EDGE_DURATION_BOUNDS_MS.length : EDGE_DURATION_BOUNDS_MS.indexOf(le)]! += n;
  return b;
}

describe('duration histogram', () => {
  const cases: { name: string; buckets: number[]; q: number; want: number | undefined }[] = [
    { name: 'empty → undefined', buckets: emptyBuckets(), q: 0.99, want: undefined },
    { name: 'all in 250–500 → p99 interpolates to 497.5', buckets: at([[500, 100]]), q: 0.99, want: 497.5 },
    { name: 'first bucket starts at 0', buckets: at([[0.5, 10]]), q: 0.5, want: 0.25 },
    { name: 'Prometheus doc case: 30 × ≤10 ms, 10 × 250–500 → p99 490', buckets: at([[10, 30], [500, 10]]), q: 0.99, want: 490 },
    { name: 'p50 of 30 in 5–10 and 10 in 250–500 → 8.333…', buckets: at([[10, 30], [500, 10]]), q: 0.5, want: 5 + 5 * (20 / 30) },
    { name: '+Inf bucket answers the highest finite bound', buckets: at([['inf', 5]]), q: 0.99, want: 3_600_000 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = quantileFromBuckets(c.q, c.buckets);
      if (c.want === undefined) assert.equal(got, undefined);
      else assert.ok(Math.abs(got! - c.want) < 1e-9, `got ${got}, want ${c.want}`);
    });
  }

  it('merging adds counts bucket by bucket, so the merged p99 is that of all observations', () => {
    const a = at([[10, 99]]);
    const b = at([[1000, 1]]);
    addBuckets(a, b);
    assert.deepEqual(a, at([[10, 99], [1000, 1]]));
    assert.ok(quantileFromBuckets(0.99, a)! <= 10, 'rank 99 of 100 is still in the ≤10 ms bucket');
    assert.ok(quantileFromBuckets(0.999, a)! > 500, 'rank 99.9 is in the 500–1000 ms bucket');
  });
});
