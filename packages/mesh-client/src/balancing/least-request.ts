// LEAST_REQUEST, as Envoy's LeastRequestLoadBalancer: with equal weights, the least loaded of
// `choice_count` random hosts (P2C); with unequal weights, an EDF schedule where a host's weight
// is load_balancing_weight / (active_requests + 1)^active_request_bias at (re)insertion.

import type { Endpoint } from '../snapshot/types';
import { EdfScheduler } from './edf';
import type { EndpointStateStore } from './endpoint-state';
import { equalWeights, notExcluded, type HostPicker } from './host-picker';
import { randomInt, type RandomSource } from './random';

/** LEAST_REQUEST settings (Envoy defaults: choice_count 2, active_request_bias 1.0). */
export interface LeastRequestSettings {
  readonly choiceCount: number;
  readonly activeRequestBias: number;
}

/** Builds a least-request picker over a non-empty host list, reading active counts from `state`. */
export function leastRequest(hosts: readonly Endpoint[], settings: LeastRequestSettings, state: EndpointStateStore, random: RandomSource): HostPicker {
  return equalWeights(hosts) ? new PowerOfChoices(hosts, settings.choiceCount, state, random) : new WeightedLeastRequest(hosts, settings.activeRequestBias, state);
}

class PowerOfChoices implements HostPicker {
  constructor(
    private readonly hosts: readonly Endpoint[], private readonly choices: number,
    private readonly state: EndpointStateStore, private readonly random: RandomSource,
  ) {}

  /** Samples with replacement, keeping the first of equally loaded candidates (Envoy's loop). */
  pick(_hash: bigint | undefined, exclude: ReadonlySet<string> | undefined): Endpoint {
    let hosts = this.hosts;
    if (exclude && exclude.size > 0) {
      const allowed = notExcluded(hosts, exclude);
      if (allowed.length > 0) hosts = allowed;
    }
    if (hosts.length === 1) return hosts[0]!;
    let best = hosts[randomInt(this.random, hosts.length)]!;
    let bestActive = this.state.active(best.key);
    for (let i = 1; i < this.choices; i++) {
      const candidate = hosts[randomInt(this.random, hosts.length)]!;
      const active = this.state.active(candidate.key);
      if (active < bestActive) {
        best = candidate;
        bestActive = active;
      }
    }
    return best;
  }
}

class WeightedLeastRequest implements HostPicker {
  private readonly schedule = new EdfScheduler<Endpoint>();
  private readonly weightOf: (h: Endpoint) => number;

  constructor(private readonly hosts: readonly Endpoint[], bias: number, state: EndpointStateStore) {
    this.weightOf = bias === 0
      ? (h) => h.weight
      : bias === 1
        ? (h) => h.weight / (state.active(h.key) + 1)
        : (h) => h.weight / Math.pow(state.active(h.key) + 1, bias);
    for (const h of hosts) this.schedule.add(h, this.weightOf(h));
  }

  pick(_hash: bigint | undefined, exclude: ReadonlySet<string> | undefined): Endpoint {
    const first = this.schedule.pickAndAdd(this.weightOf)!;
    if (!exclude || !exclude.has(first.key)) return first;
    for (let i = 1; i < this.hosts.length * 4; i++) {
      const h = this.schedule.pickAndAdd(this.weightOf)!;
      if (!exclude.has(h.key)) return h;
    }
    return first;
  }
}
