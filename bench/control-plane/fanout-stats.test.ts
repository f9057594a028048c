import assert from 'node:assert/strict';
import { parseOptions } from '../harness/options';
import { bytesPerClient, fanoutGoals, percentile, resyncMs, rssSlopePerClient, summarizeApplies } from './fanout-stats';

describe('fan-out stats', () => {
  it('takes nearest-rank percentiles and ignores NaN', () => {
    const values = [5, 1, 4, 2, 3, Number.NaN];
    const cases: [number, number][] = [[0, 1], [20, 1], [50, 3], [80, 4], [99, 5], [100, 5]];
    for (const [p, expected] of cases) assert.equal(percentile(values, p), expected, `p${p}`);
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.throws(() => percentile([1], 101), /p must be in \[0, 100\]/);
  });

  it('summarises applies: latencies from the apply, last ACK per apply, missing ACKs at the timeout', () => {
    const summary = summarizeApplies(
      [
        { appliedAt: 1_000, ackedAt: [1_010, 1_020, 1_100], bytes: [800, 800, 900] },
        { appliedAt: 5_000, ackedAt: [5_030, Number.NaN, 5_040], bytes: [800, 0, 800] },
      ],
      2_000,
    );
    assert.deepEqual(summary, {
      applies: 2,
      ackP50Ms: 30,
      ackP99Ms: 100,
      lastAckMedianMs: 1_050,
      lastAckMaxMs: 2_000,
      missingAcks: 1,
      bytesPerClientPerChange: 800,
    });
    assert.throws(() => summarizeApplies([], 1), /no applies/);
  });

  it('computes memory per client and resync time', () => {
    assert.equal(bytesPerClient(100_000_000, 105_120_000, 100), 51_200);
    assert.throws(() => bytesPerClient(1, 2, 0), /clients must be > 0/);
    assert.equal(resyncMs(1_000, [2_500, 3_000, 2_000]), 2_000);
    assert.ok(Number.isNaN(resyncMs(1_000, [2_500, Number.NaN])));
    assert.ok(Number.isNaN(resyncMs(1_000, [])));
  });

  it('judges the issue-3 goals that apply at each size', () => {
    const summary = { applies: 3, ackP50Ms: 80, ackP99Ms: 500, lastAckMedianMs: 600, lastAckMaxMs: 900, missingAcks: 0, bytesPerClientPerChange: 1_500 };
    const at1000 = fanoutGoals(1_000, summary, 40 * 1024, 4_000);
    assert.deepEqual(at1000.map((v) => [v.target, v.met]), [
      ['≤ 1000 ms', true],
      ['≤ 100 ms', true],
      ['≤ 5 s', true],
      ['≤ 1 KB', false],
      ['≤ 50 KB', true],
    ]);
    const at5000 = fanoutGoals(5_000, { ...summary, lastAckMaxMs: 3_500 }, 60 * 1024, Number.NaN);
    assert.deepEqual(at5000.map((v) => [v.target, v.met]), [
      ['≤ 3000 ms', false],
      ['≤ 15 s', false],
      ['≤ 1 KB', false],
      ['≤ 50 KB', false],
    ]);
    assert.equal(fanoutGoals(100, summary, 0, 0).length, 2);
    assert.equal(fanoutGoals(1_000, { ...summary, missingAcks: 1 }, 0, 0)[0]!.met, false);
  });

  it('takes the RSS slope per client over the large sizes', () => {
    const points = [
      { clients: 100, rss: 130e6 },
      { clients: 1_000, rss: 170e6 },
      { clients: 5_000, rss: 370e6 },
    ];
    assert.equal(rssSlopePerClient(points), 50_000);
    assert.equal(rssSlopePerClient(points.slice(0, 2))!.toFixed(0), (40e6 / 900).toFixed(0));
    assert.equal(rssSlopePerClient(points.slice(0, 1)), undefined);
    assert.equal(rssSlopePerClient([{ clients: 1_000, rss: 1 }, { clients: 1_000, rss: 2 }]), undefined);
  });

  it('reads --xds-clients', () => {
    assert.deepEqual(parseOptions(['--xds-clients', '100, 2000']).settings.xdsClients, [100, 2_000]);
    assert.equal(parseOptions([]).settings.xdsClients, undefined);
    assert.throws(() => parseOptions(['--xds-clients', '100,x']), /--xds-clients must be a positive integer \(got "x"\)/);
  });
});
