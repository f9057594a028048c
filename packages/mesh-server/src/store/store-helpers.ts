// Small pure helpers every ConfigStore backend shares: key ordering, list/watch filters, revision
// parsing, the watch-start check against compacted history, and deep freezing of stored values.

import { keyString, type ResourceKey } from '../config/resource';
import { MeshServerError } from '../errors';
import type { ListOptions, StoredResource } from './config-store';

/** Orders resources by kind, then namespace, then name (plain code-unit order, as `list` promises). */
export function compareResources(a: StoredResource, b: StoredResource): number {
  return compareKeys(
    { kind: a.kind, namespace: a.metadata.namespace, name: a.metadata.name },
    { kind: b.kind, namespace: b.metadata.namespace, name: b.metadata.name },
  );
}

/** Orders keys by kind, then namespace, then name. */
export function compareKeys(a: ResourceKey, b: ResourceKey): number {
  return compareStrings(a.kind, b.kind) || compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** True if `resource` passes the kind/namespace filter of a list or watch. */
export function matchesFilter(options: ListOptions, resource: StoredResource): boolean {
  if (options.kind !== undefined && resource.kind !== options.kind) return false;
  if (options.namespace !== undefined && resource.metadata.namespace !== options.namespace) return false;
  return true;
}

/** Parses a store revision given as a decimal string; `field` names the argument in the error. */
export function parseRevision(value: string, field: string): number {
  if (!/^(0|[1-9][0-9]{0,15})$/.test(value)) {
    throw new MeshServerError('BAD_REQUEST', `${field} must be a store revision (a non-negative integer as a string), got ${JSON.stringify(value)}`, { field, value });
  }
  return Number(value);
}

/**
 * Checks that a watch may start after revision `after`: every event after it must still be in the
 * history (`after >= compacted`), and `after` must not lie in the future.
 */
export function checkWatchStart(after: number, current: number, compacted: number): void {
  if (after < compacted) {
    throw new MeshServerError(
      'COMPACTED',
      `cannot watch from revision ${after}: the history up to revision ${compacted} was compacted; list again and watch from the listed revision`,
      { afterRevision: String(after), compactedRevision: String(compacted), revision: String(current) },
    );
  }
  if (after > current) {
    throw new MeshServerError(
      'BAD_REQUEST',
      `cannot watch from revision ${after}: the store is at revision ${current} (was the data dir replaced?); list again`,
      { afterRevision: String(after), revision: String(current) },
    );
  }
}

/** The error every method of a closed store fails with. */
export function closedStoreError(what: string): MeshServerError {
  return new MeshServerError('UNAVAILABLE', `${what} is closed`, { store: what });
}

/** Freezes a JSON-like value and everything inside it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value as Record<string, unknown>)) deepFreeze(inner);
  }
  return value;
}

/** `Kind/namespace/name` of a stored resource. */
export function resourceKeyString(resource: StoredResource): string {
  return keyString({ kind: resource.kind, namespace: resource.metadata.namespace, name: resource.metadata.name });
}

/** Validates the `historyLimit` option of a backend (a non-negative integer; default 10 000). */
export function historyLimitOption(value: number | undefined): number {
  if (value === undefined) return 10_000;
  if (!Number.isInteger(value) || value < 0) {
    throw new MeshServerError('BAD_REQUEST', `historyLimit must be a non-negative integer, got ${value}`, { field: 'historyLimit' });
  }
  return value;
}
