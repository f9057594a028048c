// Unit tests of the reviews answer and its per-version settings.
import assert from 'node:assert/strict';
import { buildReviewsAnswer, parseReviewsId, ratingsTimeoutMs, reviewsFlavour } from './reviews';

describe('reviews', function () {
  it('maps versions to ratings and colours; timeouts follow the colour', function () {
    assert.deepEqual(reviewsFlavour('v1'), { ratingsEnabled: false, starColor: 'black' });
    assert.deepEqual(reviewsFlavour('v2'), { ratingsEnabled: true, starColor: 'black' });
    assert.deepEqual(reviewsFlavour('v3'), { ratingsEnabled: true, starColor: 'red' });
    assert.deepEqual(reviewsFlavour('v2', 'blue'), { ratingsEnabled: true, starColor: 'blue' });
    assert.throws(() => reviewsFlavour('v4'), /reviews version "v4" is not known/);
    assert.equal(ratingsTimeoutMs('black'), 10_000);
    assert.equal(ratingsTimeoutMs('red'), 2_500);
  });

  const pod = { podName: 'reviews-v2-abc' };
  it('v1 answers without any rating key', function () {
    const answer = buildReviewsAnswer(0, reviewsFlavour('v1'), { ratings: { Reviewer1: 5 } }, pod);
    assert.equal(answer.id, '0');
    assert.equal(answer.clustername, 'null');
    assert.ok(answer.reviews.every((review) => !('rating' in review)));
  });

  it('v2/v3 rate each reviewer, or mark the rating unavailable', function () {
    const rated = buildReviewsAnswer(3, reviewsFlavour('v3'), { id: 3, ratings: { Reviewer1: 5, Reviewer2: 4 } }, { ...pod, clusterName: 'east' });
    assert.deepEqual(rated.reviews.map((r) => r.rating), [{ stars: 5, color: 'red' }, { stars: 4, color: 'red' }]);
    assert.equal(rated.clustername, 'east');
    const partial = buildReviewsAnswer(0, reviewsFlavour('v2'), { ratings: { Reviewer1: 2 } }, pod);
    assert.deepEqual(partial.reviews.map((r) => r.rating), [{ stars: 2, color: 'black' }, { error: 'Ratings service is currently unavailable' }]);
    const failed = buildReviewsAnswer(0, reviewsFlavour('v2'), undefined, pod);
    assert.ok(failed.reviews.every((r) => JSON.stringify(r.rating) === '{"error":"Ratings service is currently unavailable"}'));
  });

  it('parses ids as Java ints', function () {
    assert.equal(parseReviewsId('0'), 0);
    assert.equal(parseReviewsId('-3'), -3);
    assert.equal(parseReviewsId('abc'), undefined);
    assert.equal(parseReviewsId('1.5'), undefined);
    assert.equal(parseReviewsId('2147483648'), undefined);
  });
});
