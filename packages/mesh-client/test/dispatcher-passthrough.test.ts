// The dispatcher front end's pass-through against the full stack, on a real control plane and
// loopback servers: for a table of routes the streamed answer (status, headers, flags, body) equals
// the full stack's, ineligible routes fall back, and retries on reset still happen before headers.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { request as undiciRequest } from 'undici';
import { connect, type Mesh } from '../src';
import { isDelivered, type ResponseSink } from '../src/pipeline/response-sink';
import type { MeshRequest } from '../src/request';
import { startTestPlane, until, untilEndpoints, untilExplained, type TestPlane } from './support/control-plane';
import { destinationRule, kubernetesService, virtualService, workloadEntry } from './support/istio';

/** A loopback server outside any mesh (plaintext endpoint); `resets` requests are answered by a reset. */
interface Server {
  readonly port: number;
  readonly seen: http.IncomingHttpHeaders[];
  /** Requests to /slow that the client went away from before the answer. */
  readonly abandoned: () => number;
  resets: number;
  /** Answers for the next requests, in order: a status and extra response headers. */
  readonly answers: { status: number; headers: [string, string][] }[];
  close(): Promise<void>;
}

async function startServer(version: string): Promise<Server> {
  const state = { seen: [] as http.IncomingHttpHeaders[], resets: 0, abandoned: 0, answers: [] as Server['answers'][number][] };
  const server = http.createServer((req, res) => {
    state.seen.push(req.headers);
    if (state.resets > 0) {
      state.resets--;
      req.socket.destroy();
      return;
    }
    req.resume();
    if (req.url === '/stall-body') {
      // Headers and a first chunk, then nothing: the route deadline must cut the body.
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk');
      res.once('close', () => { state.abandoned++; });
      return;
    }
    if (req.url === '/slow') {
      // Never answers: the test aborts; count the client going away.
      res.once('close', () => { state.abandoned++; });
      return;
    }
    const scripted = state.answers.shift();
    req.on('end', () => {
      if (scripted) {
        res.writeHead(scripted.status, [['content-type', 'text/plain'], ...scripted.headers]);
        res.end('scripted');
        return;
      }
      const body = JSON.stringify({ version, path: req.url, host: req.headers.host, added: req.headers['x-added'] ?? null });
      res.writeHead(200, [['content-type', 'application/json'], ['x-backend', version], ['set-cookie', 'a=1'], ['set-cookie', 'b=2']]);
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port, seen: state.seen, answers: state.answers,
    abandoned: () => state.abandoned,
    get resets() { return state.resets; },
    set resets(n: number) { state.resets = n; },
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** What a sink received, as one answer. */
interface Recorded { status: number; headers: Record<string, string | string[]>; body: string; error?: Error }

function recordingSink(): { sink: ResponseSink; answer: Promise<Recorded> } {
  let resolve!: (r: Recorded) => void;
  const answer = new Promise<Recorded>((r) => { resolve = r; });
  const chunks: Buffer[] = [];
  const rec: Recorded = { status: 0, headers: {}, body: '' };
  let done = false;
  const sink: ResponseSink = {
    get done() { return done; },
    headers(status, raw) {
      rec.status = status;
      for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i]!.toString('latin1').toLowerCase();
        const value = raw[i + 1]!.toString('latin1');
        const prev = rec.headers[name];
        rec.headers[name] = prev === undefined ? value : [...(Array.isArray(prev) ? prev : [prev]), value];
      }
      return true;
    },
    data(chunk) { chunks.push(chunk); return true; },
    complete() { done = true; rec.body = Buffer.concat(chunks).toString(); resolve(rec); },
    error(error) { done = true; rec.error = error; resolve(rec); },
    onAbort() {},
  };
  return { sink, answer };
}

/** The full stack's answer to `request`, in the same shape. */
async function fullAnswer(mesh: Mesh, request: MeshRequest): Promise<Recorded> {
  const response = await mesh.handle(request);
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk as Buffer);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) headers[name] = Array.isArray(value) ? [...value] : value;
  return { status: response.status, headers, body: Buffer.concat(chunks).toString() };
}

/** Headers that differ per response by nature (time, connection state). */
const VOLATILE = new Set(['date', 'connection', 'keep-alive']);

function comparable(r: Recorded): Recorded {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(r.headers)) if (!VOLATILE.has(name)) headers[name] = value;
  return { status: r.status, headers, body: r.body };
}

function get(path: string, headers: Record<string, string> = {}): MeshRequest {
  return { authority: 'reviews:9080', scheme: 'http', method: 'GET', path, headers };
}

describe('the dispatcher pass-through', function () {
  this.timeout(60_000);
  let tp: TestPlane;
  let mesh: Mesh;
  let v1: Server;
  let v2: Server;
  let v3: Server;

  before(async () => {
    tp = await startTestPlane();
    v1 = await startServer('v1');
    v2 = await startServer('v2');
    v3 = await startServer('v3');
    await tp.apply(
      kubernetesService('reviews'),
      workloadEntry('reviews-v1', 'reviews', v1.port, { version: 'v1' }),
      workloadEntry('reviews-v2', 'reviews', v2.port, { version: 'v2' }),
      // Labelled mTLS-capable: auto mTLS selects TLS for it (transport_socket_matches).
      workloadEntry('reviews-v3', 'reviews', v3.port, { version: 'v3', 'security.istio.io/tlsMode': 'istio' }),
      destinationRule('reviews', { host: 'reviews', subsets: ['v1', 'v2', 'v3', 'none'].map((v) => ({ name: v, labels: { version: v } })) }),
    );
    mesh = connect({ controlPlane: tp.xds, service: 'productpage' });
    await mesh.ready;
    await untilEndpoints(mesh, 'http://reviews:9080/', 3);
  });

  after(async () => {
    await mesh?.close();
    await v1?.close();
    await v2?.close();
    await v3?.close();
    await tp?.close();
  });

  /** Routes, each with whether the pass-through may take it. */
  const cases: { name: string; http: Record<string, unknown>[]; direct: boolean; request?: MeshRequest }[] = [
    { name: 'a plain route to a subset', http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], direct: true },
    {
      name: 'request and response header mutations, a rewrite',
      http: [{
        rewrite: { uri: '/rewritten' },
        headers: { request: { set: { 'x-added': 'yes' } }, response: { set: { 'x-resp': 'set' }, remove: ['x-backend'], add: { 'set-cookie': 'c=3' } } },
        route: [{ destination: { host: 'reviews', subset: 'v2' } }],
      }],
      direct: true,
    },
    { name: 'a subset without endpoints: 503 UH local reply', http: [{ route: [{ destination: { host: 'reviews', subset: 'none' } }], headers: { response: { set: { 'x-resp': 'on-local-reply' } } } }], direct: true },
    { name: 'a header match that misses: 404 NR (answered before the pass-through)', http: [{ match: [{ headers: { 'end-user': { exact: 'nobody' } } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], direct: false },
    { name: 'a route timeout that is not reached: streamed', http: [{ timeout: '5s', route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], direct: true },
    { name: 'a fault abort: full stack', http: [{ fault: { abort: { httpStatus: 418, percentage: { value: 100 } } }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], direct: false },
    { name: 'a mirror: full stack', http: [{ mirror: { host: 'reviews', subset: 'v2' }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], direct: false },
    { name: 'an endpoint auto mTLS would use TLS for: full stack', http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }], direct: false },
    { name: 'a per-try timeout: full stack', http: [{ retries: { attempts: 2, perTryTimeout: '3s', retryOn: '5xx' }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }], direct: false },
  ];

  for (const [index, c] of cases.entries()) {
    it(`answers as the full stack: ${c.name}`, async () => {
      const marker = `case-${index}`;
      await tp.apply(virtualService('reviews', { hosts: ['reviews'], http: c.http.map((h) => ({ ...h, name: marker })) }));
      await untilExplained(mesh, 'http://reviews:9080/', (e) => JSON.stringify(e).includes(marker));
      const request = c.request ?? get(`/case/${index}`);
      const full = await fullAnswer(mesh, request);
      const { sink, answer } = recordingSink();
      const returned = await mesh.handle({ ...request, sink });
      assert.equal(isDelivered(returned), c.direct, c.direct ? 'the pass-through streamed the answer' : 'the full stack answered');
      const direct = isDelivered(returned) ? await answer : await fullAnswer(mesh, request);
      assert.equal(direct.error, undefined);
      assert.deepEqual(comparable(direct), comparable(full));
    });
  }

  it('streams through undici.request with mesh.dispatcher: body, repeated headers, x-request-id and host sent upstream', async () => {
    await tp.apply(virtualService('reviews', { hosts: ['reviews'], http: [{ name: 'plain', route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] }));
    await untilExplained(mesh, 'http://reviews:9080/', (e) => JSON.stringify(e).includes('"plain"'));
    const seen = v1.seen.length;
    const { statusCode, headers, body } = await undiciRequest('http://reviews:9080/stream', { dispatcher: mesh.dispatcher });
    assert.equal(statusCode, 200);
    assert.deepEqual(headers['set-cookie'], ['a=1', 'b=2']);
    assert.deepEqual(await body.json(), { version: 'v1', path: '/stream', host: 'reviews:9080', added: null });
    const sent = v1.seen[seen]!;
    assert.match(String(sent['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('retries a reset before headers (retryOn reset): the caller sees the second try only', async () => {
    await tp.apply(virtualService('reviews', { hosts: ['reviews'], http: [{ name: 'retry-reset', retries: { attempts: 2, retryOn: 'reset,connect-failure' }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] }));
    await untilExplained(mesh, 'http://reviews:9080/', (e) => JSON.stringify(e).includes('retry-reset'));
    const seen = v1.seen.length;
    v1.resets = 1;
    const { sink, answer } = recordingSink();
    assert.ok(isDelivered(await mesh.handle({ ...get('/reset'), sink })));
    const recorded = await answer;
    assert.equal(recorded.status, 200);
    assert.equal(JSON.parse(recorded.body).path, '/reset');
    assert.equal(v1.seen.length - seen, 2, 'the reset try and its retry reached the server');
    v1.resets = 1;
    const { statusCode, body } = await undiciRequest('http://reviews:9080/reset-again', { dispatcher: mesh.dispatcher });
    assert.equal(statusCode, 200);
    await body.dump();
  });

  it('retry decisions read the response headers they need (grpc-status, x-envoy-ratelimited) as Envoy does', async () => {
    await tp.apply(virtualService('reviews', { hosts: ['reviews'], http: [{ name: 'retry-headers', retries: { attempts: 2, retryOn: 'unavailable,5xx' }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] }));
    await untilExplained(mesh, 'http://reviews:9080/', (e) => JSON.stringify(e).includes('retry-headers'));
    // grpc-status 14 on a 200 is UNAVAILABLE: retried under retry_on unavailable, the caller sees the second try.
    let seen = v1.seen.length;
    v1.answers.push({ status: 200, headers: [['grpc-status', '14']] });
    const retried = await undiciRequest('http://reviews:9080/unavailable', { dispatcher: mesh.dispatcher });
    assert.equal(retried.statusCode, 200);
    assert.equal(retried.headers['grpc-status'], undefined, 'the retried answer, not the first');
    assert.equal((await retried.body.json() as { path: string }).path, '/unavailable');
    assert.equal(v1.seen.length - seen, 2);
    // A 503 carrying x-envoy-ratelimited is retried only under envoy-ratelimited, never under 5xx.
    seen = v1.seen.length;
    v1.answers.push({ status: 503, headers: [['X-Envoy-RateLimited', 'true']] });
    const limited = await undiciRequest('http://reviews:9080/limited', { dispatcher: mesh.dispatcher });
    assert.equal(limited.statusCode, 503);
    assert.equal(await limited.body.text(), 'scripted');
    assert.equal(v1.seen.length - seen, 1, 'not retried');
    // And a plain 503 is retried under 5xx.
    seen = v1.seen.length;
    v1.answers.push({ status: 503, headers: [] });
    const plain = await undiciRequest('http://reviews:9080/plain-503', { dispatcher: mesh.dispatcher });
    assert.equal(plain.statusCode, 200);
    await plain.body.dump();
    assert.equal(v1.seen.length - seen, 2);
  });

  it('a route timeout that passes before the headers: 504 UT as the full stack answers, the upstream request closed', async () => {
    await tp.apply(virtualService('reviews', { hosts: ['reviews'], http: [{ name: 'timeout-300ms', timeout: '0.3s', route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] }));
    await untilExplained(mesh, 'http://reviews:9080/', (e) => JSON.stringify(e).includes('timeout-300ms'));
    const full = await fullAnswer(mesh, get('/slow'));
    assert.equal(full.status, 504);
    const seen = v1.seen.length;
    const abandoned = v1.abandoned();
    const started = Date.now();
    const { sink, answer } = recordingSink();
    assert.ok(isDelivered(await mesh.handle({ ...get('/slow'), sink })), 'a route timeout stays on the pass-through');
    const direct = await answer;
    assert.ok(Date.now() - started >= 250, 'not before the deadline');
    assert.deepEqual(comparable(direct), comparable(full));
    const expected = Number(v1.seen[seen]!['x-envoy-expected-rq-timeout-ms']);
    assert.ok(expected > 0 && expected <= 300, `x-envoy-expected-rq-timeout-ms ${expected}`);
    await until('the upstream request is closed', () => v1.abandoned() > abandoned);
  });

  it('a route timeout that passes during the body breaks the body (the deadline covers the whole response)', async () => {
    await tp.apply(virtualService('reviews', { hosts: ['reviews'], http: [{ name: 'timeout-body', timeout: '0.3s', route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] }));
    await untilExplained(mesh, 'http://reviews:9080/', (e) => JSON.stringify(e).includes('timeout-body'));
    const abandoned = v1.abandoned();
    const { statusCode, body } = await undiciRequest('http://reviews:9080/stall-body', { dispatcher: mesh.dispatcher });
    assert.equal(statusCode, 200);
    await assert.rejects(body.text(), (error: Error) => /timeout/i.test(`${error.message} ${(error as { code?: string }).code ?? ''}`));
    await until('the upstream request is closed', () => v1.abandoned() > abandoned);
  });

  it('a caller abort before the headers reaches the upstream request and rejects the caller', async () => {
    await tp.apply(virtualService('reviews', { hosts: ['reviews'], http: [{ name: 'abortable', route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] }));
    await untilExplained(mesh, 'http://reviews:9080/', (e) => JSON.stringify(e).includes('abortable'));
    const seen = v1.seen.length;
    const abandoned = v1.abandoned();
    const controller = new AbortController();
    const pending = undiciRequest('http://reviews:9080/slow', { dispatcher: mesh.dispatcher, signal: controller.signal });
    await until('the server has the request', () => v1.seen.length > seen);
    controller.abort();
    await assert.rejects(pending, (error: Error) => error.name === 'AbortError' || /abort/i.test(error.message));
    await until('the upstream request is closed', () => v1.abandoned() > abandoned);
  });

  it('without a retry for resets, answers Envoy\'s 503 UR local reply as the full stack does', async () => {
    await tp.apply(virtualService('reviews', { hosts: ['reviews'], http: [{ name: 'no-retry', retries: { attempts: 0 }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] }));
    await untilExplained(mesh, 'http://reviews:9080/', (e) => JSON.stringify(e).includes('no-retry'));
    v1.resets = 1;
    const full = await fullAnswer(mesh, get('/ur'));
    v1.resets = 1;
    const { sink, answer } = recordingSink();
    assert.ok(isDelivered(await mesh.handle({ ...get('/ur'), sink })));
    const direct = await answer;
    assert.equal(direct.status, 503);
    assert.deepEqual(comparable(direct), comparable(full));
  });
});
