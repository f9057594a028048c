import assert from 'node:assert/strict';
import { isMeshError } from '../errors';
import { FakeClock, seededRandom, type Random } from './clock';
import { OutlierDetector, compileOutlierConfig, type OutlierEvent } from './outlier-detector';
import { mayEject, successRateThreshold } from './outlier-math';
import { OutlierDetectorStore } from './outlier-store';
import type { AttemptOutcome } from './outcome';

const hostsN = (n: number) => Array.from({ length: n }, (_, i) => `10.0.0.${i + 1}:9080`);
const [A, B, C] = hostsN(3) as [string, string, string];
const status = (s: number): AttemptOutcome => ({ kind: 'response', status: s, headers: {} });

function setup(raw: Record<string, unknown>, hosts = hostsN(10), random: Random = seededRandom(1)) {
  const clock = new FakeClock(0);
  const config = compileOutlierConfig(raw);
  const detector = new OutlierDetector({ cluster: 'outbound|9080||reviews.default.svc.cluster.local', config, hosts, clock, random });
  const events: OutlierEvent[] = [];
  detector.onEvent((e) => events.push(e));
  const send = (host: string, outcome: AttemptOutcome, times = 1) => { for (let i = 0; i < times; i++) detector.recordOutcome(host, outcome); };
  /** Times (clock) of ejected/unejected events for a host. */
  const timeline = (host: string) => events.filter((e) => e.host === host && e.type !== 'ejection-skipped').map((e) => `${e.type}@${e.at}`);
  return { clock, detector, events, send, timeline };
}

describe('policy/outlier-detector', () => {
  it('compiles outlier_detection with Envoy defaults and rejects what Envoy rejects', () => {
    const c = compileOutlierConfig({});
    assert.equal(c.consecutive5xx, 5);
    assert.equal(c.intervalMs, 10_000);
    assert.equal(c.baseEjectionTimeMs, 30_000);
    assert.equal(c.maxEjectionTimeMs, 300_000);
    assert.equal(c.maxEjectionPercent, 10);
    assert.equal(c.enforcingConsecutiveGatewayFailure, 0);
    assert.equal(compileOutlierConfig({ base_ejection_time: { seconds: 400 } }).maxEjectionTimeMs, 400_000);
    assert.throws(() => compileOutlierConfig({ base_ejection_time: { seconds: 60 }, max_ejection_time: { seconds: 30 } }),
      (e: unknown) => isMeshError(e, 'CONFIG_REJECTED') && /outlier_detection\.max_ejection_time/.test(e.message));
    assert.throws(() => compileOutlierConfig({ max_ejection_percent: { value: 101 } }), /outlier_detection\.max_ejection_percent/);
    assert.throws(() => compileOutlierConfig({ interval: { seconds: 0 } }), /outlier_detection\.interval/);
  });

  it('consecutive 5xx: ejected at the 5th failure, back at the first sweep after base × 1', () => {
    const { clock, detector, send, timeline } = setup({});
    clock.advanceTo(1000);
    send(A, status(503), 4);
    assert.equal(detector.ejected().size, 0);
    send(A, status(500));
    assert.deepEqual([...detector.ejected()], [A]);
    assert.deepEqual(detector.hostStatus(A), {
      ejected: true, ejections: 1, ejectTimeBackoff: 1, ejectedUntil: 31_000, consecutive5xx: 0, consecutiveGatewayFailure: 0, consecutiveLocalOriginFailure: 0,
    });
    clock.advanceTo(39_999); // sweeps at 10 s, 20 s, 30 s: 29 s elapsed at the last one
    assert.equal(detector.ejected().size, 1);
    clock.advanceTo(40_000); // the 40 s sweep: 39 s ≥ 30 s
    assert.equal(detector.ejected().size, 0);
    assert.deepEqual(timeline(A), ['ejected@1000', 'unejected@40000']);
  });

  it('a success resets the consecutive count; ejection happens exactly at the threshold', () => {
    const { detector, send } = setup({ consecutive_5xx: { value: 3 } });
    send(A, status(503), 2);
    send(A, status(200));
    send(A, status(503), 2);
    assert.equal(detector.ejected().size, 0);
    send(A, status(503));
    assert.equal(detector.ejected().size, 1);
  });

  it('the second ejection lasts twice as long; healthy intervals shrink the multiplier again', () => {
    const { clock, detector, send, timeline } = setup({});
    clock.advanceTo(1000);
    send(A, status(503), 5); // ejected 1000, back at 40 000 (30 s)
    clock.advanceTo(40_500);
    send(A, status(503), 5); // ejected 40 500 for 2 × 30 s → back at the first sweep ≥ 100 500
    assert.equal(detector.hostStatus(A)?.ejectTimeBackoff, 2);
    clock.advanceTo(109_999);
    assert.equal(detector.ejected().size, 1);
    clock.advanceTo(110_000);
    assert.deepEqual(timeline(A), ['ejected@1000', 'unejected@40000', 'ejected@40500', 'unejected@110000']);
    clock.advanceTo(120_000); // 10 s after un-ejection: 2 → 1
    assert.equal(detector.hostStatus(A)?.ejectTimeBackoff, 1);
    clock.advanceTo(130_000); // 1 → 0
    assert.equal(detector.hostStatus(A)?.ejectTimeBackoff, 0);
    send(A, status(503), 5); // a fresh ejection lasts base × 1 again
    assert.equal(detector.hostStatus(A)?.ejectedUntil, 160_000);
  });

  it('ejection time saturates at max_ejection_time', () => {
    const { clock, detector, send } = setup({ base_ejection_time: { seconds: 30 }, max_ejection_time: { seconds: 70 }, interval: { seconds: 1 } });
    const durations: number[] = [];
    detector.onEvent((e) => { if (e.type === 'ejected') durations.push(e.durationMs); });
    for (let i = 0; i < 5; i++) {
      send(A, status(503), 5);
      // Back at the first sweep after the ejection ends, then failing again at once (no healthy interval).
      clock.advanceTo(Math.ceil(detector.hostStatus(A)!.ejectedUntil! / 1000) * 1000);
      assert.equal(detector.hostStatus(A)?.ejected, false);
    }
    assert.deepEqual(durations, [30_000, 60_000, 70_000, 70_000, 70_000]);
    assert.equal(detector.hostStatus(A)?.ejectTimeBackoff, 4, 'the multiplier stops growing once base × it ≥ max + base');
  });

  it('max_ejection_percent: the share after ejecting must stay within it (10 % of 5 hosts ejects nobody)', () => {
    const five = setup({}, hostsN(5));
    five.send(A, status(503), 5);
    assert.equal(five.detector.ejected().size, 0);
    // 503 is also a gateway error: both detectors fire, both are refused by the guard.
    assert.deepEqual(five.events.map((e) => e.type === 'ejection-skipped' && `${e.reason}:${e.cause}`),
      ['consecutive_gateway_failure:max-ejection-percent', 'consecutive_5xx:max-ejection-percent']);

    const one = setup({ always_eject_one_host: { value: true } }, hostsN(5));
    one.send(A, status(503), 5);
    one.send(B, status(503), 5);
    assert.deepEqual([...one.detector.ejected()], [A], 'always_eject_one_host allows exactly one');

    const half = setup({ max_ejection_percent: { value: 50 } }, hostsN(4));
    for (const h of hostsN(4)) half.send(h, status(503), 5);
    assert.equal(half.detector.ejected().size, 2);
    assert.equal(half.events.filter((e) => e.type === 'ejection-skipped' && e.reason === 'consecutive_5xx' && e.cause === 'max-ejection-percent').length, 2);

    const table: [number, number, number, boolean, boolean][] = [
      // active, hosts, max %, always one, allowed
      [0, 10, 10, false, true], [1, 10, 10, false, false], [0, 9, 10, false, false], [0, 9, 10, true, true],
      [1, 9, 10, true, false], [2, 3, 100, false, true], [0, 1, 100, false, true], [0, 0, 100, true, false], [1, 3, 50, false, false],
    ];
    for (const [active, total, pct, always, allowed] of table) assert.equal(mayEject(active, total, pct, always), allowed, `${active}/${total} ${pct}% ${always}`);
  });

  it('enforcement percentages draw from the injected random source', () => {
    const low = setup({ enforcing_consecutive_5xx: { value: 50 } }, hostsN(10), () => 0.49);
    low.send(A, status(503), 5);
    assert.equal(low.detector.ejected().size, 1);
    const high = setup({ enforcing_consecutive_5xx: { value: 50 } }, hostsN(10), () => 0.5);
    high.send(A, status(503), 5);
    assert.equal(high.detector.ejected().size, 0);
    assert.equal(high.events[0]?.type === 'ejection-skipped' && high.events[0].cause, 'not-enforced');
    high.send(A, status(503), 4);
    assert.equal(high.detector.hostStatus(A)?.consecutive5xx, 4, 'the counter restarted after the skipped ejection');
  });

  it('consecutive gateway failures are detected but not enforced by default; enforced when configured', () => {
    const def = setup({ consecutive_5xx: { value: 10 } });
    def.send(A, status(502), 5);
    assert.equal(def.detector.ejected().size, 0);
    assert.deepEqual(def.events.map((e) => e.type === 'ejection-skipped' && `${e.reason}:${e.cause}`), ['consecutive_gateway_failure:not-enforced']);
    const on = setup({ consecutive_5xx: { value: 10 }, consecutive_gateway_failure: { value: 3 }, enforcing_consecutive_gateway_failure: { value: 100 } });
    on.send(A, status(504), 2);
    on.send(A, status(500)); // a non-gateway 5xx resets the gateway count
    on.send(A, status(503), 2);
    assert.equal(on.detector.ejected().size, 0);
    on.send(A, status(502));
    assert.deepEqual(on.events.map((e) => `${e.type}:${'reason' in e ? e.reason : ''}`), ['ejected:consecutive_gateway_failure']);
  });

  it('without the split, local-origin failures count as 5xx (connect failure/reset 503, timeout 504)', () => {
    const { detector, send } = setup({});
    send(A, { kind: 'connect-failure' }, 2);
    send(A, { kind: 'reset' });
    send(A, { kind: 'timeout' });
    assert.equal(detector.hostStatus(A)?.consecutive5xx, 4);
    send(A, { kind: 'refused-stream' });
    assert.equal(detector.ejected().size, 1);
  });

  it('split_external_local_origin_errors: local failures have their own counter; responses count only as external', () => {
    const { detector, send, events } = setup({ split_external_local_origin_errors: true, consecutive_local_origin_failure: { value: 3 } });
    send(A, { kind: 'connect-failure' }, 2);
    send(A, status(503), 4); // external 5xx do not touch the local counter…
    assert.equal(detector.hostStatus(A)?.consecutiveLocalOriginFailure, 0, '…but a response proves the connection worked');
    send(A, { kind: 'connect-failure' }, 3);
    assert.equal(detector.ejected().size, 1);
    assert.equal(events.find((e) => e.type === 'ejected')?.type === 'ejected' && (events.find((e) => e.type === 'ejected') as { reason: string }).reason,
      'consecutive_local_origin_failure');
    // A reset or timeout happens on an established connection: Envoy counts a local success first.
    send(B, { kind: 'reset' }, 10);
    send(B, { kind: 'timeout' }, 10);
    assert.equal(detector.hostStatus(B)?.consecutiveLocalOriginFailure, 1);
    assert.equal(detector.hostStatus(B)?.ejected, false);
  });

  it('success rate: the outlier among 5 hosts is ejected at the sweep (Envoy example: threshold 52)', () => {
    assert.deepEqual(successRateThreshold([50, 100, 100, 100, 100], 1.9), { mean: 90, threshold: 52 });
    const { clock, detector, send, timeline } = setup({ max_ejection_percent: { value: 20 } }, hostsN(5));
    const [h1, h2, h3, h4, h5] = hostsN(5) as [string, string, string, string, string];
    for (const h of [h1, h2, h3, h4]) send(h, status(200), 100);
    for (let i = 0; i < 50; i++) { send(h5, status(200)); send(h5, status(503)); } // 50 %, never 5 in a row
    assert.equal(detector.ejected().size, 0);
    clock.advanceTo(10_000);
    assert.deepEqual([...detector.ejected()], [h5]);
    assert.deepEqual(timeline(h5), ['ejected@10000']);
  });

  it('success rate needs success_rate_minimum_hosts hosts with success_rate_request_volume requests', () => {
    const { clock, detector, send } = setup({ max_ejection_percent: { value: 20 } }, hostsN(5));
    const hs = hostsN(5);
    for (const h of hs.slice(0, 3)) send(h, status(200), 100);
    send(hs[3]!, status(200), 99); // one request short of the volume
    for (let i = 0; i < 50; i++) { send(hs[4]!, status(200)); send(hs[4]!, status(503)); }
    clock.advanceTo(10_000);
    assert.equal(detector.ejected().size, 0);
  });

  it('failure percentage: hosts at or above the threshold are ejected when enforced', () => {
    const raw = { consecutive_5xx: { value: 0 }, enforcing_failure_percentage: { value: 100 }, max_ejection_percent: { value: 40 } };
    const { clock, detector, send, events } = setup(raw, hostsN(5));
    const hs = hostsN(5);
    for (const h of hs.slice(0, 3)) send(h, status(200), 50);
    send(hs[3]!, status(503), 43); send(hs[3]!, status(200), 7); // 86 % failures
    send(hs[4]!, status(503), 42); send(hs[4]!, status(200), 8); // 84 %
    clock.advanceTo(10_000);
    assert.deepEqual([...detector.ejected()], [hs[3]]);
    assert.equal((events.find((e) => e.type === 'ejected') as { reason: string }).reason, 'failure_percentage');
    // enforcing_failure_percentage defaults to 0: detected, not ejected.
    const off = setup({ consecutive_5xx: { value: 0 } }, hostsN(5));
    for (const h of hs.slice(0, 4)) off.send(h, status(200), 50);
    off.send(hs[4]!, status(503), 50);
    off.clock.advanceTo(10_000);
    assert.equal(off.detector.ejected().size, 0);
  });

  it('statistics read the last complete interval only', () => {
    const raw = { consecutive_5xx: { value: 0 }, enforcing_failure_percentage: { value: 100 }, max_ejection_percent: { value: 40 } };
    const { clock, detector, send } = setup(raw, hostsN(5));
    const hs = hostsN(5);
    clock.advanceTo(10_000); // empty interval
    for (const h of hs.slice(0, 4)) send(h, status(200), 50);
    send(hs[4]!, status(503), 50);
    clock.advanceTo(19_999);
    assert.equal(detector.ejected().size, 0);
    clock.advanceTo(20_000);
    assert.equal(detector.ejected().size, 1);
  });

  it('overflow outcomes and unknown hosts never count; gRPC statuses count as their HTTP mapping', () => {
    const { detector, send } = setup({});
    send(A, { kind: 'overflow' }, 10);
    send('10.9.9.9:1', status(503), 10);
    assert.equal(detector.hostStatus(A)?.consecutive5xx, 0);
    const grpcUnavailable: AttemptOutcome = { kind: 'response', status: 200, headers: { 'grpc-status': '14' } };
    detector.recordOutcome(A, grpcUnavailable); // not a gRPC request: HTTP 200
    assert.equal(detector.hostStatus(A)?.consecutive5xx, 0);
    for (let i = 0; i < 4; i++) detector.recordOutcome(A, grpcUnavailable, { grpc: true });
    assert.equal(detector.hostStatus(A)?.consecutive5xx, 4);
    detector.recordOutcome(A, { kind: 'response', status: 200, headers: { 'grpc-status': '5' } }, { grpc: true }); // NOT_FOUND → 404
    assert.equal(detector.hostStatus(A)?.consecutive5xx, 0);
  });

  it('state survives a push; hosts that left are dropped (and stop counting as ejected); new hosts start clean', () => {
    const { detector, send } = setup({ max_ejection_percent: { value: 100 } }, [A, B]);
    send(A, status(503), 5);
    send(B, status(503), 4);
    detector.reconcile(compileOutlierConfig({ max_ejection_percent: { value: 100 } }), [B, C]);
    assert.equal(detector.ejected().size, 0, 'A left');
    assert.equal(detector.hostStatus(A), undefined);
    assert.equal(detector.hostStatus(B)?.consecutive5xx, 4, 'B kept its count');
    send(B, status(503));
    assert.deepEqual([...detector.ejected()], [B]);
    assert.equal(detector.hostStatus(C)?.consecutive5xx, 0);
  });

  it('a changed interval re-arms the sweep; close() stops the timer and recording', () => {
    const { clock, detector, send } = setup({ interval: { seconds: 10 }, base_ejection_time: { seconds: 1 } });
    send(A, status(503), 5);
    clock.advanceTo(5000);
    detector.reconcile(compileOutlierConfig({ interval: { seconds: 2 }, base_ejection_time: { seconds: 1 } }), hostsN(10));
    clock.advanceTo(6999);
    assert.equal(detector.ejected().size, 1);
    clock.advanceTo(7000); // first sweep of the new 2 s interval
    assert.equal(detector.ejected().size, 0);
    detector.close();
    assert.equal(clock.pendingTimers(), 0);
    send(B, status(503), 5);
    assert.equal(detector.ejected().size, 0);
  });

  it('the store creates, reconciles and closes detectors by cluster', () => {
    const clock = new FakeClock();
    const store = new OutlierDetectorStore({ clock, random: seededRandom(2) });
    const config = compileOutlierConfig({});
    const seen: string[] = [];
    store.onEvent((e) => seen.push(`${e.cluster}:${e.type}`));
    store.reconcile([{ cluster: 'c1', config, hosts: hostsN(10) }, { cluster: 'c2', config: undefined, hosts: hostsN(10) }]);
    assert.equal(store.get('c2'), undefined);
    for (let i = 0; i < 5; i++) store.recordOutcome('c1', A, status(503));
    store.recordOutcome('c2', A, status(503));
    assert.deepEqual([...store.ejected('c1')], [A]);
    assert.equal(store.ejected('c2').size, 0);
    assert.deepEqual(seen, ['c1:ejection-skipped', 'c1:ejected'], 'the gateway detector is not enforced by default');
    store.reconcile([{ cluster: 'c1', config, hosts: hostsN(10) }]);
    assert.deepEqual([...store.ejected('c1')], [A], 'state kept across the push');
    store.reconcile([]);
    assert.equal(store.get('c1'), undefined);
    assert.equal(clock.pendingTimers(), 0);
    store.close();
  });
});
