// Tables for circuit-breaker and outlier-detection compilation: Envoy's first-entry-wins rule for
// repeated priorities, and the outlier settings Envoy rejects.

import assert from 'node:assert/strict';
import { compileCircuitBreakers, compileOutlierDetection } from './compile-cluster-limits';
import { Issues } from './proto-readers';

describe('compileCircuitBreakers', () => {
  it('keeps the first thresholds entry of a priority and notes the repeat', () => {
    const issues = new Issues();
    const cb = compileCircuitBreakers({ thresholds: [{ max_requests: 7 }, { priority: 'DEFAULT', max_requests: 9 }] }, 'circuit_breakers', issues);
    assert.equal(cb.default.maxRequests, 7);
    assert.equal(issues.errors.length, 0);
    assert.match(issues.notes.map((n) => `${n.path}: ${n.message}`).join('\n'), /thresholds\[1\]: a second thresholds entry for priority DEFAULT/);
  });
});

describe('compileOutlierDetection', () => {
  const cases: { name: string; config: Record<string, unknown>; error?: RegExp }[] = [
    { name: 'zero interval', config: { interval: { seconds: 0 } }, error: /interval: must be greater than 0/ },
    { name: 'zero base ejection time', config: { base_ejection_time: { seconds: 0 } }, error: /base_ejection_time: must be greater than 0/ },
    { name: 'max below base', config: { base_ejection_time: { seconds: 60 }, max_ejection_time: { seconds: 30 } }, error: /max_ejection_time: 30000 ms is less than base_ejection_time \(60000 ms\)/ },
    { name: 'valid', config: { base_ejection_time: { seconds: 1 }, max_ejection_time: { seconds: 2 }, interval: { seconds: 1 } } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const issues = new Issues();
      compileOutlierDetection(c.config, 'outlier_detection', issues);
      const text = issues.errors.map((e) => `${e.path}: ${e.message}`).join('\n');
      if (c.error) assert.match(text, c.error);
      else assert.equal(text, '');
    });
  }

  it('notes monitors as not honoured', () => {
    const issues = new Issues();
    compileOutlierDetection({ monitors: [{ name: 'm' }] }, 'outlier_detection', issues);
    assert.ok(issues.notes.some((n) => n.path === 'outlier_detection.monitors'), JSON.stringify(issues.notes));
  });
});
