// Weighted cluster selection: distribution over 10 000 seeded picks (chi-square), order walk,
// zero weights, and the header-provided random value.

import assert from 'node:assert/strict';
import { mulberry32 } from '../balancing/random';
import { NO_HEADER_MUTATION } from '../snapshot/compile-headers';
import { RequestView } from './request-view';
import { pickWeightedCluster } from './split';
import type { WeightedClusterEntry } from './types';

const entry = (name: string, weight: number): WeightedClusterEntry => ({ name, weight, requestHeaders: NO_HEADER_MUTATION, responseHeaders: NO_HEADER_MUTATION, filterOverrides: new Map() });

function chiSquare(observed: readonly number[], weights: readonly number[], n: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  return observed.reduce((acc, o, i) => {
    const expected = (n * weights[i]!) / total;
    return expected === 0 ? acc : acc + ((o - expected) ** 2) / expected;
  }, 0);
}

describe('pickWeightedCluster', () => {
  it('50/50 (virtual-service-reviews-50-v3.yaml) over 10 000 picks passes chi-square (df 1, p = 0.001: 10.83)', () => {
    const clusters = [entry('v1', 50), entry('v3', 50)];
    const random = mulberry32(2024);
    const counts = [0, 0];
    for (let i = 0; i < 10_000; i++) counts[pickWeightedCluster(clusters, 100, random).index]!++;
    assert.ok(chiSquare(counts, [50, 50], 10_000) < 10.83, `counts ${counts}`);
  });

  it('80/20 and three-way 10/30/60 splits pass chi-square', () => {
    for (const weights of [[80, 20], [10, 30, 60]]) {
      const clusters = weights.map((w, i) => entry(`c${i}`, w));
      const total = weights.reduce((a, b) => a + b, 0);
      const random = mulberry32(99);
      const counts = weights.map(() => 0);
      for (let i = 0; i < 10_000; i++) counts[pickWeightedCluster(clusters, total, random).index]!++;
      const critical = weights.length === 2 ? 10.83 : 13.82; // p = 0.001
      assert.ok(chiSquare(counts, weights, 10_000) < critical, `weights ${weights}: counts ${counts}`);
    }
  });

  it('weights are relative integers (no need to sum to 100, Istio ≥ 1.15)', () => {
    const clusters = [entry('a', 1), entry('b', 3)];
    const random = mulberry32(5);
    const counts = [0, 0];
    for (let i = 0; i < 10_000; i++) counts[pickWeightedCluster(clusters, 4, random).index]!++;
    assert.ok(chiSquare(counts, [1, 3], 10_000) < 10.83);
  });

  it('walks the entries in order over [0, total): value v goes to the entry whose range holds it', () => {
    const clusters = [entry('a', 10), entry('b', 0), entry('c', 20)];
    const at = (x: number) => pickWeightedCluster(clusters, 30, () => x).entry.name;
    assert.equal(at(0), 'a');
    assert.equal(at(9.99 / 30), 'a');
    assert.equal(at(10 / 30), 'c'); // b has weight 0: never chosen
    assert.equal(at(0.999999), 'c');
  });

  it('a zero-weight entry never receives traffic', () => {
    const clusters = [entry('a', 0), entry('b', 1)];
    const random = mulberry32(1);
    for (let i = 0; i < 1000; i++) assert.equal(pickWeightedCluster(clusters, 1, random).entry.name, 'b');
  });

  it('header_name: the request supplies the random value (consistent across hops)', () => {
    const clusters = [entry('a', 50), entry('b', 50)];
    const view = (v: string) => new RequestView({ authority: 'x', method: 'GET', path: '/', headers: { 'x-rand': v } });
    const pick = (v: string) => pickWeightedCluster(clusters, 100, () => 0.99, { randomValueHeader: 'x-rand', view: view(v) }).entry.name;
    assert.equal(pick('10'), 'a');
    assert.equal(pick('160'), 'b'); // 160 % 100 = 60
    assert.equal(pick('18446744073709551615'), 'a'); // 2^64-1 % 100 = 15
    assert.equal(pick('not-a-number'), 'b'); // falls back to the random source (0.99)
  });
});
