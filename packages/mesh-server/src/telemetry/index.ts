// Edge statistics reported by mesh-clients and the service graph the dashboard draws from them.

export { EDGE_DURATION_BOUNDS_MS, quantileFromBuckets, addBuckets, emptyBuckets } from './duration-histogram';
export type { BucketCounts } from './duration-histogram';
export { parseEdgeReport, EDGE_REPORT_PATH, MAX_REPORT_ROWS, RESPONSE_CLASSES } from './edge-report';
export type { EdgeReport, EdgeReportRow, ReportSource, ReportDestination, ResponseClass } from './edge-report';
export { EdgeStore, edgeKey } from './edge-store';
export type { EdgeStoreOptions, EdgeBin, StoredEdge, EdgeStoreStats, EdgeReporterInfo } from './edge-store';
export { serviceGraph, serviceSignals, serviceMatches, parseWindow, MAX_WINDOW_MS } from './service-graph';
export type { GraphNode, GraphEdge, GraphResponse, EdgeMtls, Signals, SeriesPoint, ServiceSignalsResponse } from './service-graph';
