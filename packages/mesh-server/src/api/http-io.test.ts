import assert from 'node:assert/strict';
import { ApiError } from './api-error';
import { jsonErrorOffset, parseJsonText } from './http-io';

describe('api http-io', () => {
  describe('jsonErrorOffset finds the first syntax error', () => {
    const table: [string, number][] = [
      ['{"a":}', 5],
      ['{"a":1,}', 7],
      ['[1 2]', 3],
      ['{"a":1}x', 7],
      ['{"a":tru}', 8],
      ['{"a":1', 6],
      ['', 0],
      ['{"a":\n  }', 8],
    ];
    for (const [text, offset] of table) {
      it(JSON.stringify(text), () => assert.equal(jsonErrorOffset(text), offset));
    }
  });

  it('parseJsonText names line and column in a 400', () => {
    assert.throws(
      () => parseJsonText('{\n  "documents": [1,,2]\n}'),
      (e: unknown) => e instanceof ApiError && e.status === 400 && e.code === 'BAD_JSON' && /line 2, column 19/.test(e.message) && e.details.line === 2,
    );
  });

  it('parseJsonText returns the value of valid JSON', () => {
    assert.deepEqual(parseJsonText('{"a":[1,2]}'), { a: [1, 2] });
  });
});
