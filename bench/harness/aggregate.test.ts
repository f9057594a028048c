import assert from 'node:assert/strict';
import type { LatencySummary } from '../load/histogram';
import { compare, errorTotal, median, pathCpuUsPerRequest, rotate, spread, sumErrors, summarize, versus, type MeasuredPhase, type RoundFigures } from './aggregate';

function latency(p50: number, p99: number): LatencySummary {
  return { count: 100, mean: p50, p50, p90: p50, p99, p999: p99, max: p99 };
}

function phase(mode: 'closed' | 'open', figures: { throughput: number; p50: number; p99: number; cpu: number; proxyCpu?: number; errors?: Record<string, number> }): MeasuredPhase {
  return {
    mode,
    windowMs: 1000,
    ok: figures.throughput,
    errors: figures.errors ?? {},
    throughput: figures.throughput,
    latency: latency(figures.p50, figures.p99),
    cpuUsPerRequest: figures.cpu,
    cpuCores: 0.5,
    eventLoopUtilization: 0.9,
    serverCpuUsPerRequest: 20,
    serverCpuCores: 0.4,
    proxyCpuUsPerRequest: figures.proxyCpu ?? 0,
    proxyCpuCores: 0,
    backgroundCpuCores: 0.01,
  };
}

function round(throughput: number, p50: number, p99: number, cpu: number, proxyCpu = 0): RoundFigures {
  return {
    closed: phase('closed', { throughput, p50: p50 * 10, p99: p99 * 10, cpu, proxyCpu }),
    open: phase('open', { throughput: 1000, p50, p99, cpu: cpu * 2, proxyCpu }),
    peakRssMb: 100 + throughput / 1000,
  };
}

describe('aggregation over rounds', () => {
  it('takes medians (mean of the middle two for an even count)', () => {
    const cases: [number[], number][] = [[[], 0], [[7], 7], [[3, 1, 2], 2], [[4, 1, 3, 2], 2.5], [[5, 5, 100], 5]];
    for (const [values, expected] of cases) assert.equal(median(values), expected, values.join(','));
  });

  it('reports median, min and max rounded', () => {
    assert.deepEqual(spread([0.5123, 0.4987, 0.5555], 2), { median: 0.51, min: 0.5, max: 0.56 });
    assert.deepEqual(spread([]), { median: 0, min: 0, max: 0 });
  });

  it('sums error counts by kind over rounds', () => {
    const total = sumErrors([{ HTTP_503: 2 }, {}, { HTTP_503: 1, ECONNRESET: 4 }]);
    assert.deepEqual(total, { HTTP_503: 3, ECONNRESET: 4 });
    assert.equal(errorTotal(total), 7);
  });

  it('compares round i with round i and takes medians of the ratios and differences', () => {
    const baseline = [round(20_000, 200, 900, 40), round(10_000, 300, 1_000, 42), round(20_000, 210, 950, 41)];
    const proxied = [round(10_000, 320, 1_300, 50, 60), round(6_000, 400, 1_200, 52, 58), round(9_000, 330, 1_250, 49, 61)];
    const comparison = compare('raw', proxied, baseline);
    assert.equal(comparison.baseline, 'raw');
    // per-round ratios 0.5, 0.6, 0.45 → median 0.5 (an unpaired median of medians would give 9000/20000 = 0.45)
    assert.deepEqual(comparison.throughputRatio, { median: 0.5, min: 0.45, max: 0.6 });
    assert.deepEqual(comparison.addedP50Us, { median: 120, min: 100, max: 120 });
    assert.deepEqual(comparison.addedP99Us, { median: 300, min: 200, max: 400 });
    // path CPU = client + proxy: (110−40, 110−42, 110−41) → 68, 68, 69
    assert.deepEqual(comparison.addedPathCpuUsPerRequest, { median: 69, min: 68, max: 70 });
  });

  it('pairs only the rounds both sides have, and refuses when none pair', () => {
    const comparison = compare('raw', [round(5_000, 100, 200, 10), round(5_000, 100, 200, 10)], [round(10_000, 100, 200, 10)]);
    assert.equal(comparison.throughputRatio.median, 0.5);
    assert.throws(() => compare('raw', [round(1, 1, 1, 1)], []), /no measured round to compare with baseline "raw"/);
  });

  it('adds proxy CPU to the client CPU for the request path', () => {
    assert.equal(pathCpuUsPerRequest(round(1, 1, 1, 30, 45).closed), 75);
  });

  it('summarises a scenario with medians, summed errors and the peak RSS', () => {
    const rounds = [round(20_000, 200, 900, 40), round(10_000, 300, 1_000, 42), round(30_000, 210, 950, 41)];
    const summary = summarize(rounds);
    assert.equal(summary.rounds, 3);
    assert.equal(summary.closed.throughput, 20_000);
    assert.equal(summary.open.p50Us, 210);
    assert.equal(summary.open.p99Us, 950);
    assert.equal(summary.closed.clientCpuUsPerRequest, 41);
    assert.equal(summary.peakRssMb, 130);
    assert.equal(summary.backgroundCpuCores, 0.01);
    assert.equal(summary.disturbedRounds, 0);
    assert.equal(summarize(rounds, 0.01).disturbedRounds, 3);
  });

  it('rotates the order by one place per round', () => {
    assert.deepEqual(rotate(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
    assert.deepEqual(rotate(['a', 'b', 'c'], 1), ['b', 'c', 'a']);
    assert.deepEqual(rotate(['a', 'b', 'c'], 4), ['b', 'c', 'a']);
    assert.deepEqual(rotate([], 2), []);
  });

  it('sets a row against another: paired throughput ratio and the ratio of added latencies', () => {
    const raw = [round(30_000, 200, 800, 30), round(28_000, 210, 900, 31)];
    const mesh = [round(27_000, 210, 850, 32), round(26_600, 218, 930, 33)];
    const sidecar = [round(12_000, 350, 1_800, 40, 55), round(14_000, 370, 1_700, 41, 56)];
    const result = versus('sidecar', mesh, sidecar, compare('raw', mesh, raw), compare('raw', sidecar, raw));
    // rounds: 27000/12000 = 2.25, 26600/14000 = 1.9 → median 2.075
    assert.deepEqual(result.throughputRatio, { median: 2.075, min: 1.9, max: 2.25 });
    // added p50: mesh (10, 8) → 9; sidecar (150, 160) → 155; 9 / 155
    assert.equal(result.addedP50Ratio, Number((9 / 155).toFixed(3)));
    assert.equal(result.addedP99Ratio, Number((40 / 900).toFixed(3)));
  });

  it('leaves the latency ratios out when the other row added no latency or was not compared', () => {
    const raw = [round(30_000, 200, 800, 30)];
    const faster = [round(31_000, 190, 700, 30)];
    const result = versus('faster', raw, faster, undefined, compare('raw', faster, raw));
    assert.equal(result.addedP50Ratio, undefined);
    assert.equal(versus('faster', faster, raw, compare('raw', faster, raw), compare('raw', faster, raw)).addedP50Ratio, undefined);
  });
});
