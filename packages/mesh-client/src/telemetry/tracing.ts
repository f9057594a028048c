// Spans of the mesh through @opentelemetry/api only: one logical client span per outbound call
// (child spans per attempt when the route can retry), one server span per served request, with
// OpenTelemetry's HTTP semantic conventions plus the mesh's `inboard.*` attributes. No SDK → no-op.

import {
  context as otelContext, INVALID_SPAN_CONTEXT, isSpanContextValid, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace,
  type Attributes, type Context, type Span, type Tracer, type TracerProvider,
} from '@opentelemetry/api';
import type { HeaderMap } from '../request';
import { MeshPropagator, type MeshPropagatorOptions } from './propagation';
import { TELEMETRY_SCOPE } from './metrics';
import { httpMethod, outcomeAttributes, requestAttributes, type SpanOutcome } from './span-attributes';

export type { SpanOutcome } from './span-attributes';

/** The request as the client span describes it (MeshRequest fits). */
export interface OutboundRequestInfo {
  readonly method: string;
  readonly scheme: 'http' | 'https';
  /** `host[:port]` the caller addressed. */
  readonly authority: string;
  /** Path with query. */
  readonly path: string;
  readonly headers: Readonly<HeaderMap>;
}

/** What the mesh knows when the call starts. */
export interface ClientSpanOptions {
  /** Route name (Envoy route / VirtualService rule). */
  readonly route?: string;
  /** Cluster chosen by the route, e.g. `outbound|9080|v1|reviews.default.svc.cluster.local`. */
  readonly cluster?: string;
  readonly subset?: string;
  /** Destination service FQDN. */
  readonly destinationService?: string;
  /** 1 + the route's retries: above 1, every attempt gets its own CLIENT child span. Default 1. */
  readonly maxAttempts?: number;
  /** Parent context; default the active one, else `fallbackParent`, else the trace headers the caller put on the request. */
  readonly parent?: Context;
  /**
   * Used when no parent is given and the active context has no span: the context of the inbound
   * request being served (kept by the mesh), so traces continue even without a context manager.
   */
  readonly fallbackParent?: Context;
}

/** Where one attempt went. */
export interface AttemptInfo {
  readonly endpoint?: string;
  readonly cluster?: string;
  readonly subset?: string;
}

/** One attempt's span (the logical span itself when the route cannot retry). */
export interface AttemptSpan {
  /** Context to send this attempt under. */
  readonly context: Context;
  /** A copy of `headers` with this attempt's trace headers (W3C and B3); `headers` itself when it adds none. */
  injectHeaders(headers: Readonly<HeaderMap>): HeaderMap;
  /** Ends the attempt span with its outcome (for a route without retries: records it on the logical span). */
  end(outcome: SpanOutcome): void;
}

/** The logical span of one outbound call. */
export interface ClientSpan {
  readonly span: Span;
  /** Context with the logical span active. */
  readonly context: Context;
  /** Starts attempt `n` (1 for the first try). */
  attempt(n: number, info?: AttemptInfo): AttemptSpan;
  /** Ends the logical span: status, response flags, retry count (default: attempts started − 1). */
  end(outcome: SpanOutcome): void;
}

/** The request as the server span describes it. */
export interface InboundRequestInfo extends OutboundRequestInfo {
  /** Caller's address and port. */
  readonly peerAddress?: string;
  readonly peerPort?: number;
}

/** The span of one served request. */
export interface ServerSpan {
  readonly span: Span;
  /** Context to run the application's handler in (outbound calls made under it become children). */
  readonly context: Context;
  end(outcome: SpanOutcome): void;
}

/** Options of MeshTracing. */
export interface MeshTracingOptions {
  /** Default: the global TracerProvider (a no-op until an SDK is installed; later installs are picked up). */
  readonly tracerProvider?: TracerProvider;
  /** Or a Tracer directly (wins over tracerProvider). */
  readonly tracer?: Tracer;
  /** A propagator, or the options of the default MeshPropagator (W3C + B3 multi). */
  readonly propagator?: MeshPropagator | MeshPropagatorOptions;
}

/**
 * Where the OpenTelemetry API (every copy of major version 1) keeps what was registered globally:
 * `context` is the context manager, absent until one is set. Read directly, it answers "can any
 * span be active?" without the calls `context.active()` makes. A test registers a manager through
 * the API and checks that `isInert` sees it, so a change of this key cannot pass unnoticed.
 */
const OTEL_API_GLOBALS = Symbol.for('opentelemetry.js.api.1');
type OtelGlobalHolder = { readonly [OTEL_API_GLOBALS]?: { readonly context?: unknown } };

/** Starts the mesh's client and server spans and carries their context in request headers. */
export class MeshTracing {
  /** The propagator used for extraction and injection. */
  readonly propagator: MeshPropagator;
  private readonly tracer: Tracer;
  /** The global provider proxy, when spans come from it (its delegate tells whether an SDK is installed). */
  private readonly globalProvider: ProxyTracerProvider | undefined;
  /** The request headers without which no form (W3C, B3) can carry a trace, lower-case. */
  private readonly traceHeaders: readonly string[];

  constructor(options: MeshTracingOptions = {}) {
    const provider = options.tracerProvider ?? trace.getTracerProvider();
    this.tracer = options.tracer ?? provider.getTracer(TELEMETRY_SCOPE);
    this.globalProvider = options.tracer === undefined && provider instanceof ProxyTracerProvider ? provider : undefined;
    this.propagator = options.propagator instanceof MeshPropagator ? options.propagator : new MeshPropagator(options.propagator ?? {});
    this.traceHeaders = this.propagator.fields().map((field) => field.toLowerCase()).filter((name) => !TRACE_COMPANION_HEADERS.has(name));
  }

  /**
   * True when a call would neither record a span nor carry a trace: no tracing SDK is installed
   * globally, no span is active, `fallbackParent` has none, and the request's headers carry none.
   * Such a call can skip the span entirely (`INERT_CLIENT_SPAN`); the answer is taken per call, so
   * an SDK installed later is used from the next call on.
   */
  isInert(headers: Readonly<HeaderMap>, fallbackParent?: Context): boolean {
    if (this.globalProvider === undefined || this.globalProvider.getDelegate() !== NOOP_TRACER_PROVIDER) return false;
    for (const name of this.traceHeaders) if (headers[name] !== undefined) return false;
    if (fallbackParent !== undefined && trace.getSpanContext(fallbackParent) !== undefined) return false;
    // No context manager registered: the active context is the root one, which holds no span.
    const globals = (globalThis as OtelGlobalHolder)[OTEL_API_GLOBALS];
    return globals?.context === undefined || trace.getSpanContext(otelContext.active()) === undefined;
  }

  /**
   * Starts the logical span of an outbound call. Its parent is `options.parent`, else the active
   * context's span, else `options.fallbackParent`'s, else the trace the caller's own headers carry
   * (an application forwarding B3 headers keeps its trace), else none (a new trace).
   */
  startClientSpan(request: OutboundRequestInfo, options: ClientSpanOptions = {}): ClientSpan {
    let parent = options.parent ?? otelContext.active();
    if (!trace.getSpanContext(parent) && options.parent === undefined && options.fallbackParent && trace.getSpanContext(options.fallbackParent)) parent = options.fallbackParent;
    if (!trace.getSpanContext(parent)) parent = this.propagator.extractHeaders(parent, request.headers);
    const perAttempt = (options.maxAttempts ?? 1) > 1;
    const method = httpMethod(request.method);
    const span = this.tracer.startSpan(method.spanName, { kind: perAttempt ? SpanKind.INTERNAL : SpanKind.CLIENT }, parent);
    // No SDK and no trace to continue: nothing will record or propagate, so build nothing per call.
    if (!span.isRecording() && !isSpanContextValid(span.spanContext())) return new InertClientSpan(span, parent, this.propagator);
    if (span.isRecording()) {
      span.setAttributes({ ...requestAttributes(request, method, 'client'), ...meshAttributes(options) });
    }
    const logicalContext = trace.setSpan(parent, span);
    let attempts = 0;
    let ended = false;
    return {
      span,
      context: logicalContext,
      attempt: (n, info = {}) => {
        attempts = Math.max(attempts, n);
        if (!perAttempt) return this.logicalAttempt(span, logicalContext, info);
        const child = this.tracer.startSpan(method.spanName, { kind: SpanKind.CLIENT }, logicalContext);
        if (child.isRecording()) {
          child.setAttributes({
            ...requestAttributes(request, method, 'client'),
            ...attemptAttributes(info),
            'inboard.attempt': n,
            ...(n > 1 ? { 'http.request.resend_count': n - 1 } : {}),
          });
        }
        return this.childAttempt(child, trace.setSpan(logicalContext, child));
      },
      end: (outcome) => {
        if (ended) return;
        ended = true;
        finish(span, { ...outcome, retryCount: outcome.retryCount ?? Math.max(0, attempts - 1) }, 'client', true);
      },
    };
  }

  /** Starts the span of a served request, continuing the trace its headers carry (W3C, then B3). */
  startServerSpan(request: InboundRequestInfo, options: { readonly route?: string; readonly parent?: Context } = {}): ServerSpan {
    const parent = this.propagator.extractHeaders(options.parent ?? otelContext.active(), request.headers);
    const method = httpMethod(request.method);
    const span = this.tracer.startSpan(method.spanName, { kind: SpanKind.SERVER }, parent);
    if (span.isRecording()) {
      span.setAttributes({
        ...requestAttributes(request, method, 'server'),
        ...(request.peerAddress !== undefined ? { 'client.address': request.peerAddress, 'network.peer.address': request.peerAddress } : {}),
        ...(request.peerPort !== undefined ? { 'network.peer.port': request.peerPort } : {}),
        ...(options.route !== undefined ? { 'inboard.route': options.route } : {}),
      });
    }
    let ended = false;
    return {
      span,
      context: trace.setSpan(parent, span),
      end: (outcome) => {
        if (ended) return;
        ended = true;
        finish(span, outcome, 'server', true);
      },
    };
  }

  private logicalAttempt(span: Span, context: Context, info: AttemptInfo): AttemptSpan {
    if (span.isRecording()) span.setAttributes(attemptAttributes(info));
    return {
      context,
      injectHeaders: (headers) => this.propagator.injectHeaders(context, headers),
      end: (outcome) => {
        if (span.isRecording()) span.setAttributes(attemptAttributes(outcome));
      },
    };
  }

  private childAttempt(span: Span, context: Context): AttemptSpan {
    let ended = false;
    return {
      context,
      injectHeaders: (headers) => this.propagator.injectHeaders(context, headers),
      end: (outcome) => {
        if (ended) return;
        ended = true;
        finish(span, outcome, 'client', false);
      },
    };
  }
}

/**
 * The client span when the tracer neither records nor has a trace to continue (the API's no-op):
 * its attempts are that same non-recording span, so no child spans, contexts or closures are made
 * per call; headers still go through the propagator (which finds nothing to inject).
 */
class InertClientSpan implements ClientSpan {
  private logicalContext: Context | undefined;

  constructor(readonly span: Span, private readonly parent: Context, private readonly propagator: MeshPropagator) {}

  get context(): Context {
    this.logicalContext ??= trace.setSpan(this.parent, this.span);
    return this.logicalContext;
  }

  /** The attempt: the same span; a plain object (callers spread it), its methods sharing this call's context. */
  attempt(): AttemptSpan {
    const self = this;
    return {
      get context() { return self.context; },
      injectHeaders(headers) { return self.propagator.injectHeaders(self.context, headers); },
      end() {},
    };
  }

  end(): void {
    this.span.end();
  }
}

/** Propagation headers that carry no trace without another one (`traceparent`, `x-b3-traceid`) beside them. */
const TRACE_COMPANION_HEADERS: ReadonlySet<string> = new Set(['tracestate', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags']);

/** What the global proxy delegates to while no SDK is installed (the API's no-op provider). */
const NOOP_TRACER_PROVIDER = new ProxyTracerProvider().getDelegate();

/** The attempt of an inert call: nothing to inject, nothing to end. */
const INERT_ATTEMPT: AttemptSpan = Object.freeze({
  context: ROOT_CONTEXT,
  injectHeaders(headers: Readonly<HeaderMap>): HeaderMap { return headers as HeaderMap; },
  end() {},
});

/** The client span of every call `MeshTracing.isInert` admits: one shared no-op, nothing per call. */
export const INERT_CLIENT_SPAN: ClientSpan = Object.freeze({
  span: trace.wrapSpanContext(INVALID_SPAN_CONTEXT),
  context: ROOT_CONTEXT,
  attempt(): AttemptSpan { return INERT_ATTEMPT; },
  end() {},
});

function meshAttributes(options: ClientSpanOptions): Attributes {
  return {
    ...(options.route !== undefined ? { 'inboard.route': options.route } : {}),
    ...(options.destinationService !== undefined ? { 'inboard.destination_service': options.destinationService } : {}),
    ...attemptAttributes(options),
  };
}

function attemptAttributes(info: AttemptInfo): Attributes {
  const out: Attributes = {};
  if (info.cluster !== undefined) out['inboard.cluster'] = info.cluster;
  if (info.subset !== undefined) out['inboard.subset'] = info.subset;
  if (info.endpoint !== undefined) {
    out['inboard.endpoint'] = info.endpoint;
    const colon = info.endpoint.lastIndexOf(':');
    if (colon > 0) {
      out['network.peer.address'] = info.endpoint.slice(0, colon).replace(/^\[|\]$/g, '');
      const port = Number(info.endpoint.slice(colon + 1));
      if (Number.isInteger(port)) out['network.peer.port'] = port;
    }
  }
  return out;
}

function finish(span: Span, outcome: SpanOutcome, side: 'client' | 'server', logical: boolean): void {
  if (span.isRecording()) {
    const { attributes, errorType } = outcomeAttributes(outcome, side);
    span.setAttributes({ ...attributes, ...attemptAttributes(outcome) });
    if (logical && outcome.retryCount !== undefined) span.setAttribute('inboard.retry_count', outcome.retryCount);
    if (outcome.error instanceof Error) span.recordException(outcome.error);
    if (errorType !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, ...(outcome.error instanceof Error ? { message: outcome.error.message } : {}) });
  }
  span.end();
}
