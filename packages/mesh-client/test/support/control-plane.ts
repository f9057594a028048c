// Test support: a real Inboard control plane in this process (startControlPlane on port 0 and a
// temp dir), its admin API (apply, delete, workloads), and a bounded poll. Integration tests only.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The slice of @inboard/mesh-server's ControlPlane the tests use. */
export interface ControlPlaneHandle {
  readonly apiAddress: string;
  readonly xdsAddress: string;
  readonly token: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** The slice of @inboard/mesh-server the tests load. */
export interface MeshServerModule {
  startControlPlane(options: { dataDir: string; apiPort: number; xdsPort: number; caPort: number }): Promise<ControlPlaneHandle>;
  XdsServer: new (options: Record<string, unknown>) => { listen(port: number, host?: string): Promise<number>; inputChanged(): void; close(): Promise<void> | void };
}

/**
 * @inboard/mesh-server, loaded at run time and typed by the slice above. mesh-server's project
 * references mesh-client (its CLI runs `inboard explain` on a mesh client), so mesh-client must not
 * depend on mesh-server, even for types; a static import would also pull mesh-server's sources into
 * mesh-client's compilation. Tests only; mesh-client itself never loads it.
 */
export function meshServer(): MeshServerModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@inboard/mesh-server') as MeshServerModule;
}

/** A running control plane with helpers over its admin API. */
export interface TestPlane {
  readonly plane: ControlPlaneHandle;
  readonly xds: string;
  /** Applies Istio/Kubernetes config objects (one transaction). */
  apply(...objects: object[]): Promise<void>;
  /** Deletes one resource by its API path segment, e.g. ('networking.istio.io/v1', 'virtualservices', 'default', 'reviews'). */
  remove(groupVersion: string, plural: string, namespace: string, name: string): Promise<void>;
  /** The registry's workloads. */
  workloads(): Promise<{ id: string; address: string; ports: Record<string, number>; labels: Record<string, string>; expiresAt?: number }[]>;
  close(): Promise<void>;
}

/** Starts a control plane on free loopback ports in a fresh temp dir. */
export async function startTestPlane(): Promise<TestPlane> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-mc-'));
  const plane = await meshServer().startControlPlane({ dataDir, apiPort: 0, xdsPort: 0, caPort: 0 });
  return adminApi(plane, async () => {
    await plane.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
}

/** Admin-API helpers over a control plane reachable at `plane.apiAddress`. */
export function adminApi(plane: ControlPlaneHandle, close: () => Promise<void>): TestPlane {
  const call = async (method: string, urlPath: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${plane.apiAddress}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${plane.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${urlPath} answered ${response.status}: ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  };
  return {
    plane,
    xds: plane.xdsAddress,
    apply: async (...objects) => {
      await call('POST', '/apis/inboard.io/v1/apply', { documents: objects.map((object, i) => ({ source: 'test', index: i + 1, object })) });
    },
    remove: async (groupVersion, plural, namespace, name) => {
      const root = groupVersion.includes('/') ? `/apis/${groupVersion}` : `/api/${groupVersion}`;
      await call('DELETE', `${root}/namespaces/${namespace}/${plural}/${name}`);
    },
    workloads: async () => ((await call('GET', '/apis/inboard.io/v1/workloads')) as { items: [] }).items,
    close,
  };
}

/** Polls `check` until it returns a value other than undefined/false, at most `timeoutMs`. */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, everyMs = 20): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The slice of Mesh.explain the waits read. */
interface Explains {
  explain(request: { url: string; headers?: Record<string, string> }): Record<string, unknown>;
}

/** Waits until `mesh` would forward `url` to a cluster with exactly `count` available endpoints. */
export async function untilEndpoints(mesh: Explains, url: string, count: number, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<void> {
  await until(`${url} to have ${count} available endpoint(s)`, () => {
    const e = mesh.explain({ url, headers });
    const endpoints = e['endpoints'] as { available: boolean }[] | undefined;
    return e['decision'] === 'forward' && endpoints !== undefined && endpoints.filter((x) => x.available).length === count;
  }, timeoutMs);
}

/** Waits until explain(url) satisfies `check` (e.g. a VirtualService took effect). */
export async function untilExplained(mesh: Explains, url: string, check: (e: Record<string, unknown>) => boolean, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<Record<string, unknown>> {
  return until(`explain(${url}) to satisfy the condition`, () => {
    const e = mesh.explain({ url, headers });
    return check(e) ? e : undefined;
  }, timeoutMs);
}
