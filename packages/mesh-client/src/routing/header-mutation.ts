// Applies compiled header mutations (HeaderValueOption semantics) to a header map, level by level,
// returning a new map. Used for request headers before forwarding and response headers after.

import type { HeaderMutation } from './types';

/** Mutable header map with lower-case names; repeated headers as arrays. */
export type MutableHeaders = Record<string, string | string[]>;

/**
 * Applies `levels` in the given order (actions.ts orders them most specific first, as Envoy does
 * unless most_specific_header_mutations_wins). Per level, removals first, then additions:
 * APPEND_IF_EXISTS_OR_ADD adds another value, ADD_IF_ABSENT only when missing,
 * OVERWRITE_IF_EXISTS_OR_ADD replaces or adds, OVERWRITE_IF_EXISTS replaces only when present.
 * Empty values are skipped unless keep_empty_value. The input is not modified.
 */
export function applyHeaderMutations(
  headers: Readonly<Record<string, string | readonly string[] | undefined>>, levels: readonly HeaderMutation[],
): MutableHeaders {
  const out: MutableHeaders = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k] = typeof v === 'string' ? v : [...v];
  }
  for (const level of levels) {
    for (const name of level.remove) delete out[name];
    for (const add of level.add) {
      if (add.value === '' && !add.keepEmptyValue) continue;
      const existing = out[add.name];
      switch (add.action) {
        case 'APPEND_IF_EXISTS_OR_ADD':
          if (existing === undefined) out[add.name] = add.value;
          else if (Array.isArray(existing)) existing.push(add.value);
          else out[add.name] = [existing, add.value];
          break;
        case 'ADD_IF_ABSENT':
          if (existing === undefined) out[add.name] = add.value;
          break;
        case 'OVERWRITE_IF_EXISTS_OR_ADD':
          out[add.name] = add.value;
          break;
        case 'OVERWRITE_IF_EXISTS':
          if (existing !== undefined) out[add.name] = add.value;
          break;
      }
    }
  }
  return out;
}
