// The dispatcher's lane: the undici Dispatcher front end's shortest way through the mesh. A call on
// a plain route — one named cluster, no rewrite, hash, mirror, fault, deadline or response header
// change — with a replayable body, no retry or timeout request headers, nothing recording its
// telemetry and breakers with room, is routed, picked and sent by one object (LaneCall: the call
// and its try), streaming into the caller's handler. Every other call takes the full pipeline, and leaves the lane
// before anything random was drawn or counted, so the pipeline decides it exactly as if the lane
// did not exist. A call that needs more once the lane picked (no healthy host, a retry condition,
// a failed try) is handed to the pass-through's DirectCall, which continues from there.

import type { Dispatcher } from 'undici';
import { MeshError } from '../errors';
import type { ClusterLimits } from '../policy/cluster-limits';
import type { OutlierDetector } from '../policy/outlier-detector';
import { computeDeadline, NO_DEADLINE, routeTimeoutsOf, TIMEOUT_HEADERS } from '../policy/deadline';
import { responseRetryTriggers, retryConditionFor, type ResponseRetryTriggers, type RetryOnRules } from '../policy/retry-on';
import { RETRY_REQUEST_HEADERS, routeRetryRules } from '../policy/retry-policy';
import type { HeaderMap, MeshRequest } from '../request';
import { computeRouteOutcome, type ForwardOutcome } from '../routing/actions';
import { matchesEveryPath, matchRoute } from '../routing/match';
import { RequestView } from '../routing/request-view';
import type { CompiledRoute, RouteTable, VirtualHost } from '../routing/types';
import { selectVirtualHost } from '../routing/virtual-host';
import { derivedOnce } from '../snapshot/derived-once';
import { routeTableForListener } from '../snapshot/lookup';
import type { ClusterConfig, ListenerSpec, MeshSnapshot } from '../snapshot/types';
import type { AttemptSpan } from '../telemetry';
import { DirectCall } from './direct-dispatch';
import { PlaintextClusters } from './direct-eligibility';
import { DirectTry, HTTP_TRY, RawResponseOutcome, rawHeaderIndex, type TryOwner } from './direct-try';
import { isGrpcRequest, upstreamHeaders } from './headers';
import { effectiveFaultOf } from './policy-layers';
import { LegacySink } from './legacy-sink';
import type { AbortListener, RawHandler } from './response-sink';
import { changesResponseHeaders, findListener } from './route-layers';
import { CallRecord, type StackDeps } from './types';

/** Request headers that change what a call must do (retries, deadlines): such calls take the pipeline. */
const VETO_HEADERS: ReadonlySet<string> = new Set([
  ...RETRY_REQUEST_HEADERS, TIMEOUT_HEADERS.upstreamRequestTimeout, TIMEOUT_HEADERS.expectedTimeout, TIMEOUT_HEADERS.grpcTimeout,
]);

/** What a lane route's calls share, worked out once per compiled route. */
interface LanePlan {
  /**
   * The route's outcome for any request: on a lane route only its path and authority depend on the
   * request (they are the request's own), so cluster, header mutations, fault, retry policy and
   * priority are read from here.
   */
  readonly outcome: ForwardOutcome;
  /** The retry rules the route's responses are checked against (undefined: it retries on nothing). */
  readonly retryRules: RetryOnRules | undefined;
  /** What in a response can make those rules fire (set with them). */
  readonly retryTriggers: ResponseRetryTriggers | undefined;
  /** The quiet telemetry's attempt for the route's cluster: it adds the peer metadata header, if any. */
  readonly attempt: AttemptSpan;
}

/**
 * Where one authority's calls go in one snapshot: its listener, route table and virtual host, found
 * on the authority's first lane call (the snapshot is immutable).
 */
interface LaneTarget {
  readonly listener: ListenerSpec;
  readonly table: RouteTable;
  readonly virtualHost: VirtualHost;
  /**
   * When the virtual host's first route matches every path (`matchesEveryPath`), the whole decision
   * for a '/…' path: the lane route (null: that route is not the lane's). Undefined: routes are
   * matched per call.
   */
  readonly everyPath: LaneRoute | null | undefined;
  /** Routes matched per call, as the lane takes them (null: not the lane's). */
  readonly matched: Map<CompiledRoute, LaneRoute | null>;
}

/**
 * A matched route the lane takes in one snapshot: its plan, its (plaintext, fault-free) cluster, and
 * the runtime state its calls use, looked up once per snapshot (the runtime reconciles its stores
 * when a snapshot is applied, before any call reads it). Not the picker: the runtime caches it per
 * snapshot and rebuilds it when the cluster's ejected hosts change.
 */
interface LaneRoute {
  readonly route: CompiledRoute;
  readonly plan: LanePlan;
  readonly cluster: ClusterConfig;
  /** The cluster's breakers at the route's priority (kept, and updated in place, across pushes). */
  readonly limits: ClusterLimits;
  /** The cluster's outlier detector, when it has one. */
  readonly outliers: OutlierDetector | undefined;
  /** The cluster's pools by endpoint key, as the lane's calls first asked for them. */
  readonly pools: Map<string, Dispatcher>;
}

/** Authorities remembered per snapshot, at most (a caller addresses a handful; past this the memory starts over). */
const MAX_TARGETS = 1024;

/** The lane of one Mesh: `take` either sends the call or leaves it, untouched, to the pipeline. */
export class DispatchLane {
  private readonly plaintext = new PlaintextClusters();
  private readonly routeOptions: { readonly random: StackDeps['random'] };
  /** Plans by compiled route (null: not a lane route), held as long as the route's snapshot lives. */
  private readonly plans = new WeakMap<CompiledRoute, LanePlan | null>();
  /** Targets by authority (null: no lane call to it), per snapshot, held as long as the snapshot lives. */
  private readonly targets = new WeakMap<MeshSnapshot, Map<string, LaneTarget | null>>();

  constructor(private readonly deps: StackDeps) {
    this.routeOptions = { random: deps.random };
  }

  /**
   * Sends `request` for `handler` (undici's legacy handler protocol, a replayable body) and returns
   * true, or returns false having drawn, counted and sent nothing (the pipeline then takes it).
   */
  take(request: MeshRequest, handler: RawHandler): boolean {
    const deps = this.deps;
    if (deps.isClosed()) return false;
    const snapshot = deps.currentSnapshot();
    if (snapshot === undefined) return false;
    const headers = request.headers;
    for (const name in headers) {
      if (VETO_HEADERS.has(name) || (name === 'content-type' && isGrpcRequest(headers))) return false;
    }
    const inbound = deps.inboundRequest();
    if (inbound?.deadline !== undefined) return false;
    const target = this.targetFor(snapshot, request.authority);
    if (target === null) return false;
    let chosen: LaneRoute | null;
    let view: RequestView | undefined;
    if (target.everyPath !== undefined && request.path.charCodeAt(0) === 47 /* '/' */) {
      chosen = target.everyPath;
    } else {
      view = new RequestView(request, target.table.ignorePathParametersInPathMatching);
      const matched = matchRoute(target.virtualHost, request, { view, random: this.deps.random });
      chosen = matched === undefined ? null : this.matchedRoute(snapshot, target, matched.route);
    }
    if (chosen === null) return false;
    if (!deps.telemetry.isQuiet(request, inbound?.traceContext)) return false;
    const limits = chosen.limits;
    // Breakers that would refuse or queue the try: the pipeline answers UO or waits, as Envoy.
    if (!limits.admitsRequest() || !deps.runtime.gates.admitsNow(limits)) return false;
    new LaneCall(deps, handler, request, snapshot, target, chosen, view).start();
    return true;
  }

  /** The authority's target in `snapshot`, or null when no call to it can take the lane. */
  private targetFor(snapshot: MeshSnapshot, authority: string): LaneTarget | null {
    let known = this.targets.get(snapshot);
    if (known === undefined) this.targets.set(snapshot, (known = new Map()));
    let target = known.get(authority);
    if (target === undefined) {
      if (known.size >= MAX_TARGETS) known.clear();
      target = this.findTarget(snapshot, authority);
      known.set(authority, target);
    }
    return target;
  }

  private findTarget(snapshot: MeshSnapshot, authority: string): LaneTarget | null {
    const listener = findListener(snapshot, authority);
    const table = listener && routeTableForListener(snapshot, listener.name);
    // A table with a runtime_fraction route draws a random number while matching: the pipeline's.
    if (!table || drawsWhileMatching(table)) return null;
    const virtualHost = selectVirtualHost(table, authority);
    if (virtualHost === undefined) return null;
    const target = { listener, table, virtualHost, everyPath: undefined as LaneRoute | null | undefined, matched: new Map<CompiledRoute, LaneRoute | null>() };
    const first = virtualHost.routes[0];
    if (first !== undefined && matchesEveryPath(first.match)) target.everyPath = this.laneRoute(snapshot, target, first);
    return target;
  }

  /** A route matched per call, as the lane takes it in `snapshot` (worked out on its first call). */
  private matchedRoute(snapshot: MeshSnapshot, target: LaneTarget, route: CompiledRoute): LaneRoute | null {
    let chosen = target.matched.get(route);
    if (chosen === undefined) target.matched.set(route, (chosen = this.laneRoute(snapshot, target, route)));
    return chosen;
  }

  /** `route` as the lane takes it in `snapshot`, or null: not a lane route, a TLS cluster, or a fault to inject. */
  private laneRoute(snapshot: MeshSnapshot, target: Pick<LaneTarget, 'listener' | 'table' | 'virtualHost'>, route: CompiledRoute): LaneRoute | null {
    let plan = this.plans.get(route);
    if (plan === undefined) {
      plan = onLane(route) ? this.plan(target.table, target.virtualHost, route) : null;
      this.plans.set(route, plan);
    }
    if (plan === null) return null;
    const cluster = snapshot.clusters.get(plan.outcome.cluster);
    if (!cluster || !this.plaintext.test(cluster, snapshot.endpoints.get(cluster.name))) return null;
    const fault = effectiveFaultOf(target.listener, plan.outcome);
    if (fault && (fault.delay || fault.abort)) return null;
    const runtime = this.deps.runtime;
    return {
      route, plan, cluster,
      limits: runtime.limits.get(cluster.name, plan.outcome.action.priority),
      outliers: runtime.outliers.get(cluster.name),
      pools: new Map(),
    };
  }

  private plan(table: RouteTable, virtualHost: VirtualHost, route: CompiledRoute): LanePlan | null {
    const outcome = computeRouteOutcome(table, virtualHost, route, new RequestView(ANY_REQUEST), this.routeOptions) as ForwardOutcome;
    if (changesResponseHeaders(outcome) || virtualHost.includeRequestAttemptCount) return null;
    const retryRules = routeRetryRules(outcome.retryPolicy);
    return {
      outcome,
      retryRules,
      retryTriggers: retryRules && responseRetryTriggers(retryRules),
      attempt: this.deps.telemetry.quietOutbound(outcome.cluster).attempt(1),
    };
  }
}

/** The request a lane route's plan is computed for (its path and authority are not read from the plan). */
const ANY_REQUEST = Object.freeze({ authority: '', method: 'GET', path: '/', headers: Object.freeze({}) });

/**
 * A route the lane can take: it forwards to one named cluster (no weighted split, no header-named
 * cluster), with no rewrite, hash policy or mirror, no deadline for a request without timeout
 * headers (computeDeadline's own answer), and a retry policy whose conditions do not depend on
 * request headers.
 */
const onLane = derivedOnce((route: CompiledRoute): boolean => {
  const action = route.action;
  if (action.kind !== 'forward' || action.target.kind !== 'cluster') return false;
  if (action.prefixRewrite !== undefined || action.regexRewrite !== undefined || action.hostRewrite !== undefined) return false;
  if (action.hashPolicies.length > 0 || action.mirrorPolicies.length > 0) return false;
  const deadline = computeDeadline({ timeouts: routeTimeoutsOf(action), headers: {}, grpc: false, now: 0 });
  if (deadline.expiresAt !== undefined || deadline.perTryTimeoutMs > 0) return false;
  return action.retryPolicy === undefined || action.retryPolicy.retriableRequestHeaders.length === 0;
});

/** True when matching a request against `table` may draw a random number (a runtime_fraction route). */
const drawsWhileMatching = derivedOnce((table: RouteTable): boolean =>
  table.virtualHosts.some((vhost) => vhost.routes.some((route) => route.match.runtimeFractionPerMillion !== undefined)));

/**
 * One call on the lane, in one object: undici's handler for its try (a DirectTry) and the owner of
 * that try (until a DirectCall adopts it). Its breaker slots are counted on the cluster's counters,
 * without slot objects.
 */
class LaneCall extends DirectTry implements TryOwner, AbortListener {
  /** The caller's handler, as the sink its answer streams into. */
  readonly sink: LegacySink;
  readonly expired = false;
  private base: HeaderMap | undefined = undefined;
  /** The request and connection slots are held (counted on the route's limits). */
  private holding = false;

  constructor(
    private readonly deps: StackDeps,
    handler: RawHandler,
    private readonly request: MeshRequest,
    private readonly snapshot: MeshSnapshot,
    private readonly target: LaneTarget,
    private readonly chosen: LaneRoute,
    /** The routing view, when the route was matched on one (made on adoption otherwise). */
    private readonly view: RequestView | undefined,
  ) {
    // Its own owner (and no call record) until a DirectCall adopts it.
    super(undefined, undefined, 1, undefined, deps.runtime.endpointState);
    this.sink = new LegacySink(handler);
  }

  /** Pick, breakers, send: pickEndpoint, admitByBreakers and sendUpstream's order. */
  start(): void {
    const { deps, request, chosen } = this;
    const sink = this.sink;
    sink.connect();
    if (sink.done) return;
    sink.onAbort(this);
    const picked = deps.runtime.picker(this.snapshot, chosen.cluster).pick(NO_PICK_INPUTS);
    const headers = upstreamHeaders(request.headers, chosen.plan.outcome);
    this.base = headers;
    // No healthy host: the pass-through's local reply (503 UH), from this same pick.
    if (!picked.ok) return this.adopt().answerLocally(picked.error);
    const endpoint = picked.endpoint;
    this.endpoint = endpoint;
    // take() found room for both: counted now, as the pipeline would grant them.
    chosen.limits.takeTry();
    this.holding = true;
    this.active = deps.runtime.endpointState.enter(endpoint.key);
    headers['host'] = request.authority;
    const options: Dispatcher.DispatchOptions & { servername: string } = {
      path: request.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: chosen.plan.attempt.injectHeaders(headers),
      body: (request.body as Buffer | undefined) ?? null,
      headersTimeout: 0,
      bodyTimeout: 0,
      // Read by undici only for TLS (SNI), which the lane never uses; given, undici does not derive one.
      servername: request.authority,
    };
    try {
      let pool = chosen.pools.get(endpoint.key);
      if (pool === undefined) {
        pool = deps.runtime.pools.dispatcherFor(chosen.cluster.name, endpoint.key, deps.runtime.poolSettings(chosen.cluster));
        chosen.pools.set(endpoint.key, pool);
      }
      pool.dispatch(options, this as unknown as Dispatcher.DispatchHandler);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  /** Gives back the slots and the active count (idempotent; DirectCall calls it too once it adopted the try). */
  override release(): void {
    if (!this.holding) return;
    this.holding = false;
    const limits = this.chosen.limits;
    limits.giveBackTry();
    this.deps.runtime.gates.slotReleased(limits);
    this.deps.runtime.endpointState.leave(this.endpoint!.key, this.active!);
    this.active = undefined;
  }

  /** Hands the call to a DirectCall, which continues from this try (or, before any, answers it). */
  private adopt(): DirectCall {
    const call = new CallRecord(this.request, false, undefined);
    const { table, virtualHost, listener } = this.target;
    const view = this.view ?? new RequestView(this.request, table.ignorePathParametersInPathMatching);
    call.snapshot = this.snapshot;
    call.listener = listener;
    call.table = table;
    call.view = view;
    // The same outcome the plan holds, with this request's path and authority.
    call.route = computeRouteOutcome(table, virtualHost, this.chosen.route, view, { random: this.deps.random }) as ForwardOutcome;
    call.cluster = this.chosen.cluster;
    call.deadline = NO_DEADLINE;
    return DirectCall.adopt(this.deps, call, this.sink, this.base!, this.endpoint === undefined ? undefined : this);
  }

  // ---- TryOwner: what the try reports while the lane owns it ----

  timeoutError(): Error {
    return new MeshError('UPSTREAM_TIMEOUT', 'upstream request timeout');
  }

  onTryHeaders(h: DirectTry, status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    const { retryRules, retryTriggers } = this.chosen.plan;
    let outcome: RawResponseOutcome | undefined;
    // A response the route's retry rules act on: the pass-through decides from here (retry or not).
    if (retryRules !== undefined && mayRetry(retryTriggers!, status, rawHeaders) && !this.sink.done
      && retryConditionFor((outcome = new RawResponseOutcome(status, rawHeaders)), retryRules) !== undefined) {
      return this.adopt().onTryHeaders(h, status, rawHeaders, resume, statusText);
    }
    this.chosen.outliers?.recordOutcome(h.endpoint!.key, outcome ?? new RawResponseOutcome(status, rawHeaders), HTTP_TRY);
    h.forwarded = true;
    return this.sink.headers(status, rawHeaders, resume, statusText);
  }

  onTryComplete(h: DirectTry, trailers: Buffer[] | null): void {
    h.release();
    if (!h.forwarded) return;
    this.sink.onAbort(undefined);
    this.sink.complete(trailers);
  }

  onTryError(h: DirectTry, cause: Error): void {
    h.release();
    if (h.forwarded) {
      this.sink.onAbort(undefined);
      return this.sink.error(cause);
    }
    // The caller went away: nothing records a lane call, nothing is left to do.
    if (this.sink.done) return;
    // A failed try: outlier detection, the retry decision and the local reply are the pass-through's.
    this.adopt().onTryError(h, cause);
  }

  /** The caller aborted (AbortListener): stop the try in flight. */
  callerAborted(reason: Error): void {
    this.abortUpstream?.(reason);
  }
}

/** True when a response with `status` and `rawHeaders` (undici's name/value buffers) may fire a retry condition. */
function mayRetry(triggers: ResponseRetryTriggers, status: number, rawHeaders: readonly Buffer[]): boolean {
  if (triggers.always || triggers.firesOnStatus(status)) return true;
  for (const name of triggers.headers) if (rawHeaderIndex(rawHeaders, name) >= 0) return true;
  return false;
}

/** The pick of a lane call: no hash (no hash policy), nothing to exclude (first try). */
const NO_PICK_INPUTS = Object.freeze({});
