// The one request/response shape every front end (fetch, undici dispatcher, axios, gRPC) is
// translated into before the mesh pipeline runs, and the response shape it gets back.

import type { Readable } from 'node:stream';
import type { ResponseSink } from './pipeline/response-sink';

/** Header map with lower-case names; repeated headers as arrays. */
export type HeaderMap = Record<string, string | string[]>;

/**
 * A request as the mesh sees it. `body` is either buffered (a retry can resend it) or a stream
 * (sent once; the route's retries are then not attempted, as Envoy does past its buffer limit).
 */
export interface MeshRequest {
  /** `host[:port]` as the caller addressed it (URL host or Host header). */
  readonly authority: string;
  readonly scheme: 'http' | 'https';
  readonly method: string;
  /** Path with query string, e.g. `/reviews/0?x=1`. */
  readonly path: string;
  readonly headers: HeaderMap;
  readonly body?: Buffer | Readable;
  readonly signal?: AbortSignal;
  /**
   * Set by the undici Dispatcher front end: the pipeline may stream the response straight into it
   * (and then answers with `deliveredResponse()`), when the route needs no buffering policy.
   */
  readonly sink?: ResponseSink;
}

/** A response from an upstream or a local reply made by the mesh (then `flags` says why). */
export interface MeshResponse {
  readonly status: number;
  readonly statusText?: string;
  readonly headers: HeaderMap;
  /** Body stream; consume or `destroy()` it. */
  readonly body: Readable;
  /** Envoy response flags for local replies and upstream failures (NR, UH, UO, UT, DI, FI …). */
  readonly flags?: string;
  /** The endpoint that answered (`address:port`), absent for local replies. */
  readonly endpoint?: string;
}

/** Returns `headers[name]` as one string (repeated values joined with ", "), or undefined. */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

/** Normalises any header input (Headers, tuples, records) into a lower-case HeaderMap. */
export function toHeaderMap(input: unknown): HeaderMap {
  const out: HeaderMap = {};
  if (input == null) return out;
  if (typeof (input as Headers).forEach === 'function' && typeof (input as Headers).get === 'function') {
    (input as Headers).forEach((value, name) => addHeader(out, name, value));
  } else if (Array.isArray(input)) {
    if (input.length > 0 && !Array.isArray(input[0])) {
      // undici's flat [name, value, name, value] form
      for (let i = 0; i + 1 < input.length; i += 2) addHeader(out, String(input[i]), String(input[i + 1]));
    } else {
      for (const [name, value] of input as [string, string][]) addHeader(out, name, String(value));
    }
  } else if (typeof input === 'object') {
    for (const name in input as Record<string, unknown>) {
      if (!Object.hasOwn(input, name)) continue;
      const value = (input as Record<string, unknown>)[name];
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const v of value) addHeader(out, name, String(v));
      else addHeader(out, name, String(value));
    }
  }
  return out;
}

/** Adds one header (name lower-cased; repeats become arrays). */
function addHeader(out: HeaderMap, name: string, value: string): void {
  const key = name.toLowerCase();
  const prev = out[key];
  if (prev === undefined) out[key] = value;
  else if (Array.isArray(prev)) prev.push(value);
  else out[key] = [prev, value];
}
