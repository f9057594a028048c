import assert from 'node:assert/strict';
import { isMeshError, RESPONSE_FLAGS_HEADER } from '../errors';
import { seededRandom } from './clock';
import { compileFaultConfig, decideFault, faultAbortReply } from './fault';

const TYPE = 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault';

/** Counts delays, aborts and both over `n` draws. */
function sample(raw: Record<string, unknown>, n = 10_000, seed = 11) {
  const fault = compileFaultConfig({ '@type': TYPE, ...raw });
  const rng = seededRandom(seed);
  let delays = 0;
  let aborts = 0;
  let both = 0;
  for (let i = 0; i < n; i++) {
    const d = decideFault(fault, rng, {});
    if (d.delayMs !== undefined) delays++;
    if (d.abort !== undefined) aborts++;
    if (d.delayMs !== undefined && d.abort !== undefined) both++;
  }
  return { delays, aborts, both };
}

/** |observed − n·p| within 5 binomial standard deviations. */
function near(observed: number, p: number, n = 10_000): boolean {
  return Math.abs(observed - n * p) <= 5 * Math.sqrt(n * p * (1 - p)) + 1e-9;
}

describe('policy/fault', () => {
  it('FractionalPercent odds over 10 000 draws for each denominator', () => {
    const table: [Record<string, unknown>, number][] = [
      [{ numerator: 10, denominator: 'HUNDRED' }, 0.1],
      [{ numerator: 2500, denominator: 'TEN_THOUSAND' }, 0.25],
      [{ numerator: 5000, denominator: 'MILLION' }, 0.005],
      [{ numerator: 100 }, 1],
      [{ numerator: 0 }, 0],
      [{ numerator: 500, denominator: 'HUNDRED' }, 1], // above the denominator: clamped
    ];
    for (const [percentage, p] of table) {
      const { aborts } = sample({ abort: { http_status: 503, percentage } });
      assert.ok(near(aborts, p), `${JSON.stringify(percentage)}: ${aborts} vs ${p * 10_000}`);
    }
    assert.equal(sample({ abort: { http_status: 503 } }).aborts, 0, 'an unset percentage never fires');
  });

  it('delay and abort are drawn independently', () => {
    const { delays, aborts, both } = sample({
      delay: { fixed_delay: { seconds: 7 }, percentage: { numerator: 50 } }, abort: { http_status: 500, percentage: { numerator: 50 } },
    });
    assert.ok(near(delays, 0.5) && near(aborts, 0.5) && near(both, 0.25), `${delays} ${aborts} ${both}`);
  });

  it('the BookInfo faults: a 7 s delay for every request, a 500 abort for every request', () => {
    const rng = seededRandom(1);
    const delay = compileFaultConfig({ delay: { fixed_delay: { seconds: 7 }, percentage: { numerator: 1_000_000, denominator: 'MILLION' } } });
    assert.deepEqual(decideFault(delay, rng, {}), { delayMs: 7000 });
    const abort = compileFaultConfig({ abort: { http_status: 500, percentage: { numerator: 1_000_000, denominator: 'MILLION' } } });
    assert.deepEqual(decideFault(abort, rng, {}), { abort: { httpStatus: 500 } });
    const grpc = compileFaultConfig({ abort: { grpc_status: 14, percentage: { numerator: 100 } } });
    assert.deepEqual(decideFault(grpc, rng, {}), { abort: { grpcStatus: 14 } });
  });

  it('scoping: header matchers, upstream_cluster, downstream_nodes, max_active_faults', () => {
    const rng = () => 0;
    const byHeader = compileFaultConfig({ abort: { http_status: 503, percentage: { numerator: 100 } }, headers: [{ name: 'end-user', string_match: { exact: 'jason' } }] });
    assert.deepEqual(decideFault(byHeader, rng, { 'end-user': 'jason' }), { abort: { httpStatus: 503 } });
    assert.deepEqual(decideFault(byHeader, rng, { 'end-user': 'Jason' }), {});
    assert.deepEqual(decideFault(byHeader, rng, {}), {});
    const byCluster = compileFaultConfig({ abort: { http_status: 503, percentage: { numerator: 100 } }, upstream_cluster: 'ratings' });
    assert.deepEqual(decideFault(byCluster, rng, {}, { upstreamCluster: 'reviews' }), {});
    assert.deepEqual(decideFault(byCluster, rng, {}, { upstreamCluster: 'ratings' }), { abort: { httpStatus: 503 } });
    const byNode = compileFaultConfig({ delay: { fixed_delay: { nanos: 5_000_000 }, percentage: { numerator: 100 } }, downstream_nodes: ['productpage'] });
    assert.deepEqual(decideFault(byNode, rng, { 'x-envoy-downstream-service-node': 'productpage' }), { delayMs: 5 });
    assert.deepEqual(decideFault(byNode, rng, {}), {});
    const limited = compileFaultConfig({ abort: { http_status: 503, percentage: { numerator: 100 } }, max_active_faults: { value: 2 } });
    assert.deepEqual(decideFault(limited, rng, {}, { activeFaults: 1 }), { abort: { httpStatus: 503 } });
    assert.deepEqual(decideFault(limited, rng, {}, { activeFaults: 2 }), {});
  });

  it('header-controlled faults read x-envoy-fault-* only when configured', () => {
    const rng = () => 0;
    const cfg = compileFaultConfig({ delay: { header_delay: {}, percentage: { numerator: 100 } }, abort: { header_abort: {}, percentage: { numerator: 100 } } });
    assert.deepEqual(decideFault(cfg, rng, { 'x-envoy-fault-delay-request': '300', 'x-envoy-fault-abort-request': '429' }), { delayMs: 300, abort: { httpStatus: 429 } });
    assert.deepEqual(decideFault(cfg, rng, { 'x-envoy-fault-abort-request': '700', 'x-envoy-fault-abort-grpc-request': '14' }), { abort: { grpcStatus: 14 } });
    assert.deepEqual(decideFault(cfg, rng, {}), {});
    assert.deepEqual(decideFault(cfg, () => 0.5, { 'x-envoy-fault-delay-request': '300', 'x-envoy-fault-delay-request-percentage': '40' }), {},
      'the header percentage lowers the odds');
    const fixed = compileFaultConfig({ abort: { http_status: 503, percentage: { numerator: 0 } } });
    assert.deepEqual(decideFault(fixed, rng, { 'x-envoy-fault-abort-request': '500', 'x-envoy-fault-abort-request-percentage': '100' }), {},
      'a fixed fault ignores the headers');
    // Envoy reads the header percentage over the configured denominator: 500000 of a MILLION is 50 %.
    const perMillion = compileFaultConfig({ abort: { header_abort: {}, percentage: { numerator: 1_000_000, denominator: 'MILLION' } } });
    const abort500 = { 'x-envoy-fault-abort-request': '500', 'x-envoy-fault-abort-request-percentage': '500000' };
    assert.deepEqual(decideFault(perMillion, () => 0.49, abort500), { abort: { httpStatus: 500 } }, '500000 per million is 50 %: a draw of 0.49 aborts');
    assert.deepEqual(decideFault(perMillion, () => 0.51, abort500), {}, '… and a draw of 0.51 does not');
  });

  it('local replies: status + "fault filter abort" + FI; gRPC gets a trailers-only reply', () => {
    const http = faultAbortReply({ httpStatus: 503 }, false);
    assert.equal(http.status, 503);
    assert.equal(http.body, 'fault filter abort');
    assert.equal(http.headers[RESPONSE_FLAGS_HEADER], 'FI');
    const grpcFromHttp = faultAbortReply({ httpStatus: 503 }, true);
    assert.deepEqual([grpcFromHttp.status, grpcFromHttp.headers['grpc-status'], grpcFromHttp.headers['grpc-message']], [200, '14', 'fault filter abort']);
    const grpc = faultAbortReply({ grpcStatus: 4 }, true);
    assert.equal(grpc.headers['grpc-status'], '4');
    assert.equal(faultAbortReply({ grpcStatus: 4 }, false).status, 200);
  });

  it('rejects an invalid HTTPFault naming the field', () => {
    assert.throws(() => compileFaultConfig({ abort: { http_status: 700, percentage: { numerator: 100 } } }),
      (e: unknown) => isMeshError(e, 'CONFIG_REJECTED') && /abort\.http_status/.test(e.message));
    assert.throws(() => compileFaultConfig({ delay: { percentage: { numerator: 100 } } }), /delay/);
    assert.throws(() => compileFaultConfig('nope'), /HTTPFault/);
  });
});
