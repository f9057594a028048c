// Integration: productpage's login/logout session and the headers each service propagates
// (Istio §A.6), observed at recording upstreams: productpage → details (recorder), productpage →
// reviews v2 (real process) → ratings (recorder).
import assert from 'node:assert/strict';
import type { Recorder, ServiceProcess } from './services-harness';
import { ServiceFleet, call, json, startRecorder } from './services-harness';

const TRACE_ID = '463ac35c9f6413ad48485a3953bb6124';
const SPAN_ID = 'a2fb4a1d1a96d312';

describe('BookInfo sessions and header propagation', function () {
  this.timeout(30_000);
  const fleet = new ServiceFleet();
  let detailsRecorder: Recorder;
  let ratingsRecorder: Recorder;
  let reviews: ServiceProcess;
  let productpage: ServiceProcess;

  before(async function () {
    detailsRecorder = await startRecorder(() => ({ status: 200, json: { id: 0, publisher: 'RecorderPress', 'ISBN-10': 'x', pages: 1, type: 'paperback', language: 'English' } }));
    ratingsRecorder = await startRecorder(() => ({ status: 200, json: { id: 0, ratings: { Reviewer1: 3, Reviewer2: 2 } } }));
    reviews = await fleet.start(['--service', 'reviews', '--version', 'v2', '--upstream', `ratings=${ratingsRecorder.url}`]);
    productpage = await fleet.start([
      '--service', 'productpage',
      '--upstream', `details=${detailsRecorder.url}`,
      '--upstream', `reviews=${reviews.url}`,
      '--upstream', `ratings=${ratingsRecorder.url}`,
    ]);
  });

  after(async function () {
    await fleet.stopAll();
    await Promise.all([detailsRecorder?.close(), ratingsRecorder?.close()]);
  });

  beforeEach(function () {
    detailsRecorder.requests.length = 0;
    ratingsRecorder.requests.length = 0;
  });

  async function login(user: string): Promise<string> {
    const answer = await call(`${productpage.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', referer: `${productpage.url}/productpage` },
      body: new URLSearchParams({ username: user, passwd: 'password' }).toString(),
    });
    assert.equal(answer.status, 302);
    assert.equal(answer.headers.get('location'), `${productpage.url}/productpage`);
    const setCookie = answer.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^session=[^;]+; HttpOnly; Path=\//);
    return setCookie.split(';')[0]!;
  }

  it('logs in as jason: the page names him, and end-user: jason reaches details, reviews and ratings', async function () {
    const cookie = await login('jason');
    const page = await call(`${productpage.url}/productpage`, { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('<span>jason</span>'));
    assert.ok(page.text.includes('sign out'));
    assert.ok(!page.text.includes('id="sign-in-button"'));
    assert.equal(detailsRecorder.requests.length, 1);
    assert.equal(detailsRecorder.requests[0]!.headers['end-user'], 'jason');
    assert.equal(ratingsRecorder.requests.length, 1, 'reviews v2 called ratings once');
    assert.equal(ratingsRecorder.requests[0]!.headers['end-user'], 'jason', 'reviews forwards end-user');
    assert.equal(ratingsRecorder.requests[0]!.headers['cookie'], cookie, 'the cookie travels along');
    assert.equal(page.text.split('glyphicon glyphicon-star"').length - 1, 5, 'stars from the recorder: 3 + 2');
  });

  it('keeps the user name as typed (Jason is not jason) and escapes it in the page', async function () {
    const cookie = await login('<b>Jason</b>');
    const page = await call(`${productpage.url}/productpage`, { headers: { cookie } });
    assert.ok(page.text.includes('&lt;b&gt;Jason&lt;/b&gt;'));
    assert.equal(detailsRecorder.requests[0]!.headers['end-user'], '<b>Jason</b>');
  });

  it('logs out: the session cookie is cleared and no end-user is sent', async function () {
    const cookie = await login('jason');
    const logout = await call(`${productpage.url}/logout`, { headers: { cookie, referer: `${productpage.url}/productpage` } });
    assert.equal(logout.status, 302);
    assert.match(logout.headers.get('set-cookie') ?? '', /^session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0/);
    const page = await call(`${productpage.url}/productpage`);
    assert.ok(page.text.includes('id="sign-in-button"'));
    assert.equal(detailsRecorder.requests.at(-1)!.headers['end-user'], undefined);
  });

  it('never copies an incoming end-user header, and ignores a forged session cookie', async function () {
    const forged = `session=${Buffer.from(JSON.stringify({ user: 'jason' })).toString('base64url')}.AAAA`;
    const page = await call(`${productpage.url}/productpage`, { headers: { 'end-user': 'jason', cookie: forged } });
    assert.ok(page.text.includes('id="sign-in-button"'));
    assert.equal(detailsRecorder.requests[0]!.headers['end-user'], undefined);
    assert.equal(ratingsRecorder.requests[0]!.headers['end-user'], undefined);
  });

  it('propagates x-request-id, W3C and B3 trace headers, user-agent and authorization down the chain', async function () {
    const incoming = {
      'x-request-id': 'req-123',
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      tracestate: 'rojo=00f067aa0ba902b7',
      'x-b3-traceid': TRACE_ID,
      'x-b3-spanid': SPAN_ID,
      'x-b3-parentspanid': '0020000000000001',
      'x-b3-sampled': '1',
      'user-agent': 'bookinfo-test/1.0',
      authorization: 'Bearer token-1',
      'x-ot-span-context': 'ot-ctx',
      'x-not-propagated': 'nope',
    };
    const answer = await call(`${productpage.url}/productpage`, { headers: incoming });
    assert.equal(answer.status, 200);
    const atDetails = detailsRecorder.requests[0]!.headers;
    const atRatings = ratingsRecorder.requests[0]!.headers;
    for (const headers of [atDetails, atRatings]) {
      for (const name of ['x-request-id', 'traceparent', 'tracestate', 'user-agent', 'authorization', 'x-ot-span-context', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-sampled']) {
        assert.equal(headers[name], (incoming as Record<string, string>)[name], name);
      }
      assert.equal(headers['x-not-propagated'], undefined);
    }
    // productpage re-injects the B3 context (trace id, span id, sampled), it does not copy the parent id.
    assert.equal(atDetails['x-b3-parentspanid'], undefined);
    assert.equal(atRatings['x-b3-parentspanid'], undefined);
  });

  it('pads a 64-bit B3 trace id and forwards debug as x-b3-flags', async function () {
    await call(`${productpage.url}/productpage`, { headers: { 'x-b3-traceid': '48485a3953bb6124', 'x-b3-spanid': SPAN_ID, 'x-b3-flags': '1' } });
    const headers = detailsRecorder.requests[0]!.headers;
    assert.equal(headers['x-b3-traceid'], '000000000000000048485a3953bb6124');
    assert.equal(headers['x-b3-flags'], '1');
    assert.equal(headers['x-b3-sampled'], undefined);
  });

  it('reviews forwards B3 headers verbatim, parent span id included', async function () {
    const answer = await call(`${reviews.url}/reviews/0`, {
      headers: { 'x-b3-traceid': TRACE_ID, 'x-b3-spanid': SPAN_ID, 'x-b3-parentspanid': '0020000000000001', 'x-b3-sampled': '0', 'end-user': 'jason' },
    });
    assert.deepEqual(json(answer).reviews.map((r: { rating: unknown }) => r.rating), [{ stars: 3, color: 'black' }, { stars: 2, color: 'black' }]);
    const headers = ratingsRecorder.requests[0]!.headers;
    assert.equal(headers['x-b3-parentspanid'], '0020000000000001');
    assert.equal(headers['x-b3-sampled'], '0');
    assert.equal(headers['end-user'], 'jason');
  });

  it('replicas share sessions by default; another --session-secret does not accept the cookie', async function () {
    const upstreams = ['--upstream', `details=${detailsRecorder.url}`, '--upstream', `reviews=${reviews.url}`, '--upstream', `ratings=${ratingsRecorder.url}`];
    const [replica, isolated] = await Promise.all([
      fleet.start(['--service', 'productpage', ...upstreams]),
      fleet.start(['--service', 'productpage', '--session-secret', 'another-secret', ...upstreams]),
    ]);
    const cookie = await login('jason');
    assert.ok((await call(`${replica.url}/productpage`, { headers: { cookie } })).text.includes('<span>jason</span>'));
    assert.ok((await call(`${isolated.url}/productpage`, { headers: { cookie } })).text.includes('id="sign-in-button"'));
  });

  it('the JSON API sends the session user too', async function () {
    const cookie = await login('jason');
    await call(`${productpage.url}/api/v1/products/0/ratings`, { headers: { cookie } });
    assert.equal(ratingsRecorder.requests[0]!.headers['end-user'], 'jason');
    assert.equal(ratingsRecorder.requests[0]!.url, '/ratings/0');
  });
});
