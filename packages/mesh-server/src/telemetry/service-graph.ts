// The service graph and per-service golden signals, computed from the EdgeStore for a time window:
// nodes are workloads (or bare services when the callee's workload is unknown), edges carry request
// rate, error ratio, p99 and mTLS. Pure functions over the store's snapshot.

import { MeshServerError } from '../errors';
import { addBuckets, emptyBuckets, quantileFromBuckets } from './duration-histogram';
import { RESPONSE_CLASSES, type ResponseClass } from './edge-report';
import type { EdgeBin, EdgeStore, EdgeStoreStats, StoredEdge } from './edge-store';

/** A node of the graph. */
export interface GraphNode {
  /** `<namespace>/<workload>`, or the service FQDN when the workload is unknown. */
  readonly id: string;
  readonly kind: 'workload' | 'service';
  readonly workload: string;
  readonly namespace: string;
  readonly app: string;
  readonly version: string;
}

/** How an edge's requests were secured in the window. */
export type EdgeMtls = 'mutual_tls' | 'none' | 'mixed' | 'unknown';

/** The golden signals of some requests. */
export interface Signals {
  readonly requests: number;
  readonly errors: number;
  /** Requests per second over the window. */
  readonly rate: number;
  /** errors / requests (0 without requests). */
  readonly errorRatio: number;
  /** 99th percentile duration in ms (null without requests). */
  readonly p99Ms: number | null;
  readonly p50Ms: number | null;
}

/** An edge of the graph. */
export interface GraphEdge extends Signals {
  readonly id: string;
  readonly source: string;
  readonly destination: string;
  readonly destinationService: string;
  readonly mtls: EdgeMtls;
  readonly classes: Readonly<Record<ResponseClass, number>>;
}

/** GET /apis/inboard.io/v1/telemetry/graph. */
export interface GraphResponse {
  readonly windowMs: number;
  /** Epoch ms the graph was computed at. */
  readonly time: number;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly store: EdgeStoreStats;
}

/** One point of a service's golden signals. */
export interface SeriesPoint extends Signals {
  /** Start of the bin, epoch ms. */
  readonly time: number;
}

/** GET /apis/inboard.io/v1/telemetry/services/{service}. */
export interface ServiceSignalsResponse {
  readonly service: string;
  readonly windowMs: number;
  readonly binMs: number;
  readonly total: Signals;
  readonly series: readonly SeriesPoint[];
}

/** Largest window the API accepts (one hour). */
export const MAX_WINDOW_MS = 3_600_000;

/** Parses `60s`, `5m`, `1h` or plain milliseconds; default 60 s. @throws MeshServerError BAD_REQUEST. */
export function parseWindow(text: string | null | undefined, fallbackMs = 60_000): number {
  if (text === null || text === undefined || text === '') return fallbackMs;
  const m = /^(\d+)(ms|s|m|h)?$/.exec(text);
  if (!m) throw new MeshServerError('BAD_REQUEST', `window "${text}" is not a duration such as 60s, 5m or 1h`, { field: 'window' });
  const ms = Number(m[1]) * ({ ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1);
  if (ms < 1_000 || ms > MAX_WINDOW_MS) throw new MeshServerError('BAD_REQUEST', `window "${text}" must be between 1s and 1h`, { field: 'window' });
  return ms;
}

/** The graph of the edges with requests in the last `windowMs`. */
export function serviceGraph(store: EdgeStore, windowMs: number): GraphResponse {
  const now = store.currentTime();
  const from = now - windowMs;
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  for (const edge of store.list()) {
    const bins = edge.bins.filter((b) => b.start + store.binMs > from);
    const merged = mergeBins(bins);
    if (merged.requests === 0) continue;
    const source = sourceNode(edge);
    const destination = destinationNode(edge);
    nodes.set(source.id, source);
    if (!nodes.has(destination.id) || nodes.get(destination.id)!.kind === 'service') nodes.set(destination.id, destination);
    edges.push({
      id: edge.key, source: source.id, destination: destination.id, destinationService: edge.destination.service,
      ...signals(merged, windowMs), mtls: mtlsOf(merged), classes: merged.classes,
    });
  }
  return {
    windowMs, time: now,
    nodes: [...nodes.values()].sort((a, b) => a.id.localeCompare(b.id)),
    edges: edges.sort((a, b) => a.id.localeCompare(b.id)),
    store: store.stats(),
  };
}

/**
 * Golden signals of the requests to `service` (FQDN, `<name>.<namespace>` or short name) per bin
 * over the last `windowMs`, oldest first, with empty bins filled in.
 */
export function serviceSignals(store: EdgeStore, service: string, windowMs: number): ServiceSignalsResponse {
  const now = store.currentTime();
  const firstBin = Math.floor((now - windowMs) / store.binMs + 1) * store.binMs;
  const matching = store.list().filter((e) => serviceMatches(e.destination.service, service));
  const series: SeriesPoint[] = [];
  const all: EdgeBin[] = [];
  for (let start = firstBin; start <= now; start += store.binMs) {
    const bins = matching.flatMap((e) => e.bins.filter((b) => b.start === start));
    all.push(...bins);
    series.push({ time: start, ...signals(mergeBins(bins), store.binMs) });
  }
  return { service, windowMs, binMs: store.binMs, total: signals(mergeBins(all), windowMs), series };
}

/** True when `name` names `fqdn`: the FQDN itself, `<svc>.<ns>` or `<svc>`. */
export function serviceMatches(fqdn: string, name: string): boolean {
  return fqdn === name || (name.split('.').length <= 2 && fqdn.startsWith(`${name}.`));
}

interface MergedBins {
  requests: number;
  errors: number;
  classes: Record<ResponseClass, number>;
  buckets: number[];
  mtls: number;
  plaintext: number;
  unknownTransport: number;
}

function mergeBins(bins: readonly EdgeBin[]): MergedBins {
  const out: MergedBins = { requests: 0, errors: 0, classes: Object.fromEntries(RESPONSE_CLASSES.map((c) => [c, 0])) as Record<ResponseClass, number>, buckets: emptyBuckets(), mtls: 0, plaintext: 0, unknownTransport: 0 };
  for (const bin of bins) {
    out.requests += bin.requests;
    out.errors += bin.errors;
    for (const c of RESPONSE_CLASSES) out.classes[c] += bin.classes[c];
    addBuckets(out.buckets, bin.durationBuckets);
    out.mtls += bin.mtls;
    out.plaintext += bin.plaintext;
    out.unknownTransport += bin.unknownTransport;
  }
  return out;
}

function signals(m: MergedBins, windowMs: number): Signals {
  const round = (v: number | undefined) => (v === undefined ? null : Math.round(v * 1000) / 1000);
  return {
    requests: m.requests,
    errors: m.errors,
    rate: Math.round((m.requests / (windowMs / 1000)) * 1000) / 1000,
    errorRatio: m.requests === 0 ? 0 : Math.round((m.errors / m.requests) * 10_000) / 10_000,
    p99Ms: round(quantileFromBuckets(0.99, m.buckets)),
    p50Ms: round(quantileFromBuckets(0.5, m.buckets)),
  };
}

function mtlsOf(m: MergedBins): EdgeMtls {
  if (m.unknownTransport === m.requests) return 'unknown';
  if (m.mtls === m.requests) return 'mutual_tls';
  if (m.plaintext === m.requests) return 'none';
  return 'mixed';
}

function sourceNode(edge: StoredEdge): GraphNode {
  const s = edge.source;
  return { id: `${s.namespace}/${s.workload}`, kind: 'workload', workload: s.workload, namespace: s.namespace, app: s.app, version: s.version };
}

function destinationNode(edge: StoredEdge): GraphNode {
  const d = edge.destination;
  if (d.workload === 'unknown') return { id: d.service, kind: 'service', workload: 'unknown', namespace: d.namespace, app: d.app, version: d.version };
  return { id: `${d.namespace}/${d.workload}`, kind: 'workload', workload: d.workload, namespace: d.namespace, app: d.app, version: d.version };
}
