// Routes for config resources at Kubernetes-like paths: list (or watch), get, create-or-replace
// (PUT, with metadata.resourceVersion as a compare-and-swap guard) and delete (optional guard).

import { apiVersionOf, keyOf, type KindInfo, type ResourceKey } from '../config/resource';
import { validateResource } from '../config/validate';
import type { ConfigStore } from '../store/config-store';
import { ApiError } from './api-error';
import { sameContent } from '../store/commit-planner';
import { readJsonBody, sendJson } from './http-io';
import { isRecord, splitServerMetadata } from './metadata';
import { qualifiedPlural, resolveKind } from './resource-paths';
import type { RequestContext, Route } from './router';
import { serveWatch, type WatchOptions } from './watch';
import type { ResourceList } from './wire';

/** What the resource routes need. */
export interface ResourceRouteDeps {
  readonly store: ConfigStore;
  readonly maxBodyBytes: number;
  readonly watch: WatchOptions;
}

/** The resource routes, for both `/apis/{group}/{version}/…` and core `/api/{version}/…`. */
export function resourceRoutes(deps: ResourceRouteDeps): Route[] {
  const routes: Route[] = [];
  for (const root of ['/apis/:group/:version', '/api/:version']) {
    routes.push(
      { method: 'GET', pattern: `${root}/:plural`, handler: (ctx) => list(ctx, deps, false) },
      { method: 'GET', pattern: `${root}/namespaces/:namespace/:plural`, handler: (ctx) => list(ctx, deps, true) },
      { method: 'GET', pattern: `${root}/namespaces/:namespace/:plural/:name`, handler: (ctx) => get(ctx, deps) },
      { method: 'PUT', pattern: `${root}/namespaces/:namespace/:plural/:name`, write: true, handler: (ctx) => put(ctx, deps) },
      { method: 'DELETE', pattern: `${root}/namespaces/:namespace/:plural/:name`, write: true, handler: (ctx) => remove(ctx, deps) },
    );
  }
  return routes;
}

function kindOf(ctx: RequestContext): KindInfo {
  return resolveKind(ctx.params.group ?? '', ctx.params.version!, ctx.params.plural!);
}

function keyFrom(ctx: RequestContext, info: KindInfo): ResourceKey {
  return { kind: info.kind, namespace: ctx.params.namespace!, name: ctx.params.name! };
}

function notFound(info: KindInfo, key: ResourceKey): ApiError {
  return new ApiError(404, 'NOT_FOUND', `${qualifiedPlural(info)} "${key.name}" not found in namespace "${key.namespace}"`, { kind: key.kind, namespace: key.namespace, name: key.name });
}

async function list(ctx: RequestContext, deps: ResourceRouteDeps, namespaced: boolean): Promise<void> {
  const info = kindOf(ctx);
  const namespace = namespaced ? ctx.params.namespace : undefined;
  const watch = ctx.query.get('watch');
  if (watch === 'true' || watch === '1') return serveWatch(ctx, deps.store, info, namespace, deps.watch);
  const { revision, items } = await deps.store.list({ kind: info.kind, ...(namespace !== undefined ? { namespace } : {}) });
  const body: ResourceList = { apiVersion: apiVersionOf(info, ctx.params.version), kind: `${info.kind}List`, metadata: { resourceVersion: revision }, items };
  sendJson(ctx.res, 200, body);
}

async function get(ctx: RequestContext, deps: ResourceRouteDeps): Promise<void> {
  const info = kindOf(ctx);
  const key = keyFrom(ctx, info);
  const found = await deps.store.get(key);
  if (!found) throw notFound(info, key);
  sendJson(ctx.res, 200, found);
}

async function put(ctx: RequestContext, deps: ResourceRouteDeps): Promise<void> {
  const info = kindOf(ctx);
  const key = keyFrom(ctx, info);
  const body = await readJsonBody(ctx.req, deps.maxBodyBytes);
  const { object, expectedVersion } = splitServerMetadata(withPathNamespace(body, key.namespace));
  const { resource, errors, warnings } = validateResource(object);
  if (!resource || errors.length > 0) {
    throw new ApiError(422, 'INVALID', `${info.kind} ${key.namespace}/${key.name} is invalid; nothing was stored`, { errors, warnings });
  }
  const bodyKey = keyOf(resource);
  if (bodyKey.kind !== key.kind || bodyKey.namespace !== key.namespace || bodyKey.name !== key.name) {
    throw new ApiError(400, 'BAD_REQUEST', `the body is ${bodyKey.kind} ${bodyKey.namespace}/${bodyKey.name} but the path names ${key.kind} ${key.namespace}/${key.name}`, { path: key, body: bodyKey });
  }
  const existing = await deps.store.get(key);
  if (expectedVersion !== undefined && expectedVersion !== (existing?.metadata.resourceVersion ?? '0')) {
    throw conflict(key, expectedVersion, existing?.metadata.resourceVersion);
  }
  if (existing && sameContent(existing, resource)) return sendJson(ctx.res, 200, existing);
  const { resourceVersion: _v, creationTimestamp: _c, generation: _g, ...metadata } = resource.metadata;
  // No guard in the body: last writer wins, as with a Kubernetes PUT without resourceVersion.
  const guard = expectedVersion !== undefined ? { expectedVersion } : {};
  try {
    const commit = await deps.store.commit([{ type: 'put', resource: { ...resource, metadata }, ...guard }]);
    sendJson(ctx.res, existing ? 200 : 201, commit.results[0]);
  } catch (error) {
    if (!isConflict(error) || expectedVersion === undefined) throw error;
    const now = await deps.store.get(key);
    throw conflict(key, expectedVersion, now?.metadata.resourceVersion);
  }
}

async function remove(ctx: RequestContext, deps: ResourceRouteDeps): Promise<void> {
  const info = kindOf(ctx);
  const key = keyFrom(ctx, info);
  const guard = ctx.query.get('resourceVersion') || undefined;
  const existing = await deps.store.get(key);
  if (!existing) throw notFound(info, key);
  if (guard !== undefined && guard !== existing.metadata.resourceVersion) throw conflict(key, guard, existing.metadata.resourceVersion);
  try {
    const commit = await deps.store.commit([{ type: 'delete', key, ...(guard !== undefined ? { expectedVersion: guard } : {}) }]);
    const removed = commit.results[0];
    if (!removed) throw notFound(info, key);
    sendJson(ctx.res, 200, removed);
  } catch (error) {
    if (isRecord(error) && error.code === 'NOT_FOUND') throw notFound(info, key);
    if (!isConflict(error)) throw error;
    const now = await deps.store.get(key);
    throw conflict(key, guard ?? '', now?.metadata.resourceVersion);
  }
}

function withPathNamespace(body: unknown, namespace: string): unknown {
  if (!isRecord(body) || !isRecord(body.metadata) || body.metadata.namespace !== undefined) return body;
  return { ...body, metadata: { ...body.metadata, namespace } };
}

function conflict(key: ResourceKey, expectedVersion: string, currentVersion: string | undefined): ApiError {
  const now = currentVersion === undefined ? 'it does not exist' : `it is at resourceVersion ${currentVersion}`;
  return new ApiError(409, 'CONFLICT', `${key.kind} ${key.namespace}/${key.name}: expected resourceVersion ${expectedVersion} but ${now}; get it again and retry`, {
    kind: key.kind,
    namespace: key.namespace,
    name: key.name,
    expectedVersion,
    currentVersion: currentVersion ?? null,
  });
}

function isConflict(error: unknown): boolean {
  return isRecord(error) && error.code === 'CONFLICT';
}
