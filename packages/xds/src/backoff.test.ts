// Table tests of the ADS client's reconnect backoff.

import assert from 'node:assert/strict';
import { DEFAULT_BACKOFF, backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const table: [attempt: number, random: number, expected: number][] = [
    [0, 0.5, 1000], // no jitter at the midpoint
    [0, 0, 800], // -20 %
    [0, 0.999999, 1200], // +20 % (rounded)
    [1, 0.5, 1600],
    [2, 0.5, 2560],
    [7, 0.5, 26844],
    [8, 0.5, 30000], // capped
    [8, 0.999999, 30000], // jitter never exceeds the cap
    [50, 0, 24000], // the cap is jittered down
  ];
  for (const [attempt, random, expected] of table) {
    it(`attempt ${attempt}, random ${random} → ${expected} ms`, () => {
      assert.equal(backoffDelay(attempt, () => random, DEFAULT_BACKOFF), expected);
    });
  }

  it('honours custom options', () => {
    assert.equal(backoffDelay(3, () => 0.5, { ...DEFAULT_BACKOFF, initialMs: 10, multiplier: 2, maxMs: 60 }), 60);
    assert.equal(backoffDelay(2, () => 0.5, { ...DEFAULT_BACKOFF, initialMs: 10, multiplier: 2, maxMs: 60 }), 40);
  });
});
