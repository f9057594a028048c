// How the CLI names kinds: resolving the KIND argument (any name findKind accepts, plus the
// pseudo-kinds `workloads` and `all`) and kubectl's `virtualservice.networking.istio.io/reviews` form.

import { findKind, KINDS, type KindInfo, type KindName } from '../config/resource';
import { CliError, EXIT_REJECTED } from './exit-codes';

/** What a KIND argument names. */
export type KindTarget = { readonly type: 'kind'; readonly info: KindInfo } | { readonly type: 'workloads' } | { readonly type: 'all' };

const WORKLOAD_NAMES = new Set(['workloads', 'workload', 'wl']);

/** Resolves a KIND argument; an unknown name is rejected (exit 1) with the names that exist. */
export function resolveKindArg(arg: string, allowPseudo: boolean): KindTarget {
  const lower = arg.toLowerCase();
  if (allowPseudo && WORKLOAD_NAMES.has(lower)) return { type: 'workloads' };
  if (allowPseudo && lower === 'all') return { type: 'all' };
  const info = findKind(lower.split('.')[0]!);
  if (info && (!lower.includes('.') || lower === typeName(info) || lower === `${info.plural}.${info.group}`)) return { type: 'kind', info };
  const known = KINDS.map((k) => k.plural).concat(allowPseudo ? ['workloads', 'all'] : []);
  throw new CliError(EXIT_REJECTED, `error: the server doesn't have a resource type "${arg}"; known types: ${known.join(', ')}`);
}

/** `virtualservice.networking.istio.io` (or `service` for core kinds). */
export function typeName(info: KindInfo): string {
  const singular = info.kind.toLowerCase();
  return info.group ? `${singular}.${info.group}` : singular;
}

/** `virtualservice.networking.istio.io/reviews`. */
export function qualifiedName(kind: KindName, name: string): string {
  const info = KINDS.find((k) => k.kind === kind);
  return `${info ? typeName(info) : kind.toLowerCase()}/${name}`;
}
