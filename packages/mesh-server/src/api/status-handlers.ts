// Routes that report on the control plane rather than store config: health, readiness, version,
// the workload registry, cross-resource analysis, and the xDS sync status (istiod's /debug/syncz
// and /debug/config_dump) when an XdsStatusProvider is attached.

import { PROMETHEUS_CONTENT_TYPE } from '../metrics';
import { analyze } from '../config/analyze';
import { translate } from '../xds/translate';
import { translationWarnings } from '../xds/translation-analysis';
import type { Resource } from '../config/resource';
import type { RegistrySnapshot } from '../registry/types';
import type { XdsStatusProvider } from '../xds/contracts';
import { ApiError } from './api-error';
import { sendJson } from './http-io';
import type { RequestContext, Route } from './router';
import { ANALYZE_PATH, WORKLOADS_PATH, type AnalyzeResponse, type ConfigDumpResponse, type SynczResponse, type VersionInfo, type WorkloadList } from './wire';

/** The config view the API reads (ConfigCache satisfies it). */
export interface ConfigView {
  snapshot(): { readonly revision: string; readonly resources: readonly Resource[] };
}

/** The registry view the API reads (WorkloadRegistry satisfies it). */
export interface RegistryView {
  snapshot(): RegistrySnapshot;
}

/** What the status routes need. */
export interface StatusRouteDeps {
  readonly config: ConfigView;
  readonly registry: RegistryView;
  readonly xdsStatus?: XdsStatusProvider;
  /** True once the store and config cache are loaded. */
  readonly isReady: () => boolean;
  readonly version: string;
  /** Control-plane metrics in Prometheus text; absent → /metrics answers 404. */
  readonly metrics?: { render(): Promise<string> };
}

/** Health, readiness, version, workloads, analysis and xDS status routes. */
export function statusRoutes(deps: StatusRouteDeps): Route[] {
  return [
    { method: 'GET', pattern: '/healthz', handler: ({ res }) => sendJson(res, 200, { status: 'ok' }) },
    { method: 'GET', pattern: '/readyz', handler: ({ res }) => readyz(res, deps) },
    { method: 'GET', pattern: '/version', handler: ({ res }) => sendJson(res, 200, versionInfo(deps.version)) },
    { method: 'GET', pattern: WORKLOADS_PATH, handler: (ctx) => workloads(ctx, deps) },
    { method: 'GET', pattern: ANALYZE_PATH, handler: (ctx) => analysis(ctx, deps) },
    { method: 'GET', pattern: '/debug/syncz', handler: (ctx) => syncz(ctx, deps) },
    { method: 'GET', pattern: '/debug/config_dump', handler: (ctx) => configDump(ctx, deps) },
    ...(deps.metrics ? [{ method: 'GET' as const, pattern: '/metrics', handler: async ({ res }: RequestContext) => {
      const text = await deps.metrics!.render();
      res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
      res.end(text);
    } }] : []),
  ];
}

/** The `/version` body for a mesh-server version string. */
export function versionInfo(version: string): VersionInfo {
  return { name: '@inboard/mesh-server', version, node: process.version };
}

function readyz(res: RequestContext['res'], deps: StatusRouteDeps): void {
  if (!deps.isReady()) throw new ApiError(503, 'UNAVAILABLE', 'not ready: the config store and cache are still loading');
  sendJson(res, 200, { status: 'ready' });
}

function workloads(ctx: RequestContext, deps: StatusRouteDeps): void {
  const namespace = ctx.query.get('namespace') ?? undefined;
  const snapshot = deps.registry.snapshot();
  const items = snapshot.endpoints.filter((e) => namespace === undefined || e.namespace === namespace);
  const body: WorkloadList = { registryVersion: snapshot.version, items };
  sendJson(ctx.res, 200, body);
}

function analysis(ctx: RequestContext, deps: StatusRouteDeps): void {
  const namespace = ctx.query.get('namespace') ?? undefined;
  const { revision, resources } = deps.config.snapshot();
  const registry = deps.registry.snapshot();
  const messages = [...analyze(resources, registry), ...translationWarnings({ config: resources, registry }, translate)]
    .filter((m) => namespace === undefined || resourceNamespace(m.resource) === namespace);
  const body: AnalyzeResponse = { revision, ...(namespace !== undefined ? { namespace } : {}), messages };
  sendJson(ctx.res, 200, body);
}

/**
 * Namespace named in an analysis message's resource reference; accepts "Kind ns/name",
 * "Kind/ns/name" and "ns/name".
 */
export function resourceNamespace(resource: string): string | undefined {
  const ref = resource.trim().split(/\s+/).pop() ?? '';
  const parts = ref.split('/');
  return parts.length >= 2 ? parts[parts.length - 2] : undefined;
}

function requireXds(deps: StatusRouteDeps): XdsStatusProvider {
  if (!deps.xdsStatus) throw new ApiError(503, 'UNAVAILABLE', 'the xDS server is not running in this control plane, so there is no proxy status to report');
  return deps.xdsStatus;
}

function syncz(ctx: RequestContext, deps: StatusRouteDeps): void {
  const body: SynczResponse = { clients: requireXds(deps).clients() };
  sendJson(ctx.res, 200, body);
}

function configDump(ctx: RequestContext, deps: StatusRouteDeps): void {
  const xds = requireXds(deps);
  const proxyID = ctx.query.get('proxyID');
  if (!proxyID) throw new ApiError(400, 'BAD_REQUEST', 'config_dump needs ?proxyID=<client node id> (see /debug/syncz for the connected clients)');
  const dump = xds.configDump(proxyID);
  if (!dump) throw new ApiError(404, 'NOT_FOUND', `no connected client has node id "${proxyID}"`, { proxyID });
  const body: ConfigDumpResponse = { proxyID, clusters: dump.clusters, endpoints: dump.endpoints, listeners: dump.listeners, routes: dump.routes };
  sendJson(ctx.res, 200, body);
}
