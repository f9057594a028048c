// The JSON shapes the dashboard reads from the admin API (mirrors of mesh-server's wire types).

/** How an edge's calls were secured. */
export type EdgeMtls = 'mutual_tls' | 'none' | 'mixed' | 'unknown';

export interface Signals {
  readonly requests: number;
  readonly errors: number;
  readonly rate: number;
  readonly errorRatio: number;
  readonly p99Ms: number | null;
  readonly p50Ms: number | null;
}

export interface GraphNode {
  readonly id: string;
  readonly kind: 'workload' | 'service';
  readonly workload: string;
  readonly namespace: string;
  readonly app: string;
  readonly version: string;
}

export interface GraphEdge extends Signals {
  readonly id: string;
  readonly source: string;
  readonly destination: string;
  readonly destinationService: string;
  readonly mtls: EdgeMtls;
  readonly classes: Readonly<Record<string, number>>;
}

export interface GraphResponse {
  readonly windowMs: number;
  readonly time: number;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
  readonly store: { readonly edges: number; readonly droppedEdges: number; readonly reports: number };
}

export interface SeriesPoint extends Signals {
  readonly time: number;
}

export interface ServiceSignals {
  readonly service: string;
  readonly windowMs: number;
  readonly binMs: number;
  readonly total: Signals;
  readonly series: readonly SeriesPoint[];
}

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
