// The transaction semantics every ConfigStore backend shares, as one pure function: given the ops
// and a reader of the current state, check the compare-and-swap guards and work out the writes,
// the stamped resources (resourceVersion, creationTimestamp, generation) and the watch events.

import { KINDS, keyString, type Resource, type ResourceKey } from '../config/resource';
import { MeshServerError } from '../errors';
import type { StoreOp, StoredResource, WatchEvent } from './config-store';
import { deepFreeze } from './store-helpers';

/** A resource as a backend keeps it, with the etcd-style bookkeeping beside it. */
export interface StoredEntry {
  readonly resource: StoredResource;
  readonly createRevision: number;
  readonly modRevision: number;
}

/** One change a backend must apply, in op order. */
export type PlannedWrite =
  | { readonly type: 'put'; readonly key: ResourceKey; readonly entry: StoredEntry }
  | { readonly type: 'delete'; readonly key: ResourceKey };

/** Everything a backend needs to apply a commit and answer it. */
export interface CommitPlan {
  /** The revision after the commit: current + 1 if anything changes, else the current one. */
  readonly revision: number;
  readonly writes: readonly PlannedWrite[];
  readonly events: readonly WatchEvent[];
  readonly results: readonly (StoredResource | null)[];
  readonly unchanged: readonly boolean[];
}

const KNOWN_KINDS = new Set<string>(KINDS.map((k) => k.kind));

/**
 * Plans a transaction. `read` returns the stored entry of a key as of the start of the transaction.
 * Throws MeshServerError CONFLICT / NOT_FOUND / BAD_REQUEST; nothing is applied by this function,
 * so a throw leaves the store untouched.
 */
export function planCommit(
  ops: readonly StoreOp[],
  read: (key: ResourceKey) => StoredEntry | undefined,
  currentRevision: number,
  now: Date,
): CommitPlan {
  if (!Array.isArray(ops)) throw new MeshServerError('BAD_REQUEST', 'commit() needs an array of ops');
  const nextRevision = currentRevision + 1;
  const seen = new Set<string>();
  const writes: PlannedWrite[] = [];
  const events: WatchEvent[] = [];
  const results: (StoredResource | null)[] = [];
  const unchanged: boolean[] = [];

  ops.forEach((op, index) => {
    const key = opKey(op, index);
    const keyText = keyString(key);
    if (seen.has(keyText)) {
      throw new MeshServerError('BAD_REQUEST', `ops[${index}]: ${keyText} appears twice in one commit; put each resource once`, { key: keyText, index });
    }
    seen.add(keyText);
    const existing = read(key);
    checkGuard(op, keyText, existing);

    if (op.type === 'delete') {
      results.push(existing ? existing.resource : null);
      unchanged.push(!existing);
      if (existing) {
        writes.push({ type: 'delete', key });
        events.push({ type: 'DELETED', revision: String(nextRevision), resource: existing.resource });
      }
      return;
    }

    const incoming = normalise(op.resource);
    if (existing && sameContent(existing.resource, incoming)) {
      results.push(existing.resource);
      unchanged.push(true);
      return;
    }
    const entry = stamp(incoming, existing, nextRevision, now);
    writes.push({ type: 'put', key, entry });
    events.push({ type: existing ? 'MODIFIED' : 'ADDED', revision: String(nextRevision), resource: entry.resource });
    results.push(entry.resource);
    unchanged.push(false);
  });

  return { revision: writes.length > 0 ? nextRevision : currentRevision, writes, events, results, unchanged };
}

function opKey(op: StoreOp, index: number): ResourceKey {
  if (op === null || typeof op !== 'object' || (op.type !== 'put' && op.type !== 'delete')) {
    throw new MeshServerError('BAD_REQUEST', `ops[${index}]: type must be 'put' or 'delete'`, { index });
  }
  const key = op.type === 'put' ? resourceKey(op.resource, index) : op.key;
  const where = `ops[${index}]${op.type === 'put' ? '.resource' : '.key'}`;
  if (!key || !KNOWN_KINDS.has(key.kind)) {
    throw new MeshServerError('BAD_REQUEST', `${where}: kind ${JSON.stringify(key?.kind)} is not one the store keeps`, { index });
  }
  for (const field of ['namespace', 'name'] as const) {
    if (typeof key[field] !== 'string' || key[field] === '') {
      throw new MeshServerError('BAD_REQUEST', `${where}: ${field} must be a non-empty string`, { index, field });
    }
  }
  return { kind: key.kind, namespace: key.namespace, name: key.name };
}

function resourceKey(resource: Resource | undefined, index: number): ResourceKey {
  if (!resource || typeof resource !== 'object' || !resource.metadata || typeof resource.metadata !== 'object') {
    throw new MeshServerError('BAD_REQUEST', `ops[${index}].resource: a resource with metadata is required`, { index });
  }
  return { kind: resource.kind, namespace: resource.metadata.namespace, name: resource.metadata.name };
}

function checkGuard(op: StoreOp, keyText: string, existing: StoredEntry | undefined): void {
  const expected = op.expectedVersion;
  if (expected === undefined) return;
  if (typeof expected !== 'string' || !/^(0|[1-9][0-9]*)$/.test(expected)) {
    throw new MeshServerError('BAD_REQUEST', `${keyText}: expectedVersion must be a resourceVersion string, got ${JSON.stringify(expected)}`, { key: keyText });
  }
  const actual = existing ? String(existing.modRevision) : '0';
  if (op.type === 'delete' && !existing) {
    throw new MeshServerError('NOT_FOUND', `${keyText} does not exist, so it cannot be deleted at resourceVersion ${expected}`, {
      key: keyText, expectedVersion: expected, actualVersion: actual,
    });
  }
  if (expected === actual) return;
  const message =
    expected === '0' ? `${keyText} already exists (resourceVersion ${actual}); it was expected not to exist`
    : actual === '0' ? `${keyText} does not exist; expected resourceVersion ${expected}`
    : `${keyText} is at resourceVersion ${actual}, not the expected ${expected}; read it again and retry`;
  throw new MeshServerError('CONFLICT', message, { key: keyText, expectedVersion: expected, actualVersion: actual });
}

/** A JSON copy of the resource (what a store can keep), with `spec` defaulted to {}. */
function normalise(resource: Resource): Resource {
  const copy = JSON.parse(JSON.stringify(resource)) as { -readonly [K in keyof Resource]: Resource[K] };
  if (copy.spec === undefined) copy.spec = {};
  return copy;
}

function stamp(incoming: Resource, existing: StoredEntry | undefined, revision: number, now: Date): StoredEntry {
  const previous = existing?.resource;
  const previousGeneration = previous?.metadata.generation ?? 0;
  const specChanged = !previous || canonical(previous.spec) !== canonical(incoming.spec);
  const metadata = {
    ...incoming.metadata,
    resourceVersion: String(revision),
    creationTimestamp: previous?.metadata.creationTimestamp ?? kubernetesTimestamp(now),
    generation: specChanged ? previousGeneration + 1 : previousGeneration,
  };
  const resource = deepFreeze({ ...incoming, metadata });
  return { resource, createRevision: existing ? existing.createRevision : revision, modRevision: revision };
}

/** True when a put would change nothing: same apiVersion, spec, labels and annotations. */
export function sameContent(stored: Resource, incoming: Resource): boolean {
  return (
    stored.apiVersion === incoming.apiVersion &&
    canonical(stored.spec) === canonical(incoming.spec) &&
    canonical(stored.metadata.labels ?? {}) === canonical(incoming.metadata.labels ?? {}) &&
    canonical(stored.metadata.annotations ?? {}) === canonical(incoming.metadata.annotations ?? {})
  );
}

/** JSON with object keys sorted, so equal values give equal strings whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  ) ?? 'null';
}

/** RFC 3339 in UTC with whole seconds, as Kubernetes writes creationTimestamp. */
function kubernetesTimestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
