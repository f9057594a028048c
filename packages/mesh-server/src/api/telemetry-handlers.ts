// The dashboard's telemetry routes: clients POST edge reports, the page GETs the service graph, one
// service's golden signals over time, and the list of reporting clients. Reads follow the API's read
// rules; reports are accepted without a token on a loopback API (like reads) and otherwise need an
// admin token or a workload token — which may only report edges of its own namespace.

import { bearerTokenMatches } from './admin-token';
import { ApiError } from './api-error';
import { readJsonBody, sendJson } from './http-io';
import type { Route } from './router';
import type { TokenStore, VerifiedToken } from '../tokens/token-store';
import { EDGE_REPORT_PATH, parseEdgeReport, parseWindow, serviceGraph, serviceSignals, type EdgeStore } from '../telemetry';

/** Path of the service graph. */
export const GRAPH_PATH = '/apis/inboard.io/v1/telemetry/graph';
/** Path of one service's golden signals (`:service` = FQDN, `name.namespace` or short name). */
export const SERVICE_SIGNALS_PATH = '/apis/inboard.io/v1/telemetry/services/:service';
/** Path of the reporting clients. */
export const REPORTERS_PATH = '/apis/inboard.io/v1/telemetry/reporters';
/** Largest report body (bytes). */
export const MAX_REPORT_BYTES = 1024 * 1024;

/** What the telemetry routes need. */
export interface TelemetryRouteDeps {
  readonly edges: EdgeStore;
  /** The admin bearer token. */
  readonly token: string;
  readonly tokens?: Pick<TokenStore, 'verifyAuthorization'>;
}

/** Who may POST a report: undefined → refused; 'anonymous' on a loopback API without a header. */
export function reportGrant(deps: TelemetryRouteDeps, authorization: string | undefined, loopback: boolean): VerifiedToken | 'admin' | 'anonymous' | undefined {
  if (!authorization) return loopback ? 'anonymous' : undefined;
  if (bearerTokenMatches(authorization, deps.token)) return 'admin';
  const verified = deps.tokens?.verifyAuthorization(authorization);
  return verified && (verified.scope === 'admin' || verified.scope === 'workload') ? verified : undefined;
}

/** POST edge reports, GET graph / service signals / reporters. */
export function telemetryRoutes(deps: TelemetryRouteDeps): Route[] {
  return [
    {
      method: 'POST',
      pattern: EDGE_REPORT_PATH,
      authorize: (authorization, loopback) => reportGrant(deps, authorization, loopback) !== undefined,
      handler: async ({ req, res }) => {
        const report = parseEdgeReport(await readJsonBody(req, MAX_REPORT_BYTES));
        const grant = reportGrant(deps, req.headers.authorization, true);
        if (typeof grant === 'object' && grant.scope === 'workload' && grant.namespace !== report.source.namespace) {
          throw new ApiError(403, 'FORBIDDEN', `a workload token of namespace "${grant.namespace}" may not report edges of namespace "${report.source.namespace}"`, { field: 'source.namespace' });
        }
        deps.edges.record(report);
        sendJson(res, 202, { accepted: report.edges.length });
      },
    },
    { method: 'GET', pattern: GRAPH_PATH, handler: ({ res, query }) => sendJson(res, 200, serviceGraph(deps.edges, parseWindow(query.get('window')))) },
    {
      method: 'GET',
      pattern: SERVICE_SIGNALS_PATH,
      handler: ({ res, query, params }) => sendJson(res, 200, serviceSignals(deps.edges, params.service!, parseWindow(query.get('window'), 300_000))),
    },
    { method: 'GET', pattern: REPORTERS_PATH, handler: ({ res }) => sendJson(res, 200, { items: deps.edges.reporterList(), store: deps.edges.stats() }) },
  ];
}
