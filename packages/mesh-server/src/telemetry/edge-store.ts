// The control plane's memory of edge statistics: per edge (source workload → destination service and
// workload) a ring of fixed time bins filled from clients' reports. Memory is bounded twice: a ring
// holds at most `maxBins` bins, and the store at most `maxEdges` edges (the least recently reported
// edge is dropped first, and counted).

import { MeshServerError } from '../errors';
import { addBuckets, emptyBuckets } from './duration-histogram';
import { RESPONSE_CLASSES, type EdgeReport, type ReportDestination, type ReportSource, type ResponseClass } from './edge-report';

/** Options of EdgeStore. */
export interface EdgeStoreOptions {
  /** Width of one time bin (default 5000 ms). */
  readonly binMs?: number;
  /** Bins kept per edge (default 72: six minutes of 5 s bins). */
  readonly maxBins?: number;
  /** Edges kept (default 2000). */
  readonly maxEdges?: number;
  /** Wall clock in epoch ms (default Date.now). Bins are placed by the time a report arrives. */
  readonly now?: () => number;
}

/** The statistics of one edge in one time bin. */
export interface EdgeBin {
  /** Start of the bin, epoch ms. */
  readonly start: number;
  requests: number;
  errors: number;
  readonly classes: Record<ResponseClass, number>;
  readonly durationBuckets: number[];
  durationSumMs: number;
  /** Requests known to have used mutual TLS, known plaintext, and of unknown transport. */
  mtls: number;
  plaintext: number;
  unknownTransport: number;
}

/** One edge and its bins (oldest first). */
export interface StoredEdge {
  readonly key: string;
  readonly source: ReportSource;
  readonly destination: ReportDestination;
  readonly bins: readonly EdgeBin[];
  /** Epoch ms of the last report that touched this edge. */
  readonly lastReportAt: number;
}

/** A client that has reported. */
export interface EdgeReporterInfo {
  readonly source: ReportSource;
  readonly nodeId?: string;
  readonly lastReportAt: number;
  readonly reports: number;
}

/** What the store holds and what it had to drop. */
export interface EdgeStoreStats {
  readonly edges: number;
  readonly droppedEdges: number;
  readonly reports: number;
}

interface MutableEdge {
  key: string;
  source: ReportSource;
  destination: ReportDestination;
  bins: EdgeBin[];
  lastReportAt: number;
}

/** In-memory edge statistics of the mesh, filled by `record()` and read by the graph. */
export class EdgeStore {
  readonly binMs: number;
  readonly maxBins: number;
  readonly maxEdges: number;
  private readonly now: () => number;
  /** Insertion order = least recently reported first (an edge is moved to the end on each report). */
  private readonly edges = new Map<string, MutableEdge>();
  private readonly reporters = new Map<string, EdgeReporterInfo>();
  private droppedEdges = 0;
  private reports = 0;

  constructor(options: EdgeStoreOptions = {}) {
    this.binMs = positive(options.binMs ?? 5_000, 'binMs');
    this.maxBins = positive(options.maxBins ?? 72, 'maxBins');
    this.maxEdges = positive(options.maxEdges ?? 2_000, 'maxEdges');
    this.now = options.now ?? Date.now;
  }

  /** Adds a parsed report to the bin of the current time. */
  record(report: EdgeReport): void {
    const now = this.now();
    const binStart = Math.floor(now / this.binMs) * this.binMs;
    this.reports++;
    const reporterKey = `${report.source.namespace}/${report.source.workload}/${report.nodeId ?? ''}`;
    const previous = this.reporters.get(reporterKey);
    this.reporters.delete(reporterKey);
    this.reporters.set(reporterKey, { source: report.source, ...(report.nodeId !== undefined ? { nodeId: report.nodeId } : {}), lastReportAt: now, reports: (previous?.reports ?? 0) + 1 });
    while (this.reporters.size > this.maxEdges) this.reporters.delete(this.reporters.keys().next().value!);
    for (const row of report.edges) {
      if (row.requests === 0) continue;
      const edge = this.edgeFor(report.source, row.destination, now);
      const bin = this.binFor(edge, binStart);
      bin.requests += row.requests;
      bin.errors += row.errors;
      bin.classes[row.responseClass] += row.requests;
      addBuckets(bin.durationBuckets, row.durationBuckets);
      bin.durationSumMs += row.durationSumMs;
      if (row.mtls === true) bin.mtls += row.requests;
      else if (row.mtls === false) bin.plaintext += row.requests;
      else bin.unknownTransport += row.requests;
    }
  }

  /** Every edge, least recently reported first (bins are live objects: read, do not change). */
  list(): readonly StoredEdge[] {
    return [...this.edges.values()];
  }

  /** Every client that reported, least recently first. */
  reporterList(): readonly EdgeReporterInfo[] {
    return [...this.reporters.values()];
  }

  /** Sizes and drop counts. */
  stats(): EdgeStoreStats {
    return { edges: this.edges.size, droppedEdges: this.droppedEdges, reports: this.reports };
  }

  /** The store's clock (epoch ms). */
  currentTime(): number {
    return this.now();
  }

  private edgeFor(source: ReportSource, destination: ReportDestination, now: number): MutableEdge {
    const key = edgeKey(source, destination);
    let edge = this.edges.get(key);
    if (edge) {
      this.edges.delete(key); // re-inserted below: most recently reported last
    } else {
      edge = { key, source, destination, bins: [], lastReportAt: now };
      while (this.edges.size >= this.maxEdges) {
        this.edges.delete(this.edges.keys().next().value!);
        this.droppedEdges++;
      }
    }
    edge.lastReportAt = now;
    this.edges.set(key, edge);
    return edge;
  }

  private binFor(edge: MutableEdge, start: number): EdgeBin {
    const last = edge.bins[edge.bins.length - 1];
    if (last && last.start === start) return last;
    const bin: EdgeBin = {
      start, requests: 0, errors: 0, classes: Object.fromEntries(RESPONSE_CLASSES.map((c) => [c, 0])) as Record<ResponseClass, number>,
      durationBuckets: emptyBuckets(), durationSumMs: 0, mtls: 0, plaintext: 0, unknownTransport: 0,
    };
    edge.bins.push(bin);
    if (edge.bins.length > this.maxBins) edge.bins.splice(0, edge.bins.length - this.maxBins);
    return bin;
  }
}

/** The identity of an edge: source workload → destination service + workload. */
export function edgeKey(source: ReportSource, destination: ReportDestination): string {
  return `${source.namespace}/${source.workload}>${destination.service}>${destination.namespace}/${destination.workload}`;
}

function positive(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new MeshServerError('BAD_REQUEST', `EdgeStore option ${field} must be a positive integer (got ${value})`, { field });
  return value;
}
