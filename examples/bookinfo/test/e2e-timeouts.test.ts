// End to end through the ingress gateway: Istio's request-timeouts task (AC-13: a 2 s ratings delay
// is felt but harmless; a 0.5 s route timeout on reviews makes productpage give up; a timeout above
// productpage's own 3 s has no effect) — with both config sets.
import assert from 'node:assert/strict';
import { BookinfoUnderTest, bookinfoForSuite, CONFIG_SETS, baseline } from './e2e-harness';
import { MARKERS, fixedDelaysMs, reviewsShown } from './e2e-readers';

const REVIEWS_ROUTE = 'reviews.default.svc.cluster.local:9080';
const RATINGS_ROUTE = 'ratings.default.svc.cluster.local:9080';

describe('BookInfo e2e: request timeouts', function () {
  this.timeout(60_000);
  let mesh: BookinfoUnderTest;

  bookinfoForSuite((m) => (mesh = m));

  /** The route timeout of productpage's reviews route in ms (0 = none). */
  const timeoutMs = (json: string) => {
    const route = (JSON.parse(json) as { virtual_hosts: { routes: { route?: { timeout?: { seconds?: number | string; nanos?: number } } }[] }[] }).virtual_hosts[0]!.routes[0]!.route;
    return Number(route?.timeout?.seconds ?? 0) * 1000 + Number(route?.timeout?.nanos ?? 0) / 1e6;
  };

  for (const set of CONFIG_SETS) {
    describe(`with the ${set.name} config`, () => {
      before(() => mesh.resetToBaseline(set));
      afterEach(() => mesh.resetToBaseline(set));

      it('AC-13: a 2 s ratings delay shows stars late; a 0.5 s reviews timeout shows the reviews error; a 4 s one changes nothing', async function () {
        this.timeout(50_000);
        await mesh.apply(set.timeoutReviewsV2, set.timeoutRatingsDelay);
        await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => json.includes('|v2|reviews') && !json.includes('|v1|reviews') && timeoutMs(json) === 0);
        await mesh.waitForRoutes({ app: 'reviews', version: 'v2' }, RATINGS_ROUTE, (json) => fixedDelaysMs(json).includes(2000));
        assert.equal(reviewsShown((await mesh.gateway('/productpage')).body), 'v2', 'step 1: black stars, 2 s late');

        await mesh.apply(set.timeoutReviewsV2Timeout);
        await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => timeoutMs(json) === 500);
        const page = await mesh.gateway('/productpage');
        assert.equal(page.status, 200);
        assert.ok(page.body.includes(MARKERS.reviewsError), 'step 2: productpage gave up on reviews');
        const api = await mesh.gateway('/api/v1/products/0/reviews');
        assert.equal(api.status, 504, 'productpage passes on the 504 of its last attempt');

        const fourSeconds = mesh.configVariant(set.timeoutReviewsV2Timeout, 'timeout: 0.5s', 'timeout: 4s');
        const fiveSecondDelay = mesh.configVariant(set.timeoutRatingsDelay, 'fixedDelay: 2s', 'fixedDelay: 5s');
        await mesh.apply(fourSeconds, fiveSecondDelay);
        await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => timeoutMs(json) === 4000);
        await mesh.waitForRoutes({ app: 'reviews', version: 'v2' }, RATINGS_ROUTE, (json) => fixedDelaysMs(json).includes(5000));
        const late = await mesh.gateway('/api/v1/products/0/reviews', { timeoutMs: 30_000 });
        assert.equal(late.status, 500, 'step 3: productpage\'s own 3 s timeout fired (no response: 500), not the mesh\'s 4 s');
        assert.deepEqual(JSON.parse(late.body), { error: MARKERS.reviewsError });
      });

    });
  }
});
