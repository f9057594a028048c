// W3C Trace Context (`traceparent` / `tracestate`, www.w3.org/TR/trace-context) as a
// TextMapPropagator written on @opentelemetry/api alone, so the library propagates traces without
// any SDK installed (the SDK's own W3CTraceContextPropagator lives in @opentelemetry/core).

import {
  createTraceState, isSpanContextValid, trace,
  type Context, type SpanContext, type TextMapGetter, type TextMapPropagator, type TextMapSetter,
} from '@opentelemetry/api';

/** The two W3C Trace Context headers. */
export const TRACEPARENT_HEADER = 'traceparent';
export const TRACESTATE_HEADER = 'tracestate';

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a traceparent value; undefined when invalid (bad syntax, version ff, all-zero ids, version 00 with extra fields). */
export function parseTraceparent(value: string): SpanContext | undefined {
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  const spanContext: SpanContext = { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** W3C Trace Context propagation. */
export class W3CTraceContextPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (!spanContext || !isSpanContextValid(spanContext)) return;
    const flags = (spanContext.traceFlags & 0xff).toString(16).padStart(2, '0');
    setter.set(carrier, TRACEPARENT_HEADER, `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`);
    const state = spanContext.traceState?.serialize();
    if (state) setter.set(carrier, TRACESTATE_HEADER, state);
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = getter.get(carrier, TRACEPARENT_HEADER);
    // Several traceparent headers cannot be told apart: the spec lets a receiver treat them as invalid.
    const value = Array.isArray(header) ? (header.length === 1 ? header[0] : undefined) : header;
    if (value === undefined) return context;
    const spanContext = parseTraceparent(value);
    if (!spanContext) return context;
    const rawState = getter.get(carrier, TRACESTATE_HEADER);
    const state = Array.isArray(rawState) ? rawState.join(',') : rawState;
    return trace.setSpanContext(context, state ? { ...spanContext, traceState: createTraceState(state) } : spanContext);
  }

  fields(): string[] {
    return [TRACEPARENT_HEADER, TRACESTATE_HEADER];
  }
}
