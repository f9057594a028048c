// End to end through the ingress gateway: AC-23, retries versus timeouts. A VirtualService on ratings
// with a route timeout and `retries: {attempts: 3, perTryTimeout, retryOn: 5xx}` in front of the
// `v-delayed` ratings variant (half of the GETs answer after 7 s): each attempt is cut at the per-try
// timeout and retried (Envoy's 5xx covers a per-try timeout), the route timeout ends the call, so at
// most timeout / perTryTimeout = 3 attempts happen, never 1 + attempts = 4, and ≈ 1 − 0.5³ of the
// calls succeed. AC-23's 3 s / 1 s are halved (1.5 s / 0.5 s) through config only: the service's
// 7 s delay is untouched, and the route timeout stays well below productpage's own 3 s, so a failed
// call is the mesh's 504 and not productpage's timeout.
//
// The v-delayed instance runs in this process on mesh-client (`connect` + `mesh.serve`) with the
// unchanged ratings app, wrapped to count every attempt that arrives, per product id, and whether it
// was answered or cut by the caller.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { connect, type Mesh } from '@inboard/mesh-client';
import { createRatingsApp } from '../src/services/ratings';
import { BookinfoUnderTest, CONFIG_SETS, eventually } from './e2e-harness';
import { binomialBounds } from './e2e-readers';

const RATINGS_ROUTE = 'ratings.default.svc.cluster.local:9080';
/** Calls sent at once: enough to keep the test short, few enough not to overload the machine. */
const BATCH = 40;
const DELAYED_CLUSTER = 'outbound|9080|v-delayed|ratings.default.svc.cluster.local';

/** AC-23's config at half scale: route timeout 1.5 s, per-try 0.5 s, 3 retries on 5xx. */
const AC23_CONFIG = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ratings
spec:
  host: ratings
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v-delayed
    labels:
      version: v-delayed
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - route:
    - destination:
        host: ratings
        subset: v-delayed
    timeout: 1.5s
    retries:
      attempts: 3
      perTryTimeout: 0.5s
      retryOn: 5xx
`;

/** One attempt at the v-delayed instance: the app's draw (delayed 7 s or answered at once) and how it ended. */
interface Attempt {
  delayed?: boolean;
  end: 'pending' | 'answered' | 'cut';
}

describe('BookInfo e2e: retries versus timeouts (AC-23)', function () {
  this.timeout(60_000);
  let mesh: BookinfoUnderTest;
  let delayed: Mesh;
  let configFile: string;
  /** Attempts seen per product id, in arrival order. */
  const attempts = new Map<number, Attempt[]>();

  before(async function () {
    this.timeout(120_000);
    mesh = await BookinfoUnderTest.start(['--quiet']);
    configFile = path.join(fs.mkdtempSync(path.join(mesh.dataDir, 'ac23-')), 'ratings-retries-timeouts.yaml');
    fs.writeFileSync(configFile, AC23_CONFIG);
    delayed = connect({ controlPlane: mesh.xdsAddress, service: 'ratings', version: 'v-delayed', labels: { app: 'ratings', version: 'v-delayed' }, serviceAccount: 'bookinfo-ratings' });
    // The app's own random draw, recorded for the attempt being handled (the app draws synchronously).
    let drawing: Attempt | undefined;
    const app = createRatingsApp({
      version: 'v-delayed',
      random: () => {
        const r = Math.random();
        if (drawing) drawing.delayed = r <= 0.5; // ratings-variants: a draw ≤ 0.5 is delayed
        return r;
      },
    });
    await delayed.serve((req: IncomingMessage, res: ServerResponse) => {
      const id = Number(/^\/ratings\/(\d+)/.exec(req.url ?? '')?.[1]);
      if (!Number.isInteger(id)) return app(req, res);
      const seen = attempts.get(id) ?? [];
      attempts.set(id, seen);
      const attempt: Attempt = { end: 'pending' };
      seen.push(attempt);
      res.once('finish', () => (attempt.end = 'answered'));
      res.once('close', () => { if (attempt.end === 'pending') attempt.end = 'cut'; });
      drawing = attempt;
      try {
        app(req, res);
      } finally {
        drawing = undefined;
      }
    }, { port: 0, drainTimeoutMs: 500 });
  });

  after(async function () {
    this.timeout(30_000);
    await delayed?.close();
    if (mesh) assert.equal(await mesh.stop(), 0);
  });

  for (const set of CONFIG_SETS) {
    describe(`with the ${set.name} config as the baseline`, () => {
      before(() => mesh.resetToBaseline(set));
      after(() => mesh.resetToBaseline(set));

      it('each attempt is cut at the per-try timeout, at most 3 attempts per call, ≈ 1 − 0.5³ succeed, failures are the route timeout\'s 504', async function () {
        this.timeout(50_000);
        await mesh.apply(configFile);
        await mesh.waitForRoutes({ app: 'productpage' }, RATINGS_ROUTE, (json) => json.includes('|v-delayed|ratings') && json.includes('per_try_timeout') && json.includes('"retry_on":"5xx"'));
        await mesh.waitForConfig({ app: 'productpage' }, 'endpoints', DELAYED_CLUSTER, (json) => json.includes('port_value'));

        // n concurrent calls, each with its own product id so the attempts at ratings can be told apart.
        const n = 200;
        const base = set.name === 'project' ? 10_000 : 20_000;
        const ids = Array.from({ length: n }, (_, i) => base + i);
        const answers = [];
        for (let i = 0; i < n; i += BATCH) {
          answers.push(...await Promise.all(ids.slice(i, i + BATCH).map((id) => mesh.gateway(`/api/v1/products/${id}/ratings`, { timeoutMs: 20_000 }))));
        }
        await eventually('every attempt at ratings to be answered or cut', async () => (ids.every((id) => (attempts.get(id) ?? []).every((a) => a.end !== 'pending')) ? true : undefined), 10_000);

        const perCall = ids.map((id) => attempts.get(id) ?? []);
        let raced = 0;
        for (const [i, answer] of answers.entries()) {
          const seen = perCall[i]!;
          const last = seen[seen.length - 1];
          const where = `call ${ids[i]}: ${answer.status}, attempts ${JSON.stringify(seen)}`;
          // Timing-free: a 4th attempt would need three per-try timeouts (≥ 0.5 s each) plus back-offs inside 1.5 s.
          assert.ok(seen.length >= 1 && seen.length <= 3, `at most timeout / perTryTimeout = 3 attempts, never 1 + attempts = 4 (${where})`);
          assert.ok(seen.every((a) => a.delayed !== undefined), where);
          if (answer.status === 200) {
            assert.equal(last!.delayed, false, `a success is an attempt the app answered at once (${where})`);
            assert.deepEqual(JSON.parse(answer.body), { id: ids[i], ratings: { Reviewer1: 5, Reviewer2: 4 } });
          } else {
            assert.equal(answer.status, 504, `a failed call is the route timeout's 504, not productpage's own 3 s timeout (${where}): ${answer.body}`);
          }
          // A 7 s attempt that ended before the call did was cancelled upstream, not left running.
          for (const a of answer.status === 200 ? seen.slice(0, -1) : seen) if (a.delayed) assert.equal(a.end, 'cut', `a delayed attempt was cut by the caller's timeout (${where})`);
          // An attempt answered at once is retried only if the machine stalled past the per-try timeout.
          if (seen.slice(0, -1).some((a) => !a.delayed) || (answer.status !== 200 && seen.some((a) => !a.delayed))) raced++;
        }
        assert.ok(raced <= n / 20, `${raced} of ${n} calls lost an immediate answer to a timeout (a stalled machine)`);
        // Each attempt is delayed with p = 0.5 and only a delayed attempt is retried: ≈ 1 − 0.5³ succeed.
        const succeeded = answers.filter((a) => a.status === 200).length;
        const [lo, hi] = binomialBounds(n, 1 - 0.5 ** 3);
        assert.ok(succeeded >= lo && succeeded <= hi, `${succeeded} of ${n} succeeded, expected ${lo}..${hi} (p = 0.875)`);
        const retried = perCall.filter((seen) => seen.length > 1).length;
        const [rlo, rhi] = binomialBounds(n, 0.5);
        assert.ok(retried >= rlo && retried <= rhi, `${retried} of ${n} calls were retried, expected ${rlo}..${rhi}`);
        assert.ok(perCall.some((seen) => seen.length === 3), 'some calls used all three attempts');
      });
    });
  }
});
