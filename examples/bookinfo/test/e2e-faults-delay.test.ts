// End to end through the ingress gateway: the delay half of Istio's fault-injection task — a delay
// for jason on ratings (AC-06, shortened through config only) and the reviews v3 fix path (AC-07) —
// with the project's YAML and with Istio's originals.
import assert from 'node:assert/strict';
import { BookinfoUnderTest, bookinfoForSuite, CONFIG_SETS, baseline } from './e2e-harness';
import { MARKERS, fixedDelaysMs, reviewsShown } from './e2e-readers';

const RATINGS_ROUTE = 'ratings.default.svc.cluster.local:9080';
const REVIEWS_ROUTE = 'reviews.default.svc.cluster.local:9080';

/**
 * The delay the tests use instead of the sample's 7 s: still above productpage's 3 s per attempt
 * towards reviews and reviews v3's 2.5 s towards ratings, still below reviews v2's 10 s — so every
 * documented outcome is the same, in about 6 s instead of 6 s plus lingering 7 s calls.
 */
const SHORT_DELAY = '3500ms';

describe('BookInfo e2e: fault injection, delays', function () {
  this.timeout(60_000);
  let mesh: BookinfoUnderTest;

  bookinfoForSuite((m) => (mesh = m));

  for (const set of CONFIG_SETS) {
    describe(`with the ${set.name} config`, () => {
      const shortDelay = () => mesh.configVariant(set.ratingsTestDelay, 'fixedDelay: 7s', `fixedDelay: ${SHORT_DELAY}`);

      before(() => mesh.resetToBaseline(set));
      afterEach(() => mesh.resetToBaseline(set));

      it('AC-06: a ratings delay for jason makes productpage give up on reviews (twice 3 s); others are not delayed', async function () {
        this.timeout(45_000);
        await mesh.apply(set.reviewsTestV2, shortDelay());
        await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => json.includes('jason'));
        await mesh.waitForRoutes({ app: 'reviews', version: 'v2' }, RATINGS_ROUTE, (json) => fixedDelaysMs(json).includes(3500));
        const jason = await mesh.login('jason');
        const page = await mesh.gateway('/productpage', { cookie: jason, timeoutMs: 30_000 });
        assert.equal(page.status, 200, 'the page itself always loads');
        assert.ok(page.body.includes('Error fetching product reviews'), 'reviews error heading');
        assert.ok(page.body.includes(MARKERS.reviewsError), 'the documented text');
        assert.ok(page.body.includes('Book Details'), 'details are fine');
        assert.deepEqual(new Set(await Promise.all([0, 1, 2].map(async () => reviewsShown((await mesh.gateway('/productpage')).body)))), new Set(['v1']), 'anonymous: v1, no error');
      });

      it('AC-07: with reviews v3, a 2 s delay is absorbed (red stars) and a longer one shows the ratings error', async function () {
        this.timeout(45_000);
        const twoSeconds = mesh.configVariant(set.ratingsTestDelay, 'fixedDelay: 7s', 'fixedDelay: 2s');
        await mesh.apply(set.reviewsV3, twoSeconds);
        await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => json.includes('|v3|reviews') && !json.includes('|v1|reviews'));
        await mesh.waitForRoutes({ app: 'reviews', version: 'v3' }, RATINGS_ROUTE, (json) => fixedDelaysMs(json).includes(2000));
        const jason = await mesh.login('jason');
        assert.equal(reviewsShown((await mesh.gateway('/productpage', { cookie: jason })).body), 'v3', '2 s < v3\'s 2.5 s: red stars');
        await mesh.apply(shortDelay());
        await mesh.waitForRoutes({ app: 'reviews', version: 'v3' }, RATINGS_ROUTE, (json) => fixedDelaysMs(json).includes(3500));
        const page = (await mesh.gateway('/productpage', { cookie: jason, timeoutMs: 30_000 })).body;
        assert.equal(reviewsShown(page), 'ratings-error', 'v3 gives up on ratings after 2.5 s');
        assert.equal(page.split(MARKERS.ratingsError).length - 1, 2, 'for both reviews');
        assert.ok(!page.includes(MARKERS.reviewsError));
        assert.equal(reviewsShown((await mesh.gateway('/productpage')).body), 'v3', 'anonymous: red stars');
      });

    });
  }
});
