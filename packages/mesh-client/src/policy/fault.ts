// Envoy's HTTP fault filter (HTTPFault) as a pure per-request decision: delay and/or abort drawn
// independently with FractionalPercent odds, and the local reply an abort produces (FI / DI).

import { LOCAL_REPLY, MeshError, localReply, type LocalReply } from '../errors';
import { RequestView, type RequestHeaders } from '../routing/request-view';
import type { FaultPolicy } from '../routing/types';
import { compileFault } from '../snapshot/compile-filters';
import { readObject, type Issue } from '../snapshot/proto-readers';
import type { Random } from './clock';
import { compileStrict } from './strict-compile';

/** Envoy's fault-abort local reply body. */
export const FAULT_ABORT_BODY = 'fault filter abort';
/** Response flag of an injected abort. */
export const FAULT_ABORT_FLAG = 'FI';
/** Response flag of an injected delay. */
export const FAULT_DELAY_FLAG = 'DI';

/** Envoy's header-controlled fault headers (honoured only when header_delay / header_abort is configured). */
export const FAULT_HEADERS = Object.freeze({
  delay: 'x-envoy-fault-delay-request',
  delayPercentage: 'x-envoy-fault-delay-request-percentage',
  abort: 'x-envoy-fault-abort-request',
  abortGrpc: 'x-envoy-fault-abort-grpc-request',
  abortPercentage: 'x-envoy-fault-abort-request-percentage',
  downstreamNode: 'x-envoy-downstream-service-node',
});

/**
 * Compiles an HTTPFault message (the HCM filter config or a route's
 * typed_per_filter_config['envoy.filters.http.fault'], `@type` allowed) through the snapshot
 * compiler, strictly. Unset percentages mean 0 % (Envoy's FractionalPercent default).
 * @throws MeshError CONFIG_REJECTED naming each invalid field.
 */
export function compileFaultConfig(httpFault: unknown, notes?: Issue[]): FaultPolicy {
  return compileStrict('HTTPFault', (issues) => {
    const o = readObject(httpFault, 'HTTPFault', issues);
    if (!o) return void issues.error('HTTPFault', 'an HTTPFault message is required');
    return compileFault(o, '', issues);
  }, notes);
}

/** An injected abort: an HTTP status, or a gRPC status (then the HTTP status is 200). */
export type FaultAbort = { readonly httpStatus: number } | { readonly grpcStatus: number };

/** What the fault filter does to one request; `{}` = nothing. */
export interface FaultDecision {
  /** Wait this long before forwarding (flag DI). */
  readonly delayMs?: number;
  /** Answer locally instead of forwarding (after the delay, if any) (flag FI). */
  readonly abort?: FaultAbort;
}

/** Request facts beyond the headers. */
export interface FaultContext {
  /** The routed request, for the fault's header matchers on pseudo headers (`:path` …). */
  readonly view?: RequestView;
  /** The upstream cluster the request is routed to (for `upstream_cluster`). */
  readonly upstreamCluster?: string;
  /** Faults in progress now (for `max_active_faults`); default 0. */
  readonly activeFaults?: number;
}

/**
 * Decides the faults for one request, as Envoy's FaultFilter::decodeHeaders: nothing when the
 * fault targets another upstream_cluster, when downstream_nodes does not list the request's
 * `x-envoy-downstream-service-node`, when a header matcher fails, or when max_active_faults are
 * in progress. Otherwise the delay and the abort are drawn independently (delay first), each
 * with its FractionalPercent odds (`random % denominator < numerator`). Header-controlled
 * delays/aborts read Envoy's `x-envoy-fault-*` headers only when configured so; a header
 * percentage is a numerator over the configured denominator, capped at the configured percentage.
 */
export function decideFault(fault: FaultPolicy, rng: Random, headers: RequestHeaders, context: FaultContext = {}): FaultDecision {
  if (fault.upstreamCluster !== undefined && fault.upstreamCluster !== context.upstreamCluster) return {};
  if (fault.downstreamNodes.length > 0) {
    const node = first(headers, FAULT_HEADERS.downstreamNode);
    if (node === undefined || !fault.downstreamNodes.includes(node)) return {};
  }
  if (fault.headers.length > 0) {
    const view = context.view ?? new RequestView({ authority: '', method: '', path: '', headers });
    if (!fault.headers.every((m) => m.test(view))) return {};
  }
  if (fault.maxActiveFaults !== undefined && (context.activeFaults ?? 0) >= fault.maxActiveFaults) return {};
  const out: { delayMs?: number; abort?: FaultAbort } = {};
  if (fault.delay) {
    const d = fault.delay;
    const perMillion = d.fromHeader ? headerPerMillion(headers, FAULT_HEADERS.delayPercentage, d.perMillion, d.headerScale) : d.perMillion;
    if (draw(perMillion, rng)) {
      const ms = d.fromHeader ? headerInt(headers, FAULT_HEADERS.delay) : d.fixedDelayMs;
      if (ms !== undefined && ms > 0) out.delayMs = ms;
    }
  }
  if (fault.abort) {
    const a = fault.abort;
    const perMillion = a.fromHeader ? headerPerMillion(headers, FAULT_HEADERS.abortPercentage, a.perMillion, a.headerScale) : a.perMillion;
    if (draw(perMillion, rng)) {
      const abort = a.fromHeader ? headerAbort(headers) : configuredAbort(a);
      if (abort) out.abort = abort;
    }
  }
  return out;
}

/** True with probability perMillion / 1 000 000. */
function draw(perMillion: number, rng: Random): boolean {
  if (perMillion <= 0) return false;
  if (perMillion >= 1_000_000) return true;
  return Math.floor(rng() * 1_000_000) < perMillion;
}

function configuredAbort(a: NonNullable<FaultPolicy['abort']>): FaultAbort | undefined {
  if (a.httpStatus !== undefined) return { httpStatus: a.httpStatus };
  if (a.grpcStatus !== undefined) return { grpcStatus: a.grpcStatus };
  return undefined;
}

/** Envoy's HeaderAbortProvider: an HTTP status in [200, 600) wins over a gRPC status. */
function headerAbort(headers: RequestHeaders): FaultAbort | undefined {
  const http = headerInt(headers, FAULT_HEADERS.abort);
  if (http !== undefined && http >= 200 && http < 600) return { httpStatus: http };
  const grpc = headerInt(headers, FAULT_HEADERS.abortGrpc);
  return grpc === undefined ? undefined : { grpcStatus: grpc };
}

/** Envoy reads a header percentage as a numerator over the configured denominator (`scale` per unit). */
function headerPerMillion(headers: RequestHeaders, name: string, configured: number, scale = 10_000): number {
  const numerator = headerInt(headers, name);
  return numerator === undefined ? configured : Math.min(numerator * scale, configured);
}

function headerInt(headers: RequestHeaders, name: string): number | undefined {
  const v = first(headers, name);
  return v !== undefined && /^\s*\+?\d+\s*$/.test(v) ? Number(v.trim()) : undefined;
}

function first(headers: RequestHeaders, name: string): string | undefined {
  const v = headers[name];
  return v === undefined || typeof v === 'string' ? v : v[0];
}

/**
 * The local reply of an injected abort, as Envoy's fault filter sends it: the status with body
 * `fault filter abort` and flag FI; a gRPC request gets a trailers-only reply carrying the
 * configured gRPC status (or the HTTP status mapped to gRPC). A gRPC-status abort answers HTTP 200.
 */
export function faultAbortReply(abort: FaultAbort, grpcRequest: boolean): LocalReply {
  const status = 'httpStatus' in abort ? abort.httpStatus : 200;
  const error = new MeshError('FAULT_ABORT', LOCAL_REPLY.FAULT_ABORT.body ?? FAULT_ABORT_BODY, { status });
  return localReply(error, grpcRequest ? { grpc: true, ...('grpcStatus' in abort ? { grpcStatus: abort.grpcStatus } : {}) } : {});
}
