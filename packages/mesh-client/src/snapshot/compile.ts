// compileSnapshot: the received xDS resources → one deeply frozen MeshSnapshot, pure and
// synchronous. Invalid resources are reported (for NACK) and their last good version is kept;
// unchanged resources reuse their compiled form from the previous snapshot.

import { uint64ToHex, xxhash64 } from '../balancing/xxhash64';
import type { RouteTable } from '../routing/types';
import { compileCluster } from './compile-cluster';
import { compileLoadAssignment } from './compile-endpoints';
import { compileListener } from './compile-listener';
import { compileRouteConfiguration } from './compile-route-config';
import { deepFreeze } from './freeze';
import { Issues, type Obj } from './proto-readers';
import type {
  ClusterConfig, ClusterEndpoints, ConfigNote, ListenerSpec, MeshSnapshot, ResourceError, ResourceFamily,
} from './types';

/** Resources as the xDS client holds them: per family, resource name → decoded plain object. */
export interface XdsResources {
  readonly listeners: ReadonlyMap<string, unknown>;
  readonly routes: ReadonlyMap<string, unknown>;
  readonly clusters: ReadonlyMap<string, unknown>;
  readonly endpoints: ReadonlyMap<string, unknown>;
}

/** compileSnapshot's result: the new snapshot and the resources to NACK. */
export interface CompileResult {
  readonly snapshot: MeshSnapshot;
  readonly errors: readonly ResourceError[];
}

/** xDS type URL per family. */
export const FAMILY_TYPE_URLS: Readonly<Record<ResourceFamily, string>> = {
  listeners: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routes: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  clusters: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  endpoints: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
};

const NAME_FIELD: Readonly<Record<ResourceFamily, string>> = { listeners: 'name', routes: 'name', clusters: 'name', endpoints: 'cluster_name' };

interface Compiled<T> {
  readonly raw: unknown;
  readonly fingerprint: string;
  readonly value: T;
  readonly notes: readonly ConfigNote[];
}

interface Sources {
  readonly listeners: ReadonlyMap<string, Compiled<ListenerSpec>>;
  readonly routes: ReadonlyMap<string, Compiled<RouteTable>>;
  readonly clusters: ReadonlyMap<string, Compiled<ClusterConfig>>;
  readonly endpoints: ReadonlyMap<string, Compiled<ClusterEndpoints>>;
}

const SOURCES = Symbol('inboard.snapshot.sources');

type Compiler<T> = (o: Obj, issues: Issues) => T | undefined;

const COMPILERS: { readonly [F in ResourceFamily]: Compiler<unknown> } = {
  listeners: compileListener,
  routes: (o, issues) => compileRouteConfiguration(o, issues),
  clusters: compileCluster,
  endpoints: (o, issues) => compileLoadAssignment(o, issues),
};

/**
 * Compiles every resource. A resource that fails validation yields a ResourceError naming each
 * field at fault and is replaced by its version from `previous` (the last accepted one), if any —
 * xDS semantics: a NACKed update leaves the previous config in force. Unchanged resources (same
 * object, or same content) reuse their compiled form by identity. `version` is a content hash.
 */
export function compileSnapshot(resources: XdsResources, previous?: MeshSnapshot): CompileResult {
  const prior = previous ? (previous as unknown as { [SOURCES]?: Sources })[SOURCES] : undefined;
  const errors: ResourceError[] = [];
  const listeners = compileFamily<ListenerSpec>('listeners', resources.listeners, prior?.listeners, errors);
  const routes = compileFamily<RouteTable>('routes', resources.routes, prior?.routes, errors);
  const clusters = compileFamily<ClusterConfig>('clusters', resources.clusters, prior?.clusters, errors);
  const assignments = compileFamily<ClusterEndpoints>('endpoints', resources.endpoints, prior?.endpoints, errors);

  const endpointsByCluster = new Map<string, ClusterEndpoints>();
  for (const [name, c] of clusters) {
    const cluster = c.value;
    const found = cluster.type === 'EDS' ? assignments.get(cluster.edsServiceName ?? name)?.value : cluster.loadAssignment;
    if (found) endpointsByCluster.set(name, found);
  }
  const notes = [listeners, routes, clusters, assignments].flatMap((family) => [...family.values()].flatMap((c) => c.notes));
  const snapshot: MeshSnapshot = {
    version: versionOf({ listeners, routes, clusters, endpoints: assignments }),
    listeners: valuesOf(listeners),
    routeTables: valuesOf(routes),
    clusters: valuesOf(clusters),
    endpoints: endpointsByCluster,
    assignments: valuesOf(assignments),
    notes,
  };
  // The compiled sources ride along (hidden) so the next compile can reuse unchanged parts.
  Object.defineProperty(snapshot, SOURCES, { value: { listeners, routes, clusters, endpoints: assignments } satisfies Sources });
  deepFreeze(snapshot);
  return { snapshot, errors };
}

function compileFamily<T>(
  family: ResourceFamily, input: ReadonlyMap<string, unknown>, prior: ReadonlyMap<string, Compiled<T>> | undefined, errors: ResourceError[],
): Map<string, Compiled<T>> {
  const out = new Map<string, Compiled<T>>();
  for (const [name, raw] of input) {
    const before = prior?.get(name);
    if (before && before.raw === raw) {
      out.set(name, before);
      continue;
    }
    const fingerprint = fingerprintOf(raw);
    if (before && before.fingerprint === fingerprint) {
      out.set(name, { ...before, raw });
      continue;
    }
    const issues = new Issues();
    let value: T | undefined;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      issues.error('', 'resource must be a decoded message object');
    } else {
      const declared = (raw as Obj)[NAME_FIELD[family]];
      if (declared !== undefined && declared !== name) issues.error(NAME_FIELD[family], `resource name "${String(declared)}" does not match its key "${name}"`);
      else value = COMPILERS[family](declared === undefined ? { ...(raw as Obj), [NAME_FIELD[family]]: name } : raw as Obj, issues) as T | undefined;
    }
    if (issues.errors.length > 0 || value === undefined) {
      const problems = issues.errors.length > 0 ? issues.errors : [{ path: '', message: 'invalid resource' }];
      errors.push({
        family,
        typeUrl: FAMILY_TYPE_URLS[family],
        name,
        message: problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`)).join('; '),
        problems,
      });
      if (before) out.set(name, before);
      continue;
    }
    out.set(name, {
      raw,
      fingerprint,
      value: deepFreeze(value),
      notes: issues.notes.map((n) => ({ family, name, path: n.path, message: n.message })),
    });
  }
  return out;
}

function valuesOf<T>(m: ReadonlyMap<string, Compiled<T>>): Map<string, T> {
  const out = new Map<string, T>();
  for (const [k, v] of m) out.set(k, v.value);
  return out;
}

/** Content fingerprint of a decoded resource (bytes as base64, 64-bit ints as strings). */
function fingerprintOf(raw: unknown): string {
  const json = JSON.stringify(raw, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
    return v;
  });
  return uint64ToHex(xxhash64(json ?? 'undefined'));
}

function versionOf(sources: Sources): string {
  const parts: string[] = [];
  for (const family of ['listeners', 'routes', 'clusters', 'endpoints'] as const) {
    const names = [...sources[family].keys()].sort();
    for (const name of names) parts.push(`${family}\u0000${name}\u0000${sources[family].get(name)!.fingerprint}`);
  }
  return uint64ToHex(xxhash64(parts.join('\n')));
}
