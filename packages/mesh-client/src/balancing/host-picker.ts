// The per-host-list algorithm interface behind a cluster Picker: one instance per host source
// (priority × health class × locality), built with the picker and replaced with it.

import type { Endpoint } from '../snapshot/types';

/**
 * Picks one host from a fixed, non-empty list. `exclude` holds keys of hosts already tried
 * (retries): when some listed host is not excluded, the pick must be one of those.
 */
export interface HostPicker {
  pick(hash: bigint | undefined, exclude: ReadonlySet<string> | undefined): Endpoint;
}

/** The hosts of `hosts` not in `exclude` (the list itself when nothing is excluded). */
export function notExcluded(hosts: readonly Endpoint[], exclude: ReadonlySet<string> | undefined): readonly Endpoint[] {
  if (!exclude || exclude.size === 0) return hosts;
  return hosts.filter((h) => !exclude.has(h.key));
}

/** True when every host has the same weight (Envoy then uses the unweighted algorithms). */
export function equalWeights(hosts: readonly Endpoint[]): boolean {
  for (let i = 1; i < hosts.length; i++) if (hosts[i]!.weight !== hosts[0]!.weight) return false;
  return true;
}
