// Integration: the whole BookInfo topology as real processes on loopback — ratings, details,
// reviews v1/v2/v3 and one productpage per reviews version — checked through the HTML page,
// the JSON API (swagger shapes) and every service's own endpoints.
import assert from 'node:assert/strict';
import type { ServiceProcess } from './services-harness';
import { ServiceFleet, call, json, occurrences } from './services-harness';

const STAR = 'glyphicon glyphicon-star"';
const DETAILS_ERR = 'Sorry, product details are currently unavailable for this book.';
const REVIEWS_ERR = 'Sorry, product reviews are currently unavailable for this book.';

describe('BookInfo services as processes', function () {
  this.timeout(30_000);
  const fleet = new ServiceFleet();
  let ratings: ServiceProcess;
  let details: ServiceProcess;
  const reviews: Record<string, ServiceProcess> = {};
  const page: Record<string, ServiceProcess> = {};

  before(async function () {
    [ratings, details] = await Promise.all([fleet.start(['--service', 'ratings']), fleet.start(['--service', 'details'])]);
    const versions = ['v1', 'v2', 'v3'];
    const started = await Promise.all(
      versions.map((version) =>
        fleet.start(['--service', 'reviews', '--version', version, '--podname', `reviews-${version}-test`, '--upstream', `ratings=${ratings.url}`]),
      ),
    );
    versions.forEach((version, i) => (reviews[version] = started[i]!));
    const pages = await Promise.all(
      versions.map((version) =>
        fleet.start([
          '--service', 'productpage',
          '--upstream', `details=${details.url}`,
          '--upstream', `reviews=${reviews[version]!.url}`,
          '--upstream', `ratings=${ratings.url}`,
        ]),
      ),
    );
    versions.forEach((version, i) => (page[version] = pages[i]!));
  });

  after(async function () {
    const codes = await fleet.stopAll();
    assert.ok(codes.every((code) => code === 0), `every service exits 0 on SIGTERM, got ${codes.join(',')}`);
  });

  describe('the product page', function () {
    it('shows the book, its details and v1 reviews without stars', async function () {
      const answer = await call(`${page['v1']!.url}/productpage`);
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /text\/html/);
      const html = answer.text;
      assert.ok(html.includes('<title>Simple Bookstore App</title>'));
      assert.ok(html.includes('BookInfo Sample'));
      assert.ok(html.includes('The Comedy of Errors'));
      assert.ok(html.includes("William Shakespeare's"));
      assert.ok(html.includes('Book Details'));
      for (const value of ['1234567890', 'PublisherA', '200', 'paperback', 'English']) assert.ok(html.includes(`<td>${value}</td>`), value);
      assert.ok(html.includes('Book Reviews'));
      assert.ok(html.includes('An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!'));
      assert.ok(html.includes('Absolutely fun and entertaining.'));
      assert.ok(html.includes('Reviews served by: reviews-v1-test'));
      assert.ok(!html.includes('glyphicon glyphicon-star'), 'v1 shows no stars');
      assert.ok(!html.includes('Ratings service is currently unavailable'));
      assert.ok(!html.includes(DETAILS_ERR) && !html.includes(REVIEWS_ERR));
      assert.ok(html.includes('Sign in') && !html.includes('sign out'), 'anonymous page offers Sign in');
    });

    it('shows 9 black stars with reviews v2', async function () {
      const html = (await call(`${page['v2']!.url}/productpage`)).text;
      assert.equal(occurrences(html, STAR), 9, '5 stars for Reviewer1 + 4 for Reviewer2');
      assert.equal(occurrences(html, 'class="star-empty"'), 1);
      assert.equal(occurrences(html, 'flex gap-x-1 text-black-500'), 2);
      assert.ok(!html.includes('text-red-500'));
      assert.ok(html.includes('Reviews served by: reviews-v2-test'));
    });

    it('shows 9 red stars with reviews v3', async function () {
      const html = (await call(`${page['v3']!.url}/productpage`)).text;
      assert.equal(occurrences(html, STAR), 9);
      assert.equal(occurrences(html, 'flex gap-x-1 text-red-500'), 2);
      assert.ok(!html.includes('text-black-500'));
    });

    it('ignores the query string of /productpage?u=normal', async function () {
      const answer = await call(`${page['v1']!.url}/productpage?u=normal`);
      assert.equal(answer.status, 200);
      assert.ok(answer.text.includes('Book Details'));
    });

    it('serves the index page, the avatar image, and 404s for unknown paths', async function () {
      const index = await call(`${page['v1']!.url}/`);
      assert.equal(index.status, 200);
      assert.ok(index.text.includes('Hello! This is a simple bookstore application consisting of three services as shown below'));
      assert.ok(index.text.includes('href="/productpage?u=normal"') && index.text.includes('href="/productpage?u=test"'));
      assert.equal((await call(`${page['v1']!.url}/index.html`)).status, 200);
      const png = await fetch(`${page['v1']!.url}/static/img/izzy.png`);
      assert.equal(png.status, 200);
      assert.equal(png.headers.get('content-type'), 'image/png');
      assert.deepEqual([...new Uint8Array(await png.arrayBuffer()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
      assert.equal((await call(`${page['v1']!.url}/productpagex`)).status, 404);
      assert.equal((await call(`${page['v1']!.url}/productpage`, { method: 'POST' })).status, 405);
    });
  });

  describe('the JSON API (swagger shapes)', function () {
    it('lists products', async function () {
      const answer = await call(`${page['v1']!.url}/api/v1/products`);
      assert.equal(answer.status, 200);
      assert.match(answer.headers.get('content-type') ?? '', /application\/json/);
      const products = json(answer);
      assert.equal(products.length, 1);
      assert.deepEqual(Object.keys(products[0]).sort(), ['descriptionHtml', 'id', 'title']);
      assert.equal(products[0].id, 0);
      assert.equal(products[0].title, 'The Comedy of Errors');
      assert.ok(products[0].descriptionHtml.startsWith('<a href="https://en.wikipedia.org/wiki/The_Comedy_of_Errors">Wikipedia Summary</a>'));
    });

    it('relays product details', async function () {
      const answer = await call(`${page['v1']!.url}/api/v1/products/0`);
      assert.equal(answer.status, 200);
      assert.deepEqual(json(answer), {
        id: 0, author: 'William Shakespeare', year: 1595, type: 'paperback', pages: 200,
        publisher: 'PublisherA', language: 'English', 'ISBN-10': '1234567890', 'ISBN-13': '123-1234567890',
      });
    });

    it('relays details\' 400 for a non-numeric id with productpage\'s error text', async function () {
      const answer = await call(`${page['v1']!.url}/api/v1/products/abc`);
      assert.equal(answer.status, 400);
      assert.deepEqual(json(answer), { error: DETAILS_ERR });
    });

    it('relays reviews per version: no rating (v1), black (v2), red (v3); id is a string', async function () {
      const v1 = json(await call(`${page['v1']!.url}/api/v1/products/0/reviews`));
      assert.equal(v1.id, '0');
      assert.equal(v1.podname, 'reviews-v1-test');
      assert.equal(v1.clustername, 'null');
      assert.deepEqual(v1.reviews.map((r: any) => r.reviewer), ['Reviewer1', 'Reviewer2']);
      assert.ok(v1.reviews.every((r: any) => !('rating' in r)));
      const v2 = json(await call(`${page['v2']!.url}/api/v1/products/0/reviews`));
      assert.deepEqual(v2.reviews.map((r: any) => r.rating), [{ stars: 5, color: 'black' }, { stars: 4, color: 'black' }]);
      const v3 = json(await call(`${page['v3']!.url}/api/v1/products/0/reviews`));
      assert.deepEqual(v3.reviews.map((r: any) => r.rating), [{ stars: 5, color: 'red' }, { stars: 4, color: 'red' }]);
    });

    it('relays ratings; the id is a number', async function () {
      const answer = await call(`${page['v1']!.url}/api/v1/products/0/ratings`);
      assert.equal(answer.status, 200);
      assert.deepEqual(json(answer), { id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
    });
  });

  describe('each service\'s own endpoints', function () {
    it('answers the health checks', async function () {
      const productpageHealth = await call(`${page['v1']!.url}/health`);
      assert.equal(productpageHealth.status, 200);
      assert.equal(productpageHealth.text, 'Product page is healthy');
      assert.deepEqual(json(await call(`${details.url}/health`)), { status: 'Details is healthy' });
      assert.deepEqual(json(await call(`${reviews['v2']!.url}/health`)), { status: 'Reviews is healthy' });
      assert.deepEqual(json(await call(`${ratings.url}/health`)), { status: 'Ratings is healthy' });
    });

    it('details rejects non-numeric ids and 404s elsewhere', async function () {
      const bad = await call(`${details.url}/details/abc`);
      assert.equal(bad.status, 400);
      assert.deepEqual(json(bad), { error: 'please provide numeric product id' });
      assert.equal(json(await call(`${details.url}/details/7`)).id, 7);
      assert.equal((await call(`${details.url}/nothing`)).status, 404);
    });

    it('reviews 404s for a non-integer id', async function () {
      assert.equal((await call(`${reviews['v1']!.url}/reviews/abc`)).status, 404);
      assert.equal(json(await call(`${reviews['v1']!.url}/reviews/007`)).id, '7');
    });

    it('ratings validates ids, and keeps POSTed ratings per product', async function () {
      const bad = await call(`${ratings.url}/ratings/abc`);
      assert.equal(bad.status, 400);
      assert.deepEqual(json(bad), { error: 'please provide numeric product ID' });
      const invalid = await call(`${ratings.url}/ratings/5`, { method: 'POST', body: '{nope', headers: { 'content-type': 'application/json' } });
      assert.equal(invalid.status, 400);
      assert.deepEqual(json(invalid), { error: 'please provide valid ratings JSON' });
      const posted = await call(`${ratings.url}/ratings/5`, { method: 'POST', body: JSON.stringify({ Reviewer1: 1, Reviewer2: 2 }) });
      assert.deepEqual(json(posted), { id: 5, ratings: { Reviewer1: 1, Reviewer2: 2 } });
      assert.deepEqual(json(await call(`${ratings.url}/ratings/5`)), { id: 5, ratings: { Reviewer1: 1, Reviewer2: 2 } });
      assert.deepEqual(json(await call(`${ratings.url}/ratings/6`)), { id: 6, ratings: { Reviewer1: 5, Reviewer2: 4 } });
    });

    it('counts backend results on /metrics', async function () {
      await call(`${page['v2']!.url}/productpage`);
      const metrics = (await call(`${page['v2']!.url}/metrics`)).text;
      assert.match(metrics, /request_result_total\{destination_app="details",response_code="200"\} [1-9]/);
      assert.match(metrics, /request_result_total\{destination_app="reviews",response_code="200"\} [1-9]/);
    });
  });
});
