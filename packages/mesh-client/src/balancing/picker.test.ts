// Load balancer tests with fake endpoints and a seeded random source: RR order and weights, P2C
// and the active-request bias, RANDOM, locality weights, priorities, panic, ejection, exclusion.

import assert from 'node:assert/strict';
import { EndpointStateStore } from './endpoint-state';
import { buildPicker, type Picker } from './picker';
import { mulberry32 } from './random';
import { fakeCluster, fakeEndpoint, fakeEndpoints, tally } from './test-fixtures';
import type { ClusterConfig, Endpoint } from '../snapshot/types';

function picks(picker: Picker, n: number, ctx = {}): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = picker.pick(ctx);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    out.push(r.endpoint.key);
  }
  return out;
}

function share(counts: Map<string, number>, key: string, total: number): number {
  return (counts.get(key) ?? 0) / total;
}

function picker(endpoints: Endpoint[], cluster: Partial<ClusterConfig> = {}, extra: { ejected?: Set<string>; state?: EndpointStateStore; seed?: number; weights?: Record<string, number> } = {}): Picker {
  return buildPicker({
    cluster: fakeCluster(cluster),
    endpoints: fakeEndpoints(endpoints, extra.weights),
    ...(extra.ejected ? { ejected: extra.ejected } : {}),
    ...(extra.state ? { state: extra.state } : {}),
    random: mulberry32(extra.seed ?? 42),
  });
}

const three = () => [fakeEndpoint(1), fakeEndpoint(2), fakeEndpoint(3)];

describe('ROUND_ROBIN', () => {
  it('cycles through equal-weight hosts in order from a random start', () => {
    const keys = picks(picker(three()), 9);
    const start = keys[0]!;
    const order = three().map((e) => e.key);
    const offset = order.indexOf(start);
    assert.deepEqual(keys, Array.from({ length: 9 }, (_, i) => order[(offset + i) % 3]));
  });

  it('different seeds start at different hosts (no lock-step across clients)', () => {
    const starts = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => picks(picker(three(), {}, { seed }), 1)[0]));
    assert.ok(starts.size > 1);
  });

  it('weighted: EDF schedule gives each host its weight share, exactly over whole cycles', () => {
    const eps = [fakeEndpoint(1, { weight: 1 }), fakeEndpoint(2, { weight: 2 }), fakeEndpoint(3, { weight: 3 })];
    const counts = tally(picks(picker(eps), 600));
    for (const [i, w] of [[1, 1], [2, 2], [3, 3]] as const) {
      const got = counts.get(`10.0.0.${i}:9080`) ?? 0;
      assert.ok(Math.abs(got - 100 * w) <= 2, `host ${i}: ${got} picks for weight ${w}`);
    }
  });

  it('weighted: the schedule is smooth (the heaviest host never gets long runs)', () => {
    const eps = [fakeEndpoint(1, { weight: 1 }), fakeEndpoint(2, { weight: 5 })];
    const keys = picks(picker(eps), 60);
    let run = 0;
    let longest = 0;
    for (const k of keys) { run = k === eps[1]!.key ? run + 1 : 0; longest = Math.max(longest, run); }
    assert.ok(longest <= 6, `longest run ${longest}`); // 5 per cycle, +1 where float deadlines tie
  });
});

describe('LEAST_REQUEST', () => {
  it('P2C: a busy host is chosen only when both samples hit it (≈ 1/N²)', () => {
    const state = new EndpointStateStore();
    const eps = three();
    for (let i = 0; i < 10; i++) state.track(eps[0]!.key);
    for (let i = 0; i < 5; i++) state.track(eps[2]!.key);
    const n = 9000;
    const counts = tally(picks(picker(eps, { lbPolicy: 'LEAST_REQUEST' }, { state }), n));
    assert.ok(Math.abs(share(counts, eps[0]!.key, n) - 1 / 9) < 0.02, `busy share ${share(counts, eps[0]!.key, n)}`);
    assert.ok(Math.abs(share(counts, eps[1]!.key, n) - 5 / 9) < 0.03, `idle share ${share(counts, eps[1]!.key, n)}`);
    assert.ok(Math.abs(share(counts, eps[2]!.key, n) - 3 / 9) < 0.03);
  });

  it('P2C: with equal load the choice is uniform', () => {
    const n = 9000;
    const counts = tally(picks(picker(three(), { lbPolicy: 'LEAST_REQUEST' }), n));
    for (const e of three()) assert.ok(Math.abs(share(counts, e.key, n) - 1 / 3) < 0.03);
  });

  it('P2C: picks follow the live active counts of the shared state store', () => {
    const state = new EndpointStateStore();
    const eps = [fakeEndpoint(1), fakeEndpoint(2)];
    const p = picker(eps, { lbPolicy: 'LEAST_REQUEST', leastRequest: { choiceCount: 5, activeRequestBias: 1 } }, { state });
    const done = state.track(eps[0]!.key);
    // With 5 choices over 2 hosts, both are sampled with probability 1 - 2/32: host 2 wins nearly always.
    const counts = tally(picks(p, 1000));
    assert.ok((counts.get(eps[1]!.key) ?? 0) > 900);
    done();
    state.track(eps[1]!.key);
    const after = tally(picks(p, 1000));
    assert.ok((after.get(eps[0]!.key) ?? 0) > 900);
  });

  it('weighted: weight / (active + 1)^bias shifts load away from a busy heavy host', () => {
    const state = new EndpointStateStore();
    const eps = [fakeEndpoint(1, { weight: 2 }), fakeEndpoint(2, { weight: 1 })];
    for (let i = 0; i < 3; i++) state.track(eps[0]!.key);
    const biased = tally(picks(picker(eps, { lbPolicy: 'LEAST_REQUEST' }, { state }), 3000));
    // effective weights 2/4 = 0.5 vs 1/1 = 1 → host 2 gets ≈ 2/3
    assert.ok(Math.abs(share(biased, eps[1]!.key, 3000) - 2 / 3) < 0.02, `share ${share(biased, eps[1]!.key, 3000)}`);
    const unbiased = tally(picks(picker(eps, { lbPolicy: 'LEAST_REQUEST', leastRequest: { choiceCount: 2, activeRequestBias: 0 } }, { state }), 3000));
    // bias 0 → plain weighted round robin: host 1 gets 2/3
    assert.ok(Math.abs(share(unbiased, eps[0]!.key, 3000) - 2 / 3) < 0.02);
  });
});

describe('RANDOM', () => {
  it('is uniform over available hosts and ignores weights (Envoy RandomLoadBalancer)', () => {
    const eps = [fakeEndpoint(1, { weight: 1 }), fakeEndpoint(2, { weight: 10 })];
    const n = 10_000;
    const counts = tally(picks(picker(eps, { lbPolicy: 'RANDOM' }), n));
    assert.ok(Math.abs(share(counts, eps[0]!.key, n) - 0.5) < 0.02);
  });

  it('is deterministic for a seed', () => {
    assert.deepEqual(picks(picker(three(), { lbPolicy: 'RANDOM' }, { seed: 9 }), 20), picks(picker(three(), { lbPolicy: 'RANDOM' }, { seed: 9 }), 20));
  });
});

describe('health, ejection and panic', () => {
  it('UNHEALTHY, DRAINING and TIMEOUT hosts are not picked; UNKNOWN counts as healthy', () => {
    const eps = [fakeEndpoint(1), fakeEndpoint(2, { health: 'UNKNOWN' }), fakeEndpoint(3, { health: 'UNHEALTHY' }), fakeEndpoint(4, { health: 'DRAINING' }), fakeEndpoint(5, { health: 'HEALTHY' }), fakeEndpoint(6, { health: 'TIMEOUT' })];
    const keys = new Set(picks(picker(eps, { panicThresholdPercent: 0 }), 300));
    assert.deepEqual([...keys].sort(), [eps[0]!.key, eps[1]!.key, eps[4]!.key].sort());
  });

  it('ejected hosts are skipped', () => {
    const eps = three();
    const keys = new Set(picks(picker(eps, { lbPolicy: 'LEAST_REQUEST' }, { ejected: new Set([eps[1]!.key]) }), 300));
    assert.ok(!keys.has(eps[1]!.key));
    assert.equal(keys.size, 2);
  });

  it('panic: below the threshold (default 50 %) all hosts are used again', () => {
    const eps = [fakeEndpoint(1), fakeEndpoint(2, { health: 'UNHEALTHY' }), fakeEndpoint(3, { health: 'UNHEALTHY' })];
    const p = picker(eps);
    assert.equal(p.priorityLoad.panic[0], true);
    assert.equal(new Set(picks(p, 60)).size, 3);
  });

  it('panic threshold 0 disables panic (Istio with outlier detection): only healthy hosts', () => {
    const eps = [fakeEndpoint(1), fakeEndpoint(2, { health: 'UNHEALTHY' }), fakeEndpoint(3, { health: 'UNHEALTHY' })];
    assert.deepEqual(new Set(picks(picker(eps, { panicThresholdPercent: 0 }), 60)), new Set([eps[0]!.key]));
  });

  it('no panic at or above the threshold', () => {
    const eps = [fakeEndpoint(1), fakeEndpoint(2), fakeEndpoint(3, { health: 'UNHEALTHY' }), fakeEndpoint(4, { health: 'UNHEALTHY' })];
    const p = picker(eps);
    assert.equal(p.priorityLoad.panic[0], false); // 140 % × 2/4 = 70 → normalized < 100, but 50 % available is not below 50
    assert.equal(new Set(picks(p, 60)).size, 2);
  });

  it('all hosts ejected with panic disabled → NO_HEALTHY_UPSTREAM (503, UH)', () => {
    const eps = three();
    const r = picker(eps, { panicThresholdPercent: 0 }, { ejected: new Set(eps.map((e) => e.key)) }).pick();
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.error.code === 'NO_HEALTHY_UPSTREAM' && r.error.status === 503 && r.error.responseFlag === 'UH');
  });

  it('fail_traffic_on_panic fails instead of using unhealthy hosts', () => {
    const eps = [fakeEndpoint(1), fakeEndpoint(2, { health: 'UNHEALTHY' }), fakeEndpoint(3, { health: 'UNHEALTHY' })];
    const r = picker(eps, { failTrafficOnPanic: true }).pick();
    assert.ok(!r.ok && r.error.code === 'NO_HEALTHY_UPSTREAM');
  });

  it('a cluster without endpoints answers UH', () => {
    const r = buildPicker({ cluster: fakeCluster(), endpoints: undefined }).pick();
    assert.ok(!r.ok && r.error.code === 'NO_HEALTHY_UPSTREAM' && /no endpoints/.test(r.error.message));
  });

  it('DEGRADED hosts take traffic only when healthy ones are not enough', () => {
    // 3 of 4 healthy: 140 % × 3/4 ≥ 100 → no load for degraded hosts.
    const eps = [fakeEndpoint(1, { health: 'DEGRADED' }), fakeEndpoint(2), fakeEndpoint(3), fakeEndpoint(4)];
    assert.ok(!new Set(picks(picker(eps), 100)).has(eps[0]!.key));
    // 2 of 3 healthy: health 93 % → the remaining 7 % go to the degraded host.
    const spill = [fakeEndpoint(1, { health: 'DEGRADED' }), fakeEndpoint(2), fakeEndpoint(3)];
    const p = picker(spill);
    assert.deepEqual([p.priorityLoad.healthy[0], p.priorityLoad.degraded[0]], [93, 7]);
    const onlyDegraded = [fakeEndpoint(1, { health: 'DEGRADED' }), fakeEndpoint(2, { health: 'UNHEALTHY' })];
    assert.deepEqual(new Set(picks(picker(onlyDegraded, { panicThresholdPercent: 0 }), 20)), new Set([onlyDegraded[0]!.key]));
  });
});

describe('exclude (retries avoid previous hosts)', () => {
  for (const lbPolicy of ['ROUND_ROBIN', 'LEAST_REQUEST', 'RANDOM', 'RING_HASH', 'PICK_FIRST'] as const) {
    it(`${lbPolicy}: excluded hosts are avoided while alternatives exist`, () => {
      const eps = three();
      const p = picker(eps, { lbPolicy });
      for (let i = 0; i < 50; i++) {
        const r = p.pick({ exclude: new Set([eps[0]!.key, eps[1]!.key]), hash: BigInt(i) * 0x9e3779b97f4a7c15n });
        assert.ok(r.ok && r.endpoint.key === eps[2]!.key, `${lbPolicy} picked ${r.ok ? r.endpoint.key : r.error.message}`);
      }
    });
  }

  it('when every host was tried, a host is still returned', () => {
    const eps = three();
    const r = picker(eps).pick({ exclude: new Set(eps.map((e) => e.key)) });
    assert.ok(r.ok);
  });
});

describe('priorities and localities', () => {
  it('draws the priority roll only when more than one place can take the load', () => {
    let draws = 0;
    const counted = mulberry32(7);
    const random = () => { draws++; return counted(); };
    const build = (eps: Endpoint[]) => buildPicker({ cluster: fakeCluster({ lbPolicy: 'RANDOM' }), endpoints: fakeEndpoints(eps), random });
    const single = build(three());
    draws = 0;
    picks(single, 10);
    assert.equal(draws, 10, 'RANDOM: one draw per pick for the host, none for the priority (one level takes 100 %)');
    const spill = build([fakeEndpoint(1), fakeEndpoint(2, { health: 'UNHEALTHY' }), fakeEndpoint(3, { priority: 1 })]);
    draws = 0;
    picks(spill, 10);
    assert.equal(draws, 20, 'two levels share the load: a priority roll and a host draw per pick');
  });

  it('priority 1 gets no traffic while priority 0 is healthy', () => {
    const eps = [fakeEndpoint(1), fakeEndpoint(2), fakeEndpoint(3, { priority: 1 })];
    assert.ok(!new Set(picks(picker(eps), 200)).has(eps[2]!.key));
  });

  it('traffic spills to priority 1 in proportion to priority 0 health (overprovisioning 1.4)', () => {
    // P0: 1 of 4 healthy → health 35 %; P1 healthy → 65 %.
    const eps = [fakeEndpoint(1), fakeEndpoint(2, { health: 'UNHEALTHY' }), fakeEndpoint(3, { health: 'UNHEALTHY' }), fakeEndpoint(4, { health: 'UNHEALTHY' }), fakeEndpoint(5, { priority: 1 })];
    const p = picker(eps);
    assert.deepEqual(p.priorityLoad.healthy, [35, 65]);
    const n = 10_000;
    const counts = tally(picks(p, n));
    assert.ok(Math.abs(share(counts, eps[4]!.key, n) - 0.65) < 0.02);
  });

  it('locality weights split traffic by load_balancing_weight × availability', () => {
    const a = [fakeEndpoint(1, { locality: { region: 'r', zone: 'a', subZone: '' } }), fakeEndpoint(2, { locality: { region: 'r', zone: 'a', subZone: '' } })];
    const b = [fakeEndpoint(3, { locality: { region: 'r', zone: 'b', subZone: '' } })];
    const p = picker([...a, ...b], { localityWeighted: true }, { weights: { 'r/a/': 1, 'r/b/': 3 } });
    const n = 4000;
    const counts = tally(picks(p, n));
    assert.ok(Math.abs(share(counts, b[0]!.key, n) - 0.75) < 0.01, `zone b share ${share(counts, b[0]!.key, n)}`);
    // zone a's hosts split its quarter evenly
    assert.ok(Math.abs(share(counts, a[0]!.key, n) - 0.125) < 0.01);
  });

  it('locality availability scales its weight: a half-healthy locality (0.5 × 1.4 = 0.7) loses share', () => {
    const a = [fakeEndpoint(1, { locality: { region: 'r', zone: 'a', subZone: '' } }), fakeEndpoint(2, { locality: { region: 'r', zone: 'a', subZone: '' }, health: 'UNHEALTHY' })];
    const b = [fakeEndpoint(3, { locality: { region: 'r', zone: 'b', subZone: '' } })];
    const p = picker([...a, ...b], { localityWeighted: true, panicThresholdPercent: 0 }, { weights: { 'r/a/': 1, 'r/b/': 1 } });
    const n = 3400;
    const counts = tally(picks(p, n));
    // effective weights 0.7 vs 1 → zone a gets 0.7 / 1.7
    assert.ok(Math.abs(share(counts, a[0]!.key, n) - 0.7 / 1.7) < 0.01, `zone a share ${share(counts, a[0]!.key, n)}`);
  });

  it('locality-weighted LB without any locality weight falls back to all healthy hosts (Envoy)', () => {
    const eps = [fakeEndpoint(1, { locality: { region: 'r', zone: 'a', subZone: '' } }), fakeEndpoint(2, { locality: { region: 'r', zone: 'b', subZone: '' } })];
    assert.equal(new Set(picks(picker(eps, { localityWeighted: true }), 20)).size, 2);
  });

  it('without locality_weighted_lb_config, localities are ignored', () => {
    const a = [fakeEndpoint(1, { locality: { region: 'r', zone: 'a', subZone: '' } }), fakeEndpoint(2, { locality: { region: 'r', zone: 'a', subZone: '' } })];
    const b = [fakeEndpoint(3, { locality: { region: 'r', zone: 'b', subZone: '' } })];
    const counts = tally(picks(picker([...a, ...b], {}, { weights: { 'r/a/': 1, 'r/b/': 3 } }), 3000));
    assert.ok(Math.abs(share(counts, b[0]!.key, 3000) - 1 / 3) < 0.01);
  });

  it('describes candidates for explain', () => {
    const eps = three();
    const p = picker(eps, {}, { ejected: new Set([eps[0]!.key]) });
    const c = p.candidates();
    assert.equal(c.length, 3);
    assert.deepEqual(c.map((x) => x.ejected), [true, false, false]);
    assert.deepEqual(c.map((x) => x.available), [false, true, true]);
  });
});
