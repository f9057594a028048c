import assert from 'node:assert/strict';
import type { RoundFigures } from './aggregate';
import type { LoadScenario } from './load-group';
import { scenarioReport, serverReport } from './scenario-report';

function round(throughput: number, p50: number, serverCpu = 30, background = 0): RoundFigures {
  const phase = (mode: 'closed' | 'open') => ({
    mode,
    windowMs: 4000,
    ok: 4000,
    errors: {},
    throughput,
    latency: { count: 4000, mean: p50, p50, p90: p50, p99: p50 * 3, p999: p50 * 5, max: p50 * 9 },
    cpuUsPerRequest: 35,
    cpuCores: 1,
    eventLoopUtilization: 1,
    serverCpuUsPerRequest: serverCpu,
    serverCpuCores: throughput * serverCpu / 1e6,
    proxyCpuUsPerRequest: 0,
    proxyCpuCores: 0,
    backgroundCpuCores: background,
  });
  return { closed: phase('closed'), open: phase('open'), peakRssMb: 100 };
}

const raw: LoadScenario = { id: 'raw', label: 'raw', driver: 'undici-pool', server: 'http' };
const mesh: LoadScenario = { id: 'mesh', label: 'mesh', driver: 'mesh-dispatcher', server: 'http', mesh: true, baseline: 'raw', versus: ['hop', 'missing-hop'] };
const hop: LoadScenario = { id: 'hop', label: 'hop', driver: 'undici-pool', server: 'http', baseline: 'raw' };

describe('scenario report rows', () => {
  const rounds = new Map<string, RoundFigures[]>([
    ['raw', [round(30_000, 200), round(29_000, 210, 30, 0.5)]],
    ['mesh', [round(27_000, 215), round(26_100, 220)]],
    ['hop', [round(13_500, 350), round(13_050, 360)]],
  ]);

  it('compares a row with its baseline and with the rows it is set against that ran', () => {
    const report = scenarioReport(mesh, 'p', rounds, undefined);
    assert.equal(report.status, 'ran');
    assert.equal(report.comparison?.throughputRatio.median, 0.9);
    assert.deepEqual(report.versus?.map((v) => [v.other, v.throughputRatio.median]), [['hop', 2]]);
    assert.deepEqual(report.perRound?.throughput, [27_000, 26_100]);
  });

  it('counts the rounds other processes disturbed', () => {
    assert.equal(scenarioReport(raw, 'p', rounds, undefined).summary?.disturbedRounds, 1);
  });

  it('keeps a stopped row with its status and reason, and a row with no round as NOT RUN', () => {
    assert.deepEqual(scenarioReport(hop, 'p', rounds, { status: 'failed', reason: 'nginx did not start' }), {
      id: 'hop', label: 'hop', driver: 'undici-pool', path: 'p', baseline: 'raw', status: 'failed', reason: 'nginx did not start',
    });
    assert.equal(scenarioReport({ ...hop, id: 'other' }, 'p', rounds, undefined).status, 'not-run');
  });

  it('reports the server cost per request, its capacity per core and its busiest share', () => {
    const rows = [...rounds.keys()].map((id) => scenarioReport(id === 'raw' ? raw : id === 'mesh' ? mesh : hop, 'x → http server', rounds, undefined));
    assert.deepEqual(serverReport({ kind: 'http', description: 'node:http' }, rows), {
      kind: 'http', description: 'node:http', cpuUsPerRequest: 30, capacityPerCore: 33_333, busiestCores: 0.885,
    });
  });
});
