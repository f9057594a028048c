// End to end, through the ingress gateway of a running `npm start`: the BookInfo ingress (AC-02),
// request routing all-v1 and by user (AC-04, AC-05, AC-12) and the two 503s of routing to subsets
// (AC-19, AC-20) — each with the project's YAML and with Istio's original samples.
import assert from 'node:assert/strict';
import { BookinfoUnderTest, bookinfoForSuite, CONFIG_SETS, eventually } from './e2e-harness';
import { MARKERS, reviewsShown } from './e2e-readers';

const REVIEWS_ROUTE = 'reviews.default.svc.cluster.local:9080';

describe('BookInfo e2e: ingress and request routing', function () {
  this.timeout(60_000);
  let mesh: BookinfoUnderTest;

  bookinfoForSuite((m) => (mesh = m));

  /** n product pages as `cookie` (anonymous when undefined), classified by the reviews they show. */
  async function pages(n: number, cookie?: string): Promise<string[]> {
    const shown: string[] = [];
    for (let i = 0; i < n; i++) {
      const page = await mesh.gateway('/productpage', cookie ? { cookie } : {});
      assert.equal(page.status, 200);
      shown.push(reviewsShown(page.body));
    }
    return shown;
  }

  for (const set of CONFIG_SETS) {
    describe(`with the ${set.name} config`, () => {
      before(() => mesh.resetToBaseline(set));
      afterEach(() => mesh.resetToBaseline(set));

      it('AC-02: the gateway exposes exactly the product page, static files, login/logout and the API, for any Host', async () => {
        const page = await mesh.gateway('/productpage', { host: 'bookinfo.example.com' });
        assert.equal(page.status, 200);
        assert.ok(page.body.includes(MARKERS.title), 'title');
        for (const text of ['The Comedy of Errors', 'Book Details', 'Book Reviews']) assert.ok(page.body.includes(text), text);
        assert.ok(!page.body.includes(MARKERS.detailsError) && !page.body.includes(MARKERS.reviewsError));
        assert.equal((await mesh.gateway('/productpage?u=normal')).status, 200, 'exact match ignores the query');
        const products = await mesh.gateway('/api/v1/products');
        assert.equal(products.status, 200);
        assert.ok(Array.isArray(JSON.parse(products.body)));
        assert.equal((await mesh.gateway('/api/v1/products/0/reviews')).status, 200);
        const png = await mesh.gateway('/static/img/izzy.png');
        assert.equal(png.status, 200);
        assert.equal(png.headers['content-type'], 'image/png');
        const login = await mesh.gateway('/login', { method: 'POST', body: 'username=jason&passwd=x', headers: { referer: `${mesh.gatewayUrl}/productpage` } });
        assert.equal(login.status, 302);
        assert.equal(login.headers.location, `${mesh.gatewayUrl}/productpage`);
        assert.match(String(login.headers['set-cookie']), /session=/);
        assert.equal((await mesh.gateway('/logout', { headers: { referer: `${mesh.gatewayUrl}/productpage` } })).status, 302);
        for (const path of ['/', '/health', '/index.html', '/productpagex', '/details/0']) {
          const answer = await mesh.gateway(path);
          assert.equal(answer.status, 404, `${path} is not exposed`);
          assert.equal(answer.headers['x-inboard-response-flags'], 'NR', `${path}: a route miss (NR)`);
        }
      });

      it('AC-04: with all traffic on v1, nobody sees stars (anonymous and jason)', async () => {
        const jason = await mesh.login('jason');
        const shown = [...(await pages(20)), ...(await pages(20, jason))];
        assert.deepEqual(new Set(shown), new Set(['v1']));
      });

      it('AC-05: jason sees reviews v2 (9 black stars); anonymous, alice and "Jason" see v1', async () => {
        await mesh.apply(set.reviewsTestV2);
        await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => json.includes('jason') && json.includes('|v2|reviews'));
        const jason = await mesh.login('jason');
        for (let i = 0; i < 20; i++) {
          const page = (await mesh.gateway('/productpage', { cookie: jason })).body;
          assert.equal(reviewsShown(page), 'v2');
          assert.equal(page.split('class="glyphicon glyphicon-star"').length - 1, 9, '5 + 4 filled stars');
        }
        assert.deepEqual(new Set(await pages(20)), new Set(['v1']), 'anonymous');
        assert.deepEqual(new Set(await pages(20, await mesh.login('alice'))), new Set(['v1']), 'alice');
        assert.deepEqual(new Set(await pages(5, await mesh.login('Jason'))), new Set(['v1']), 'the match is case-sensitive');
      });

      it('AC-12: jason sees v2 (black), everyone else v3 (red)', async () => {
        await mesh.apply(set.reviewsJasonV2V3);
        await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => json.includes('jason') && json.includes('|v3|reviews'));
        assert.deepEqual(new Set(await pages(15, await mesh.login('jason'))), new Set(['v2']));
        assert.deepEqual(new Set(await pages(15)), new Set(['v3']));
      });

      it('AC-19: routes to subsets no DestinationRule defines fail (503), the page still loads; the rule fixes it live', async () => {
        await mesh.resetTo([...set.services, set.gateway, set.allV1]);
        const broken = await eventually('both errors on the page', async () => {
          const page = await mesh.gateway('/productpage');
          return page.body.includes('Error fetching product details') && page.body.includes('Error fetching product reviews') ? page : undefined;
        });
        assert.equal(broken.status, 200);
        assert.equal((await mesh.gateway('/api/v1/products/0')).status, 503);
        await mesh.apply(set.destinationRuleAll);
        const fixed = await eventually('the page without errors', async () => {
          const page = await mesh.gateway('/productpage');
          return !page.body.includes('Error fetching') ? page : undefined;
        });
        assert.equal(reviewsShown(fixed.body), 'v1');
      });

      it('AC-20: a subset that selects no running workload answers 503 "no healthy upstream"', async () => {
        await mesh.apply(set.detailsV2);
        const page = await eventually('the details error', async () => {
          const answer = await mesh.gateway('/productpage');
          return answer.body.includes('Error fetching product details') ? answer : undefined;
        });
        assert.equal(page.status, 200);
        assert.ok(page.body.includes(MARKERS.detailsError));
        assert.ok(page.body.includes('Book Reviews'), 'reviews are unaffected');
        assert.equal((await mesh.gateway('/api/v1/products/0')).status, 503);
      });
    });
  }
});
