// End to end with the supporting tasks' httpbin (v1 and v2 under npm start) and an in-process mesh
// client standing in for Istio's sleep/fortio pods: in-mesh calls (AC-01, and AC-02's "the gateway
// VirtualService does not apply inside the mesh"), circuit breaking (AC-14), mirroring (AC-15),
// host-based ingress (AC-16), and header manipulation, rewrite and redirect (AC-24).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@inboard/mesh-client';
import { BookinfoUnderTest, CONFIG_SETS, baseline, eventually, httpRequest } from './e2e-harness';
import { MARKERS } from './e2e-readers';

const HTTPBIN_CLUSTER = 'outbound|8000||httpbin.default.svc.cluster.local';
const HTTPBIN_ROUTE = 'httpbin.default.svc.cluster.local:8000';
const SLEEP = { app: 'sleep' };

describe('BookInfo e2e: in-mesh calls and the supporting tasks (httpbin)', function () {
  this.timeout(60_000);
  let mesh: BookinfoUnderTest;
  let sleep: ReturnType<typeof connect>;

  before(async function () {
    this.timeout(120_000);
    mesh = await BookinfoUnderTest.start();
    sleep = connect({ controlPlane: mesh.xdsAddress, service: 'sleep', namespace: 'default', serviceAccount: 'sleep' });
    await sleep.ready;
  });

  after(async function () {
    this.timeout(30_000);
    await sleep?.close();
    if (mesh) assert.equal(await mesh.stop(), 0);
  });

  /** Access-log lines of one httpbin version that mention `marker`. */
  const httpbinLines = (version: 'v1' | 'v2', marker: string) => mesh.output().split('\n').filter((l) => l.startsWith(`[httpbin-${version}] `) && l.includes(marker));

  for (const set of CONFIG_SETS) {
    describe(`with the ${set.name} config`, () => {
      before(() => mesh.resetToBaseline(set));
      afterEach(() => mesh.resetToBaseline(set));

      it('AC-01: a mesh client reaches productpage by its service name; the gateway\'s VirtualService does not apply inside the mesh', async () => {
        const page = await sleep.fetch('http://productpage:9080/productpage');
        assert.equal(page.status, 200);
        const body = await page.text();
        for (const text of [MARKERS.title, 'The Comedy of Errors', 'Book Details', 'Book Reviews']) assert.ok(body.includes(text), text);
        assert.ok(!body.includes(MARKERS.detailsError) && !body.includes(MARKERS.reviewsError));
        const health = await sleep.fetch('http://productpage:9080/health');
        assert.equal(health.status, 200, '/health is not exposed by the gateway, but reachable in the mesh');
        assert.equal(await health.text(), 'Product page is healthy');
      });

      it('AC-14: circuit breaking — sequential calls pass; at concurrency 3 the caller\'s own mesh answers some with 503 (UO)', async () => {
        await mesh.apply(set.circuitBreaker);
        await mesh.waitForConfig(SLEEP, 'clusters', HTTPBIN_CLUSTER, (json) => /"max_connections":(\{"value":)?1\b/.test(json));
        const call = async () => {
          const response = await sleep.fetch('http://httpbin:8000/get');
          await response.arrayBuffer();
          return { status: response.status, overloaded: response.headers.get('x-envoy-overloaded'), flags: response.headers.get('x-inboard-response-flags') };
        };
        for (let i = 0; i < 20; i++) assert.equal((await call()).status, 200, 'concurrency 1: nothing overflows');
        const results = (await Promise.all([0, 1, 2].map(async () => {
          const mine = [];
          for (let i = 0; i < 10; i++) mine.push(await call());
          return mine;
        }))).flat();
        const overflowed = results.filter((r) => r.status === 503);
        assert.ok(results.some((r) => r.status === 200), 'some calls pass');
        assert.ok(overflowed.length > 0, `some calls overflow: ${JSON.stringify(results.map((r) => r.status))}`);
        for (const r of overflowed) assert.deepEqual([r.overloaded, r.flags], ['true', 'UO'], 'a local overflow, not an upstream 503');
        assert.equal(results.length, 30);
      });

      it('AC-15: mirroring — all to v1; then a copy of every request goes to v2 as well, the answer still from v1', async () => {
        await mesh.apply(set.mirrorAllV1);
        await mesh.waitForRoutes(SLEEP, HTTPBIN_ROUTE, (json) => json.includes('|v1|httpbin') && !json.includes('request_mirror_policies'));
        const before = `step1-${randomUUID()}`;
        for (let i = 0; i < 3; i++) {
          const answer = await sleep.fetch(`http://httpbin:8000/headers?marker=${before}`);
          assert.equal(answer.status, 200);
          assert.equal(((await answer.json()) as { version: string }).version, 'v1');
        }
        await eventually('v1 logged the requests', async () => (httpbinLines('v1', before).length === 3 ? true : undefined));

        await mesh.apply(set.mirrorV2);
        await mesh.waitForRoutes(SLEEP, HTTPBIN_ROUTE, (json) => json.includes('request_mirror_policies') && json.includes('|v2|httpbin'));
        const after = `step2-${randomUUID()}`;
        for (let i = 0; i < 3; i++) {
          const answer = await sleep.fetch(`http://httpbin:8000/headers?marker=${after}`);
          assert.equal(answer.status, 200);
          assert.equal(((await answer.json()) as { version: string }).version, 'v1', 'the caller gets v1\'s answer');
        }
        await eventually('v2 received the mirrored copies', async () => (httpbinLines('v2', after).length === 3 ? true : undefined));
        for (const line of httpbinLines('v2', after)) assert.match(line, / host=httpbin-shadow:8000 /, 'the copy goes to <host>-shadow');
        // v1 writes its access line after answering, so its log may trail the caller by a moment.
        await eventually('v1 logged the primary requests', async () => (httpbinLines('v1', after).length === 3 ? true : undefined));
        assert.deepEqual(httpbinLines('v2', before), [], 'nothing was mirrored before the rule');
      });

      it('AC-16: host-based ingress — httpbin.example.com gets /status, other paths and other hosts get 404; the mesh is unaffected', async () => {
        await mesh.apply(set.ingressHost);
        const port = set.name === 'istio' ? 80 : 8080;
        const base = port === 8080 ? mesh.gatewayUrl : await mesh.gatewayUrlFor(80);
        const ok = await eventually('httpbin through the gateway', async () => {
          const answer = await httpRequest(`${base}/status/200`, { headers: { host: 'httpbin.example.com' } });
          return answer.status === 200 ? answer : undefined;
        });
        assert.equal(ok.headers['x-httpbin-version'] !== undefined, true);
        assert.equal((await httpRequest(`${base}/status/418`, { headers: { host: 'httpbin.example.com' } })).status, 418);
        assert.equal((await httpRequest(`${base}/headers`, { headers: { host: 'httpbin.example.com' } })).status, 404, 'a path not exposed');
        assert.equal((await httpRequest(`${base}/status/200`, { headers: { host: 'other.example.com' } })).status, 404, 'another host');
        assert.equal((await httpRequest(`${base}/status/200`, { headers: { host: 'httpbin.example.com:9999' } })).status, 200, 'any port in Host');
        const inMesh = await sleep.fetch('http://httpbin:8000/headers');
        assert.equal(inMesh.status, 200, 'in-mesh calls do not go through the gateway\'s rules');
        await inMesh.arrayBuffer();
        if (port === 8080) assert.equal((await mesh.gateway('/productpage')).status, 200, 'bookinfo still served on the shared port');
      });
    });
  }

  it('AC-24: request headers set, URI rewrite, response headers and redirect (the project\'s own rule)', async () => {
    const project = CONFIG_SETS[0]!;
    await mesh.resetToBaseline(project);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-e2e-'));
    const file = path.join(dir, 'httpbin-headers.yaml');
    fs.writeFileSync(file, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: httpbin
spec:
  hosts:
  - httpbin
  http:
  - match:
    - uri:
        prefix: /old
    redirect:
      uri: /anything/new
  - match:
    - uri:
        prefix: /ratings
    rewrite:
      uri: /anything/v1/bookRatings
    headers:
      request:
        set:
          test: "true"
      response:
        set:
          x-mesh-route: ratings
    route:
    - destination:
        host: httpbin
  - route:
    - destination:
        host: httpbin
`);
    try {
      await mesh.apply(file);
      await mesh.waitForRoutes(SLEEP, HTTPBIN_ROUTE, (json) => json.includes('bookRatings'));
      const rewritten = await sleep.fetch('http://httpbin:8000/ratings/0');
      assert.equal(rewritten.status, 200);
      assert.equal(rewritten.headers.get('x-mesh-route'), 'ratings');
      const echo = (await rewritten.json()) as { url: string; headers: Record<string, string> };
      assert.match(echo.url, /\/anything\/v1\/bookRatings\/0$/);
      assert.equal(echo.headers['Test'], 'true');
      const redirect = await sleep.fetch('http://httpbin:8000/old/page', { redirect: 'manual' });
      assert.equal(redirect.status, 301);
      assert.match(redirect.headers.get('location') ?? '', /^http:\/\/httpbin:8000\/anything\/new$/);
      const plain = await sleep.fetch('http://httpbin:8000/headers');
      const plainEcho = (await plain.json()) as { headers: Record<string, string> };
      assert.equal(plainEcho.headers['Test'], undefined, 'the header is set on the /ratings route only');
    } finally {
      await mesh.resetToBaseline(project);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
