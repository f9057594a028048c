// The dispatcher front end's pass-through, a layer right after routing: when the route needs no
// buffering policy (no fault, mirror or per-try timeout, plaintext cluster, replayable body), each
// try hands undici a thin handler on the picked endpoint's pool and streams the answer straight
// into the caller's handler — with the same pick, breakers, retries, route deadline, outlier and
// telemetry decisions as the full stack, taken at the same moments (a retry is decided before
// headers go on; the deadline covers the whole response, as Envoy's route timeout).

import type { Dispatcher } from 'undici';
import { MeshError } from '../errors';
import type { TimerHandle } from '../policy/clock';
import { attemptTimeoutHeaders, deadlineExceeded, remainingMs, type Deadline } from '../policy/deadline';
import type { AttemptOutcome } from '../policy/outcome';
import { RetryState, type RetryContext } from '../policy/retry-policy';
import type { ClusterLimits, Overflow, Permit } from '../policy/cluster-limits';
import type { OutboundTelemetry } from '../telemetry';
import { upstreamHeaders } from './headers';
import { errorReplyParts } from './local-reply';
import { transportFailureKind } from './passthrough';
import { directIneligibility, PlaintextClusters } from './direct-eligibility';
import { DirectTry, HTTP_TRY, RawResponseOutcome, type TryOwner } from './direct-try';
import { deliveredAnswer, toRawHeaders, type AbortListener, type ResponseSink } from './response-sink';
import { changesResponseHeaders, responseHeadersFor } from './route-layers';
import { callEnd, callEndAtHeaders, callFailure, startAttemptTelemetry, startCallTelemetry } from './telemetry-layer';
import type { Layer, OutboundCall, StackDeps } from './types';

/** The pass-through layer: takes calls that carry a sink and qualify; the rest go on down the stack. */
export function directDispatch(deps: StackDeps): Layer {
  const plaintext = new PlaintextClusters();
  return (next) => (call) => {
    const sink = call.request.sink;
    if (sink === undefined || directIneligibility(deps, call, plaintext) !== undefined) return next(call);
    new DirectCall(deps, call, sink).start();
    return deliveredAnswer();
  };
}

/** One logical call on the pass-through: tries, retries and the delivery to the caller. */
export class DirectCall implements TryOwner, AbortListener {
  private readonly retry: RetryState | undefined;
  private readonly limits: ClusterLimits;
  private readonly telemetry: OutboundTelemetry;
  private readonly base: Record<string, string | string[]>;
  private current: DirectTry | undefined;
  private backoff: { cancel(): void } | undefined;
  private number = 0;
  private over = false;
  /** The route deadline (computed by directIneligibility) and its timer, armed until the response ends. */
  private readonly deadline: Deadline;
  private timer: TimerHandle | undefined;
  /** Aborts a wait for a connection slot when the deadline passes (made only for calls with a deadline). */
  private routeAbort: AbortController | undefined;
  /** The deadline passed: the try in flight is aborted and the answer is 504 UT (unless headers went on). */
  expired = false;
  /** Status and headers of the forwarded response, for the call's telemetry at its end. */
  private status = 0;
  private response: RawResponseOutcome | undefined;

  /** `headers`: the upstream headers when the call already has them (adopted from the dispatch lane). */
  constructor(private readonly deps: StackDeps, private readonly call: OutboundCall, readonly sink: ResponseSink, headers?: Record<string, string | string[]>) {
    const route = call.route!;
    this.telemetry = startCallTelemetry(deps, call);
    this.base = headers ?? upstreamHeaders(call.request.headers, route);
    call.upstreamHeaders = this.base;
    this.retry = RetryState.begin(route.retryPolicy, call.view ? { headers: call.request.headers, view: call.view, replayable: true } : { headers: call.request.headers, replayable: true });
    this.limits = deps.runtime.limits.get(call.cluster!.name, route.action.priority);
    this.deadline = call.deadline!;
  }

  /**
   * Continues a call the dispatch lane started (dispatch-lane.ts), sent with `headers`: `first` is
   * its first try, which this call now owns (its answer or failure is decided here); without one,
   * the lane found no host to try and the caller gets `answerLocally`.
   */
  static adopt(deps: StackDeps, call: OutboundCall, sink: ResponseSink, headers: Record<string, string | string[]>, first: DirectTry | undefined): DirectCall {
    const adopted = new DirectCall(deps, call, sink, headers);
    sink.onAbort(adopted);
    if (first !== undefined) {
      adopted.number = 1;
      adopted.current = first;
      first.owner = adopted;
      first.call = call;
      call.attempts = 1;
      call.lastEndpoint = first.endpoint;
      call.lastMtls = false;
      adopted.retry?.onHostAttempted(first.endpoint!.key);
    }
    return adopted;
  }

  start(): void {
    this.sink.onAbort(this);
    if (this.deadline.expiresAt !== undefined) {
      // Less than 1 ms left: 504 UT without sending anything (applyDeadline's rule).
      const left = remainingMs(this.deadline, this.deps.clock.now());
      if (left < 1) return this.reply(this.timeoutError());
      this.routeAbort = new AbortController();
      this.timer = this.deps.clock.setTimeout(() => this.onDeadline(), left);
    }
    this.nextTry();
  }

  /** Envoy's 504 `upstream request timeout` of this call's route deadline. */
  timeoutError(): MeshError {
    return deadlineExceeded(this.deadline);
  }

  /** The deadline passed: stop the back-off, the wait for a slot or the try in flight. */
  private onDeadline(): void {
    this.timer = undefined;
    this.expired = true;
    if (this.backoff) {
      this.backoff.cancel();
      this.backoff = undefined;
      return this.reply(this.timeoutError());
    }
    // A try in flight ends in onTryError (504 UT before headers, a broken body after them); one
    // still queued in undici is aborted as soon as it connects (DirectTry.onConnect).
    if (this.current) this.current.abortUpstream?.(this.timeoutError());
    // A wait for a connection slot: the gate rejects it with this reason.
    else this.routeAbort?.abort(this.timeoutError());
  }

  /** Stops the deadline timer (the response ended, or the caller went away). */
  private disarm(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** Pick (UH when none), breakers (UO), then send — as pickEndpoint and admitByBreakers do. */
  private nextTry(): void {
    const { call, deps } = this;
    if (this.deadline.expiresAt !== undefined && remainingMs(this.deadline, deps.clock.now()) < 1) return this.reply(this.timeoutError());
    const number = ++this.number;
    const attempt = new DirectTry(this, call, number, this.retry, deps.runtime.endpointState);
    // One shape for every pick's context (absent inputs are undefined, which the picker reads as none).
    const picked = deps.runtime.picker(call.snapshot!, call.cluster!).pick({ hash: call.route!.hash, exclude: this.retry?.exclude() });
    if (!picked.ok) return this.reply(picked.error);
    attempt.endpoint = picked.endpoint;
    const request = this.limits.tryAcquireRequest();
    if (!request.ok) return this.afterFailure({ kind: 'overflow' }, overflowError(call.cluster!.name, request.limit));
    attempt.requestSlot = request;
    // No signal: a queued try the caller gave up on is released as soon as it is admitted (sink.done).
    const gate = deps.runtime.gates.acquire(this.limits, this.routeAbort?.signal);
    if (gate instanceof Promise) {
      gate.then((permit) => this.admitted(attempt, permit), (reason: unknown) => {
        attempt.release();
        if (this.expired && !this.sink.done) return this.reply(this.timeoutError());
        if (this.sink.done) return this.finish(callFailure(call, new MeshError('ABORTED', 'request aborted while waiting for a connection', { cause: reason })));
        const error = reason instanceof MeshError ? reason : new MeshError('CLOSED', String(reason));
        this.finish(callFailure(call, error));
        this.sink.onAbort(undefined);
        this.sink.error(error);
      });
    } else {
      this.admitted(attempt, gate);
    }
  }

  private admitted(attempt: DirectTry, connection: Permit | Overflow): void {
    if (!connection.ok) {
      attempt.release();
      return this.afterFailure({ kind: 'overflow' }, overflowError(this.call.cluster!.name, connection.limit));
    }
    attempt.connectionSlot = connection;
    if (this.sink.done) {
      attempt.release();
      return this.finish(callFailure(this.call, new MeshError('ABORTED', 'request aborted by the caller')));
    }
    this.send(attempt);
  }

  /** The transport, as sendUpstream: the endpoint's pool, the attempt's span and headers. */
  private send(attempt: DirectTry): void {
    const { call, deps } = this;
    const endpoint = attempt.endpoint!;
    const route = call.route!;
    this.retry?.onHostAttempted(endpoint.key);
    attempt.active = deps.runtime.endpointState.enter(endpoint.key);
    const span = startAttemptTelemetry(attempt, endpoint);
    attempt.telemetry = span;
    const authority = route.autoHostRewrite && endpoint.hostname ? endpoint.hostname : route.authority;
    const headers = this.base;
    if (route.virtualHost.includeRequestAttemptCount) headers['x-envoy-attempt-count'] = String(attempt.number);
    headers['host'] = authority;
    // x-envoy-expected-rq-timeout-ms: what is left of the deadline for this try (none without one).
    if (this.deadline.expiresAt !== undefined) Object.assign(headers, attemptTimeoutHeaders(this.deadline, deps.clock.now(), false));
    this.current = attempt;
    const options: Dispatcher.DispatchOptions & { servername: string } = {
      path: route.path,
      method: call.request.method as Dispatcher.HttpMethod,
      headers: span.inject(headers),
      body: call.request.body ?? null,
      headersTimeout: 0,
      bodyTimeout: 0,
      // Read by undici only for TLS (SNI), which the pass-through never uses; given, it spares
      // undici deriving one from the host header on every request (an IP-address regex test).
      servername: authority,
    };
    try {
      // Plaintext only (see PlaintextClusters): the same pool sendUpstream uses without TLS.
      call.lastMtls = false; // the pass-through takes only clusters that are plaintext for every endpoint
      const pool = deps.runtime.pools.dispatcherFor(call.cluster!.name, endpoint.key, deps.runtime.poolSettings(call.cluster!));
      pool.dispatch(options, attempt as unknown as Dispatcher.DispatchHandler);
    } catch (error) {
      attempt.onError(error as Error);
    }
  }

  onTryHeaders(h: DirectTry, status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    const { call, deps } = this;
    if (this.expired) {
      // Headers raced the deadline's abort: the deadline wins, as in the full stack.
      h.dropping = true;
      const timeout: AttemptOutcome = { kind: 'timeout' };
      deps.runtime.outliers.recordOutcome(call.cluster!.name, h.endpoint!.key, timeout, HTTP_TRY);
      h.telemetry?.end(timeout);
      this.reply(this.timeoutError());
      return true;
    }
    const outcome = new RawResponseOutcome(status, rawHeaders);
    deps.runtime.outliers.recordOutcome(call.cluster!.name, h.endpoint!.key, outcome, HTTP_TRY);
    h.telemetry?.end(outcome);
    // Most answers match no retry condition: that is settled before a retry decision is built.
    if (this.retry && !this.sink.done && this.retry.conditionFor(outcome) !== undefined) {
      const decision = this.retry.shouldRetry(outcome, this.retryContext());
      if (decision.retry || decision.reason === 'deadline') {
        // Retried, or retriable with a back-off that would outlive the deadline (504 UT, as the
        // full stack's retry loop): this try's body is read and dropped.
        h.dropping = true;
        if (decision.retry) this.schedule(decision.delayMs);
        else this.reply(this.timeoutError());
        return true;
      }
    }
    h.forwarded = true;
    this.retry?.finish();
    this.status = status;
    this.response = outcome;
    if (!this.telemetry.watchesBody) this.finish(callEndAtHeaders(call, status));
    const mutated = changesResponseHeaders(call.route!) ? responseHeadersFor(outcome.headers, call.route!) : undefined;
    return this.sink.headers(status, mutated ? toRawHeaders(mutated) : rawHeaders, resume, statusText);
  }

  onTryComplete(h: DirectTry, trailers: Buffer[] | null): void {
    h.release();
    if (!h.forwarded) return;
    this.disarm();
    if (!this.over) this.finish(callEnd(this.call, this.status, this.response?.headers ?? {}, this.call.flags.join(','), h.bytes));
    this.sink.onAbort(undefined);
    this.sink.complete(trailers);
  }

  onTryError(h: DirectTry, cause: Error): void {
    const { call, deps } = this;
    h.release();
    if (h.dropping) return;
    if (h.forwarded) {
      this.disarm();
      if (!this.over) this.finish(callEnd(call, this.status, this.response?.headers ?? {}, call.flags.join(','), h.bytes, cause));
      this.sink.onAbort(undefined);
      this.sink.error(cause);
      return;
    }
    if (this.sink.done) {
      h.telemetry?.end({ kind: 'reset' });
      return this.finish(callFailure(call, new MeshError('ABORTED', `request to ${call.route!.cluster} aborted by the caller`, { cause })));
    }
    const endpoint = h.endpoint!;
    if (this.expired) {
      // The route deadline aborted this try before its headers: a timeout, answered 504 UT.
      const timeout: AttemptOutcome = { kind: 'timeout' };
      deps.runtime.outliers.recordOutcome(call.cluster!.name, endpoint.key, timeout, HTTP_TRY);
      h.telemetry?.end(timeout);
      return this.reply(this.timeoutError());
    }
    const kind = transportFailureKind(cause);
    const outcome = { kind } as AttemptOutcome;
    deps.runtime.outliers.recordOutcome(call.cluster!.name, endpoint.key, outcome, HTTP_TRY);
    h.telemetry?.end(outcome);
    const details = { cluster: call.cluster!.name, endpoint: endpoint.key };
    const error = kind === 'connect-failure'
      ? new MeshError('CONNECT_FAILURE', `cannot connect to ${endpoint.key} of ${call.cluster!.name}: ${cause.message}`, { cause, details })
      : new MeshError('UPSTREAM_RESET', `${endpoint.key} of ${call.cluster!.name} reset the request: ${cause.message}`, { cause, details });
    this.afterFailure(outcome, error);
  }

  /** A try without a response: the retry loop's decision, then another try or the local reply. */
  private afterFailure(outcome: AttemptOutcome, error: MeshError): void {
    if (this.retry) {
      const decision = this.retry.shouldRetry(outcome, this.retryContext());
      if (decision.retry) return this.schedule(decision.delayMs);
      if (decision.reason === 'deadline') return this.reply(this.timeoutError());
    }
    this.reply(error);
  }

  /** What a retry decision needs now: the clock, the route deadline, the breakers, the random source. */
  private retryContext(): RetryContext {
    const now = this.deps.clock.now();
    const deadline = this.deadline.expiresAt;
    return deadline === undefined ? { now, limits: this.limits, random: this.deps.random } : { now, deadline, limits: this.limits, random: this.deps.random };
  }

  /** The back-off before the next try, on the injected clock (the caller's abort cancels it). */
  private schedule(delayMs: number): void {
    this.current = undefined;
    this.backoff = this.deps.clock.setTimeout(() => {
      this.backoff = undefined;
      this.nextTry();
    }, delayMs);
  }

  /** Answers the call with Envoy's local reply for `error` (no try is made). */
  answerLocally(error: MeshError): void {
    this.reply(error);
  }

  /** Envoy's local reply for the failed call, with the route's response headers, into the sink. */
  private reply(error: MeshError): void {
    this.disarm();
    this.retry?.finish();
    const parts = errorReplyParts(error, { grpc: false, flags: this.call.flags });
    const headers = responseHeadersFor(parts.headers, this.call.route!) ?? parts.headers;
    this.finish(callEnd(this.call, parts.status, headers, parts.flags, parts.body.length));
    this.sink.onAbort(undefined);
    this.sink.headers(parts.status, toRawHeaders(headers), () => undefined, '');
    if (parts.body.length > 0) this.sink.data(parts.body);
    this.sink.complete(null);
  }

  /** The caller aborted: stop the try in flight or the back-off (the sink has told the caller). */
  callerAborted(reason: Error): void {
    this.disarm();
    if (this.backoff) {
      this.backoff.cancel();
      this.backoff = undefined;
      this.finish(callFailure(this.call, new MeshError('ABORTED', 'request aborted by the caller during a retry back-off', { cause: reason })));
      return;
    }
    this.current?.abortUpstream?.(reason);
  }

  /** Ends the call's telemetry and gives back the retry slot (once). */
  private finish(end: Parameters<OutboundTelemetry['end']>[0]): void {
    if (this.over) return;
    this.over = true;
    this.retry?.finish();
    this.telemetry.end(end);
  }
}

function overflowError(cluster: string, limit: string): MeshError {
  return new MeshError('OVERLOADED', `circuit breaker ${limit} of cluster ${cluster} overflowed`, { details: { cluster, limit } });
}
