// RING_HASH, as Envoy's RingHashLoadBalancer (ketama): each host gets points xxHash64("addr:port_i")
// in proportion to its weight, scaled so the lightest host gets ⌈min_ring_size × its share⌉ points
// (capped at max_ring_size); a request hash maps to the first point at or after it, wrapping.

import type { Endpoint } from '../snapshot/types';
import type { HostPicker } from './host-picker';
import { type RandomSource } from './random';
import { xxhash64Halves } from './xxhash64';

/** Ring settings (Envoy defaults: 1024 and 8 Mi entries). */
export interface RingSettings {
  readonly minRingSize: number;
  readonly maxRingSize: number;
  readonly useHostnameForHashing: boolean;
}

/** A built ring: sorted point hashes (as high/low uint32 halves) and the host of each point. */
export interface Ring {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly hosts: readonly Endpoint[];
}

/**
 * Builds the ring for `hosts` with normalized weights `weights` (summing to 1; by default each
 * host's load_balancing_weight over the total), following Envoy's running-sum construction so
 * fractional point counts are spread stably across hosts.
 */
export function buildRing(hosts: readonly Endpoint[], settings: RingSettings, weights?: readonly number[]): Ring {
  const total = hosts.reduce((a, h) => a + h.weight, 0);
  const normalized = weights ?? hosts.map((h) => h.weight / total);
  const minWeight = Math.min(...normalized.filter((w) => w > 0));
  const scale = Math.min(Math.ceil(minWeight * settings.minRingSize) / minWeight, settings.maxRingSize);
  const points: { hi: number; lo: number; host: Endpoint }[] = [];
  let current = 0;
  let target = 0;
  hosts.forEach((host, idx) => {
    const key = settings.useHostnameForHashing && host.hostname ? host.hostname : host.key;
    target += scale * normalized[idx]!;
    for (let i = 0; current < target; i++, current++) {
      const [hi, lo] = xxhash64Halves(`${key}_${i}`);
      points.push({ hi, lo, host });
    }
  });
  points.sort((a, b) => a.hi - b.hi || a.lo - b.lo);
  const hi = new Uint32Array(points.length);
  const lo = new Uint32Array(points.length);
  points.forEach((p, i) => { hi[i] = p.hi; lo[i] = p.lo; });
  return { hi, lo, hosts: points.map((p) => p.host) };
}

/** Index of the first ring point ≥ hash, wrapping to 0 (the ketama search Envoy ports). */
export function ringIndex(ring: Ring, hashHi: number, hashLo: number): number {
  let low = 0;
  let high = ring.hi.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const mh = ring.hi[mid]!;
    if (mh < hashHi || (mh === hashHi && ring.lo[mid]! < hashLo)) low = mid + 1;
    else high = mid;
  }
  return low === ring.hi.length ? 0 : low;
}

/**
 * A picker over a ring. Without a request hash it picks at random (Envoy does the same). With
 * excluded hosts (retries) it walks forward along the ring to the next point of an allowed host,
 * as Envoy's host-selection retries on a ring do.
 */
export function ringHashPicker(ring: Ring, random: RandomSource): HostPicker {
  return {
    pick(hash, exclude) {
      let hi: number, lo: number;
      if (hash === undefined) {
        hi = Math.floor(random() * 0x100000000) >>> 0;
        lo = Math.floor(random() * 0x100000000) >>> 0;
      } else {
        hi = Number((hash >> 32n) & 0xffffffffn);
        lo = Number(hash & 0xffffffffn);
      }
      const start = ringIndex(ring, hi, lo);
      const first = ring.hosts[start]!;
      if (!exclude || !exclude.has(first.key)) return first;
      const n = ring.hosts.length;
      for (let i = 1; i < n; i++) {
        const h = ring.hosts[(start + i) % n]!;
        if (!exclude.has(h.key)) return h;
      }
      return first;
    },
  };
}
