import assert from 'node:assert/strict';
import { LatencyRecorder, nsToUs, summarizeNs, type PercentileSource } from './histogram';

describe('latency histogram summary', () => {
  it('converts nanoseconds to microseconds at 0.1 µs', () => {
    const cases: [number, number][] = [[0, 0], [49, 0], [50, 0.1], [1_000, 1], [123_456, 123.5], [1_000_000, 1000]];
    for (const [ns, us] of cases) assert.equal(nsToUs(ns), us, `${ns} ns`);
  });

  it('asks the histogram for p50/p90/p99/p99.9 and reports µs', () => {
    const asked: number[] = [];
    const fake: PercentileSource = {
      totalCount: 10,
      mean: 2_500,
      maxValue: 9_000_000,
      getValueAtPercentile: (percentile) => {
        asked.push(percentile);
        return percentile * 1_000;
      },
    };
    assert.deepEqual(summarizeNs(fake), { count: 10, mean: 2.5, p50: 50, p90: 90, p99: 99, p999: 99.9, max: 9000 });
    assert.deepEqual(asked, [50, 90, 99, 99.9]);
  });

  it('summarises an empty histogram as zeros', () => {
    assert.deepEqual(new LatencyRecorder().summary(), { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  });

  it('records milliseconds and reads percentiles back within the histogram precision (0.1 %)', () => {
    const recorder = new LatencyRecorder();
    for (let us = 1; us <= 10_000; us++) recorder.recordMs(us / 1000);
    const summary = recorder.summary();
    const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= expected * 0.001 + 0.1, `${actual} ≉ ${expected}`);
    assert.equal(summary.count, 10_000);
    near(summary.p50, 5_000);
    near(summary.p90, 9_000);
    near(summary.p99, 9_900);
    near(summary.p999, 9_990);
    near(summary.max, 10_000);
    near(summary.mean, 5_000.5);
  });

  it('counts a zero or negative duration as the smallest value instead of failing', () => {
    const recorder = new LatencyRecorder();
    recorder.recordMs(0);
    recorder.recordMs(-1);
    assert.equal(recorder.summary().count, 2);
    assert.equal(recorder.summary().max, 0);
  });
});
