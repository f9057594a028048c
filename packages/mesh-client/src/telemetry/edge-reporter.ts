// Sends this workload's edge statistics to the control plane: every `intervalMs` (default 5 s) the
// aggregator's window is POSTed as JSON to the admin API's /apis/inboard.io/v1/telemetry/edges, with
// the workload token when one is configured. Telemetry is lossy by design: a failed report is
// dropped and counted, never retried or buffered. Plain node:http, so it never goes through the mesh.

import http from 'node:http';
import https from 'node:https';
import { MeshError } from '../errors';
import type { Clock, TimerHandle } from '../policy/clock';
import { EdgeAggregator, wireName, type EdgeWindow } from './edge-stats';
import { ISTIO_HISTOGRAM_BUCKETS } from './metrics';
import type { WorkloadPeer } from './istio-labels';

/** Path of the control plane's report endpoint. */
export const EDGE_REPORT_PATH = '/apis/inboard.io/v1/telemetry/edges';
/** Default report interval. */
export const DEFAULT_EDGE_REPORT_INTERVAL_MS = 5_000;

/** Where reports go, as resolved from the environment. */
export interface EdgeReportTarget {
  /** Admin API base URL, e.g. http://127.0.0.1:15014. */
  readonly adminApi: string;
  /** Bearer token (the workload token), when configured. */
  readonly token?: string;
}

/** Sends one report body; resolves with the HTTP status. Injected in tests. */
export type ReportSender = (target: EdgeReportTarget, body: string) => Promise<number>;

/** Options of EdgeReporter. */
export interface EdgeReporterOptions {
  readonly target: EdgeReportTarget;
  readonly self: WorkloadPeer;
  readonly nodeId?: string;
  readonly aggregator: EdgeAggregator;
  readonly clock: Clock;
  readonly intervalMs?: number;
  readonly send?: ReportSender;
}

/** Counters of what the reporter did. */
export interface EdgeReporterStats {
  readonly sent: number;
  readonly failed: number;
  /** Rows lost in failed reports. */
  readonly droppedRows: number;
  /** Calls not counted because a window was full (the aggregator's row cap). */
  readonly droppedObservations: number;
  readonly lastError?: string;
}

/**
 * Where edge reports go: `$INBOARD_ADMIN_API` (a URL, or `off`), else — when the xDS address is the
 * default port 15010 — the admin API on the same host at 15014; otherwise nowhere (undefined).
 * The token is `$INBOARD_TOKEN` (the workload token the CA also takes).
 * @throws MeshError INVALID_OPTIONS when INBOARD_ADMIN_API is not an http(s) URL.
 */
export function resolveEdgeReportTarget(controlPlane: string, env: Readonly<Record<string, string | undefined>>): EdgeReportTarget | undefined {
  const token = env['INBOARD_TOKEN']?.trim() || undefined;
  const configured = env['INBOARD_ADMIN_API']?.trim();
  let adminApi: string | undefined;
  if (configured === 'off') return undefined;
  if (configured) {
    let url: URL;
    try {
      url = new URL(configured);
    } catch {
      throw new MeshError('INVALID_OPTIONS', `$INBOARD_ADMIN_API must be the admin API URL such as http://127.0.0.1:15014, or "off" (got ${JSON.stringify(configured)})`, { details: { field: '$INBOARD_ADMIN_API' } });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new MeshError('INVALID_OPTIONS', `$INBOARD_ADMIN_API must be an http:// or https:// URL (got ${JSON.stringify(configured)})`, { details: { field: '$INBOARD_ADMIN_API' } });
    }
    adminApi = url.origin;
  } else {
    const m = /^(.*):15010$/.exec(controlPlane);
    if (m) adminApi = `http://${m[1]}:15014`;
  }
  return adminApi === undefined ? undefined : { adminApi, ...(token ? { token } : {}) };
}

/** The JSON body of one report. */
export function edgeReportBody(self: WorkloadPeer, nodeId: string | undefined, intervalMs: number, window: EdgeWindow): string {
  return JSON.stringify({
    source: { workload: wireName(self.workload), namespace: wireName(self.namespace), app: wireName(self.app), version: wireName(self.version) },
    ...(nodeId !== undefined ? { nodeId } : {}),
    windowMs: intervalMs,
    bucketBoundsMs: ISTIO_HISTOGRAM_BUCKETS,
    edges: window.rows,
  });
}

/** POSTs with node:http(s), bounded to 3 s. */
export const httpReportSender: ReportSender = (target, body) =>
  new Promise((resolve, reject) => {
    const url = new URL(EDGE_REPORT_PATH, target.adminApi);
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method: 'POST',
      agent: false,
      timeout: 3_000,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} within 3 s`)));
    req.on('error', reject);
    req.end(body);
  });

/** Reports the aggregator's windows to the control plane until closed. */
export class EdgeReporter {
  private readonly intervalMs: number;
  private readonly send: ReportSender;
  private timer: TimerHandle | undefined;
  private inFlight: Promise<void> = Promise.resolve();
  private closed = false;
  private counters = { sent: 0, failed: 0, droppedRows: 0, droppedObservations: 0, lastError: undefined as string | undefined };

  constructor(private readonly options: EdgeReporterOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_EDGE_REPORT_INTERVAL_MS;
    this.send = options.send ?? httpReportSender;
  }

  /** Starts the periodic reports (idempotent). */
  start(): void {
    if (this.closed || this.timer) return;
    const tick = () => {
      this.timer = this.options.clock.setTimeout(tick, this.intervalMs);
      void this.flush();
    };
    this.timer = this.options.clock.setTimeout(tick, this.intervalMs);
  }

  /** Sends the current window now (nothing when it is empty); never rejects. */
  flush(): Promise<void> {
    const window = this.options.aggregator.drain();
    this.counters.droppedObservations += window.droppedObservations;
    if (window.rows.length === 0) return this.inFlight;
    const body = edgeReportBody(this.options.self, this.options.nodeId, this.intervalMs, window);
    const sending = this.send(this.options.target, body).then(
      (status) => {
        if (status >= 200 && status < 300) this.counters.sent++;
        else this.fail(window.rows.length, `the control plane answered ${status}`);
      },
      (error: unknown) => this.fail(window.rows.length, error instanceof Error ? error.message : String(error)),
    );
    this.inFlight = this.inFlight.then(() => sending);
    return this.inFlight;
  }

  /** Stops the timer, sends what is left and waits for reports in flight. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return this.inFlight;
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    await this.flush();
  }

  /** What was sent and lost so far. */
  stats(): EdgeReporterStats {
    const { lastError, ...rest } = this.counters;
    return { ...rest, ...(lastError !== undefined ? { lastError } : {}) };
  }

  private fail(rows: number, message: string): void {
    this.counters.failed++;
    this.counters.droppedRows += rows;
    this.counters.lastError = message;
  }
}

/** The aggregator MeshTelemetry records into and the reporter that sends it. */
export interface EdgeReporting {
  readonly aggregator: EdgeAggregator;
  readonly reporter: EdgeReporter;
  /** Who the reports say they come from. */
  readonly source: WorkloadPeer;
}

/**
 * Edge reporting for a Mesh, or undefined when there is nowhere to report (see
 * resolveEdgeReportTarget). A workload without `app` label (the ingress gateway's `istio=ingressgateway`)
 * reports as Istio names its deployment, `istio-<istio label>`.
 */
export function createEdgeReporting(options: {
  readonly controlPlane: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly self: WorkloadPeer;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodeId: string;
  readonly clock: Clock;
}): EdgeReporting | undefined {
  const target = resolveEdgeReportTarget(options.controlPlane, options.env);
  if (!target) return undefined;
  const istio = options.labels['istio'];
  const self = options.self.workload === 'unknown' && istio ? { ...options.self, workload: `istio-${istio}`, app: `istio-${istio}` } : options.self;
  const aggregator = new EdgeAggregator();
  return { aggregator, source: self, reporter: new EdgeReporter({ target, self, nodeId: options.nodeId, aggregator, clock: options.clock }) };
}
