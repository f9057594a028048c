// Integration against misbehaving loopback servers: a VirtualService retry policy hides a failing
// endpoint; a dead endpoint is ejected by outlier detection and comes back after it recovers.

import assert from 'node:assert/strict';
import http from 'node:http';
import { connect, type Mesh } from '../src';
import { identityOf, identityHandler, startBackend, type Backend, type BackendMode, type Received } from './support/backends';
import { startTestPlane, until, untilEndpoints, untilExplained, type TestPlane } from './support/control-plane';
import { destinationRule, kubernetesService, virtualService, workloadEntry } from './support/istio';

interface Endpoint {
  readonly address: string;
  readonly ejected: boolean;
}

describe('retries and outlier detection', function () {
  this.timeout(30_000);
  let tp: TestPlane;
  let client: Mesh;

  before(async () => {
    tp = await startTestPlane();
    client = connect({ controlPlane: tp.xds, service: 'productpage' });
    await client.ready;
  });

  after(async () => {
    await client?.close();
    await tp?.close();
  });

  describe('retries: { attempts: 3, retryOn: 5xx }', () => {
    let good: Backend;
    let bad: Backend;
    before(async () => {
      good = await startBackend(tp.xds, 'reviews', 'v1');
      bad = await startBackend(tp.xds, 'reviews', 'v2');
      await untilEndpoints(client, 'http://reviews/', 2);
    });
    after(async () => {
      await good?.close();
      await bad?.close();
    });

    it('without a retry policy for 503, callers see the failing endpoint', async () => {
      bad.mode = { status: 503 };
      let failures = 0;
      for (let i = 0; i < 30; i++) if ((await client.fetch('http://reviews/')).status === 503) failures++;
      assert.ok(failures > 0, 'Istio\'s default policy does not retry 503, so some calls fail');
    });

    it('hides the failing endpoint: zero failures, and the failing endpoint saw the attempts', async () => {
      await tp.apply(virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], retries: { attempts: 3, retryOn: '5xx' } }] }));
      await untilExplained(client, 'http://reviews/', (e) => (e['retryPolicy'] as { retryOn?: string[] } | null)?.retryOn?.includes('5xx') === true);
      bad.mode = { status: 503 };
      const seenByBad = bad.received.length;
      for (let i = 0; i < 40; i++) {
        const body = await identityOf(await client.fetch('http://reviews/retry'));
        assert.equal(body.version, 'v1');
      }
      assert.ok(bad.received.length > seenByBad, 'the failing endpoint was attempted (and retried away from)');
    });
  });

  describe('outlier detection', () => {
    const servers: http.Server[] = [];
    const states = [0, 1].map(() => ({ mode: {} as BackendMode, received: [] as Received[], concurrency: { now: 0, max: 0 }, port: (): number => 0 }));
    const ports: number[] = [];

    const listen = (i: number, port = 0) => new Promise<number>((resolve) => {
      const server = http.createServer(identityHandler('details', `i${i}`, states[i]!));
      servers[i] = server;
      server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
    });
    const stop = (i: number) => new Promise<void>((resolve) => { servers[i]!.closeAllConnections(); servers[i]!.close(() => resolve()); });

    before(async () => {
      for (const i of [0, 1]) {
        ports[i] = await listen(i);
        states[i]!.port = () => ports[i]!;
      }
      await tp.apply(
        kubernetesService('details'),
        workloadEntry('details-0', 'details', ports[0]!),
        workloadEntry('details-1', 'details', ports[1]!),
        destinationRule('details', { host: 'details', trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1, interval: '0.05s', baseEjectionTime: '0.3s', maxEjectionPercent: 100 } } }),
      );
      await untilExplained(client, 'http://details:9080/', (e) => e['cluster'] !== undefined && (e['cluster'] as { outlierDetection: unknown }).outlierDetection !== null && (e['endpoints'] as unknown[]).length === 2);
    });
    after(async () => {
      for (const s of servers) if (s.listening) await new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });
    });

    it('ejects a dead endpoint (callers never notice) and brings it back after it recovers', async () => {
      const dead = `127.0.0.1:${ports[0]}`;
      await stop(0);
      // Istio's default retry policy retries connect failures on another host, so no call fails.
      for (let i = 0; i < 10; i++) assert.equal((await identityOf(await client.fetch('http://details:9080/d'))).version, 'i1');
      const e = client.explain({ url: 'http://details:9080/d' });
      const ejected = (e['endpoints'] as Endpoint[]).find((x) => x.address === dead);
      assert.equal(ejected?.ejected, true, JSON.stringify(e['endpoints']));
      // While ejected it is not picked: every call goes to the live endpoint.
      const before1 = states[1]!.received.length;
      for (let i = 0; i < 5; i++) await identityOf(await client.fetch('http://details:9080/d'));
      assert.equal(states[1]!.received.length, before1 + 5);

      await listen(0, ports[0]);
      await until('the recovered endpoint to serve again', async () => {
        const body = await identityOf(await client.fetch('http://details:9080/back'));
        return body.version === 'i0';
      }, 10_000, 30);
      const after = client.explain({ url: 'http://details:9080/' });
      assert.equal((after['endpoints'] as Endpoint[]).find((x) => x.address === dead)?.ejected, false);
    });
  });
});
