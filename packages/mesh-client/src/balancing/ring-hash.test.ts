// Ring hash: Envoy's ring construction, stickiness, distribution, and stability when membership changes.

import assert from 'node:assert/strict';
import { buildPicker } from './picker';
import { mulberry32 } from './random';
import { buildRing, ringIndex } from './ring-hash';
import { fakeCluster, fakeEndpoint, fakeEndpoints, tally } from './test-fixtures';
import { xxhash64 } from './xxhash64';
import type { Endpoint } from '../snapshot/types';

const settings = { minRingSize: 1024, maxRingSize: 8_388_608, useHostnameForHashing: false };

function ringPicker(endpoints: Endpoint[]) {
  return buildPicker({ cluster: fakeCluster({ lbPolicy: 'RING_HASH' }), endpoints: fakeEndpoints(endpoints), random: mulberry32(1) });
}

function owner(p: ReturnType<typeof ringPicker>, key: string): string {
  const r = p.pick({ hash: xxhash64(key) });
  assert.ok(r.ok);
  return r.endpoint.key;
}

const hosts = (n: number) => Array.from({ length: n }, (_, i) => fakeEndpoint(i + 1));
const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

describe('RING_HASH', () => {
  it('gives each host ⌈min_ring_size × share⌉ points (Envoy scaling) and sorts them', () => {
    const ring = buildRing(hosts(3), settings);
    assert.equal(ring.hi.length, 3 * Math.ceil(1024 / 3));
    for (let i = 1; i < ring.hi.length; i++) {
      assert.ok(ring.hi[i - 1]! < ring.hi[i]! || (ring.hi[i - 1] === ring.hi[i] && ring.lo[i - 1]! <= ring.lo[i]!));
    }
    const weighted = buildRing([fakeEndpoint(1, { weight: 1 }), fakeEndpoint(2, { weight: 2 })], settings);
    const counts = tally(weighted.hosts.map((h) => h.key));
    assert.deepEqual([counts.get('10.0.0.1:9080'), counts.get('10.0.0.2:9080')], [342, 684]);
  });

  it('ring points are xxHash64("address:port_i") (Envoy hash keys)', () => {
    const ring = buildRing([fakeEndpoint(1)], { ...settings, minRingSize: 4 });
    const expected = [0, 1, 2, 3].map((i) => xxhash64(`10.0.0.1:9080_${i}`)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual([...ring.hi].map((hi, i) => (BigInt(hi) << 32n) | BigInt(ring.lo[i]!)), expected);
  });

  it('looks up the first point at or after the hash, wrapping around', () => {
    const ring = buildRing(hosts(2), { ...settings, minRingSize: 8 });
    const last = ring.hi.length - 1;
    assert.equal(ringIndex(ring, ring.hi[2]!, ring.lo[2]!), 2); // exactly on a point
    assert.equal(ringIndex(ring, ring.hi[2]!, ring.lo[2]! + 1 >>> 0), 3); // just after it
    assert.equal(ringIndex(ring, 0, 0), 0);
    assert.ok(ring.hi[last]! < 0xffffffff); // (true for these fixed keys)
    assert.equal(ringIndex(ring, 0xffffffff, 0xffffffff), 0); // past the last point: wrap
  });

  it('the same key always reaches the same endpoint', () => {
    const p = ringPicker(hosts(5));
    for (const key of keys.slice(0, 200)) assert.equal(owner(p, key), owner(p, key));
    const rebuilt = ringPicker(hosts(5));
    for (const key of keys.slice(0, 200)) assert.equal(owner(rebuilt, key), owner(p, key));
  });

  it('spreads 10 000 keys within ±25 % of the fair share', () => {
    const p = ringPicker(hosts(5));
    const counts = tally(keys.map((k) => owner(p, k)));
    for (const h of hosts(5)) {
      const got = counts.get(h.key) ?? 0;
      assert.ok(Math.abs(got - 2000) < 500, `${h.key}: ${got}`);
    }
  });

  // Envoy sizes the ring so every host gets ⌈1024/N⌉ points. Adding a host gives it ≈ 1/N of the
  // keys and also shrinks every other host's point count (⌈1024/10⌉ = 103 → ⌈1024/11⌉ = 94), which
  // reshuffles roughly another 1/N between old hosts: ≈ 2/N keys move in total. That is Envoy's (and
  // gRPC's) ring, kept exactly so the same key lands on the same host as in an Envoy sidecar.
  it('adding a host: ≈ 1/N of the keys go to it, and in total fewer than 2.5/N move', () => {
    const before = ringPicker(hosts(10));
    const after = ringPicker(hosts(11));
    let moved = 0;
    let toNew = 0;
    for (const k of keys) {
      const b = owner(after, k);
      if (owner(before, k) !== b) {
        moved++;
        if (b === '10.0.0.11:9080') toNew++;
      }
    }
    assert.ok(Math.abs(toNew / keys.length - 1 / 11) < 0.3 / 11, `to new host ${toNew}`);
    assert.ok(moved / keys.length < 2.5 / 11, `moved ${moved}`);
  });

  it('removing a host: its keys move, and in total fewer than 2.5/N move', () => {
    const before = ringPicker(hosts(8));
    const after = ringPicker(hosts(8).filter((h) => h.key !== '10.0.0.4:9080'));
    let moved = 0;
    let fromRemoved = 0;
    for (const k of keys) {
      const a = owner(before, k);
      if (a !== owner(after, k)) {
        moved++;
        if (a === '10.0.0.4:9080') fromRemoved++;
      }
    }
    assert.ok(Math.abs(fromRemoved / keys.length - 1 / 8) < 0.3 / 8, `from removed ${fromRemoved}`);
    assert.ok(moved / keys.length < 2.5 / 8, `moved ${moved}`);
  });

  it('a weight change on one host leaves most keys in place', () => {
    const before = ringPicker(hosts(6));
    const after = ringPicker(hosts(6).map((h, i) => (i === 0 ? { ...h, weight: 2 } : h)));
    const moved = keys.filter((k) => owner(before, k) !== owner(after, k)).length;
    assert.ok(moved / keys.length < 0.35, `moved ${moved}`);
  });

  it('without a hash, picks at random (as Envoy does)', () => {
    const p = ringPicker(hosts(4));
    const counts = tally(Array.from({ length: 400 }, () => { const r = p.pick(); assert.ok(r.ok); return r.endpoint.key; }));
    assert.equal(counts.size, 4);
  });

  it('the request hash also chooses the priority, so a key sticks to one level', () => {
    const eps = [fakeEndpoint(1), fakeEndpoint(2, { health: 'UNHEALTHY' }), fakeEndpoint(3, { priority: 1 }), fakeEndpoint(4, { priority: 1 })];
    const p = buildPicker({ cluster: fakeCluster({ lbPolicy: 'RING_HASH', panicThresholdPercent: 0 }), endpoints: fakeEndpoints(eps), random: mulberry32(3) });
    for (const k of keys.slice(0, 100)) assert.equal(owner(p, k), owner(p, k));
  });
});
