// The apply operation behind `POST /apis/inboard.io/v1/apply` and `inboard apply`: validate a whole
// batch of documents, work out what changes (created / configured / unchanged), and commit every
// change in ONE store transaction, or nothing.

import { keyOf, keyString, type Resource } from '../config/resource';
import { validateDocuments } from '../config/validate';
import { sameContent } from '../store/commit-planner';
import type { ConfigStore, StoreOp, StoredResource } from '../store/config-store';
import { ApiError } from './api-error';
import { isRecord, splitServerMetadata } from './metadata';
import type { ApiIssue, ApplyAction, ApplyDocument, ApplyRequest, ApplyResponse, ApplyResult } from './wire';

/** How often a batch is re-planned when a concurrent writer changed one of its resources meanwhile. */
const MAX_PLAN_ATTEMPTS = 5;

/** Checks the request body's shape; answers 400 naming the first field at fault. */
export function parseApplyRequest(body: unknown): ApplyRequest {
  if (!isRecord(body)) throw badRequest('body must be a JSON object { documents: [...] }');
  const { documents, skipUnsupported, dryRun } = body;
  if (!Array.isArray(documents)) throw badRequest('documents must be an array of { source, index, object }');
  documents.forEach((doc, i) => {
    if (!isRecord(doc)) throw badRequest(`documents[${i}] must be an object { source, index, object }`);
    if (typeof doc.source !== 'string' || doc.source === '') throw badRequest(`documents[${i}].source must be a non-empty string`);
    if (!Number.isInteger(doc.index)) throw badRequest(`documents[${i}].index must be an integer`);
    if (!('object' in doc)) throw badRequest(`documents[${i}].object is missing`);
    if (doc.item !== undefined && !Number.isInteger(doc.item)) throw badRequest(`documents[${i}].item must be an integer`);
  });
  for (const [name, value] of [['skipUnsupported', skipUnsupported], ['dryRun', dryRun]] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw badRequest(`${name} must be a boolean`);
  }
  return { documents: documents as ApplyDocument[], skipUnsupported: skipUnsupported === true, dryRun: dryRun === true };
}

/**
 * Applies a batch. Throws ApiError 422 (INVALID, every issue in details.errors) when any document
 * is invalid, 409 (CONFLICT) when a document's metadata.resourceVersion no longer matches.
 */
export async function applyDocuments(store: ConfigStore, request: ApplyRequest): Promise<ApplyResponse> {
  const guards = new Map<string, string>(); // docId → resourceVersion the document carried
  const documents: ApplyDocument[] = request.documents.map((doc) => {
    const { object, expectedVersion } = splitServerMetadata(doc.object);
    if (expectedVersion !== undefined) guards.set(docId(doc), expectedVersion);
    return { source: doc.source, index: doc.index, object, ...(doc.item !== undefined ? { item: doc.item } : {}) };
  });
  const validation = validateDocuments(documents, { skipUnsupported: request.skipUnsupported === true });
  const errors: readonly ApiIssue[] = validation.errors;
  if (errors.length > 0) {
    throw new ApiError(422, 'INVALID', `${errors.length} problem${errors.length === 1 ? '' : 's'} in the applied documents; nothing was stored`, {
      errors,
      warnings: validation.warnings,
      skipped: validation.skipped,
    });
  }
  const origins = originsOf(validation.resources, documents, validation.skipped);
  for (let attempt = 1; ; attempt++) {
    const plan = await planApply(store, validation.resources, origins.map((o) => guards.get(docId(o))));
    if (request.dryRun || plan.ops.length === 0) {
      return respond(await store.revision(), request.dryRun === true, plan.actions, validation.resources, origins, plan.current, validation);
    }
    try {
      const commit = await store.commit(plan.ops);
      const stored = plan.current.slice();
      plan.opIndex.forEach((resourceIndex, opIndex) => (stored[resourceIndex] = commit.results[opIndex] ?? undefined));
      return respond(commit.revision, false, plan.actions, validation.resources, origins, stored, validation);
    } catch (error) {
      if (!isConflict(error)) throw error;
      // A conflict on a guard we chose ourselves means someone wrote in between: plan again.
      if (!plan.userGuarded && attempt < MAX_PLAN_ATTEMPTS) continue;
      const details = (error as { details?: Record<string, unknown> }).details ?? {};
      throw new ApiError(409, 'CONFLICT', `${(error as Error).message}; nothing was stored`, { ...details, currentVersion: details.actualVersion ?? null });
    }
  }
}

interface Plan {
  readonly ops: StoreOp[];
  readonly opIndex: number[]; // op → resource index
  readonly actions: ApplyAction[];
  readonly current: (StoredResource | undefined)[];
  readonly userGuarded: boolean;
}

async function planApply(store: ConfigStore, resources: readonly Resource[], userGuards: readonly (string | undefined)[]): Promise<Plan> {
  const current = await Promise.all(resources.map((r) => store.get(keyOf(r))));
  const ops: StoreOp[] = [];
  const opIndex: number[] = [];
  const actions: ApplyAction[] = [];
  resources.forEach((resource, i) => {
    const existing = current[i];
    const userGuard = userGuards[i];
    const currentVersion = existing?.metadata.resourceVersion ?? '0';
    if (userGuard !== undefined && userGuard !== currentVersion) {
      throw new ApiError(409, 'CONFLICT', `${describe(resource)} was changed since resourceVersion ${userGuard} (now ${existing ? currentVersion : 'deleted'}); get it again and reapply`, {
        resource: keyString(keyOf(resource)),
        expectedVersion: userGuard,
        currentVersion: existing ? currentVersion : null,
      });
    }
    if (existing && sameContent(existing, resource)) {
      actions.push('unchanged');
      return;
    }
    actions.push(existing ? 'configured' : 'created');
    ops.push({ type: 'put', resource: withoutServerMetadata(resource), expectedVersion: currentVersion });
    opIndex.push(i);
  });
  return { ops, opIndex, actions, current, userGuarded: userGuards.some((g) => g !== undefined) };
}

function respond(
  revision: string,
  dryRun: boolean,
  actions: readonly ApplyAction[],
  resources: readonly Resource[],
  origins: readonly ApplyDocument[],
  stored: readonly (StoredResource | undefined)[],
  validation: { skipped: ApplyResponse['skipped']; warnings: readonly ApiIssue[] },
): ApplyResponse {
  const results: ApplyResult[] = resources.map((resource, i) => {
    const version = stored[i]?.metadata.resourceVersion;
    return {
      source: origins[i]!.source,
      index: origins[i]!.index,
      apiVersion: resource.apiVersion,
      kind: resource.kind,
      namespace: resource.metadata.namespace,
      name: resource.metadata.name,
      action: actions[i]!,
      ...(version !== undefined ? { resourceVersion: version } : {}),
    };
  });
  return { revision, dryRun, results, skipped: validation.skipped, warnings: validation.warnings };
}

function withoutServerMetadata(resource: Resource): Resource {
  const { resourceVersion: _v, creationTimestamp: _c, generation: _g, ...metadata } = resource.metadata;
  return { ...resource, metadata };
}

/**
 * The document each validated resource came from. Validation keeps document order and yields one
 * resource per non-empty document it did not skip, so the two line up; matched by kind and name otherwise.
 */
export function originsOf(
  resources: readonly Resource[],
  documents: readonly ApplyDocument[],
  skipped: readonly { source: string; index: number; kind: string; name: string }[],
): ApplyDocument[] {
  const kindAndName = (d: ApplyDocument) => {
    const object = isRecord(d.object) ? d.object : {};
    const meta = isRecord(object.metadata) ? object.metadata : {};
    return { kind: object.kind, name: meta.name, namespace: meta.namespace ?? 'default' };
  };
  const kept = documents.filter((d) => {
    if (d.object === null || d.object === undefined) return false;
    const { kind, name } = kindAndName(d);
    return !skipped.some((s) => s.source === d.source && s.index === d.index && s.kind === kind && s.name === (name ?? ''));
  });
  const lineUp = kept.length === resources.length && kept.every((d, i) => kindAndName(d).kind === resources[i]!.kind);
  return resources.map((resource, i) => {
    if (lineUp) return kept[i]!;
    const found = kept.find((d) => {
      const { kind, name, namespace } = kindAndName(d);
      return kind === resource.kind && name === resource.metadata.name && namespace === resource.metadata.namespace;
    });
    return found ?? { source: '<unknown>', index: 0, object: null };
  });
}

function docId(doc: ApplyDocument): string {
  return `${doc.source}#${doc.index}#${doc.item ?? ''}`;
}

function describe(resource: Resource): string {
  return `${resource.kind} ${resource.metadata.namespace}/${resource.metadata.name}`;
}

function isConflict(error: unknown): boolean {
  return isRecord(error) && error.code === 'CONFLICT';
}

function badRequest(message: string): ApiError {
  return new ApiError(400, 'BAD_REQUEST', `apply request: ${message}`);
}
