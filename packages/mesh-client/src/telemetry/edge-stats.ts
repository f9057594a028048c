// Edge statistics of this workload's outbound calls, for the control plane's service graph: per
// (destination service + workload, response class, mTLS) a request count, an error count (5xx and
// calls without any answer) and a latency histogram in Istio's duration buckets, so the control plane
// can merge windows and clients and compute p99. Bounded: at most `maxRows` rows per window.

import { ISTIO_HISTOGRAM_BUCKETS } from './metrics';

/** How a call ended: by HTTP status class, or `local` when no response came back (UH, UF, aborted). */
export type ResponseClass = '2xx' | '3xx' | '4xx' | '5xx' | 'local' | 'other';

/** The callee of an edge, as Istio labels it (`unknown` where not known). */
export interface EdgeDestination {
  /** FQDN, e.g. `ratings.default.svc.cluster.local`. */
  readonly service: string;
  readonly workload: string;
  readonly namespace: string;
  readonly app: string;
  readonly version: string;
}

/**
 * The callee of an edge from the picked endpoint's peer labels. A call that never reached an
 * endpoint (fault abort, no healthy upstream) has none: it is attributed to `<service>-<subset>`
 * when the route named a subset (Inboard's workload naming, `<app>-<version>`), so the failure shows
 * on the edge it broke, else to the bare service.
 */
export function edgeDestination(
  peer: { readonly workload: string; readonly namespace: string; readonly app: string; readonly version: string },
  service: { readonly host: string; readonly name: string; readonly namespace: string },
  subset: string | undefined,
): EdgeDestination {
  if (peer.workload !== 'unknown') return { service: service.host, workload: peer.workload, namespace: peer.namespace, app: peer.app, version: peer.version };
  if (subset) return { service: service.host, workload: `${service.name}-${subset}`, namespace: service.namespace, app: service.name, version: subset };
  return { service: service.host, workload: 'unknown', namespace: service.namespace, app: 'unknown', version: 'unknown' };
}

/** One finished outbound call. */
export interface EdgeObservation {
  readonly destination: EdgeDestination;
  /** Status sent back; absent when there was no response at all. */
  readonly status?: number;
  /** True: mutual TLS; false: plaintext; absent: not known. */
  readonly mtls?: boolean;
  readonly durationMs: number;
}

/** Where MeshTelemetry hands finished calls (EdgeAggregator implements it). */
export interface EdgeRecorder {
  record(observation: EdgeObservation): void;
}

/** One aggregated row, in the wire shape of the control plane's edge report. */
export interface EdgeRow {
  readonly destination: EdgeDestination;
  readonly responseClass: ResponseClass;
  readonly mtls: boolean | null;
  readonly requests: number;
  readonly errors: number;
  /** Counts per bucket of ISTIO_HISTOGRAM_BUCKETS, then +Inf. */
  readonly durationBuckets: readonly number[];
  readonly durationSumMs: number;
}

/** What one window held. */
export interface EdgeWindow {
  readonly rows: readonly EdgeRow[];
  /** Observations not counted because the window already had `maxRows` rows. */
  readonly droppedObservations: number;
}

/** The response class of a status (undefined: no response). */
export function responseClassOf(status: number | undefined): ResponseClass {
  if (status === undefined || status === 0) return 'local';
  if (status >= 200 && status < 600) return `${Math.floor(status / 100)}xx` as ResponseClass;
  return 'other';
}

/** The index of the duration bucket for `ms` (the last index is +Inf). */
export function durationBucketIndex(ms: number, bounds: readonly number[] = ISTIO_HISTOGRAM_BUCKETS): number {
  for (let i = 0; i < bounds.length; i++) if (ms <= bounds[i]!) return i;
  return bounds.length;
}

/** A name the control plane accepts: letters, digits, `.`, `_`, `:`, `-`, at most 253 characters. */
export function wireName(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._:-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').slice(0, 253);
  return cleaned === '' ? 'unknown' : cleaned;
}

interface MutableRow {
  destination: EdgeDestination;
  responseClass: ResponseClass;
  mtls: boolean | null;
  requests: number;
  errors: number;
  durationBuckets: number[];
  durationSumMs: number;
}

/** Collects observations into rows until `drain()` hands the window over and starts a new one. */
export class EdgeAggregator implements EdgeRecorder {
  private rows = new Map<string, MutableRow>();
  private dropped = 0;
  readonly maxRows: number;

  constructor(options: { readonly maxRows?: number } = {}) {
    this.maxRows = options.maxRows ?? 500;
  }

  /** Counts one finished call. */
  record(observation: EdgeObservation): void {
    const d = observation.destination;
    const responseClass = responseClassOf(observation.status);
    const mtls = observation.mtls ?? null;
    const key = `${d.service}\n${d.namespace}\n${d.workload}\n${d.version}\n${responseClass}\n${mtls}`;
    let row = this.rows.get(key);
    if (!row) {
      if (this.rows.size >= this.maxRows) {
        this.dropped++;
        return;
      }
      const destination = { service: wireName(d.service), workload: wireName(d.workload), namespace: wireName(d.namespace), app: wireName(d.app), version: wireName(d.version) };
      row = { destination, responseClass, mtls, requests: 0, errors: 0, durationBuckets: new Array<number>(ISTIO_HISTOGRAM_BUCKETS.length + 1).fill(0), durationSumMs: 0 };
      this.rows.set(key, row);
    }
    const ms = Math.max(0, observation.durationMs);
    row.requests++;
    if (responseClass === '5xx' || responseClass === 'local') row.errors++;
    row.durationBuckets[durationBucketIndex(ms)]!++;
    row.durationSumMs += ms;
  }

  /** True when nothing was recorded since the last drain. */
  get empty(): boolean {
    return this.rows.size === 0 && this.dropped === 0;
  }

  /** Hands over the current window and starts a new one. */
  drain(): EdgeWindow {
    const window: EdgeWindow = { rows: [...this.rows.values()].map((r) => ({ ...r, durationSumMs: Math.round(r.durationSumMs * 1000) / 1000 })), droppedObservations: this.dropped };
    this.rows = new Map();
    this.dropped = 0;
    return window;
  }
}
