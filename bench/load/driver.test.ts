import assert from 'node:assert/strict';
import { errorKind, expectOk, NotRunError, RequestFailure } from './driver';
import { createDriver, DRIVER_NAMES } from './drivers';

describe('driver contract', () => {
  it('names an error by its code, else its name', () => {
    const cases: [unknown, string][] = [
      [new RequestFailure('HTTP_503', 'x'), 'HTTP_503'],
      [Object.assign(new Error('reset'), { code: 'ECONNRESET' }), 'ECONNRESET'],
      [Object.assign(new Error('grpc'), { code: 14 }), 'CODE_14'],
      [new TypeError('bad'), 'TypeError'],
      [new NotRunError('later'), 'BENCH_NOT_RUN'],
      ['a string', 'UNKNOWN'],
      [undefined, 'UNKNOWN'],
    ];
    for (const [error, kind] of cases) assert.equal(errorKind(error), kind);
  });

  it('accepts 2xx statuses and codes any other as HTTP_<status>', () => {
    for (const status of [200, 204, 299]) expectOk(status, 'test');
    for (const status of [199, 301, 404, 503]) {
      assert.throws(() => expectOk(status, 'test'), (error: unknown) => error instanceof RequestFailure && error.code === `HTTP_${status}`);
    }
  });

  it('creates every registered driver by name and rejects unknown names with the list', () => {
    for (const name of DRIVER_NAMES) assert.equal(createDriver(name).name, name);
    assert.throws(() => createDriver('curl'), /unknown driver "curl"; known drivers: undici-pool/);
  });
});
