import assert from 'node:assert/strict';
import { summarize, type RoundFigures } from './aggregate';
import { parseOptions } from './options';
import { latencyTable, reportNotes, throughputTable } from './load-report';
import type { LoadGroupReport } from './load-group';

function figures(throughput: number, p50: number, proxyCpu: number, background = 0): RoundFigures {
  const phase = (mode: 'closed' | 'open', rate: number) => ({
    mode,
    windowMs: 5000,
    ok: rate * 5,
    errors: {},
    throughput: rate,
    latency: { count: rate * 5, mean: p50, p50, p90: p50 * 2, p99: p50 * 4, p999: p50 * 8, max: p50 * 10 },
    ...(mode === 'open' ? { offeredRate: 1000 } : {}),
    cpuUsPerRequest: 40,
    cpuCores: 0.9,
    eventLoopUtilization: 1,
    serverCpuUsPerRequest: 30,
    serverCpuCores: 0.6,
    proxyCpuUsPerRequest: proxyCpu,
    proxyCpuCores: 0.3,
    backgroundCpuCores: background,
  });
  return { closed: phase('closed', throughput), open: phase('open', openRate(throughput)), peakRssMb: 110 };
}

/** The open loop reaches its 1,000 req/s unless the closed loop says the client cannot. */
function openRate(throughput: number): number {
  return throughput >= 1000 ? 1000 : throughput;
}

const report: LoadGroupReport = {
  kind: 'load',
  servers: [{ kind: 'http', description: 'node:http', cpuUsPerRequest: 30, capacityPerCore: 33_333, busiestCores: 0.95 }],
  proxies: [{ name: 'haproxy', version: 'HAProxy version 2.6' }],
  scenarios: [
    { id: 'raw', label: 'raw', driver: 'undici-pool', path: 'p', status: 'ran', summary: summarize([figures(20_000, 150, 0)]) },
    {
      id: 'hop', label: 'hop', driver: 'undici-pool', path: 'p', baseline: 'raw', status: 'ran',
      summary: summarize([figures(10_000, 260, 35, 0.4), figures(10_000, 260, 35, 0)], 0.15),
      comparison: {
        baseline: 'raw',
        throughputRatio: { median: 0.5, min: 0.45, max: 0.55 },
        addedP50Us: { median: 110, min: 100, max: 120 },
        addedP99Us: { median: 440, min: 400, max: 480 },
        addedPathCpuUsPerRequest: { median: 35, min: 34, max: 36 },
      },
    },
    { id: 'orphan', label: 'orphan', driver: 'axios', path: 'p', baseline: 'gone', status: 'ran', summary: summarize([figures(500, 400, 0)]) },
    { id: 'nginx', label: 'nginx hop', driver: 'undici-pool', path: 'p', baseline: 'raw', status: 'not-run', reason: 'install nginx-light' },
    { id: 'bad', label: 'bad hop', driver: 'undici-pool', path: 'p', baseline: 'raw', status: 'failed', reason: 'nginx did not start' },
  ],
  notes: ['a note'],
};

describe('load group report', () => {
  const settings = parseOptions([]).settings;

  it('shows throughput rows with their ratio to the baseline, n/a when the baseline is missing', () => {
    const table = throughputTable(report, settings);
    assert.deepEqual(table.rows.map((row) => [row[0], row[1], row[2], row[5]]), [
      ['raw', '20,000', 'baseline', '–'],
      ['hop', '10,000', '0.50× (0.45–0.55)', '+35.0'],
      ['orphan', '500', 'n/a', '–'],
    ]);
  });

  it('shows latency rows with added p50/p99, and marks a row that could not keep the rate', () => {
    const table = latencyTable(report, settings);
    assert.deepEqual(table.rows.map((row) => [row[0], row[1], row[6], row[7], row[9]]), [
      ['raw', '150', 'baseline', 'baseline', '1,000'],
      ['hop', '260', '+110', '+440', '1,000'],
      ['orphan', '400', 'n/a', 'n/a', '500 SATURATED'],
    ]);
  });

  it('lists NOT RUN and FAILED rows, the server capacity, and warns about a busy machine', () => {
    const notes = reportNotes(report);
    assert.ok(notes.includes('NOT RUN: nginx hop: install nginx-light'));
    assert.ok(notes.includes('FAILED: bad hop: nginx did not start'));
    assert.ok(notes.some((line) => /≈33,333 req\/s per core; busiest row kept it 95% busy \(WARNING: it may be the bottleneck\)/.test(line)));
    assert.ok(notes.some((line) => line.startsWith('WARNING: in 1 of 4 measurements other processes used ≥ 0.15 cores (worst 0.40)')), notes.join('\n'));
    assert.ok(notes.includes('a note'));
  });

  it('sets a row against the rows it names, with the ratio of added latencies', () => {
    const withVersus: LoadGroupReport = {
      ...report,
      scenarios: report.scenarios.map((scenario) =>
        scenario.id === 'orphan'
          ? { ...scenario, comparison: { ...report.scenarios[1]!.comparison!, addedP50Us: { median: 11, min: 11, max: 11 }, addedP99Us: { median: 44, min: 44, max: 44 } },
              versus: [{ other: 'hop', throughputRatio: { median: 2.1, min: 2, max: 2.2 }, addedP50Ratio: 0.1, addedP99Ratio: 0.1 }] }
          : scenario,
      ),
    };
    assert.ok(reportNotes(withVersus).includes('orphan vs hop: 2.10× (2.00–2.20) the throughput; added p50 +11.0 vs +110 µs (0.10×); added p99 +44.0 vs +440 µs (0.10×)'));
  });
});
