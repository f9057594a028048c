// Integration: circuit breaking under twice the DestinationRule's connection-pool limits never lets
// more than the limit reach the backend and answers the overflow 503 UO with x-envoy-overloaded;
// fault injection (abort and delay) applies only to the route it is on (the BookInfo jason cases).

import assert from 'node:assert/strict';
import { connect, FakeClock, type Mesh } from '../src';
import { identityOf, startBackend, type Backend } from './support/backends';
import { startTestPlane, until, untilEndpoints, untilExplained, type TestPlane } from './support/control-plane';
import { destinationRule, jasonToV2, versionSubsets } from './support/istio';

describe('circuit breaking and fault injection', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let v1: Backend;
  let v2: Backend;

  before(async () => {
    tp = await startTestPlane();
    v1 = await startBackend(tp.xds, 'ratings', 'v1');
    v2 = await startBackend(tp.xds, 'ratings', 'v2');
  });

  after(async () => {
    await v1?.close();
    await v2?.close();
    await tp?.close();
  });

  it('overflow under 2× the limits never exceeds them at the backend; overflowing callers get 503 UO', async () => {
    const client = connect({ controlPlane: tp.xds, service: 'productpage' });
    try {
      await tp.apply(destinationRule('ratings', {
        host: 'ratings',
        trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } } },
        subsets: [{ name: 'v1', labels: { version: 'v1' } }],
      }));
      await tp.apply({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'ratings', namespace: 'default' }, spec: { hosts: ['ratings'], http: [{ route: [{ destination: { host: 'ratings', subset: 'v1' } }] }] } });
      await untilExplained(client, 'http://ratings/', (e) => (e['cluster'] as { circuitBreakers?: { maxConnections: number } } | undefined)?.circuitBreakers?.maxConnections === 1);
      let release!: () => void;
      v1.mode = { hold: new Promise<void>((r) => (release = r)) };
      const settled: Response[] = [];
      const calls = [0, 1, 2, 3].map(() => client.fetch('http://ratings/slow').then((r) => { settled.push(r); return r; }));
      // One request is at the backend, one waits for the connection, two overflow at once.
      await until('one request in flight and two overflowed', () => v1.concurrency.now === 1 && settled.length === 2);
      release();
      const responses = await Promise.all(calls);
      const statuses = responses.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 200, 503, 503]);
      for (const r of responses.filter((x) => x.status === 503)) {
        assert.equal(r.headers.get('x-envoy-overloaded'), 'true');
        assert.equal(r.headers.get('x-inboard-response-flags'), 'UO');
      }
      await Promise.all(responses.map((r) => r.text()));
      assert.equal(v1.concurrency.max, 1, 'the backend never saw more than max_connections at once');
      assert.equal(v1.received.filter((r) => r.path === '/slow').length, 2, 'overflowed requests made no upstream attempt');
    } finally {
      v1.mode = {};
      await client.close();
    }
  });

  it('a fault abort on the jason route answers 500 FI for jason only, without reaching the backend', async () => {
    const client = connect({ controlPlane: tp.xds, service: 'productpage' });
    try {
      await tp.apply(versionSubsets('ratings'), jasonToV2('ratings', { fault: { abort: { httpStatus: 500, percentage: { value: 100 } } } }));
      await untilExplained(client, 'http://ratings/', (e) => (e['fault'] as { abort?: unknown } | null | undefined)?.abort !== undefined, { 'end-user': 'jason' });
      await untilEndpoints(client, 'http://ratings/', 1);
      const before = v2.received.length;
      const aborted = await client.fetch('http://ratings/r', { headers: { 'end-user': 'jason' } });
      assert.equal(aborted.status, 500);
      assert.equal(aborted.headers.get('x-inboard-response-flags'), 'FI');
      assert.equal(await aborted.text(), 'fault filter abort');
      assert.equal(v2.received.length, before);
      assert.equal((await identityOf(await client.fetch('http://ratings/r'))).version, 'v1');
    } finally {
      await client.close();
    }
  });

  it('a fault delay on the jason route holds jason\'s request exactly the configured time (fake clock)', async () => {
    const clock = new FakeClock();
    const client = connect({ controlPlane: tp.xds, service: 'productpage', clock });
    try {
      await tp.apply(versionSubsets('ratings'), jasonToV2('ratings', { fault: { delay: { fixedDelay: '7s', percentage: { value: 100 } } } }));
      await untilExplained(client, 'http://ratings/', (e) => (e['fault'] as { delay?: unknown } | null | undefined)?.delay !== undefined, { 'end-user': 'jason' });
      await untilEndpoints(client, 'http://ratings/', 1, { 'end-user': 'jason' });
      const before = v2.received.length;
      const pending = client.handle({ authority: 'ratings', scheme: 'http', method: 'GET', path: '/delayed', headers: { 'end-user': 'jason' } });
      await until('the delay to be armed', () => clock.pendingTimers() > 0);
      clock.advance(6_999);
      assert.equal(v2.received.length, before, 'still delayed 1 ms before the end');
      clock.advance(1);
      const response = await pending;
      assert.equal(response.status, 200);
      assert.equal(response.flags, 'DI');
      response.body.resume();
      assert.equal(v2.received.length, before + 1);
      // Not jason: no delay at all.
      assert.equal((await identityOf(await client.fetch('http://ratings/quick'))).version, 'v1');
    } finally {
      await client.close();
    }
  });
});
