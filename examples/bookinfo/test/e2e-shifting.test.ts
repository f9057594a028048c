// End to end through the ingress gateway: Istio's traffic-shifting task (AC-10: all v1, then 50/50
// v1/v3, then all v3) and the other weighted splits of the samples (AC-11: 80/20, 90/10, v2/v3),
// counted over many requests with binomial tolerances (5 standard deviations), with both config sets.
import assert from 'node:assert/strict';
import { BookinfoUnderTest, bookinfoForSuite, CONFIG_SETS, baseline } from './e2e-harness';
import { binomialBounds, subsetWeights } from './e2e-readers';

const REVIEWS_ROUTE = 'reviews.default.svc.cluster.local:9080';

type Version = 'v1' | 'v2' | 'v3';

describe('BookInfo e2e: traffic shifting', function () {
  this.timeout(60_000);
  let mesh: BookinfoUnderTest;

  bookinfoForSuite((m) => (mesh = m));

  /** Which version answered each of n reviews API calls through the gateway (no rating = v1, black = v2, red = v3). */
  async function versions(n: number): Promise<Record<Version, number>> {
    const counts: Record<Version, number> = { v1: 0, v2: 0, v3: 0 };
    for (let i = 0; i < n; i++) {
      const answer = await mesh.gateway('/api/v1/products/0/reviews');
      assert.equal(answer.status, 200, answer.body);
      const rating = (JSON.parse(answer.body) as { reviews: { rating?: { color?: string } }[] }).reviews[0]!.rating;
      counts[rating === undefined ? 'v1' : rating.color === 'black' ? 'v2' : 'v3']++;
    }
    return counts;
  }

  function assertShare(counts: Record<Version, number>, version: Version, p: number): void {
    const n = counts.v1 + counts.v2 + counts.v3;
    const [lo, hi] = binomialBounds(n, p);
    assert.ok(counts[version] >= lo && counts[version] <= hi, `${version}: ${counts[version]} of ${n}, expected ${lo}..${hi} (p = ${p}); all: ${JSON.stringify(counts)}`);
  }

  /** Applies `file` and waits until productpage's reviews route splits exactly as `weights` (subset → weight). */
  async function shiftTo(file: string, weights: Readonly<Record<string, number>>): Promise<void> {
    await mesh.apply(file);
    await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => JSON.stringify(subsetWeights(json)) === JSON.stringify(weights));
  }

  for (const set of CONFIG_SETS) {
    describe(`with the ${set.name} config`, () => {
      before(() => mesh.resetToBaseline(set));
      after(() => mesh.resetToBaseline(set));

      it('AC-10: all v1, then half v1 / half v3 (never black), then all v3', async () => {
        await shiftTo(set.allV1, { v1: 100 });
        assert.deepEqual(await versions(50), { v1: 50, v2: 0, v3: 0 });
        await shiftTo(set.reviews50V3, { v1: 50, v3: 50 });
        const half = await versions(300);
        assert.equal(half.v2, 0, 'no black stars');
        assertShare(half, 'v3', 0.5);
        await shiftTo(set.reviewsV3, { v3: 100 });
        assert.deepEqual(await versions(50), { v1: 0, v2: 0, v3: 50 });
      });

      it('AC-11: 80/20 and 90/10 between v1 and v2 (never red); 50/50 between v2 and v3 (always stars)', async () => {
        await shiftTo(set.reviews8020, { v1: 80, v2: 20 });
        const eighty = await versions(300);
        assert.equal(eighty.v3, 0);
        assertShare(eighty, 'v2', 0.2);
        await shiftTo(set.reviews9010, { v1: 90, v2: 10 });
        const ninety = await versions(300);
        assert.equal(ninety.v3, 0);
        assertShare(ninety, 'v2', 0.1);
        await shiftTo(set.reviewsV2V3, { v2: 50, v3: 50 });
        const stars = await versions(300);
        assert.equal(stars.v1, 0, 'always stars');
        assertShare(stars, 'v2', 0.5);
      });
    });
  }
});
