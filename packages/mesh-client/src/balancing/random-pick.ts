// RANDOM and PICK_FIRST host pickers. Envoy's RandomLoadBalancer picks uniformly among the
// available hosts of the chosen priority/locality and ignores endpoint weights
// (`hosts[random % hosts.size()]`); gRPC's pick_first takes the first host in order.

import type { Endpoint } from '../snapshot/types';
import { notExcluded, type HostPicker } from './host-picker';
import { randomInt, type RandomSource } from './random';

/** Uniform random choice over a non-empty host list (weights ignored, as in Envoy). */
export function randomPicker(hosts: readonly Endpoint[], random: RandomSource): HostPicker {
  return {
    pick(_hash, exclude) {
      const allowed = notExcluded(hosts, exclude);
      const list = allowed.length > 0 ? allowed : hosts;
      return list[randomInt(random, list.length)]!;
    },
  };
}

/** The first host of the list that is not excluded (gRPC pick_first, without connectivity state). */
export function pickFirst(hosts: readonly Endpoint[]): HostPicker {
  return {
    pick(_hash, exclude) {
      return hosts.find((h) => !exclude?.has(h.key)) ?? hosts[0]!;
    },
  };
}
