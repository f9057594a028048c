// Integration: how BookInfo degrades when a backend is down, slow or failing — the original's
// error texts, status pass-through, productpage's two reviews attempts, reviews-v3's 2.5 s
// ratings timeout, and the ratings failure variants (v-faulty, v-unavailable, v-unhealthy).
import assert from 'node:assert/strict';
import type { Recorder, ServiceProcess } from './services-harness';
import { ServiceFleet, call, deadUrl, eventually, json, occurrences, startRecorder } from './services-harness';

const DETAILS_ERR = 'Sorry, product details are currently unavailable for this book.';
const REVIEWS_ERR = 'Sorry, product reviews are currently unavailable for this book.';
const RATINGS_ERR = 'Ratings service is currently unavailable';

describe('BookInfo failure behaviour', function () {
  this.timeout(30_000);
  const fleet = new ServiceFleet();
  const recorders: Recorder[] = [];
  let details: ServiceProcess;
  let dead: string;

  const productpage = (upstreams: { details: string; reviews: string; ratings: string }) =>
    fleet.start([
      '--service', 'productpage',
      '--upstream', `details=${upstreams.details}`,
      '--upstream', `reviews=${upstreams.reviews}`,
      '--upstream', `ratings=${upstreams.ratings}`,
    ]);
  const recorder = async (respond: Parameters<typeof startRecorder>[0]) => {
    const started = await startRecorder(respond);
    recorders.push(started);
    return started;
  };

  before(async function () {
    dead = await deadUrl();
    details = await fleet.start(['--service', 'details']);
  });

  after(async function () {
    await fleet.stopAll();
    await Promise.all(recorders.map((r) => r.close()));
  });

  it('ratings down: reviews v2 answers 200 and the page shows the ratings error for both reviews', async function () {
    const reviews = await fleet.start(['--service', 'reviews', '--version', 'v2', '--upstream', `ratings=${dead}`]);
    const page = await productpage({ details: details.url, reviews: reviews.url, ratings: dead });
    const html = (await call(`${page.url}/productpage`)).text;
    assert.equal(occurrences(html, RATINGS_ERR), 2);
    assert.ok(html.includes('Book Reviews'));
    assert.ok(!html.includes('glyphicon glyphicon-star'));
    const api = await call(`${page.url}/api/v1/products/0/reviews`);
    assert.equal(api.status, 200);
    assert.deepEqual(json(api).reviews.map((r: { rating: unknown }) => r.rating), [{ error: RATINGS_ERR }, { error: RATINGS_ERR }]);
    const ratingsApi = await call(`${page.url}/api/v1/products/0/ratings`);
    assert.equal(ratingsApi.status, 500);
    assert.deepEqual(json(ratingsApi), { error: 'Sorry, product ratings are currently unavailable for this book.' });
  });

  it('reviews and details down: the page is still 200 with both error texts; the API answers 500', async function () {
    const page = await productpage({ details: dead, reviews: dead, ratings: dead });
    const answer = await call(`${page.url}/productpage`);
    assert.equal(answer.status, 200);
    assert.ok(answer.text.includes('Error fetching product reviews!'));
    assert.ok(answer.text.includes(REVIEWS_ERR));
    assert.ok(answer.text.includes('Error fetching product details!'));
    assert.ok(answer.text.includes(DETAILS_ERR));
    assert.ok(answer.text.includes('The Comedy of Errors'));
    const reviewsApi = await call(`${page.url}/api/v1/products/0/reviews`);
    assert.equal(reviewsApi.status, 500);
    assert.deepEqual(json(reviewsApi), { error: REVIEWS_ERR });
    const detailsApi = await call(`${page.url}/api/v1/products/0`);
    assert.equal(detailsApi.status, 500);
    assert.deepEqual(json(detailsApi), { error: DETAILS_ERR });
  });

  it('passes a backend\'s error status through the API and tries reviews twice', async function () {
    const failing = await recorder(() => ({ status: 555, json: { error: 'fault filter abort' } }));
    const page = await productpage({ details: failing.url, reviews: failing.url, ratings: failing.url });
    const detailsApi = await call(`${page.url}/api/v1/products/0`);
    assert.equal(detailsApi.status, 555);
    assert.deepEqual(json(detailsApi), { error: DETAILS_ERR });
    assert.equal(failing.requests.length, 1, 'details: one attempt');
    failing.requests.length = 0;
    const reviewsApi = await call(`${page.url}/api/v1/products/0/reviews`);
    assert.equal(reviewsApi.status, 555);
    assert.deepEqual(failing.requests.map((r) => r.url), ['/reviews/0', '/reviews/0'], 'reviews: two attempts');
  });

  it('timeouts: productpage tries a hanging reviews twice (3 s each); reviews v3 waits 2.5 s for ratings, once', async function () {
    // Both run at once so the file stays fast; no timing is asserted, only the outcome and attempts.
    const [hangingReviews, hangingRatings] = await Promise.all([recorder(() => undefined), recorder(() => undefined)]);
    const [page, reviewsV3] = await Promise.all([
      productpage({ details: details.url, reviews: hangingReviews.url, ratings: dead }),
      fleet.start(['--service', 'reviews', '--version', 'v3', '--upstream', `ratings=${hangingRatings.url}`]),
    ]);
    const [pageAnswer, reviewsAnswer] = await Promise.all([call(`${page.url}/productpage`), call(`${reviewsV3.url}/reviews/0`)]);
    assert.equal(pageAnswer.status, 200);
    assert.ok(pageAnswer.text.includes(REVIEWS_ERR));
    assert.ok(pageAnswer.text.includes('Book Details'));
    assert.equal(hangingReviews.requests.length, 2, 'productpage: two reviews attempts');
    assert.equal(reviewsAnswer.status, 200);
    assert.deepEqual(json(reviewsAnswer).reviews.map((r: { rating: unknown }) => r.rating), [{ error: RATINGS_ERR }, { error: RATINGS_ERR }]);
    assert.equal(hangingRatings.requests.length, 1, 'reviews: no retry towards ratings');
  });

  it('details v2 asks the external book service (with forwarded headers) and answers 400 when it fails', async function () {
    const books = await recorder(() => ({
      status: 200,
      json: { items: [{ volumeInfo: {
        authors: ['William Shakespeare'], publishedDate: '2002', printType: 'BOOK', pageCount: 80, publisher: 'Dover Publications',
        language: 'en', industryIdentifiers: [{ type: 'ISBN_10', identifier: '0486424618' }, { type: 'ISBN_13', identifier: '9780486424613' }],
      } }] },
    }));
    const [v2, v2Broken] = await Promise.all([
      fleet.start(['--service', 'details', '--version', 'v2', '--upstream', `books=${books.url}`]),
      fleet.start(['--service', 'details', '--version', 'v2', '--upstream', `books=${dead}`]),
    ]);
    const answer = await call(`${v2.url}/details/0`, { headers: { 'x-request-id': 'r-9', 'end-user': 'jason' } });
    assert.equal(answer.status, 200);
    assert.deepEqual(json(answer), {
      id: 0, author: 'William Shakespeare', year: '2002', type: 'paperback', pages: 80, publisher: 'Dover Publications',
      language: 'English', 'ISBN-10': '0486424618', 'ISBN-13': '9780486424613',
    });
    assert.equal(books.requests[0]!.url, '/books/v1/volumes?q=isbn:0486424618');
    assert.equal(books.requests[0]!.headers['x-request-id'], 'r-9');
    assert.equal(books.requests[0]!.headers['end-user'], 'jason');
    const broken = await call(`${v2Broken.url}/details/0`);
    assert.equal(broken.status, 400);
    assert.match(json(broken).error, /could not fetch book details/);
  });

  it('productpage v-flooding style: --flood-factor N adds N reviews calls per page', async function () {
    const reviews = await recorder(() => ({ status: 200, json: { id: '0', podname: 'p', clustername: 'null', reviews: [] } }));
    const page = await fleet.start([
      '--service', 'productpage', '--flood-factor', '3',
      '--upstream', `details=${details.url}`, '--upstream', `reviews=${reviews.url}`, '--upstream', `ratings=${dead}`,
    ]);
    assert.equal((await call(`${page.url}/productpage`)).status, 200);
    assert.equal(reviews.requests.length, 4);
  });

  it('ratings v-faulty answers 503 {"error": "Service unavailable"} for some GETs and 200 for others', async function () {
    const ratings = await fleet.start(['--service', 'ratings', '--version', 'v-faulty']);
    const statuses = new Set<number>();
    await eventually(async () => {
      const answer = await call(`${ratings.url}/ratings/0`);
      statuses.add(answer.status);
      if (answer.status === 503) assert.deepEqual(json(answer), { error: 'Service unavailable' });
      return statuses.size === 2 ? true : undefined;
    }, 10_000, 'both a 200 and a 503 from v-faulty');
    assert.deepEqual([...statuses].sort(), [200, 503]);
  });

  it('ratings v-unavailable and v-unhealthy toggle with their period', async function () {
    const [unavailable, unhealthy] = await Promise.all([
      fleet.start(['--service', 'ratings', '--version', 'v-unavailable', '--toggle-period-ms', '300']),
      fleet.start(['--service', 'ratings', '--version', 'v-unhealthy', '--toggle-period-ms', '300']),
    ]);
    await eventually(async () => ((await call(`${unavailable.url}/ratings/0`)).status === 503 ? true : undefined), 10_000, 'v-unavailable to answer 503');
    await eventually(async () => ((await call(`${unavailable.url}/ratings/0`)).status === 200 ? true : undefined), 10_000, 'v-unavailable to recover');
    const sick = await eventually(async () => {
      const answer = await call(`${unhealthy.url}/health`);
      return answer.status === 500 ? answer : undefined;
    }, 10_000, 'v-unhealthy to report unhealthy');
    assert.deepEqual(json(sick), { status: 'Ratings is not healthy' });
    assert.equal((await call(`${unavailable.url}/health`)).status, 200, 'v-unavailable stays healthy');
  });

  it('ratings v-delayed answers after its configured delay', async function () {
    const ratings = await fleet.start(['--service', 'ratings', '--version', 'v-delayed', '--delay-ms', '50']);
    const answers = await Promise.all(Array.from({ length: 6 }, () => call(`${ratings.url}/ratings/0`)));
    assert.ok(answers.every((a) => a.status === 200));
    assert.deepEqual(json(answers[0]!), { id: 0, ratings: { Reviewer1: 5, Reviewer2: 4 } });
  });
});
