// The JSON shapes the dashboard reads from the admin API.

// The graph and signals shapes are mesh-server's own (type-only imports: nothing of the server is
// bundled); only the shapes read from other endpoints are spelled out here.
export type { EdgeMtls, GraphEdge, GraphNode, GraphResponse, SeriesPoint, Signals, ServiceSignalsResponse as ServiceSignals } from '../../mesh-server/src/telemetry/service-graph';

export interface AnalysisMessage {
  readonly level?: string;
  readonly code?: string;
  readonly message?: string;
  readonly resource?: string;
  readonly [key: string]: unknown;
}

export interface ResourceItem {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly resourceVersion?: string; readonly generation?: number };
}

export interface SyncClient {
  readonly proxy: { readonly id: string; readonly labels?: Readonly<Record<string, string>>; readonly namespace?: string; readonly [key: string]: unknown };
  readonly families: Readonly<Record<string, { readonly state: string; readonly [key: string]: unknown }>>;
  readonly [key: string]: unknown;
}
