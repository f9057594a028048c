// The admin API server: node:http, loopback by default, JSON in and out. Writes need the bearer
// token; reads are open on loopback (and need the token too when bound elsewhere).

import http from 'node:http';
import type { TokenStore } from '../tokens/token-store';
import type { AddressInfo } from 'node:net';
import type { ConfigStore } from '../store/config-store';
import type { XdsStatusProvider } from '../xds/contracts';
import { MeshServerError } from '../errors';
import { bearerTokenMatches } from './admin-token';
import { ApiError, toApiError } from './api-error';
import { applyDocuments, parseApplyRequest } from './apply';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody, sendError, sendJson } from './http-io';
import { packageVersion } from './package-version';
import { resourceRoutes } from './resource-handlers';
import { matchRoute, parseTarget, type Route } from './router';
import { statusRoutes, type ConfigView, type RegistryView } from './status-handlers';
import { DEFAULT_HEARTBEAT_MS, WatchStreams } from './watch';
import { dashboardRoutes, defaultDashboardDir } from './dashboard-static';
import { telemetryRoutes } from './telemetry-handlers';
import { EdgeStore } from '../telemetry';
import { APPLY_PATH } from './wire';

/** Where log lines go. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Default admin API port (istiod's monitoring/admin port). */
export const DEFAULT_API_PORT = 15014;
/** Default bind address: loopback only. */
export const DEFAULT_API_HOST = '127.0.0.1';

/** Options of the admin API server. */
export interface ApiServerOptions {
  readonly store: ConfigStore;
  readonly config: ConfigView;
  readonly registry: RegistryView;
  /** Absent → /debug/syncz and /debug/config_dump answer 503. */
  readonly xdsStatus?: XdsStatusProvider;
  readonly token: string;
  /** Scoped tokens (`inboard token create`): admin tokens may write, read tokens may read remotely; workload tokens never pass. */
  readonly tokens?: Pick<TokenStore, 'verifyAuthorization'>;
  readonly host?: string;
  /** 0 picks a free port; the bound port is in `ApiServer.port`. */
  readonly port?: number;
  /** Must be true to bind to an address outside 127.0.0.0/8 and ::1. */
  readonly allowNonLoopback?: boolean;
  /** Readiness for /readyz; default: always ready. */
  readonly isReady?: () => boolean;
  readonly maxBodyBytes?: number;
  readonly heartbeatMs?: number;
  readonly logger?: Logger;
  /** Control-plane metrics, served at GET /metrics (Prometheus text). */
  readonly metrics?: { render(): Promise<string> };
  /** Edge statistics reported by clients (default: a new in-memory EdgeStore). */
  readonly edges?: EdgeStore;
  /** The built dashboard served at /dashboard/ (default packages/dashboard/dist; undefined → 503). */
  readonly dashboardDir?: string | undefined;
}

/** A running admin API server. */
export interface ApiServer {
  readonly host: string;
  readonly port: number;
  /** Base URL, e.g. http://127.0.0.1:15014. */
  readonly url: string;
  /** Stops accepting, ends open watches cleanly, and resolves when every connection is closed. */
  close(): Promise<void>;
}

/** True for 127.0.0.0/8, ::1 and "localhost". */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** Starts the admin API server and resolves once it listens. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? DEFAULT_API_HOST;
  const loopback = isLoopbackHost(host);
  if (!loopback && !options.allowNonLoopback) {
    throw new MeshServerError('FORBIDDEN', `refusing to bind the admin API to ${host}, which is not a loopback address; pass --allow-remote-api to expose it (every request then needs the bearer token)`, { host });
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const streams = new WatchStreams();
  const routes: Route[] = [
    ...statusRoutes({ config: options.config, registry: options.registry, xdsStatus: options.xdsStatus, isReady: options.isReady ?? (() => true), version: packageVersion(), ...(options.metrics ? { metrics: options.metrics } : {}) }),
    {
      method: 'POST',
      pattern: APPLY_PATH,
      write: true,
      handler: async ({ req, res }) => sendJson(res, 200, await applyDocuments(options.store, parseApplyRequest(await readJsonBody(req, maxBodyBytes)))),
    },
    ...resourceRoutes({ store: options.store, maxBodyBytes, watch: { heartbeatMs: options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, streams } }),
    ...telemetryRoutes({ edges: options.edges ?? new EdgeStore(), token: options.token, ...(options.tokens ? { tokens: options.tokens } : {}) }),
    ...dashboardRoutes({ dir: 'dashboardDir' in options ? options.dashboardDir : defaultDashboardDir() }),
  ];
  const isGranted = (authorization: string | undefined, write: boolean): boolean => {
    if (bearerTokenMatches(authorization, options.token)) return true;
    const scope = options.tokens?.verifyAuthorization(authorization)?.scope;
    return write ? scope === 'admin' : scope === 'admin' || scope === 'read';
  };
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const target = parseTarget(req.url ?? '');
    if (!target) throw new ApiError(400, 'BAD_REQUEST', `malformed request target "${req.url}": use an origin-form path without empty segments, dot segments or fragments`);
    if (req.rawHeaders.filter((_, i) => i % 2 === 0 && _.toLowerCase() === 'authorization').length > 1) {
      throw new ApiError(400, 'BAD_REQUEST', 'more than one Authorization header');
    }
    const match = matchRoute(routes, req.method ?? '', target.segments);
    if (match.kind === 'not-found') throw new ApiError(404, 'NOT_FOUND', `no API path ${target.segments.length ? '/' + target.segments.join('/') : '/'}`);
    if (match.kind === 'method-not-allowed') {
      return sendError(res, new ApiError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here; allowed: ${match.allow.join(', ')}`), { allow: match.allow.join(', ') });
    }
    const granted = match.route.authorize
      ? match.route.authorize(req.headers.authorization, loopback)
      : !(match.route.write || !loopback) || isGranted(req.headers.authorization, match.route.write === true);
    if (!granted) {
      const message = req.headers.authorization
        ? 'the bearer token is not valid for this control plane'
        : `${match.route.write ? 'writes need' : 'this API needs'} Authorization: Bearer <token>; the token is in <data-dir>/admin-token`;
      return sendError(res, new ApiError(401, 'UNAUTHORIZED', message), { 'www-authenticate': 'Bearer realm="inboard"' });
    }
    await match.route.handler({ req, res, params: match.params, query: target.query });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const apiError = toApiError(error);
      if (apiError.status >= 500 && apiError.code !== 'UNAVAILABLE') options.logger?.error(`${req.method} ${req.url}: ${apiError.message}`);
      if (res.headersSent) res.destroy();
      else sendError(res, apiError);
    });
  });
  server.keepAliveTimeout = 5_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_API_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        streams.endAll();
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 2_000);
        force.unref();
      })),
  };
}
