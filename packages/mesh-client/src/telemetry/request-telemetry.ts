// The two hooks the request pipeline calls: `outbound()` when a logical call starts (ended once the
// response body is done) and `inbound()` when a served request starts. Each records the span and
// Istio's metrics together, deriving the labels from the mesh's identity, the cluster name and the
// picked endpoint's EDS metadata. See docs/observability.md for where the pipeline calls them.

import type { Readable } from 'node:stream';
import type { Context } from '@opentelemetry/api';
import { headerValue, type HeaderMap } from '../request';
import {
  destinationService, endpointPeer, inboundLabels, outboundLabels, parseClusterName, type WorkloadPeer,
} from './istio-labels';
import { edgeDestination, type EdgeDestination, type EdgeObservation, type EdgeRecorder } from './edge-stats';
import { MeshMetrics } from './metrics';
import { encodePeerMetadata, inboundSourcePeer, PEER_METADATA_HEADER } from './peer-metadata';
import { INERT_CLIENT_SPAN, MeshTracing, type AttemptSpan, type ClientSpan, type InboundRequestInfo, type OutboundRequestInfo, type SpanOutcome } from './tracing';

/** Where a call went: the Istio cluster name and the endpoint (key `address:port` and EDS metadata). */
export interface UpstreamTarget {
  readonly cluster?: string;
  readonly endpoint?: { readonly key: string; readonly metadata?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
}

/** How a call or a served request ended. */
export interface RequestEnd extends UpstreamTarget {
  /** Status sent back (absent: no response at all). */
  readonly status?: number;
  readonly grpcStatus?: number;
  readonly responseFlags?: string;
  readonly errorType?: string;
  readonly error?: unknown;
  /** True when the call used the mesh's mutual TLS. */
  readonly mtls?: boolean;
  readonly requestBytes?: number;
  readonly responseBytes?: number;
  readonly retryCount?: number;
}

/** What is known when an outbound call starts. */
export interface OutboundStart {
  readonly route?: string;
  /** The route's (first) cluster, `outbound|PORT|SUBSET|HOST`. */
  readonly cluster?: string;
  /** 1 + the route's retries (above 1: a CLIENT span per attempt). */
  readonly maxAttempts?: number;
  readonly grpc?: boolean;
  /** Send this workload's peer metadata header; default: only to mesh (`outbound|…`) clusters. */
  readonly peerMetadata?: boolean;
  /** The served request's context (InboundTelemetry.context), parent when no span is active. */
  readonly fallbackParent?: Context;
}

/** One outbound logical call in progress. */
export interface OutboundTelemetry {
  readonly span: ClientSpan;
  /**
   * False when nothing records this call (no SDK, no trace to carry): attempts only add the peer
   * header and ignore their target, and `end` ignores its outcome, so callers need not build them.
   */
  readonly records: boolean;
  /**
   * False when nothing would use the response's end (no metrics SDK and a non-recording span):
   * the caller may then end the call when its response headers arrive instead of watching the body.
   */
  readonly watchesBody: boolean;
  /**
   * Starts attempt `n`; send the attempt with `attempt.injectHeaders(headers)`, given headers the
   * caller owns: the result carries the trace and peer-metadata headers, and may be `headers` itself.
   */
  attempt(n: number, target?: UpstreamTarget): AttemptSpan;
  /** Ends the call: span status and one istio_requests_total (+ histograms) sample. Idempotent. */
  end(outcome: RequestEnd): void;
}

/** One served request in progress. */
export interface InboundTelemetry {
  /** Run the application's handler in `context.with(inbound.context, …)` so its calls join the trace. */
  readonly context: Context;
  end(outcome: RequestEnd): void;
}

/** Options of MeshTelemetry. */
export interface MeshTelemetryOptions {
  /** Who this process is (workloadPeer(identity)). */
  readonly self: WorkloadPeer;
  readonly metrics?: MeshMetrics;
  readonly tracing?: MeshTracing;
  /** Milliseconds clock for durations (default performance.now). */
  readonly now?: () => number;
  /** Where finished outbound calls go for the control plane's service graph (edge-stats.ts). */
  readonly edges?: EdgeRecorder;
}

/** Spans and Istio metrics of every request, behind two calls. */
export class MeshTelemetry {
  readonly metrics: MeshMetrics;
  readonly tracing: MeshTracing;
  private readonly self: WorkloadPeer;
  private readonly now: () => number;
  private readonly peerHeader: string;
  private readonly edges: EdgeRecorder | undefined;
  /** The outbound telemetry of a call nothing records (see `outbound`), with and without the peer header. */
  private readonly quiet: { readonly toMesh: OutboundTelemetry; readonly toOther: OutboundTelemetry };

  constructor(options: MeshTelemetryOptions) {
    this.self = options.self;
    this.edges = options.edges;
    this.peerHeader = encodePeerMetadata(options.self);
    this.metrics = options.metrics ?? new MeshMetrics();
    this.tracing = options.tracing ?? new MeshTracing();
    this.now = options.now ?? (() => performance.now());
    this.quiet = { toMesh: quietOutbound(this.peerHeader), toOther: quietOutbound(undefined) };
  }

  /**
   * Starts an outbound call (route name, first cluster, 1 + retries). Attempts' headers carry this
   * workload's peer metadata when the cluster is a mesh cluster (`outbound|…`), never to passthrough hosts.
   */
  outbound(request: OutboundRequestInfo, start: OutboundStart = {}): OutboundTelemetry {
    const parsedCluster = start.cluster !== undefined ? parseClusterName(start.cluster) : undefined;
    const sendPeer = start.peerMetadata ?? parsedCluster !== undefined;
    if (this.isQuiet(request, start.fallbackParent)) return sendPeer ? this.quiet.toMesh : this.quiet.toOther;
    const startedAt = this.now();
    const subset = parsedCluster?.subset || undefined;
    const span = this.tracing.startClientSpan(request, {
      ...(start.route !== undefined ? { route: start.route } : {}),
      ...(start.cluster !== undefined ? { cluster: start.cluster, destinationService: destinationService(start.cluster).host } : {}),
      ...(subset !== undefined ? { subset } : {}),
      ...(start.maxAttempts !== undefined ? { maxAttempts: start.maxAttempts } : {}),
      ...(start.fallbackParent !== undefined ? { fallbackParent: start.fallbackParent } : {}),
    });
    let ended = false;
    // Method shorthand (not arrow properties) and `self`: no per-call function naming under a
    // keep-names build (tsx), which this once-per-call object would otherwise pay for every method.
    const self = this;
    return {
      span,
      records: true,
      watchesBody: this.metrics.enabled || this.edges !== undefined || span.span.isRecording(),
      attempt(n, target = {}) {
        const attempt = span.attempt(n, spanTarget(target));
        if (!sendPeer) return attempt;
        return {
          get context() { return attempt.context; },
          injectHeaders(headers) { return { ...attempt.injectHeaders(headers), [PEER_METADATA_HEADER]: self.peerHeader }; },
          end(outcome) { attempt.end(outcome); },
        };
      },
      end(outcome) {
        if (ended) return;
        ended = true;
        span.end(span.span.isRecording() ? spanOutcome(outcome) : {});
        if (!self.metrics.enabled && !self.edges) return;
        const cluster = outcome.cluster ?? start.cluster ?? '';
        const clusterSubset = parseClusterName(cluster)?.subset || undefined;
        const destination = endpointPeer(outcome.endpoint?.metadata, clusterSubset);
        const service = destinationService(cluster || request.authority.replace(/:\d+$/, ''), destination.namespace);
        const durationMs = self.now() - startedAt;
        self.edges?.record(edgeObservation(edgeDestination(destination, service, clusterSubset), outcome, durationMs));
        if (self.metrics.enabled) self.metrics.recordRequest(outboundLabels(self.self, destination, service, labelOutcome(outcome, start.grpc)), measures(durationMs, outcome));
      },
    };
  }

  /**
   * True when nothing would record an outbound call with these headers and fallback parent: no
   * metrics SDK, no edge reports, no tracing SDK and no trace to carry. Its telemetry is then the
   * shared `quietOutbound`, and nothing needs building per call.
   */
  isQuiet(request: Pick<OutboundRequestInfo, 'headers'>, fallbackParent?: Context): boolean {
    return !this.metrics.enabled && this.edges === undefined && this.tracing.isInert(request.headers, fallbackParent);
  }

  /** What `outbound` returns for a call `isQuiet` admits, given its cluster (the same shared object each time). */
  quietOutbound(cluster: string | undefined): OutboundTelemetry {
    return cluster !== undefined && parseClusterName(cluster) !== undefined ? this.quiet.toMesh : this.quiet.toOther;
  }

  /**
   * Starts a served request. `service` is the FQDN served; `verifiedPrincipal` the caller's SPIFFE
   * identity from its mTLS certificate. The caller's peer-metadata header fills the source labels.
   */
  inbound(request: InboundRequestInfo, served: { readonly service: string; readonly verifiedPrincipal?: string; readonly route?: string; readonly grpc?: boolean }): InboundTelemetry {
    const startedAt = this.now();
    const span = this.tracing.startServerSpan(request, served.route !== undefined ? { route: served.route } : {});
    const source = inboundSourcePeer(headerValue(request.headers as HeaderMap, PEER_METADATA_HEADER), served.verifiedPrincipal);
    let ended = false;
    return {
      context: span.context,
      end: (outcome) => {
        if (ended) return;
        ended = true;
        span.end(spanOutcome(outcome));
        const labels = inboundLabels(this.self, source, destinationService(served.service, this.self.namespace), labelOutcome({ ...outcome, mtls: outcome.mtls ?? served.verifiedPrincipal !== undefined }, served.grpc));
        this.metrics.recordRequest(labels, measures(this.now() - startedAt, outcome));
      },
    };
  }
}

/**
 * Watches a response body so `onDone(bytes, error?)` runs once when it ends, fails or is destroyed —
 * the moment Istio's duration and response size are taken. Returns the same stream: bytes are
 * counted as the body pushes them (no second stream, no pipeline, no error listener added).
 */
export function observeBody(body: Readable, onDone: (bytes: number, error?: Error) => void): Readable {
  let bytes = 0;
  let done = false;
  const finish = (error?: Error) => {
    if (done) return;
    done = true;
    onDone(bytes, error);
  };
  if (body.readableEnded || body.destroyed) {
    finish(body.readableEnded ? undefined : (body.errored as Error | null) ?? new Error('response body closed before its end'));
    return body;
  }
  const push = body.push;
  body.push = function countingPush(this: Readable, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk != null) bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : (chunk as { length: number }).length;
    return push.call(this, chunk, encoding);
  };
  body.once('end', () => finish());
  body.once('close', () => finish(body.readableEnded ? undefined : (body.errored as Error | null) ?? new Error('response body closed before its end')));
  return body;
}

/** Shared outbound telemetry for calls nothing records: attempts only add the peer header (when given). */
function quietOutbound(peerHeader: string | undefined): OutboundTelemetry {
  const attempt: AttemptSpan = peerHeader === undefined
    ? INERT_CLIENT_SPAN.attempt(1)
    : Object.freeze({
      context: INERT_CLIENT_SPAN.context,
      // In place: the pipeline hands each attempt headers it owns (see OutboundTelemetry.attempt).
      injectHeaders(headers: Readonly<HeaderMap>): HeaderMap {
        (headers as HeaderMap)[PEER_METADATA_HEADER] = peerHeader;
        return headers as HeaderMap;
      },
      end() {},
    });
  return Object.freeze({ span: INERT_CLIENT_SPAN, records: false, watchesBody: false, attempt: () => attempt, end() {} });
}

function spanTarget(target: UpstreamTarget): { endpoint?: string; cluster?: string; subset?: string } {
  const subset = target.cluster ? parseClusterName(target.cluster)?.subset || undefined : undefined;
  return {
    ...(target.endpoint ? { endpoint: target.endpoint.key } : {}),
    ...(target.cluster !== undefined ? { cluster: target.cluster } : {}),
    ...(subset !== undefined ? { subset } : {}),
  };
}

function spanOutcome(outcome: RequestEnd): SpanOutcome {
  return {
    ...spanTarget(outcome),
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    ...(outcome.grpcStatus !== undefined ? { grpcStatus: outcome.grpcStatus } : {}),
    ...(outcome.responseFlags ? { responseFlags: outcome.responseFlags } : {}),
    ...(outcome.errorType !== undefined ? { errorType: outcome.errorType } : {}),
    ...(outcome.error !== undefined ? { error: outcome.error } : {}),
    ...(outcome.retryCount !== undefined ? { retryCount: outcome.retryCount } : {}),
  };
}

function labelOutcome(outcome: RequestEnd, grpc = false) {
  return {
    protocol: grpc ? ('grpc' as const) : ('http' as const),
    responseCode: outcome.status ?? 0,
    ...(outcome.grpcStatus !== undefined ? { grpcStatus: outcome.grpcStatus } : {}),
    ...(outcome.responseFlags ? { responseFlags: outcome.responseFlags } : {}),
    mtls: outcome.mtls === true,
  };
}

function edgeObservation(destination: EdgeDestination, outcome: RequestEnd, durationMs: number): EdgeObservation {
  return {
    destination,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    ...(outcome.mtls !== undefined ? { mtls: outcome.mtls } : {}),
    durationMs,
  };
}

function measures(durationMs: number, outcome: RequestEnd) {
  return { durationMs, requestBytes: outcome.requestBytes ?? 0, responseBytes: outcome.responseBytes ?? 0 };
}
