// The mesh's trace propagation: W3C Trace Context first, then B3, on extract; both on inject —
// plus the HeaderMap carrier and `injectHeaders`, which replaces stale forwarded trace headers of a
// form only when it writes that form anew (so a trace the application forwarded is never broken).

import { trace, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import type { HeaderMap } from '../request';
import { B3Propagator, type B3InjectEncoding } from './b3-propagator';
import { W3CTraceContextPropagator } from './w3c-propagator';

/** Reads a HeaderMap (lower-case names; repeated headers as arrays). */
export const headerMapGetter: TextMapGetter<Readonly<HeaderMap>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => carrier[key.toLowerCase()],
};

/** Writes into a HeaderMap (lower-case names; a set replaces the previous value). */
export const headerMapSetter: TextMapSetter<HeaderMap> = {
  set: (carrier, key, value) => {
    carrier[key.toLowerCase()] = value;
  },
};

/** Options of MeshPropagator. */
export interface MeshPropagatorOptions {
  /**
   * The W3C propagator: default the built-in one (works without an SDK). Pass `propagation` from
   * @opentelemetry/api to use the application's global propagator instead (never a MeshPropagator
   * installed globally, which would call itself), or `false` to turn W3C off.
   */
  readonly w3c?: TextMapPropagator | false;
  /** B3 injection: `multi` (default, what Istio and BookInfo forward), `single`, `both`; or `false` to turn B3 off. */
  readonly b3?: B3InjectEncoding | false;
}

/** W3C + B3 composite propagator. */
export class MeshPropagator implements TextMapPropagator {
  private readonly propagators: readonly TextMapPropagator[];

  constructor(options: MeshPropagatorOptions = {}) {
    const list: TextMapPropagator[] = [];
    if (options.w3c !== false) list.push(options.w3c ?? new W3CTraceContextPropagator());
    if (options.b3 !== false) list.push(new B3Propagator({ injectEncoding: options.b3 ?? 'multi' }));
    this.propagators = list;
  }

  /** Injects every form. */
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const propagator of this.propagators) propagator.inject(context, carrier, setter);
  }

  /** The first form that yields a valid span context wins (W3C before B3). */
  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const before = trace.getSpanContext(context);
    for (const propagator of this.propagators) {
      const extracted = propagator.extract(context, carrier, getter);
      const found = trace.getSpanContext(extracted);
      if (found && found !== before) return extracted;
    }
    return context;
  }

  fields(): string[] {
    return [...new Set(this.propagators.flatMap((p) => p.fields()))];
  }

  /**
   * A copy of `headers` carrying `context`. For each form (W3C, B3) that has something to write,
   * the caller's headers of that form are removed first (a stale forwarded `b3` next to fresh
   * `x-b3-*` would mislead the next hop); a form with nothing to write leaves them as they were.
   */
  injectHeaders(context: Context, headers: Readonly<HeaderMap>): HeaderMap {
    const out: HeaderMap = { ...headers };
    for (const propagator of this.propagators) {
      const fresh: HeaderMap = {};
      propagator.inject(context, fresh, headerMapSetter);
      if (Object.keys(fresh).length === 0) continue;
      for (const field of propagator.fields()) delete out[field.toLowerCase()];
      Object.assign(out, fresh);
    }
    return out;
  }

  /** `context` with the span context carried by `headers` (unchanged when they carry none). */
  extractHeaders(context: Context, headers: Readonly<HeaderMap>): Context {
    return this.extract(context, headers, headerMapGetter);
  }
}
