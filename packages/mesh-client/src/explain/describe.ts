// Plain-JSON descriptions of compiled config for explain: route match conditions (and which one
// failed for a request), cluster names in Istio's `outbound|PORT|SUBSET|HOST` form, retry and fault
// policies. Pure; nothing here mutates or evaluates randomness.

import type { HeaderMatch, QueryParameterMatch, StringMatch } from '../routing/matchers';
import type { RequestView } from '../routing/request-view';
import type { CompiledRoute, FaultPolicy, RetryPolicy } from '../routing/types';

/** An Istio cluster name split into its parts (undefined parts for other names). */
export interface ClusterNameParts {
  readonly direction?: string;
  readonly port?: number;
  /** The DestinationRule subset ('' when none). */
  readonly subset?: string;
  readonly host?: string;
}

/** Parses `outbound|9080|v1|reviews.default.svc.cluster.local`; other names give `{}`. */
export function parseClusterName(name: string): ClusterNameParts {
  const parts = name.split('|');
  if (parts.length !== 4 || !/^\d+$/.test(parts[1]!)) return {};
  return { direction: parts[0]!, port: Number(parts[1]), subset: parts[2]!, host: parts[3]! };
}

function describeString(m: StringMatch): string {
  return `${m.kind} ${JSON.stringify(m.value)}${m.ignoreCase ? ' (ignoring case)' : ''}`;
}

/** `end-user exact "jason"`, `x-debug present`, `:method not exact "GET"` … */
export function describeHeader(h: HeaderMatch): string {
  let what: string;
  switch (h.kind) {
    case 'string': what = h.string ? describeString(h.string) : 'matches'; break;
    case 'regex': what = `regex ${JSON.stringify(h.regex?.source ?? '')}`; break;
    case 'range': what = `in range [${h.range?.start}, ${h.range?.end})`; break;
    case 'present': what = h.present === false ? 'absent' : 'present'; break;
  }
  return `header ${h.name} ${h.invert ? 'not ' : ''}${what}`;
}

function describeQuery(q: QueryParameterMatch): string {
  return `query parameter ${q.name} ${q.string ? describeString(q.string) : 'present'}`;
}

/** Every condition of a route's match, in the order Envoy checks them. */
export function describeMatch(route: CompiledRoute): string[] {
  const m = route.match;
  const out = [`path ${m.path.kind} ${JSON.stringify(m.path.value)}${m.path.caseSensitive ? '' : ' (ignoring case)'}`];
  if (m.runtimeFractionPerMillion !== undefined) out.push(`runtime fraction ${m.runtimeFractionPerMillion / 10_000}%`);
  for (const h of m.headers) out.push(describeHeader(h));
  for (const q of m.queryParameters) out.push(describeQuery(q));
  if (m.grpc) out.push('gRPC requests only');
  if (m.tlsContext) out.push(`TLS context ${JSON.stringify(m.tlsContext)}`);
  if (m.neverMatches !== undefined) out.push(`never matches: ${m.neverMatches}`);
  return out;
}

/** The first condition of `route` that `view` fails, or undefined when all deterministic ones hold. */
export function firstFailedCondition(route: CompiledRoute, view: RequestView): string | undefined {
  const m = route.match;
  if (m.neverMatches !== undefined) return `never matches: ${m.neverMatches}`;
  if (!m.path.test(view)) return `path ${m.path.kind} ${JSON.stringify(m.path.value)} does not match ${JSON.stringify(view.request.path)}`;
  for (const h of m.headers) if (!h.test(view)) return `${describeHeader(h)} does not hold`;
  for (const q of m.queryParameters) if (!q.test(view)) return `${describeQuery(q)} does not hold`;
  if (m.grpc) {
    const ct = view.header('content-type') ?? '';
    if (!ct.startsWith('application/grpc')) return 'gRPC requests only';
  }
  return undefined;
}

/** A retry policy as JSON. */
export function describeRetry(policy: RetryPolicy | undefined): Record<string, unknown> | null {
  if (!policy) return null;
  return {
    retryOn: [...policy.retryOn],
    numRetries: policy.numRetries,
    ...(policy.perTryTimeoutMs !== undefined ? { perTryTimeoutMs: policy.perTryTimeoutMs } : {}),
    retriableStatusCodes: [...policy.retriableStatusCodes],
    backoff: { ...policy.backoff },
    avoidPreviousHosts: policy.avoidPreviousHosts,
    hostSelectionRetryMaxAttempts: policy.hostSelectionRetryMaxAttempts,
  };
}

/** A fault policy as JSON (percentages, not parts per million). */
export function describeFault(fault: FaultPolicy | undefined): Record<string, unknown> | null {
  if (!fault || (!fault.delay && !fault.abort)) return null;
  return {
    ...(fault.delay ? { delay: { ...(fault.delay.fixedDelayMs !== undefined ? { fixedDelayMs: fault.delay.fixedDelayMs } : {}), fromHeader: fault.delay.fromHeader, percent: fault.delay.perMillion / 10_000 } } : {}),
    ...(fault.abort ? {
      abort: {
        ...(fault.abort.httpStatus !== undefined ? { httpStatus: fault.abort.httpStatus } : {}),
        ...(fault.abort.grpcStatus !== undefined ? { grpcStatus: fault.abort.grpcStatus } : {}),
        fromHeader: fault.abort.fromHeader, percent: fault.abort.perMillion / 10_000,
      },
    } : {}),
    ...(fault.headers.length > 0 ? { onlyWhen: fault.headers.map(describeHeader) } : {}),
    ...(fault.upstreamCluster !== undefined ? { upstreamCluster: fault.upstreamCluster } : {}),
    ...(fault.maxActiveFaults !== undefined ? { maxActiveFaults: fault.maxActiveFaults } : {}),
  };
}

/** JSON-safe copy of metadata-like data (bigint → string). */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;
}
