// Unit tests of the product page HTML: stars, colours, error texts, escaping.
import assert from 'node:assert/strict';
import { renderProductPage, starsHtml } from './product-page-html';
import { PRODUCTS } from './products';

const count = (text: string, needle: string) => text.split(needle).length - 1;
const reviewsBody = (rating?: unknown) => ({
  id: '0', podname: 'reviews-v2-x', clustername: 'null',
  reviews: [{ reviewer: 'Reviewer1', text: 'A <b>great</b> play', ...(rating ? { rating } : {}) }],
});

describe('product page HTML', function () {
  it('draws filled then outline stars in the colour class', function () {
    const html = starsHtml(4, 'red');
    assert.equal(count(html, 'glyphicon glyphicon-star"'), 4);
    assert.equal(count(html, 'star-empty'), 1);
    assert.ok(html.startsWith('<div class="flex gap-x-1 text-red-500"'));
  });

  it('renders details, reviews with a rating error, the user, and escapes text', function () {
    const html = renderProductPage({
      product: PRODUCTS[0]!,
      user: '<script>',
      details: { status: 200, body: { publisher: 'PublisherA', 'ISBN-10': '1', pages: 2, type: 't', language: 'l' } },
      reviews: { status: 200, body: reviewsBody({ error: 'Ratings service is currently unavailable' }) },
    });
    assert.ok(html.includes('<title>Simple Bookstore App</title>'));
    assert.ok(html.includes('&lt;script&gt;') && !html.includes('<span><script>'));
    assert.ok(html.includes('sign out'));
    assert.ok(html.includes('A &lt;b&gt;great&lt;/b&gt; play'));
    assert.ok(html.includes('Ratings service is currently unavailable'));
    assert.ok(html.includes('Reviews served by: reviews-v2-x') && !html.includes('on cluster'));
  });

  it('shows the error headings and texts when backends failed', function () {
    const html = renderProductPage({
      product: PRODUCTS[0]!,
      user: undefined,
      details: { status: 503, body: { error: 'Sorry, product details are currently unavailable for this book.' } },
      reviews: { status: 500, body: { error: 'Sorry, product reviews are currently unavailable for this book.' } },
    });
    assert.ok(html.includes('Error fetching product details!'));
    assert.ok(html.includes('Error fetching product reviews!'));
    assert.ok(html.includes('id="sign-in-button"'));
    assert.ok(!html.includes('Book Details') && !html.includes('Book Reviews'));
  });

  it('names the cluster unless it is the string "null"', function () {
    const body = { ...reviewsBody(), clustername: 'east' };
    const html = renderProductPage({ product: PRODUCTS[0]!, user: undefined, details: { status: 200, body: {} }, reviews: { status: 200, body } });
    assert.ok(html.includes('on cluster <span>east</span>'));
  });
});
