// parseDuration: the Go duration syntax Istio accepts, exact to the nanosecond, coded errors.

import assert from 'node:assert/strict';
import { isServerError } from '../errors';
import { parseDuration, parseDurationNanos } from './duration';

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['1s', 1000],
    ['0.5s', 500],
    ['100ms', 100],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2m', 120_000],
    ['1.1s', 1100],
    ['.5s', 500],
    ['1.s', 1000],
    ['250us', 0.25],
    ['250µs', 0.25],
    ['1500ns', 0.0015],
    ['0', 0],
    ['-1s', -1000],
    ['+2s', 2000],
    ['1m0.5s', 60_500],
  ];
  for (const [text, ms] of valid) {
    it(`parses ${JSON.stringify(text)} as ${ms} ms`, () => assert.equal(parseDuration(text), ms));
  }

  it('is exact in nanoseconds (no floating-point drift)', () => {
    assert.equal(parseDurationNanos('1.1s'), 1_100_000_000n);
    assert.equal(parseDurationNanos('0.3s'), 300_000_000n);
    assert.equal(parseDurationNanos('1.0000000019s'), 1_000_000_001n); // truncated below 1 ns
  });

  const invalid: [string, string][] = [
    ['', 'empty'],
    ['10', 'unit is missing'],
    ['1.5', 'unit is missing'],
    ['s', 'is not a number followed by a unit'],
    ['1d', 'is not a number followed by a unit'],
    ['1 s', 'is not a number followed by a unit'],
    ['1S', 'is not a number followed by a unit'],
    ['abc', 'is not a number followed by a unit'],
    ['-', 'empty'],
    ['.s', 'is not a number followed by a unit'],
    ['3000000h', 'larger than 292 years'],
  ];
  for (const [text, fragment] of invalid) {
    it(`rejects ${JSON.stringify(text)} with a coded error`, () => {
      assert.throws(() => parseDuration(text), (e: unknown) => {
        assert.ok(isServerError(e, 'INVALID'), 'code INVALID');
        assert.match(e.message, new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
        assert.match(e.message, /e\.g\. "1s"/);
        assert.equal(e.details.value, text);
        return true;
      });
    });
  }
});
