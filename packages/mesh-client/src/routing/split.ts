// Weighted cluster selection (RouteAction.weighted_clusters), as Envoy's
// WeightedClusterUtil::pickCluster: a value in [0, total) walked against the weights in order.

import { defaultRandom, type RandomSource } from '../balancing/random';
import type { RequestView } from './request-view';
import type { WeightedClusterEntry } from './types';

/** The chosen entry and its position. */
export interface WeightedPick {
  readonly entry: WeightedClusterEntry;
  readonly index: number;
}

/**
 * Picks one weighted cluster. The value is `random_value % total_weight` where the random value
 * comes from the `header_name` request header when configured and it holds an unsigned 64-bit
 * number (so several proxy hops pick consistently), else from `random`. Entries are walked in
 * order; a 0-weight entry is never chosen. `totalWeight` must be > 0 (compile rejects 0).
 */
export function pickWeightedCluster(
  clusters: readonly WeightedClusterEntry[], totalWeight: number, random: RandomSource = defaultRandom,
  options?: { readonly randomValueHeader?: string; readonly view?: RequestView },
): WeightedPick {
  let value = -1;
  if (options?.randomValueHeader !== undefined && options.view) {
    const header = options.view.headerValues(options.randomValueHeader)?.[0];
    if (header !== undefined && /^\d{1,20}$/.test(header)) {
      const big = BigInt(header);
      if (big <= 0xffffffffffffffffn) value = Number(big % BigInt(totalWeight));
    }
  }
  if (value < 0) value = Math.floor(random() * totalWeight);
  let end = 0;
  for (let i = 0; i < clusters.length; i++) {
    end += clusters[i]!.weight;
    if (value < end) return { entry: clusters[i]!, index: i };
  }
  // Unreachable while totalWeight equals the sum of weights; fall back to the last positive entry.
  for (let i = clusters.length - 1; i >= 0; i--) if (clusters[i]!.weight > 0) return { entry: clusters[i]!, index: i };
  return { entry: clusters[0]!, index: 0 };
}
