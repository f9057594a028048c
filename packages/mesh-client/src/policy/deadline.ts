// Timeouts and deadline propagation: the route timeout covering all attempts and back-offs, the
// per-try timeout, gRPC's grpc-timeout (max_grpc_timeout / max_stream_duration), the inherited
// deadline, the timeout headers sent upstream, and AbortSignals driven by the injected Clock.

import { derivedOnce } from '../snapshot/derived-once';
import { MeshError } from '../errors';
import type { RequestHeaders } from '../routing/request-view';
import type { ForwardAction } from '../routing/types';
import { join, readDurationMs, readObject, type Issue, type Issues } from '../snapshot/proto-readers';
import type { Clock } from './clock';
import { compileStrict } from './strict-compile';

/** Timeout request headers Envoy reads (and strips or rewrites before forwarding). */
export const TIMEOUT_HEADERS = Object.freeze({
  upstreamRequestTimeout: 'x-envoy-upstream-rq-timeout-ms',
  perTryTimeout: 'x-envoy-upstream-rq-per-try-timeout-ms',
  expectedTimeout: 'x-envoy-expected-rq-timeout-ms',
  grpcTimeout: 'grpc-timeout',
});

/** Envoy's route timeout when RouteAction.timeout is unset (Istio always sends one; 0 = disabled). */
export const ENVOY_DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

/** The timeout settings of a route. All durations in ms; 0 = disabled. */
export interface RouteTimeouts {
  /** RouteAction.timeout: covers every attempt and back-off. */
  readonly timeoutMs: number;
  /** retry_policy.per_try_timeout. */
  readonly perTryTimeoutMs: number;
  /** Deprecated max_grpc_timeout (what Istio sends to sidecars): gRPC requests use grpc-timeout capped by it. */
  readonly maxGrpcTimeoutMs?: number;
  readonly grpcTimeoutOffsetMs?: number;
  /**
   * RouteAction.max_stream_duration (what Istio sends to proxyless gRPC). When set, Envoy's
   * router ignores `timeout` and the stream duration bounds the request instead.
   */
  readonly maxStreamDuration?: { readonly maxStreamDurationMs?: number; readonly grpcTimeoutHeaderMaxMs?: number; readonly grpcTimeoutHeaderOffsetMs?: number };
}

/** Reads the timeout fields of a RouteAction (plain-object form) with proto-readers. */
export function readRouteTimeouts(o: Readonly<Record<string, unknown>>, path: string, issues: Issues): RouteTimeouts {
  const ms = (v: unknown, p: string) => readDurationMs(v, p, issues);
  const retry = readObject(o['retry_policy'], join(path, 'retry_policy'), issues);
  const out: { -readonly [K in keyof RouteTimeouts]: RouteTimeouts[K] } = {
    timeoutMs: ms(o['timeout'], join(path, 'timeout')) ?? ENVOY_DEFAULT_ROUTE_TIMEOUT_MS,
    perTryTimeoutMs: (retry && ms(retry['per_try_timeout'], join(path, 'retry_policy.per_try_timeout'))) || 0,
  };
  const maxGrpc = ms(o['max_grpc_timeout'], join(path, 'max_grpc_timeout'));
  if (maxGrpc !== undefined) out.maxGrpcTimeoutMs = maxGrpc;
  const offset = ms(o['grpc_timeout_offset'], join(path, 'grpc_timeout_offset'));
  if (offset !== undefined) out.grpcTimeoutOffsetMs = offset;
  const msd = readObject(o['max_stream_duration'], join(path, 'max_stream_duration'), issues);
  if (msd) {
    const p = join(path, 'max_stream_duration');
    const d = ms(msd['max_stream_duration'], join(p, 'max_stream_duration'));
    const max = ms(msd['grpc_timeout_header_max'], join(p, 'grpc_timeout_header_max'));
    const off = ms(msd['grpc_timeout_header_offset'], join(p, 'grpc_timeout_header_offset'));
    out.maxStreamDuration = {
      ...(d !== undefined ? { maxStreamDurationMs: d } : {}),
      ...(max !== undefined ? { grpcTimeoutHeaderMaxMs: max } : {}),
      ...(off !== undefined ? { grpcTimeoutHeaderOffsetMs: off } : {}),
    };
  }
  return out;
}

/**
 * Compiles the timeout settings of a RouteAction message (`route` of a Route), strictly.
 * @throws MeshError CONFIG_REJECTED naming each invalid field.
 */
export function compileRouteTimeouts(routeAction: unknown, notes?: Issue[]): RouteTimeouts {
  return compileStrict('route', (issues) => {
    const o = readObject(routeAction, 'route', issues);
    return o ? readRouteTimeouts(o, 'route', issues) : void issues.error('route', 'a RouteAction message is required');
  }, notes);
}

/**
 * The timeouts of a route compiled by the snapshot. The snapshot folds max_grpc_timeout into
 * maxStreamDuration.grpcTimeoutHeaderMaxMs; a block without maxStreamDurationMs is read as the
 * deprecated max_grpc_timeout form (what Istio sends to sidecars).
 */
export const routeTimeoutsOf: (action: ForwardAction) => RouteTimeouts = derivedOnce(readTimeoutsOf);

function readTimeoutsOf(action: ForwardAction): RouteTimeouts {
  const base = { timeoutMs: action.timeoutMs, perTryTimeoutMs: action.retryPolicy?.perTryTimeoutMs ?? 0 };
  const msd = action.maxStreamDuration;
  if (!msd) return base;
  if (msd.maxStreamDurationMs === undefined && msd.grpcTimeoutHeaderMaxMs !== undefined) {
    return { ...base, maxGrpcTimeoutMs: msd.grpcTimeoutHeaderMaxMs, ...(msd.grpcTimeoutHeaderOffsetMs !== undefined ? { grpcTimeoutOffsetMs: msd.grpcTimeoutHeaderOffsetMs } : {}) };
  }
  return { ...base, maxStreamDuration: msd };
}

const MAX_GRPC_TIMEOUT_VALUE = 99_999_999;
const GRPC_UNIT_MS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/**
 * Parses a `grpc-timeout` value (1–8 digits + unit H/M/S/m/u/n) into whole milliseconds, sub-ms
 * units rounded up, as Envoy's Grpc::Common::getGrpcTimeout. Undefined when malformed.
 */
export function parseGrpcTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value.trim());
  if (!m) return undefined;
  return Math.ceil(Number(m[1]) * GRPC_UNIT_MS[m[2]!]!);
}

/**
 * Formats milliseconds as a `grpc-timeout` value, as Envoy's Grpc::Common::toGrpcTimeout:
 * milliseconds while they fit 8 digits, else seconds, minutes, hours (truncating), clipped at
 * 99999999H.
 */
export function formatGrpcTimeout(ms: number): string {
  let time = Math.max(0, Math.floor(ms));
  const units = ['m', 'S', 'M', 'H'];
  let unit = 0;
  if (time > MAX_GRPC_TIMEOUT_VALUE) {
    time = Math.floor(time / 1000);
    unit++;
  }
  while (time > MAX_GRPC_TIMEOUT_VALUE) {
    if (units[unit] === 'H') time = MAX_GRPC_TIMEOUT_VALUE;
    else {
      time = Math.floor(time / 60);
      unit++;
    }
  }
  return `${time}${units[unit]}`;
}

/** What bounds a request. */
export type DeadlineSource =
  | 'route-timeout' | 'upstream-rq-timeout-header' | 'grpc-timeout' | 'max-stream-duration' | 'expected-rq-timeout-header' | 'parent';

/** The effective deadline of one logical request. */
export interface Deadline {
  /** Absolute clock time at which the request is out of time; undefined = none. */
  readonly expiresAt?: number;
  /** What set `expiresAt`. */
  readonly source?: DeadlineSource;
  /** Envoy's router global timeout (ms, 0 = none), after header overrides. */
  readonly globalTimeoutMs: number;
  /** Per-try timeout (ms, 0 = none); 0 when ≥ the global timeout, as Envoy. */
  readonly perTryTimeoutMs: number;
}

/** Inputs of `computeDeadline`. */
export interface DeadlineInput {
  readonly timeouts: RouteTimeouts;
  readonly headers: RequestHeaders;
  /** The request is gRPC (content-type application/grpc…). */
  readonly grpc: boolean;
  /** Clock time now (when the request starts). */
  readonly now: number;
  /** An absolute deadline inherited from the inbound request this call serves (clock time). */
  readonly parentDeadline?: number;
}

/**
 * The effective deadline: the earliest of Envoy's own bounds and the propagated ones.
 * Envoy's bounds (FilterUtility::finalTimeout, HCM max_stream_duration): the route timeout; for
 * gRPC with max_grpc_timeout, the grpc-timeout (minus grpc_timeout_offset) capped by it (0 = no
 * cap) instead; with max_stream_duration, no router timeout but the stream duration (grpc-timeout
 * capped by grpc_timeout_header_max, else max_stream_duration); `x-envoy-upstream-rq-timeout-ms`
 * replaces the router timeout. Propagated bounds (Inboard): the caller's own `grpc-timeout`, an
 * `x-envoy-expected-rq-timeout-ms` set by the caller, and `parentDeadline` — each can only
 * shorten the deadline, never extend it.
 */
export function computeDeadline(input: DeadlineInput): Deadline {
  const { timeouts: t, headers, grpc, now } = input;
  const grpcHeader = parseGrpcTimeout(first(headers, TIMEOUT_HEADERS.grpcTimeout));
  let globalTimeoutMs = 0;
  let globalSource: DeadlineSource = 'route-timeout';
  let streamMs = 0;
  if (!t.maxStreamDuration) {
    if (grpc && t.maxGrpcTimeoutMs !== undefined) {
      let g = grpcHeader ?? 0;
      if (t.grpcTimeoutOffsetMs !== undefined && t.grpcTimeoutOffsetMs < g) g -= t.grpcTimeoutOffsetMs;
      if (t.maxGrpcTimeoutMs !== 0 && (g === 0 || g > t.maxGrpcTimeoutMs)) g = t.maxGrpcTimeoutMs;
      else if (g !== 0) globalSource = 'grpc-timeout';
      globalTimeoutMs = g;
    } else {
      globalTimeoutMs = t.timeoutMs;
    }
  } else {
    streamMs = streamDurationMs(t.maxStreamDuration, grpcHeader);
  }
  const headerTimeout = wholeMs(first(headers, TIMEOUT_HEADERS.upstreamRequestTimeout));
  if (headerTimeout !== undefined) {
    globalTimeoutMs = headerTimeout;
    globalSource = 'upstream-rq-timeout-header';
  }
  let perTryTimeoutMs = wholeMs(first(headers, TIMEOUT_HEADERS.perTryTimeout)) ?? t.perTryTimeoutMs;
  if (globalTimeoutMs !== 0 && perTryTimeoutMs >= globalTimeoutMs) perTryTimeoutMs = 0;

  // The earliest bound wins; on a tie, the first listed (Envoy's own bounds first).
  let expiresAt = globalTimeoutMs > 0 ? now + globalTimeoutMs : Infinity;
  let source: DeadlineSource | undefined = globalTimeoutMs > 0 ? globalSource : undefined;
  if (streamMs > 0 && now + streamMs < expiresAt) [expiresAt, source] = [now + streamMs, 'max-stream-duration'];
  if (grpc && grpcHeader !== undefined && grpcHeader > 0 && now + grpcHeader < expiresAt) [expiresAt, source] = [now + grpcHeader, 'grpc-timeout'];
  const expected = wholeMs(first(headers, TIMEOUT_HEADERS.expectedTimeout));
  if (expected !== undefined && expected > 0 && now + expected < expiresAt) [expiresAt, source] = [now + expected, 'expected-rq-timeout-header'];
  const parent = input.parentDeadline;
  if (parent !== undefined && (source === undefined || parent < expiresAt)) [expiresAt, source] = [parent, 'parent'];
  if (source !== undefined) return { expiresAt, source, globalTimeoutMs, perTryTimeoutMs };
  return globalTimeoutMs === 0 && perTryTimeoutMs === 0 ? NO_DEADLINE : { globalTimeoutMs, perTryTimeoutMs };
}

/** The deadline of a request nothing bounds (most routes: Istio sets no timeout by default), shared. */
export const NO_DEADLINE: Deadline = Object.freeze({ globalTimeoutMs: 0, perTryTimeoutMs: 0 });

/** The HCM stream-duration bound of a max_stream_duration route (0 = none). */
function streamDurationMs(msd: NonNullable<RouteTimeouts['maxStreamDuration']>, grpcHeader: number | undefined): number {
  if (grpcHeader === undefined || msd.grpcTimeoutHeaderMaxMs === undefined) return msd.maxStreamDurationMs ?? 0;
  let t = grpcHeader;
  if (msd.grpcTimeoutHeaderMaxMs !== 0 && t > msd.grpcTimeoutHeaderMaxMs) t = msd.grpcTimeoutHeaderMaxMs;
  if (t !== 0 && msd.grpcTimeoutHeaderOffsetMs !== undefined) t = msd.grpcTimeoutHeaderOffsetMs < t ? t - msd.grpcTimeoutHeaderOffsetMs : 0;
  return t;
}

/** Whole milliseconds left before the deadline (Infinity when there is none; ≤ 0 when out of time). */
export function remainingMs(deadline: Deadline, now: number): number {
  return deadline.expiresAt === undefined ? Infinity : Math.floor(deadline.expiresAt - now);
}

/**
 * The error for an expired deadline: Envoy's 504 `upstream request timeout` (flag UT). A request
 * whose deadline has less than 1 ms left is never forwarded.
 */
export function deadlineExceeded(deadline: Deadline, scope: 'route' | 'per-try' = 'route'): MeshError {
  return new MeshError('UPSTREAM_TIMEOUT', 'upstream request timeout', { details: { timeout: scope, source: deadline.source ?? 'none' } });
}

/**
 * The gRPC status of the local reply when a gRPC request runs out of time: DEADLINE_EXCEEDED (4)
 * when the bound is the caller's own deadline (grpc-timeout, an inherited deadline) or the
 * stream duration (Envoy's max_stream_duration reply, and what grpc-js-xds reports), otherwise
 * undefined — the router's 504 maps to UNAVAILABLE as for every Envoy local reply.
 */
export function expiryGrpcStatus(deadline: Deadline): number | undefined {
  const s = deadline.source;
  return s === 'grpc-timeout' || s === 'max-stream-duration' || s === 'parent' ? 4 : undefined;
}

/** The time one attempt may take: the per-try timeout bounded by what is left (Infinity = none). */
export function attemptTimeoutMs(deadline: Deadline, now: number): number {
  const left = remainingMs(deadline, now);
  return deadline.perTryTimeoutMs > 0 ? Math.min(deadline.perTryTimeoutMs, left) : left;
}

/**
 * Timeout headers for one attempt (Envoy's setTimeoutHeaders, extended to propagation):
 * `x-envoy-expected-rq-timeout-ms` = the attempt's time (per-try timeout or what remains, the
 * smaller), and for gRPC the same as `grpc-timeout`, so the upstream never works past our
 * deadline. Empty when the request has no deadline at all. Call only for an unexpired deadline.
 */
export function attemptTimeoutHeaders(deadline: Deadline, now: number, grpc: boolean): Record<string, string> {
  const ms = attemptTimeoutMs(deadline, now);
  if (!Number.isFinite(ms)) return {};
  const value = Math.max(1, Math.floor(ms));
  const out: Record<string, string> = { [TIMEOUT_HEADERS.expectedTimeout]: String(value) };
  if (grpc) out[TIMEOUT_HEADERS.grpcTimeout] = formatGrpcTimeout(value);
  return out;
}

/** An AbortSignal and the way to stop its timer. */
export interface DisposableSignal {
  readonly signal: AbortSignal;
  /** Cancels the timer (call when the work ends). Idempotent. */
  dispose(): void;
}

/**
 * A signal that aborts when `parent` aborts or, if `timeoutMs` is finite, after `timeoutMs` on
 * `clock`, with `reason`. The timer is the clock's (unref'd; fake in tests).
 */
export function timeoutSignal(clock: Clock, timeoutMs: number, reason: () => unknown, parent?: AbortSignal): DisposableSignal {
  if (!Number.isFinite(timeoutMs)) return { signal: parent ?? new AbortController().signal, dispose: () => {} };
  const controller = new AbortController();
  const timer = clock.setTimeout(() => controller.abort(reason()), Math.max(0, timeoutMs));
  const signal = parent ? AbortSignal.any([parent, controller.signal]) : controller.signal;
  return { signal, dispose: () => timer.cancel() };
}

/** The route-level signal: aborts with a route `deadlineExceeded` error at `expiresAt`. */
export function deadlineSignal(deadline: Deadline, clock: Clock, parent?: AbortSignal): DisposableSignal {
  return timeoutSignal(clock, remainingMs(deadline, clock.now()), () => deadlineExceeded(deadline, 'route'), parent);
}

/** The per-attempt signal: the route signal plus the per-try timeout (aborting with a per-try error). */
export function attemptSignal(deadline: Deadline, clock: Clock, routeSignal?: AbortSignal): DisposableSignal {
  const perTry = deadline.perTryTimeoutMs > 0 ? deadline.perTryTimeoutMs : Infinity;
  return timeoutSignal(clock, perTry, () => deadlineExceeded(deadline, 'per-try'), routeSignal);
}

function wholeMs(v: string | undefined): number | undefined {
  return v !== undefined && /^\s*\+?\d+\s*$/.test(v) ? Number(v.trim()) : undefined;
}

function first(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  return v === undefined || typeof v === 'string' ? v : v[0];
}
