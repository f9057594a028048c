// ROUND_ROBIN, as Envoy's RoundRobinLoadBalancer: a cursor over the hosts when weights are equal,
// an EDF schedule (weighted round robin) when they differ; the start is randomized per picker.

import type { Endpoint } from '../snapshot/types';
import { EdfScheduler } from './edf';
import { equalWeights, type HostPicker } from './host-picker';
import { randomInt, type RandomSource } from './random';

/** Builds a round-robin picker over a non-empty host list. */
export function roundRobin(hosts: readonly Endpoint[], random: RandomSource): HostPicker {
  return equalWeights(hosts) ? new CursorPicker(hosts, randomInt(random, hosts.length)) : new WeightedRoundRobin(hosts, random);
}

class CursorPicker implements HostPicker {
  constructor(private readonly hosts: readonly Endpoint[], private cursor: number) {}

  pick(_hash: bigint | undefined, exclude: ReadonlySet<string> | undefined): Endpoint {
    const n = this.hosts.length;
    const first = this.hosts[this.cursor++ % n]!;
    if (!exclude || !exclude.has(first.key)) return first;
    for (let i = 1; i < n; i++) {
      const h = this.hosts[this.cursor++ % n]!;
      if (!exclude.has(h.key)) return h;
    }
    return first;
  }
}

class WeightedRoundRobin implements HostPicker {
  private readonly schedule = new EdfScheduler<Endpoint>();

  constructor(private readonly hosts: readonly Endpoint[], random: RandomSource) {
    for (const h of hosts) this.schedule.add(h, h.weight);
    // Envoy starts each schedule at a random point so that many clients do not pick in lock step.
    const skip = randomInt(random, hosts.length);
    for (let i = 0; i < skip; i++) this.schedule.pickAndAdd(weightOf);
  }

  pick(_hash: bigint | undefined, exclude: ReadonlySet<string> | undefined): Endpoint {
    const first = this.schedule.pickAndAdd(weightOf)!;
    if (!exclude || !exclude.has(first.key)) return first;
    const total = this.hosts.reduce((a, h) => a + h.weight, 0);
    for (let i = 0; i < total; i++) {
      const h = this.schedule.pickAndAdd(weightOf)!;
      if (!exclude.has(h.key)) return h;
    }
    return first;
  }
}

function weightOf(h: Endpoint): number {
  return h.weight;
}
