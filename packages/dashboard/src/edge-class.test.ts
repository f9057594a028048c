import assert from 'node:assert/strict';
import { edgeHealth, edgeLabel, formatMs } from './edge-class';
import type { GraphEdge } from './types';

describe('dashboard: edge classes and labels', () => {
  it('classes error ratios as Kiali does: 0 healthy, above 0 degraded, from 10 % failing', () => {
    const table: [number, string][] = [[0, 'healthy'], [0.0001, 'degraded'], [0.099, 'degraded'], [0.1, 'failing'], [1, 'failing']];
    for (const [ratio, want] of table) assert.equal(edgeHealth(ratio), want, String(ratio));
  });

  it('labels an edge with rate, error percentage, p99 and the mTLS marker', () => {
    const edge = { rate: 1.234, errorRatio: 0.5, p99Ms: 497.5, mtls: 'mutual_tls' } as GraphEdge;
    assert.equal(edgeLabel(edge), 'mTLS · 1.23 rps · 50.0 % · p99 498 ms');
    assert.equal(edgeLabel({ ...edge, mtls: 'unknown', p99Ms: null }), '1.23 rps · 50.0 % · p99 –');
    assert.equal(formatMs(2500), '2.50 s');
    assert.equal(formatMs(4.25), '4.3 ms');
  });
});
