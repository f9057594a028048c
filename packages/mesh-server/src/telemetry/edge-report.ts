// The edge report a mesh-client POSTs to /apis/inboard.io/v1/telemetry/edges every few seconds: its
// outbound calls aggregated per (destination, response class). Parsed strictly: every problem names
// the field at fault, and nothing unknown is kept.

import { MeshServerError } from '../errors';
import { EDGE_DURATION_BOUNDS_MS } from './duration-histogram';

/** Path of the report endpoint on the admin API. */
export const EDGE_REPORT_PATH = '/apis/inboard.io/v1/telemetry/edges';
/** Largest number of rows one report may carry. */
export const MAX_REPORT_ROWS = 1000;

/** How a call ended: by HTTP status class, or `local` when no response came back at all. */
export type ResponseClass = '2xx' | '3xx' | '4xx' | '5xx' | 'local' | 'other';
/** The response classes, in display order. */
export const RESPONSE_CLASSES: readonly ResponseClass[] = ['2xx', '3xx', '4xx', '5xx', 'local', 'other'];

/** The calling workload, as Istio labels it. */
export interface ReportSource {
  readonly workload: string;
  readonly namespace: string;
  readonly app: string;
  readonly version: string;
}

/** Where calls went: the service (FQDN) and, when known, the destination workload. */
export interface ReportDestination {
  readonly service: string;
  readonly workload: string;
  readonly namespace: string;
  readonly app: string;
  readonly version: string;
}

/** One row: the calls to one destination with one response class and mTLS state. */
export interface EdgeReportRow {
  readonly destination: ReportDestination;
  readonly responseClass: ResponseClass;
  /** True: mutual TLS; false: plaintext; null: not known to the caller. */
  readonly mtls: boolean | null;
  readonly requests: number;
  /** 5xx answers and calls without any answer (local failures). */
  readonly errors: number;
  /** Duration counts per bucket of `bucketBoundsMs`, plus +Inf. */
  readonly durationBuckets: readonly number[];
  readonly durationSumMs: number;
}

/** The body of POST /apis/inboard.io/v1/telemetry/edges. */
export interface EdgeReport {
  readonly source: ReportSource;
  /** The client's config-stream node id (shown in the dashboard; optional). */
  readonly nodeId?: string;
  /** The aggregation window the client used, ms. */
  readonly windowMs: number;
  readonly bucketBoundsMs: readonly number[];
  readonly edges: readonly EdgeReportRow[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,252}$/;

/** Validates a parsed JSON body as an EdgeReport. @throws MeshServerError BAD_REQUEST naming the field. */
export function parseEdgeReport(body: unknown): EdgeReport {
  const root = record(body, 'body');
  const source = record(root['source'], 'source');
  const bounds = root['bucketBoundsMs'];
  if (!Array.isArray(bounds) || bounds.length !== EDGE_DURATION_BOUNDS_MS.length || bounds.some((b, i) => b !== EDGE_DURATION_BOUNDS_MS[i])) {
    bad('bucketBoundsMs', `must be Istio's duration buckets [${EDGE_DURATION_BOUNDS_MS.join(', ')}]`);
  }
  const edges = root['edges'];
  if (!Array.isArray(edges)) bad('edges', 'must be an array');
  if (edges.length > MAX_REPORT_ROWS) bad('edges', `has ${edges.length} rows; at most ${MAX_REPORT_ROWS} per report`);
  const nodeId = root['nodeId'];
  if (nodeId !== undefined && (typeof nodeId !== 'string' || nodeId.length > 512)) bad('nodeId', 'must be a string of at most 512 characters');
  return {
    source: { workload: name(source, 'workload', 'source'), namespace: name(source, 'namespace', 'source'), app: name(source, 'app', 'source'), version: name(source, 'version', 'source') },
    ...(typeof nodeId === 'string' ? { nodeId } : {}),
    windowMs: count(root['windowMs'], 'windowMs'),
    bucketBoundsMs: EDGE_DURATION_BOUNDS_MS,
    edges: edges.map((row, i) => parseRow(row, `edges[${i}]`)),
  };
}

function parseRow(value: unknown, at: string): EdgeReportRow {
  const row = record(value, at);
  const dest = record(row['destination'], `${at}.destination`);
  const destination = {
    service: name(dest, 'service', `${at}.destination`),
    workload: name(dest, 'workload', `${at}.destination`),
    namespace: name(dest, 'namespace', `${at}.destination`),
    app: name(dest, 'app', `${at}.destination`),
    version: name(dest, 'version', `${at}.destination`),
  };
  const responseClass = row['responseClass'];
  if (typeof responseClass !== 'string' || !RESPONSE_CLASSES.includes(responseClass as ResponseClass)) bad(`${at}.responseClass`, `must be one of ${RESPONSE_CLASSES.join(', ')}`);
  const mtls = row['mtls'];
  if (mtls !== true && mtls !== false && mtls !== null) bad(`${at}.mtls`, 'must be true, false or null');
  const requests = count(row['requests'], `${at}.requests`);
  const errors = count(row['errors'], `${at}.errors`);
  if (errors > requests) bad(`${at}.errors`, `(${errors}) exceeds requests (${requests})`);
  const buckets = row['durationBuckets'];
  if (!Array.isArray(buckets) || buckets.length !== EDGE_DURATION_BOUNDS_MS.length + 1) bad(`${at}.durationBuckets`, `must have ${EDGE_DURATION_BOUNDS_MS.length + 1} counts (one per bound, then +Inf)`);
  const durationBuckets = buckets.map((b, i) => count(b, `${at}.durationBuckets[${i}]`));
  if (durationBuckets.reduce((a, b) => a + b, 0) !== requests) bad(`${at}.durationBuckets`, `counts add up to ${durationBuckets.reduce((a, b) => a + b, 0)}, not requests (${requests})`);
  const sum = row['durationSumMs'];
  if (typeof sum !== 'number' || !Number.isFinite(sum) || sum < 0) bad(`${at}.durationSumMs`, 'must be a finite number ≥ 0');
  return { destination, responseClass: responseClass as ResponseClass, mtls: mtls as boolean | null, requests, errors, durationBuckets, durationSumMs: sum };
}

function record(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(field, 'must be an object');
  return value as Record<string, unknown>;
}

function name(from: Record<string, unknown>, key: string, at: string): string {
  const value = from[key];
  if (typeof value !== 'string' || !NAME.test(value)) bad(`${at}.${key}`, 'must be a name (letters, digits, ".", "_", ":", "-"; at most 253 characters)');
  return value;
}

function count(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) bad(field, 'must be an integer ≥ 0');
  return value;
}

function bad(field: string, problem: string): never {
  throw new MeshServerError('BAD_REQUEST', `edge report: ${field} ${problem}`, { field });
}
