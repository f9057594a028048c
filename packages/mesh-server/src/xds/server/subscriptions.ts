// Subscription rules of the xDS protocol, as pure functions: what a client is subscribed to after a
// SotW or delta request, including Envoy's wildcard rules (explicit "*", and the legacy wildcard:
// a first LDS/CDS request naming nothing). Envoy docs: "How the client specifies what resources to return".

import { isFullStateType } from '@inboard/xds';

/** A client's subscription for one type on one stream. */
export interface Subscription {
  /** All resources of the type (LDS/CDS only). */
  readonly wildcard: boolean;
  /** Explicitly named resources (never contains "*"). */
  readonly names: ReadonlySet<string>;
  /** The client has named resources explicitly (or "*") at least once: an empty list now means "none". */
  readonly explicit: boolean;
}

/** Subscription before any request. */
export const NO_SUBSCRIPTION: Subscription = { wildcard: false, names: new Set(), explicit: false };

/** True if the subscription covers `name`. */
export function covers(sub: Subscription, name: string): boolean {
  return sub.wildcard || sub.names.has(name);
}

/** True if anything is subscribed. */
export function isSubscribed(sub: Subscription): boolean {
  return sub.wildcard || sub.names.size > 0;
}

/**
 * SotW: `resource_names` is the complete new set. An empty list is the legacy wildcard for LDS/CDS
 * until the client has named anything explicitly; afterwards it unsubscribes from everything.
 */
export function sotwSubscription(prev: Subscription, typeUrl: string, resourceNames: readonly string[]): Subscription {
  if (resourceNames.length === 0) {
    if (!prev.explicit && isFullStateType(typeUrl)) return { wildcard: true, names: new Set(), explicit: false };
    return { wildcard: false, names: new Set(), explicit: prev.explicit };
  }
  const names = new Set(resourceNames.filter((n) => n !== '*'));
  return { wildcard: resourceNames.includes('*') && isFullStateType(typeUrl), names, explicit: true };
}

/**
 * Delta: subscribe/unsubscribe are changes to the current set. The first request for a type that
 * names nothing in either list is the legacy wildcard for LDS/CDS.
 */
export function deltaSubscription(
  prev: Subscription,
  typeUrl: string,
  subscribe: readonly string[],
  unsubscribe: readonly string[],
  firstRequest: boolean,
): Subscription {
  if (firstRequest && subscribe.length === 0 && unsubscribe.length === 0 && isFullStateType(typeUrl)) {
    return { wildcard: true, names: new Set(), explicit: false };
  }
  const names = new Set(prev.names);
  let wildcard = prev.wildcard;
  for (const name of subscribe) {
    if (name === '*') wildcard = isFullStateType(typeUrl);
    else names.add(name);
  }
  for (const name of unsubscribe) {
    if (name === '*') wildcard = false;
    else names.delete(name);
  }
  return { wildcard, names, explicit: prev.explicit || subscribe.length > 0 };
}

/** Names in `next` that `prev` did not name explicitly. */
export function addedNames(prev: Subscription, next: Subscription): string[] {
  return [...next.names].filter((n) => !prev.names.has(n));
}
