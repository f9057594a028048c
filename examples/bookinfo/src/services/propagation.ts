// Which incoming headers each BookInfo service copies onto its outbound calls (Istio's §A.6):
// the tracing/session headers all three callers forward, B3 copied verbatim by details and
// reviews, and productpage's B3 extract/re-inject plus its session-made `end-user`.
import type { IncomingHttpHeaders } from 'node:http';

/** Headers productpage, details and reviews all copy verbatim when present (order as in the originals). */
export const COMMON_FORWARD_HEADERS: readonly string[] = Object.freeze([
  'x-request-id',
  'x-ot-span-context',
  'x-datadog-trace-id',
  'x-datadog-parent-id',
  'x-datadog-sampling-priority',
  'traceparent',
  'tracestate',
  'x-cloud-trace-context',
  'grpc-trace-bin',
  'sw8',
  'user-agent',
  'cookie',
  'authorization',
  'jwt',
]);

/** The B3 multi-header set (details and reviews copy these verbatim). */
export const B3_HEADERS: readonly string[] = Object.freeze([
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'x-b3-flags',
]);

/** What details and reviews forward: the common set, B3 verbatim, and the incoming `end-user`. */
export const BACKEND_FORWARD_HEADERS: readonly string[] = Object.freeze([...COMMON_FORWARD_HEADERS, ...B3_HEADERS, 'end-user']);

/** Copies the named headers that are present in `incoming` (repeated values joined with ", "). */
export function copyHeaders(incoming: IncomingHttpHeaders, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = incoming[name];
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** A B3 trace context as OpenTelemetry's B3 multi-header propagator extracts it. */
export interface B3Context {
  /** 32 lower-case hex digits (a 16-digit id is left-padded with zeros). */
  readonly traceId: string;
  /** 16 lower-case hex digits. */
  readonly spanId: string;
  readonly sampled: boolean;
  /** `x-b3-flags: 1` was present. */
  readonly debug: boolean;
}

const TRACE_ID = /^([0-9a-f]{32}|[0-9a-f]{16})$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const SAMPLED_VALUES = new Set(['1', 'true', 'd']);

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Extracts a valid B3 multi-header context, or undefined when trace or span id is missing/invalid. */
export function extractB3(incoming: IncomingHttpHeaders): B3Context | undefined {
  const rawTrace = single(incoming['x-b3-traceid'])?.trim().toLowerCase();
  const rawSpan = single(incoming['x-b3-spanid'])?.trim().toLowerCase();
  if (!rawTrace || !rawSpan || !TRACE_ID.test(rawTrace) || !SPAN_ID.test(rawSpan)) return undefined;
  const traceId = rawTrace.padStart(32, '0');
  if (/^0+$/.test(traceId) || /^0+$/.test(rawSpan)) return undefined;
  const debug = single(incoming['x-b3-flags'])?.trim() === '1';
  const sampledHeader = single(incoming['x-b3-sampled'])?.trim().toLowerCase();
  const sampled = debug || (sampledHeader !== undefined && SAMPLED_VALUES.has(sampledHeader));
  return { traceId, spanId: rawSpan, sampled, debug };
}

/** The headers OpenTelemetry's B3 multi-header propagator injects for `context`. */
export function injectB3(context: B3Context): Record<string, string> {
  const out: Record<string, string> = { 'x-b3-traceid': context.traceId, 'x-b3-spanid': context.spanId };
  if (context.debug) out['x-b3-flags'] = '1';
  else out['x-b3-sampled'] = context.sampled ? '1' : '0';
  return out;
}

/**
 * productpage's outbound headers: B3 extracted and re-injected, `end-user` from the session
 * only (an incoming `end-user` is never copied), then the common set verbatim.
 */
export function productpageForwardHeaders(incoming: IncomingHttpHeaders, sessionUser: string | undefined): Record<string, string> {
  const b3 = extractB3(incoming);
  return {
    ...(b3 ? injectB3(b3) : {}),
    ...(sessionUser !== undefined ? { 'end-user': sessionUser } : {}),
    ...copyHeaders(incoming, COMMON_FORWARD_HEADERS),
  };
}

/** details' and reviews' outbound headers: everything in {@link BACKEND_FORWARD_HEADERS}, verbatim. */
export function backendForwardHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  return copyHeaders(incoming, BACKEND_FORWARD_HEADERS);
}
