// Integration: a VirtualService timeout answers 504 UT against a slow backend; an inbound request's
// x-envoy-expected-rq-timeout-ms bounds the calls its handler makes (deadline propagation); a
// mirror sends `-shadow` copies without touching the primary response. Time runs on fake clocks.

import assert from 'node:assert/strict';
import { connect, FakeClock, type Mesh } from '../src';
import { identityOf, startBackend, type Backend } from './support/backends';
import { startTestPlane, until, untilEndpoints, untilExplained, type TestPlane } from './support/control-plane';
import { versionSubsets, virtualService } from './support/istio';

describe('timeouts, deadline propagation and mirroring', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let v1: Backend;
  let v2: Backend;

  before(async () => {
    tp = await startTestPlane();
    v1 = await startBackend(tp.xds, 'details', 'v1');
    v2 = await startBackend(tp.xds, 'details', 'v2');
    await tp.apply(versionSubsets('details'));
  });

  after(async () => {
    await v1?.close();
    await v2?.close();
    await tp?.close();
  });

  it('a route timeout answers 504 UT "upstream request timeout" when the backend is slow', async () => {
    const clock = new FakeClock();
    const client = connect({ controlPlane: tp.xds, service: 'productpage', clock });
    let release!: () => void;
    try {
      await tp.apply(virtualService('details', { hosts: ['details'], http: [{ route: [{ destination: { host: 'details', subset: 'v1' } }], timeout: '2s' }] }));
      await untilExplained(client, 'http://details/', (e) => (e['timeout'] as { routeTimeoutMs?: number } | undefined)?.routeTimeoutMs === 2000);
      v1.mode = { hold: new Promise<void>((r) => (release = r)) };
      const before = v1.received.length;
      const pending = client.fetch('http://details/slow');
      await until('the request to reach the backend', () => v1.received.length > before);
      // The callee's mesh took the expected timeout off the request and made it the request's deadline.
      assert.equal(v1.received.at(-1)!.headers['x-envoy-expected-rq-timeout-ms'], undefined);
      const left = v1.received.at(-1)!.remainingMs!;
      assert.ok(left > 0 && left <= 2000, `the callee may take at most the route timeout (${left} ms left)`);
      clock.advance(2_000);
      const response = await pending;
      assert.equal(response.status, 504);
      assert.equal(response.headers.get('x-inboard-response-flags'), 'UT');
      assert.equal(await response.text(), 'upstream request timeout');
    } finally {
      release?.();
      v1.mode = {};
      await client.close();
    }
  });

  it('an inbound x-envoy-expected-rq-timeout-ms limits the calls the handler makes downstream', async () => {
    await tp.apply(virtualService('details', { hosts: ['details'], http: [{ route: [{ destination: { host: 'details', subset: 'v1' } }] }] }));
    const clock = new FakeClock();
    const front = connect({ controlPlane: tp.xds, service: 'frontend', clock });
    const client = connect({ controlPlane: tp.xds, service: 'user' });
    let release!: () => void;
    try {
      const seenByHandler: (string | undefined)[] = [];
      await front.serve(async (req, res) => {
        seenByHandler.push(req.headers['x-envoy-expected-rq-timeout-ms'] as string | undefined);
        const downstream = await front.fetch('http://details/from-frontend');
        res.writeHead(downstream.status, { 'x-downstream-flags': downstream.headers.get('x-inboard-response-flags') ?? '' });
        res.end(await downstream.text());
      }, { port: 0 });
      await untilEndpoints(front, 'http://details/', 1);
      await untilEndpoints(client, 'http://frontend/', 1);
      v1.mode = { hold: new Promise<void>((r) => (release = r)) };
      const before = v1.received.length;
      const pending = client.fetch('http://frontend/', { headers: { 'x-envoy-expected-rq-timeout-ms': '150' } });
      await until('the downstream call to reach details', () => v1.received.length > before);
      assert.deepEqual(seenByHandler, [undefined], 'the handler does not see the mesh header');
      const left = v1.received.at(-1)!.remainingMs!;
      assert.ok(left > 0 && left <= 150, `the callee is told what is left of the caller's 150 ms (${left} ms)`);
      clock.advance(150);
      const response = await pending;
      assert.equal(response.status, 504);
      assert.equal(response.headers.get('x-downstream-flags'), 'UT');
    } finally {
      release?.();
      v1.mode = {};
      await client.close();
      await front.close();
    }
  });

  it('mirrors copies to the shadow with a -shadow host; the primary response is unaffected', async () => {
    const client = connect({ controlPlane: tp.xds, service: 'productpage' });
    let release!: () => void;
    try {
      await tp.apply(virtualService('details', {
        hosts: ['details'],
        http: [{ route: [{ destination: { host: 'details', subset: 'v1' } }], mirror: { host: 'details', subset: 'v2' }, mirrorPercentage: { value: 100 } }],
      }));
      await untilExplained(client, 'http://details/', (e) => Array.isArray(e['mirrors']) && (e['mirrors'] as unknown[]).length === 1);
      await untilEndpoints(client, 'http://details/', 1);
      // The shadow never answers: the primary must not wait for it.
      v2.mode = { hold: new Promise<void>((r) => (release = r)) };
      const before = v2.received.length;
      for (let i = 0; i < 3; i++) {
        const body = await identityOf(await client.fetch(`http://details/m${i}`, { method: 'POST', body: `copy ${i}` }));
        assert.deepEqual([body.version, body.host], ['v1', 'details']);
      }
      await until('three copies at the mirror', () => v2.received.length >= before + 3);
      const copies = v2.received.slice(before);
      assert.deepEqual(copies.map((c) => c.headers.host), ['details-shadow', 'details-shadow', 'details-shadow']);
      assert.deepEqual(copies.map((c) => c.body).sort(), ['copy 0', 'copy 1', 'copy 2']);
    } finally {
      release?.();
      v2.mode = {};
      await client.close();
    }
  });
});
