// Unit tests of details' answers: the static v1 book and v2's mapping of a Google Books answer.
import assert from 'node:assert/strict';
import { detailsFromGoogleBooks, parseDetailsId, staticBookDetails } from './details';

describe('details', function () {
  it('v1 answers the static book', function () {
    assert.deepEqual(staticBookDetails(4), {
      id: 4, author: 'William Shakespeare', year: 1595, type: 'paperback', pages: 200,
      publisher: 'PublisherA', language: 'English', 'ISBN-10': '1234567890', 'ISBN-13': '123-1234567890',
    });
  });

  it('v2 maps the first Google Books volume', function () {
    const answer = {
      items: [{ volumeInfo: {
        authors: ['William Shakespeare'], publishedDate: '2002', printType: 'BOOK', pageCount: 80, publisher: 'Dover',
        language: 'en', industryIdentifiers: [{ type: 'ISBN_13', identifier: '9780486424613' }, { type: 'ISBN_10', identifier: '0486424618' }],
      } }],
    };
    assert.deepEqual(detailsFromGoogleBooks(0, answer), {
      id: 0, author: 'William Shakespeare', year: '2002', type: 'paperback', pages: 80, publisher: 'Dover',
      language: 'English', 'ISBN-10': '0486424618', 'ISBN-13': '9780486424613',
    });
    assert.throws(() => detailsFromGoogleBooks(0, { items: [] }), /without items\[0\]\.volumeInfo/);
    assert.throws(() => detailsFromGoogleBooks(0, { items: [{ volumeInfo: { industryIdentifiers: [] } }] }), /ISBN_10/);
  });

  it('parses decimal ids only', function () {
    assert.equal(parseDetailsId('12'), 12);
    assert.equal(parseDetailsId('-1'), -1);
    assert.equal(parseDetailsId('details'), undefined);
    assert.equal(parseDetailsId(''), undefined);
  });
});
