// Zipkin B3 propagation (github.com/openzipkin/b3-propagation) as an OpenTelemetry
// TextMapPropagator: extracts the single `b3` header or the `x-b3-*` headers, injects either or
// both. Istio's sidecars and the BookInfo samples forward the multi-header form.

import {
  createContextKey, isSpanContextValid, trace, TraceFlags,
  type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter,
} from '@opentelemetry/api';

/** B3 header names (lower-case, as HTTP/2 and Node present them). */
export const B3_HEADERS = Object.freeze({
  single: 'b3',
  traceId: 'x-b3-traceid',
  spanId: 'x-b3-spanid',
  parentSpanId: 'x-b3-parentspanid',
  sampled: 'x-b3-sampled',
  flags: 'x-b3-flags',
});

/** Which encoding(s) inject() writes. */
export type B3InjectEncoding = 'multi' | 'single' | 'both';

/** Context key holding the B3 debug flag of an extracted context (re-emitted on inject). */
export const B3_DEBUG_KEY = createContextKey('inboard B3 debug flag');

const TRACE_ID = /^(?:[0-9a-f]{16}){1,2}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_PAD = '0'.repeat(16);

/** B3 single- and multi-header propagation. Extraction prefers the single header, as B3 libraries do. */
export class B3Propagator implements TextMapPropagator {
  private readonly encoding: B3InjectEncoding;

  constructor(options: { readonly injectEncoding?: B3InjectEncoding } = {}) {
    this.encoding = options.injectEncoding ?? 'multi';
  }

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (!spanContext || !isSpanContextValid(spanContext)) return;
    const debug = context.getValue(B3_DEBUG_KEY) === true;
    const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
    if (this.encoding !== 'multi') {
      setter.set(carrier, B3_HEADERS.single, `${spanContext.traceId}-${spanContext.spanId}-${debug ? 'd' : sampled ? '1' : '0'}`);
    }
    if (this.encoding !== 'single') {
      setter.set(carrier, B3_HEADERS.traceId, spanContext.traceId);
      setter.set(carrier, B3_HEADERS.spanId, spanContext.spanId);
      // Debug implies accept: X-B3-Sampled is not sent with X-B3-Flags: 1.
      if (debug) setter.set(carrier, B3_HEADERS.flags, '1');
      else setter.set(carrier, B3_HEADERS.sampled, sampled ? '1' : '0');
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const single = firstValue(getter.get(carrier, B3_HEADERS.single));
    const parsed = single !== undefined ? parseSingle(single) : undefined;
    const found = parsed ?? parseMulti(carrier, getter);
    if (!found) return context;
    const spanContext = {
      traceId: found.traceId.length === 16 ? `${ZERO_PAD}${found.traceId}` : found.traceId,
      spanId: found.spanId,
      traceFlags: found.sampled || found.debug ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    };
    if (!isSpanContextValid(spanContext)) return context;
    const withSpan = trace.setSpanContext(context, spanContext);
    return found.debug ? withSpan.setValue(B3_DEBUG_KEY, true) : withSpan;
  }

  fields(): string[] {
    return [B3_HEADERS.single, B3_HEADERS.traceId, B3_HEADERS.spanId, B3_HEADERS.parentSpanId, B3_HEADERS.sampled, B3_HEADERS.flags];
  }
}

interface B3Context {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
  readonly debug: boolean;
}

/** `{traceId}-{spanId}[-{1|0|d}[-{parentSpanId}]]`; a lone sampling state carries no ids (undefined). */
function parseSingle(value: string): B3Context | undefined {
  const parts = value.trim().split('-');
  if (parts.length < 2 || parts.length > 4) return undefined;
  const [traceId, spanId, state, parent] = parts as [string, string, string | undefined, string | undefined];
  if (!TRACE_ID.test(traceId) || !SPAN_ID.test(spanId)) return undefined;
  if (state !== undefined && state !== '1' && state !== '0' && state !== 'd') return undefined;
  if (parent !== undefined && !SPAN_ID.test(parent)) return undefined;
  return { traceId, spanId, sampled: state === '1', debug: state === 'd' };
}

function parseMulti(carrier: unknown, getter: TextMapGetter): B3Context | undefined {
  const traceId = firstValue(getter.get(carrier, B3_HEADERS.traceId))?.trim();
  const spanId = firstValue(getter.get(carrier, B3_HEADERS.spanId))?.trim();
  if (!traceId || !spanId || !TRACE_ID.test(traceId) || !SPAN_ID.test(spanId)) return undefined;
  const parent = firstValue(getter.get(carrier, B3_HEADERS.parentSpanId))?.trim();
  if (parent !== undefined && parent !== '' && !SPAN_ID.test(parent)) return undefined;
  const sampled = firstValue(getter.get(carrier, B3_HEADERS.sampled))?.trim().toLowerCase();
  const debug = firstValue(getter.get(carrier, B3_HEADERS.flags))?.trim() === '1';
  return { traceId, spanId, sampled: sampled === '1' || sampled === 'true', debug };
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
