// The shapes the request stack is built from: the per-request call record each layer reads and
// fills in, the per-attempt record, the handler/layer function types and the layers' dependencies.

import type { Endpoint, ClusterConfig, ListenerSpec, MeshSnapshot } from '../snapshot/types';
import type { RandomSource } from '../balancing/random';
import type { MeshError } from '../errors';
import type { Clock } from '../policy/clock';
import type { Deadline } from '../policy/deadline';
import type { AttemptOutcome } from '../policy/outcome';
import type { RetryState } from '../policy/retry-policy';
import type { ForwardOutcome } from '../routing/actions';
import type { RequestView } from '../routing/request-view';
import type { RouteTable } from '../routing/types';
import type { OutboundTrafficPolicy } from '../options';
import type { HeaderMap, MeshRequest, MeshResponse } from '../request';
import type { MeshRuntime } from '../runtime/mesh-runtime';
import type { InboundRequestContext } from '../inbound/inbound-context';
import type { MeshTelemetry, OutboundTelemetry } from '../telemetry';
import type { Passthrough } from './passthrough';

/** One logical request as it goes down the stack; each layer fills in what it decides. */
export interface OutboundCall {
  readonly request: MeshRequest;
  /** Route through this listener instead of the one the authority names (the ingress gateway). */
  readonly listenerName?: string;
  /** content-type application/grpc[+…]: local replies become trailers-only gRPC replies. */
  readonly grpc: boolean;
  /** Response flags gathered on the way (DI …), reported on the response. */
  readonly flags: string[];
  snapshot?: MeshSnapshot;
  listener?: ListenerSpec;
  table?: RouteTable;
  view?: RequestView;
  route?: ForwardOutcome;
  cluster?: ClusterConfig;
  /** Headers to send upstream (mutated, internal headers stripped; per-attempt headers added later). */
  upstreamHeaders?: HeaderMap;
  deadline?: Deadline;
  /** Aborts when the caller aborts or the route deadline passes. */
  routeSignal?: AbortSignal;
  /** The call's telemetry (span and metrics), once the route is known. */
  telemetry?: OutboundTelemetry;
  /** Tries started so far, and the endpoint of the last one. */
  attempts?: number;
  lastEndpoint?: Endpoint;
  /** Whether the last try went over mesh mutual TLS (telemetry's connection security policy). */
  lastMtls?: boolean;
}

/**
 * The OutboundCall each request starts as: every field exists from the start, so every layer
 * reads one object shape however far the call got (fields added on the way would give each
 * layer several shapes to handle).
 */
export class CallRecord implements OutboundCall {
  readonly flags: string[] = [];
  snapshot: MeshSnapshot | undefined = undefined;
  listener: ListenerSpec | undefined = undefined;
  table: RouteTable | undefined = undefined;
  view: RequestView | undefined = undefined;
  route: ForwardOutcome | undefined = undefined;
  cluster: ClusterConfig | undefined = undefined;
  upstreamHeaders: HeaderMap | undefined = undefined;
  deadline: Deadline | undefined = undefined;
  routeSignal: AbortSignal | undefined = undefined;
  telemetry: OutboundTelemetry | undefined = undefined;
  attempts: number | undefined = undefined;
  lastEndpoint: Endpoint | undefined = undefined;
  lastMtls: boolean | undefined = undefined;

  constructor(readonly request: MeshRequest, readonly grpc: boolean, readonly listenerName: string | undefined) {}
}

/** One attempt of a logical request (the retry loop creates one per try). */
export interface AttemptCall {
  readonly call: OutboundCall;
  /** 1 for the first try. */
  readonly number: number;
  readonly retry?: RetryState;
  endpoint?: Endpoint;
  /** Aborts on caller abort, route deadline or per-try timeout. */
  signal?: AbortSignal;
  /** The per-try timer; disposed once response headers arrive. */
  perTry?: { dispose(): void };
  /** x-envoy-expected-rq-timeout-ms (and grpc-timeout) for this try. */
  timeoutHeaders?: Readonly<Record<string, string>>;
  /** Releases everything the attempt holds (breaker slots, active count, timers) once its response ends. */
  readonly cleanups: (() => void)[];
}

/** How one attempt ended. */
export type AttemptResult =
  | { readonly kind: 'response'; readonly response: MeshResponse; readonly outcome: AttemptOutcome }
  /** No response: connect failure, reset, per-try timeout or overflow; retriable by policy (overflow never). */
  | { readonly kind: 'failure'; readonly outcome: AttemptOutcome; readonly error: MeshError }
  /** A local answer that ends the request now (no healthy upstream, route deadline). */
  | { readonly kind: 'final'; readonly error: MeshError };

/** The logical stack's function type. */
export type Handler = (call: OutboundCall) => Promise<MeshResponse>;
/** A layer wraps the rest of the stack. */
export type Layer = (next: Handler) => Handler;
/** The attempt stack's function type. */
export type AttemptHandler = (attempt: AttemptCall) => Promise<AttemptResult>;
/** A layer of the attempt stack. */
export type AttemptLayer = (next: AttemptHandler) => AttemptHandler;

/** What the layers need from the Mesh that owns them. */
export interface StackDeps {
  readonly runtime: MeshRuntime;
  /** The snapshot in force now (undefined before the first config). */
  readonly currentSnapshot: () => MeshSnapshot | undefined;
  /** Resolves with the first config. */
  readonly ready: Promise<void>;
  readonly isClosed: () => boolean;
  readonly random: RandomSource;
  readonly clock: Clock;
  readonly outboundTrafficPolicy: OutboundTrafficPolicy;
  readonly passthrough: Passthrough;
  readonly telemetry: MeshTelemetry;
  /**
   * The inbound request this call serves, if any: its deadline (clock time) bounds the call's, its
   * trace context parents the call's span.
   */
  readonly inboundRequest: () => InboundRequestContext | undefined;
}

/** Composes layers around a terminal handler, the first layer outermost. */
export function compose<H>(layers: readonly ((next: H) => H)[], terminal: H): H {
  let handler = terminal;
  for (let i = layers.length - 1; i >= 0; i--) handler = layers[i]!(handler);
  return handler;
}
