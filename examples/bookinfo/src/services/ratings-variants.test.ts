// Unit tests of the ratings failure variants, by table over random draws and elapsed time.
import assert from 'node:assert/strict';
import { decideRatingsGet, toggleState } from './ratings-variants';
import type { RatingsVersion } from './ratings-variants';

const settings = { delayMs: 7_000, periodMs: 60_000 };

describe('ratings variants', function () {
  const table: Array<[RatingsVersion, number, number, ReturnType<typeof decideRatingsGet>]> = [
    ['v1', 0.1, 0, { kind: 'answer' }],
    ['v1', 0.9, 120_000, { kind: 'answer' }],
    ['v-faulty', 0.2, 0, { kind: 'unavailable' }],
    ['v-faulty', 0.5, 0, { kind: 'unavailable' }],
    ['v-faulty', 0.51, 0, { kind: 'answer' }],
    ['v-delayed', 0.3, 0, { kind: 'delay', ms: 7_000 }],
    ['v-delayed', 0.8, 0, { kind: 'answer' }],
    ['v-unavailable', 0.1, 0, { kind: 'answer' }],
    ['v-unavailable', 0.1, 59_999, { kind: 'answer' }],
    ['v-unavailable', 0.1, 60_000, { kind: 'unavailable' }],
    ['v-unavailable', 0.1, 119_999, { kind: 'unavailable' }],
    ['v-unavailable', 0.1, 120_000, { kind: 'answer' }],
    ['v-unhealthy', 0.1, 30_000, { kind: 'answer' }],
    ['v-unhealthy', 0.1, 90_000, { kind: 'unavailable' }],
  ];
  for (const [version, random, elapsed, expected] of table) {
    it(`${version} with random ${random} after ${elapsed} ms → ${expected.kind}`, function () {
      assert.deepEqual(decideRatingsGet(version, random, elapsed, settings), expected);
    });
  }

  it('only v-unhealthy turns unhealthy', function () {
    assert.deepEqual(toggleState('v-unhealthy', 60_000, 60_000), { available: false, healthy: false });
    assert.deepEqual(toggleState('v-unavailable', 60_000, 60_000), { available: false, healthy: true });
    assert.deepEqual(toggleState('v-faulty', 60_000, 60_000), { available: true, healthy: true });
    assert.deepEqual(toggleState('v-unhealthy', -5, 60_000), { available: true, healthy: true });
  });
});
