// The dispatcher's lane against the full stack, on a real control plane and loopback servers:
// which calls it takes and which it leaves to the pipeline, that its answers equal the full
// stack's, that the calls it hands over mid-way (a retried 503, a reset, no healthy host) end as
// the pass-through ends them, and that it holds no breaker slot or active count afterwards.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as undiciRequest } from 'undici';
import { connect, type Mesh } from '../src';
import { DispatchLane } from '../src/pipeline/dispatch-lane';
import type { MeshRequest } from '../src/request';
import { startTestPlane, until, untilEndpoints, untilExplained, type TestPlane } from './support/control-plane';
import { destinationRule, kubernetesService, virtualService, workloadEntry } from './support/istio';

/** A loopback server: scripted answers first, then JSON naming the path; `/slow` never answers. */
interface Server {
  readonly port: number;
  readonly seen: http.IncomingHttpHeaders[];
  readonly answers: { status: number; headers: [string, string][] }[];
  resets: number;
  /** Answers the `/slow` requests waiting now. */
  releaseSlow(): void;
  close(): Promise<void>;
}

async function startServer(version: string): Promise<Server> {
  const slow: http.ServerResponse[] = [];
  const state = { resets: 0 };
  const seen: http.IncomingHttpHeaders[] = [];
  const answers: Server['answers'] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    if (state.resets > 0) {
      state.resets--;
      req.socket.destroy();
      return;
    }
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => { bodyBytes += chunk.length; });
    if (req.url === '/slow') {
      slow.push(res);
      return;
    }
    const scripted = answers.shift();
    req.on('end', () => {
      if (scripted) {
        res.writeHead(scripted.status, [['content-type', 'text/plain'], ...scripted.headers]);
        res.end('scripted');
        return;
      }
      res.writeHead(200, [['content-type', 'application/json'], ['x-backend', version]]);
      res.end(JSON.stringify({ version, path: req.url, added: req.headers['x-added'] ?? null, method: req.method, bodyBytes }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port, seen, answers,
    get resets() { return state.resets; },
    set resets(n: number) { state.resets = n; },
    releaseSlow() { for (const res of slow.splice(0)) res.end('slow'); },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** What an answer looks like without the headers that vary per response. */
interface Answer { status: number; headers: Record<string, unknown>; body: string }

const VOLATILE = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

function comparable(status: number, headers: Record<string, unknown>, body: string): Answer {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(headers)) if (!VOLATILE.has(name)) kept[name] = value;
  return { status, headers: kept, body };
}

/** The full stack's answer (mesh.handle without a sink never takes the lane or the pass-through). */
async function fullAnswer(mesh: Mesh, request: MeshRequest): Promise<Answer> {
  const response = await mesh.handle(request);
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk as Buffer);
  return comparable(response.status, { ...response.headers }, Buffer.concat(chunks).toString());
}

/** The answer through `mesh.dispatcher` (lane or pipeline), as undici.request gives it. */
async function dispatched(mesh: Mesh, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const { statusCode, headers: got, body } = await undiciRequest(`http://reviews:9080${path}`, { dispatcher: mesh.dispatcher, headers });
  return comparable(statusCode, got, await body.text());
}

describe('the dispatcher lane', function () {
  this.timeout(60_000);
  let tp: TestPlane;
  let mesh: Mesh;
  let v1: Server;
  let v2: Server;
  /** What the lane answered for each call since the last `decisions.splice(0)`. */
  const decisions: boolean[] = [];
  const take = DispatchLane.prototype.take;

  before(async () => {
    DispatchLane.prototype.take = function recordingTake(this: DispatchLane, ...args: Parameters<DispatchLane['take']>) {
      const taken = take.apply(this, args);
      decisions.push(taken);
      return taken;
    };
    tp = await startTestPlane();
    v1 = await startServer('v1');
    v2 = await startServer('v2');
    await tp.apply(
      kubernetesService('reviews'),
      workloadEntry('reviews-v1', 'reviews', v1.port, { version: 'v1' }),
      workloadEntry('reviews-v2', 'reviews', v2.port, { version: 'v2' }),
      destinationRule('reviews', { host: 'reviews', subsets: ['v1', 'v2', 'none'].map((v) => ({ name: v, labels: { version: v } })) }),
    );
    mesh = connect({ controlPlane: tp.xds, service: 'productpage' });
    await mesh.ready;
    await untilEndpoints(mesh, 'http://reviews:9080/', 2);
  });

  after(async () => {
    DispatchLane.prototype.take = take;
    await mesh?.close();
    await v1?.close();
    await v2?.close();
    await tp?.close();
  });

  /** Applies `http` as the reviews VirtualService (named `marker`) and waits until the mesh routes with it. */
  async function route(marker: string, httpRoutes: Record<string, unknown>[]): Promise<void> {
    await tp.apply(virtualService('reviews', { hosts: ['reviews'], http: httpRoutes.map((h) => ({ ...h, name: marker })) }));
    await untilExplained(mesh, 'http://reviews:9080/', (e) => JSON.stringify(e).includes(`"${marker}"`));
  }

  /** The breaker slots in use and the active requests of the route's endpoints, as explain reports them. */
  function held(): { inUse: unknown; active: number } {
    const e = mesh.explain({ url: 'http://reviews:9080/' }) as { cluster?: { circuitBreakers?: { inUse: unknown } }; endpoints?: { activeRequests: number }[] };
    const text = JSON.stringify(e);
    const inUse = JSON.parse(text.match(/"inUse":(\{[^}]*\})/)?.[1] ?? 'null') as unknown;
    const active = [...text.matchAll(/"activeRequests":(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    return { inUse, active };
  }

  const IDLE = { inUse: { connections: 0, pending: 0, requests: 0, retries: 0 }, active: 0 };

  /** Routes, whether the lane takes their calls, and the request headers to send. */
  const cases: { name: string; http: Record<string, unknown>[]; lane: boolean; headers?: Record<string, string> }[] = [
    { name: 'a plain route to a subset', http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: true },
    { name: 'a route matched per call (a header match, then a URI prefix, so no route takes every path)', http: [{ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }, { match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: true, headers: { 'end-user': 'jason' } },
    { name: 'the second route matched per call', http: [{ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }, { match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: true },
    { name: 'request header mutations', http: [{ headers: { request: { set: { 'x-added': 'yes' } } }, route: [{ destination: { host: 'reviews', subset: 'v2' } }] }], lane: true },
    { name: 'a subset without endpoints: 503 UH, handed to the pass-through', http: [{ route: [{ destination: { host: 'reviews', subset: 'none' } }] }], lane: true },
    { name: 'a response header mutation', http: [{ headers: { response: { set: { 'x-resp': 'set' } } }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: false },
    { name: 'a rewrite', http: [{ rewrite: { uri: '/rewritten' }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: false },
    { name: 'a weighted split (100 / 0, so both answers agree)', http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 0 }] }], lane: false },
    { name: 'a route timeout', http: [{ timeout: '5s', route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: false },
    { name: 'a fault delay', http: [{ fault: { delay: { fixedDelay: '0.01s', percentage: { value: 100 } } }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: false },
    { name: 'a mirror', http: [{ mirror: { host: 'reviews', subset: 'v2' }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: false },
    { name: 'a header match that misses: 404 NR', http: [{ match: [{ headers: { 'end-user': { exact: 'nobody' } } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: false },
    { name: 'a request asking for retries (x-envoy-retry-on)', http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: false, headers: { 'x-envoy-retry-on': '5xx' } },
    { name: 'a request with its own timeout (x-envoy-upstream-rq-timeout-ms)', http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: false, headers: { 'x-envoy-upstream-rq-timeout-ms': '5000' } },
    { name: 'a request carrying a trace (traceparent)', http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], lane: false, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
  ];

  for (const [index, c] of cases.entries()) {
    it(`${c.lane ? 'takes' : 'leaves to the pipeline'} ${c.name}, answering as the full stack`, async () => {
      await route(`lane-case-${index}`, c.http);
      const path = `/case/${index}`;
      const full = await fullAnswer(mesh, { authority: 'reviews:9080', scheme: 'http', method: 'GET', path, headers: c.headers ?? {} });
      decisions.splice(0);
      const answer = await dispatched(mesh, path, c.headers);
      assert.deepEqual(decisions, [c.lane]);
      assert.deepEqual(answer, full);
      // (A call no route matched has no cluster whose breakers explain could show.)
      if (answer.status !== 404) assert.deepEqual(held(), IDLE);
    });
  }

  it('a 503 the route retries (retryOn 5xx): handed over, retried with the same x-request-id, the caller sees the retry', async () => {
    await route('retry-5xx', [{ retries: { attempts: 2, retryOn: '5xx' }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }]);
    const seen = v1.seen.length;
    v1.answers.push({ status: 503, headers: [] });
    decisions.splice(0);
    const answer = await dispatched(mesh, '/retried');
    assert.deepEqual(decisions, [true]);
    assert.equal(answer.status, 200);
    assert.equal(JSON.parse(answer.body).path, '/retried');
    const tries = v1.seen.slice(seen);
    assert.equal(tries.length, 2);
    assert.equal(tries[0]!['x-request-id'], tries[1]!['x-request-id'], 'one request id for every try');
    assert.ok(tries[0]!['x-inboard-peer-metadata'], 'the peer metadata header is sent');
    assert.equal(tries[0]!.host, 'reviews:9080');
    assert.deepEqual(held(), IDLE);
  });

  it('a POST with a body: sent with its content-length, and resent whole on a retry', async () => {
    await route('post-retry', [{ retries: { attempts: 2, retryOn: '5xx' }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }]);
    const body = JSON.stringify({ review: 'x'.repeat(3000) });
    const seen = v1.seen.length;
    v1.answers.push({ status: 503, headers: [] });
    decisions.splice(0);
    const { statusCode, body: answer } = await undiciRequest('http://reviews:9080/post', { dispatcher: mesh.dispatcher, method: 'POST', body, headers: { 'content-type': 'application/json' } });
    assert.deepEqual(decisions, [true]);
    assert.equal(statusCode, 200);
    assert.deepEqual(await answer.json(), { version: 'v1', path: '/post', added: null, method: 'POST', bodyBytes: body.length });
    const tries = v1.seen.slice(seen);
    assert.equal(tries.length, 2);
    for (const sent of tries) assert.equal(sent['content-length'], String(body.length));
    assert.deepEqual(held(), IDLE);
  });

  it('a reset without a retry for it: Envoy\'s 503 UR local reply, as the full stack answers', async () => {
    await route('no-retry', [{ retries: { attempts: 0 }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }]);
    v1.resets = 1;
    const full = await fullAnswer(mesh, { authority: 'reviews:9080', scheme: 'http', method: 'GET', path: '/ur', headers: {} });
    assert.equal(full.status, 503);
    v1.resets = 1;
    decisions.splice(0);
    const answer = await dispatched(mesh, '/ur');
    assert.deepEqual(decisions, [true]);
    assert.deepEqual(answer, full);
    assert.deepEqual(held(), IDLE);
  });

  it('a caller abort before the headers closes the upstream request and frees the slots', async () => {
    await route('abort', [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }]);
    const seen = v1.seen.length;
    const controller = new AbortController();
    decisions.splice(0);
    const pending = undiciRequest('http://reviews:9080/slow', { dispatcher: mesh.dispatcher, signal: controller.signal });
    await until('the server has the request', () => v1.seen.length > seen);
    assert.deepEqual(decisions, [true]);
    assert.equal(held().active, 1);
    controller.abort();
    await assert.rejects(pending, (error: Error) => error.name === 'AbortError' || /abort/i.test(error.message));
    await until('the slots are free', () => JSON.stringify(held()) === JSON.stringify(IDLE));
  });

  it('breakers with no room: the call waits in the pipeline (lane untouched) and goes once the slot is free', async () => {
    await tp.apply(destinationRule('reviews', {
      host: 'reviews', trafficPolicy: { connectionPool: { tcp: { maxConnections: 1 } } },
      subsets: ['v1', 'v2', 'none'].map((v) => ({ name: v, labels: { version: v } })),
    }));
    await route('one-connection', [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }]);
    await until('the breaker limit is in force', () => JSON.stringify(mesh.explain({ url: 'http://reviews:9080/' })).includes('"maxConnections":1'));
    try {
      const seen = v1.seen.length;
      decisions.splice(0);
      const first = undiciRequest('http://reviews:9080/slow', { dispatcher: mesh.dispatcher });
      await until('the server has the first request', () => v1.seen.length > seen);
      const second = dispatched(mesh, '/after-slow');
      await until('the second call was decided', () => decisions.length === 2);
      assert.deepEqual(decisions, [true, false], 'the lane took the first call and left the second to the pipeline');
      assert.equal(v1.seen.length - seen, 1, 'the second waits for the connection');
      v1.releaseSlow();
      const firstAnswer = await first;
      assert.equal(await firstAnswer.body.text(), 'slow');
      const secondAnswer = await second;
      assert.equal(secondAnswer.status, 200);
      assert.equal(JSON.parse(secondAnswer.body).path, '/after-slow');
      await until('the slots are free', () => JSON.stringify(held()) === JSON.stringify(IDLE));
    } finally {
      await tp.apply(destinationRule('reviews', { host: 'reviews', subsets: ['v1', 'v2', 'none'].map((v) => ({ name: v, labels: { version: v } })) }));
    }
  });

  it('outlier detection: a 5xx the lane forwards ejects its host, and the next calls the lane takes skip it', async () => {
    const subsets = ['v1', 'v2', 'none'].map((v) => ({ name: v, labels: { version: v } }));
    await tp.apply(destinationRule('reviews', {
      host: 'reviews', subsets,
      trafficPolicy: { outlierDetection: { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '60s', maxEjectionPercent: 100 } },
    }));
    await route('both-versions', [{ route: [{ destination: { host: 'reviews' } }] }]);
    await until('outlier detection is in force', () => JSON.stringify(mesh.explain({ url: 'http://reviews:9080/' })).includes('"consecutive5xx'));
    try {
      v1.answers.push({ status: 500, headers: [] });
      decisions.splice(0);
      // Until v1 has answered its 500 (the picker chooses between both hosts, so a bounded number of calls).
      for (let i = 0; i < 100 && v1.answers.length > 0; i++) await dispatched(mesh, '/before');
      assert.equal(v1.answers.length, 0, 'v1 answered the 500');
      const after: unknown[] = [];
      for (let i = 0; i < 20; i++) after.push((await dispatched(mesh, '/after')).headers['x-backend']);
      assert.deepEqual(after, Array(20).fill('v2'), 'every call after the ejection goes to v2');
      assert.ok(decisions.length > 20 && decisions.every(Boolean), 'the lane took every call');
    } finally {
      await tp.apply(destinationRule('reviews', { host: 'reviews', subsets }));
    }
  });
});
