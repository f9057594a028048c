// The per-workload Prometheus endpoint (Istio's `/stats/prometheus` on a metrics port): a small
// node:http server rendering a PrometheusReader on every scrape. Started only by an explicit call.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MeshError } from '../errors';
import { PROMETHEUS_CONTENT_TYPE, type PrometheusReader } from './prometheus-exposition';

/** Istio's path of the merged Prometheus stats. */
export const DEFAULT_METRICS_PATH = '/stats/prometheus';
/** Istio's metrics port (pilot-agent's merged stats). */
export const DEFAULT_METRICS_PORT = 15020;

/** Options of startMetricsServer. */
export interface MetricsServerOptions {
  /** The reader registered with the application's MeterProvider. */
  readonly reader: PrometheusReader;
  /** 0 picks a free port. Default 15020. */
  readonly port?: number;
  /** Default 127.0.0.1; bind 0.0.0.0 explicitly for a Prometheus on another machine. */
  readonly host?: string;
  /** Default `/stats/prometheus`. */
  readonly path?: string;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  readonly port: number;
  /** The scrape URL, e.g. http://127.0.0.1:15020/stats/prometheus. */
  readonly url: string;
  /** Stops listening; resolves once every connection is closed. */
  close(): Promise<void>;
}

/**
 * Serves the reader's metrics in the text exposition format on GET/HEAD `path`; other paths
 * answer 404 and other methods 405. Resolves once listening.
 * @throws MeshError INVALID_OPTIONS for a bad port or path; the listen error when the port is taken.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { reader, host = '127.0.0.1', path = DEFAULT_METRICS_PATH, port = DEFAULT_METRICS_PORT } = options;
  if (!reader || typeof reader.render !== 'function') invalid('reader', 'must be a PrometheusReader registered with a MeterProvider');
  if (!Number.isInteger(port) || port < 0 || port > 65535) invalid('port', `must be an integer in 0–65535 (got ${String(port)})`);
  if (typeof path !== 'string' || !path.startsWith('/')) invalid('path', `must start with "/" (got ${JSON.stringify(path)})`);

  const server = http.createServer((req, res) => {
    const target = (req.url ?? '').split('?')[0];
    if (target !== path) return reply(res, 404, `not found: metrics are at ${path}\n`);
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'use GET\n', { allow: 'GET, HEAD' });
    reader.render().then(
      (text) => reply(res, 200, req.method === 'HEAD' ? '' : text, { 'content-type': PROMETHEUS_CONTENT_TYPE }, Buffer.byteLength(text)),
      (error: unknown) => reply(res, 500, `metrics collection failed: ${(error as Error)?.message ?? String(error)}\n`),
    );
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    port: bound,
    url: `http://${urlHost}:${bound}${path}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), 2_000);
        force.unref();
      })),
  };
}

function reply(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}, length = Buffer.byteLength(body)): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers, 'content-length': String(length) });
  res.end(body);
}

function invalid(field: string, problem: string): never {
  throw new MeshError('INVALID_OPTIONS', `startMetricsServer: ${field} ${problem}`, { details: { field } });
}
