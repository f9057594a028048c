// Priority load and panic against the examples in Envoy's "Priority levels" and "Panic threshold" docs.

import assert from 'node:assert/strict';
import { computePriorityLoad } from './priority-load';

const level = (healthyPercent: number) => ({ total: 100, healthy: healthyPercent, degraded: 0 });

describe('computePriorityLoad', () => {
  // Envoy docs (priority levels): P=0 healthy share → traffic to P=0 / P=1, overprovisioning 1.4.
  for (const [p0, expected] of [[100, [100, 0]], [72, [100, 0]], [71, [99, 1]], [50, [70, 30]], [25, [35, 65]], [0, [0, 100]]] as const) {
    it(`P0 ${p0} % healthy, P1 100 % → ${expected.join('/')}`, () => {
      assert.deepEqual(computePriorityLoad([level(p0), level(100)], 140, 50).healthy, expected);
    });
  }

  it('three levels: 20 % / 20 % / 100 % → 28 / 28 / 44', () => {
    assert.deepEqual(computePriorityLoad([level(20), level(20), level(100)], 140, 50).healthy, [28, 28, 44]);
  });

  it('normalized total below 100: load is scaled up by total health', () => {
    // P0 20 % → 28, P1 10 % → 14; total 42 → P0 66, P1 33 (+1 rounding to the first level).
    const load = computePriorityLoad([level(20), level(10)], 140, 0);
    assert.deepEqual(load.healthy, [67, 33]);
    assert.deepEqual(load.panic, [false, false]);
  });

  it('panic is ignored while total normalized health is 100 %', () => {
    const load = computePriorityLoad([level(25), level(100)], 140, 50);
    assert.deepEqual(load.panic, [false, false]);
  });

  it('a level below the threshold is in panic only when total health is short', () => {
    const load = computePriorityLoad([level(40), level(20)], 140, 50);
    // 56 + 28 = 84 < 100: both below 50 % available → both in panic → total panic: load by host count
    assert.equal(load.totalPanic, true);
    assert.deepEqual(load.healthy, [50, 50]);
  });

  it('an empty cluster level sends everything to P0', () => {
    assert.deepEqual(computePriorityLoad([{ total: 0, healthy: 0, degraded: 0 }], 140, 0).healthy, [100]);
  });

  it('custom overprovisioning factor 100: 50 % healthy gives 50 % load', () => {
    assert.deepEqual(computePriorityLoad([level(50), level(100)], 100, 50).healthy, [50, 50]);
  });
});
