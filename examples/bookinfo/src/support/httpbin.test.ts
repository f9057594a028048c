// Unit tests of the echo service's pure helpers.
import assert from 'node:assert/strict';
import { pickStatus, titleCaseHeader } from './httpbin';

describe('httpbin helpers', function () {
  it('title-cases header names', function () {
    assert.equal(titleCaseHeader('x-request-id'), 'X-Request-Id');
    assert.equal(titleCaseHeader('host'), 'Host');
  });

  const table: Array<[string, number, number]> = [
    ['503', 0.99, 503],
    ['200,503', 0.2, 200],
    ['200,503', 0.7, 503],
    ['200:3,503:1', 0.74, 200],
    ['200:3,503:1', 0.76, 503],
    ['200:0,503:1', 0.0, 503],
  ];
  for (const [spec, random, expected] of table) {
    it(`/status/${spec} with random ${random} → ${expected}`, function () {
      assert.equal(pickStatus(spec, random), expected);
    });
  }

  it('rejects malformed codes and weights', function () {
    assert.throws(() => pickStatus('abc', 0), /invalid status code/);
    assert.throws(() => pickStatus('99', 0), /invalid status code/);
    assert.throws(() => pickStatus('200:x', 0), /invalid weight/);
    assert.throws(() => pickStatus('200:0', 0), /sum to zero/);
  });
});
