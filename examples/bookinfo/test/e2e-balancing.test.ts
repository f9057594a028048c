// End to end through the ingress gateway: load balancing — default routing spreads over every
// reviews instance (AC-03), so does a RANDOM DestinationRule (AC-21), and the default retry policy
// hides an instance that died but is still registered (AC-22) — with both config sets.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnTs, stopProcess, waitForLine } from '../../../testing/spawn';
import { BookinfoUnderTest, bookinfoForSuite, CONFIG_SETS } from './e2e-harness';
import { binomialBounds, reviewsShown } from './e2e-readers';

const REVIEWS_ROUTE = 'reviews.default.svc.cluster.local:9080';

describe('BookInfo e2e: load balancing and default retries', function () {
  this.timeout(60_000);
  let mesh: BookinfoUnderTest;

  bookinfoForSuite((m) => (mesh = m));

  /** n product pages (anonymous), classified by the reviews they show. */
  async function pages(n: number): Promise<string[]> {
    const shown: string[] = [];
    for (let i = 0; i < n; i++) {
      const page = await mesh.gateway('/productpage');
      assert.equal(page.status, 200);
      shown.push(reviewsShown(page.body));
    }
    return shown;
  }

  /** Who answered n reviews API calls: reviews' podname (the instance name under npm start). */
  async function reviewsInstances(n: number): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const answer = await mesh.gateway('/api/v1/products/0/reviews');
      assert.equal(answer.status, 200, answer.body);
      const podname = (JSON.parse(answer.body) as { podname: string }).podname;
      counts.set(podname, (counts.get(podname) ?? 0) + 1);
    }
    return counts;
  }

  for (const set of CONFIG_SETS) {
    describe(`with the ${set.name} config`, () => {
      before(() => mesh.resetToBaseline(set));
      afterEach(() => mesh.resetToBaseline(set));

      it('AC-03: without a VirtualService every reviews instance answers (v1, v2 ×2, v3 about a quarter each)', async () => {
        await mesh.resetTo([...set.services, set.gateway, set.destinationRuleAll]);
        await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => json.includes('outbound|9080||reviews'));
        const n = 200;
        const counts = await reviewsInstances(n);
        assert.deepEqual([...counts.keys()].sort(), ['reviews-v1-1', 'reviews-v2-1', 'reviews-v2-2', 'reviews-v3-1']);
        const [lo, hi] = binomialBounds(n, 0.25);
        for (const [pod, count] of counts) assert.ok(count >= lo && count <= hi, `${pod}: ${count} of ${n}, expected ${lo}..${hi}`);
        const shown = await pages(30);
        for (const version of ['v1', 'v2', 'v3']) assert.ok(shown.includes(version), `${version} shows up on the page too`);
      });

      it('AC-21: a RANDOM load balancer on reviews still spreads default routing over every instance', async () => {
        await mesh.resetTo([...set.services, set.gateway, set.destinationRuleReviews]);
        await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => json.includes('outbound|9080||reviews'));
        const n = 200;
        const counts = await reviewsInstances(n);
        const [lo, hi] = binomialBounds(n, 0.25);
        assert.equal(counts.size, 4);
        for (const [pod, count] of counts) assert.ok(count >= lo && count <= hi, `${pod}: ${count} of ${n}, expected ${lo}..${hi}`);
      });

      it('AC-22: an instance that died but is still registered costs no request (connect failures are retried on another host)', async function () {
        this.timeout(50_000);
        let extra: ChildProcess | undefined = spawnTs('examples/bookinfo/src/start/mesh-service.ts', [
          '--control-plane', mesh.xdsAddress, '--workload-name', 'reviews-v2-extra', '--service', 'reviews', '--version', 'v2', '--port', '0', '--podname', 'reviews-v2-extra', '--quiet',
        ]);
        try {
          await waitForLine(extra, /listening on http:\/\/127\.0\.0\.1:\d+/, 30_000);
          await mesh.apply(set.timeoutReviewsV2);
          await mesh.waitForRoutes({ app: 'productpage' }, REVIEWS_ROUTE, (json) => json.includes('|v2|reviews') && !json.includes('|v1|reviews'));
          const endpointsOf = (json: string) => (json.match(/"port_value"/g) ?? []).length;
          await mesh.waitForConfig({ app: 'productpage' }, 'endpoints', 'outbound|9080|v2|reviews.default.svc.cluster.local', (json) => endpointsOf(json) >= 3);
          await stopProcess(extra, 'SIGKILL');
          extra = undefined;
          const served = new Set<string>();
          for (let i = 0; i < 30; i++) {
            const answer = await mesh.gateway('/api/v1/products/0/reviews');
            assert.equal(answer.status, 200, `request ${i}: ${answer.body}`);
            served.add((JSON.parse(answer.body) as { podname: string }).podname);
          }
          assert.deepEqual([...served].sort(), ['reviews-v2-1', 'reviews-v2-2']);
        } finally {
          if (extra) await stopProcess(extra, 'SIGKILL');
        }
      });
    });
  }
});
