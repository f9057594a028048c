// End to end through the ingress gateway: the abort half of Istio's fault-injection task — an HTTP
// 500 abort for jason on ratings (AC-08) and a 555 abort on details (AC-09) — with the project's YAML
// and with Istio's originals. Access logs are on, to check that aborted calls never reach ratings.
import assert from 'node:assert/strict';
import { BookinfoUnderTest, bookinfoForSuite, CONFIG_SETS, baseline, eventually } from './e2e-harness';
import { MARKERS, reviewsShown } from './e2e-readers';

const RATINGS_ROUTE = 'ratings.default.svc.cluster.local:9080';
const REVIEWS_ROUTE = 'reviews.default.svc.cluster.local:9080';

describe('BookInfo e2e: fault injection, aborts', function () {
  this.timeout(60_000);
  let mesh: BookinfoUnderTest;

  bookinfoForSuite((m) => (mesh = m), []);

  /** Access-log lines of ratings so far (`[ratings-v1] GET /ratings/0 200 1ms`). */
  const ratingsCalls = () => mesh.output().split('\n').filter((l) => l.startsWith('[ratings-v1] GET /ratings/')).length;

  for (const set of CONFIG_SETS) {
    describe(`with the ${set.name} config`, () => {
      before(() => mesh.resetToBaseline(set));
      afterEach(() => mesh.resetToBaseline(set));

      it('AC-08: an HTTP 500 abort for jason shows the ratings error at once; ratings never sees those calls', async () => {
        await mesh.apply(set.reviewsTestV2, set.ratingsTestAbort);
        await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => json.includes('jason'));
        await mesh.waitForRoutes({ app: 'reviews', version: 'v2' }, RATINGS_ROUTE, (json) => json.includes('abort'));
        const before = ratingsCalls();
        const jason = await mesh.login('jason');
        for (let i = 0; i < 5; i++) {
          const page = (await mesh.gateway('/productpage', { cookie: jason })).body;
          assert.equal(reviewsShown(page), 'ratings-error');
          assert.ok(page.includes(MARKERS.ratingsError));
        }
        const reviews = JSON.parse((await mesh.gateway('/api/v1/products/0/reviews', { cookie: jason })).body) as { reviews: { rating?: { error?: string } }[] };
        assert.deepEqual(reviews.reviews.map((r) => r.rating?.error), [MARKERS.ratingsError, MARKERS.ratingsError]);
        assert.ok(!(await mesh.gateway('/productpage')).body.includes(MARKERS.ratingsError), 'anonymous: v1 does not call ratings');
        // One call that does reach ratings (productpage asks ratings directly for anonymous users),
        // then its access line: everything ratings received before it is logged by then.
        assert.equal((await mesh.gateway('/api/v1/products/0/ratings')).status, 200);
        await eventually('the ratings access line', async () => (ratingsCalls() > before ? true : undefined));
        assert.equal(ratingsCalls(), before + 1, 'the aborted calls never reached ratings');
      });

      it('AC-09: a 555 abort on details: the page shows the details error, the API passes 555 through', async () => {
        await mesh.apply(set.faultDetails);
        await mesh.waitForRoutes({ app: 'productpage' }, 'details.default.svc.cluster.local:9080', (json) => json.includes('555'));
        const page = await mesh.gateway('/productpage');
        assert.equal(page.status, 200);
        assert.ok(page.body.includes('Error fetching product details'));
        assert.ok(page.body.includes(MARKERS.detailsError));
        assert.equal(reviewsShown(page.body), 'v1', 'reviews are unaffected');
        const api = await mesh.gateway('/api/v1/products/0');
        assert.equal(api.status, 555);
        assert.deepEqual(JSON.parse(api.body), { error: MARKERS.detailsError });
      });
    });
  }
});
