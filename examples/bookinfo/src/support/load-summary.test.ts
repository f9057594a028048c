// Unit tests of the load report: percentiles, statistics and fortio's code lines.
import assert from 'node:assert/strict';
import { callStartTime } from './load-client';
import { codeLines, formatLoadSummary, latencyStats, percentile } from './load-summary';

describe('load summary', function () {
  it('computes nearest-rank percentiles', function () {
    const sorted = Array.from({ length: 10 }, (_, i) => i + 1);
    assert.equal(percentile(sorted, 50), 5);
    assert.equal(percentile(sorted, 90), 9);
    assert.equal(percentile(sorted, 99), 10);
    assert.equal(percentile([], 50), 0);
    assert.equal(percentile([7], 0.1), 7);
  });

  it('computes mean and standard deviation', function () {
    const stats = latencyStats([2, 4, 4, 4, 5, 5, 7, 9]);
    assert.equal(stats.avg, 5);
    assert.equal(stats.stddev, 2);
    assert.equal(stats.min, 2);
    assert.equal(stats.max, 9);
  });

  it('prints fortio code lines sorted by code', function () {
    assert.deepEqual(codeLines(new Map([[503, 3], [200, 17]]), 20), ['Code 200 : 17 (85.0 %)', 'Code 503 : 3 (15.0 %)']);
    assert.deepEqual(codeLines(new Map([[503, 19], [200, 11]]), 30), ['Code 200 : 11 (36.7 %)', 'Code 503 : 19 (63.3 %)']);
    assert.deepEqual(codeLines(new Map([[-1, 2]]), 2), ['Code -1 : 2 (100.0 %)']);
  });

  it('formats a whole report', function () {
    const text = formatLoadSummary({
      url: 'http://x/', connections: 2, requestedQps: 0, calls: 2, elapsedMs: 100,
      codes: new Map([[200, 2]]), latenciesMs: [10, 30], errors: new Map(),
    });
    assert.match(text, /^Ended after 100\.000ms : 2 calls\. qps=20\.00$/m);
    assert.match(text, /^# target 50% 0\.01$/m);
    assert.match(text, /^Code 200 : 2 \(100\.0 %\)$/m);
    assert.match(text, /^All done 2 calls \(plus 0 warmup\) 20\.000 ms avg, 20\.0 qps$/m);
  });

  it('spaces call start times at the requested rate', function () {
    assert.equal(callStartTime(0, 1000, 10), 1000);
    assert.equal(callStartTime(5, 1000, 10), 1500);
    assert.equal(callStartTime(5, 1000, 0), 1000);
  });
});
