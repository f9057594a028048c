// The contract between the undici Dispatcher front end and the pipeline's pass-through: the
// caller's undici handler (legacy protocol, the one undici's core calls), the sink the front end
// offers so the pipeline may stream a response straight into it, and the "already delivered" answer.

import { Readable } from 'node:stream';
import { util as undiciUtil } from 'undici';
import type { MeshResponse } from '../request';

/** undici's own handler protocol (onConnect/onHeaders/onData/onComplete/onError), called by its core. */
export interface RawHandler {
  onConnect?(abort: (reason?: Error) => void, context?: object): void;
  onResponseStarted?(): void;
  onHeaders?(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | void;
  onData?(chunk: Buffer): boolean | void;
  onComplete?(trailers: Buffer[] | null): void;
  onError?(error: Error): void;
}

/**
 * Where a front end lets the pipeline deliver a response itself (the dispatcher's pass-through).
 * Every method is a no-op once `done` (the caller aborted, or the response ended).
 */
export interface ResponseSink {
  /** True once the caller's request is over: aborted by the caller, failed or complete. */
  readonly done: boolean;
  /** Response headers in undici's raw form; false asks undici to pause. */
  headers(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  /** A body chunk; false asks undici to pause. */
  data(chunk: Buffer): boolean;
  /** The response ended. */
  complete(trailers: Buffer[] | null): void;
  /** The request failed with no (more) response to give. */
  error(error: Error): void;
  /** Who to tell when the caller aborts (the pass-through aborts its upstream attempt); undefined: nobody. */
  onAbort(listener: AbortListener | undefined): void;
}

/** What the sink tells when the caller aborts (an object, so the pass-through registers itself, no closure). */
export interface AbortListener {
  callerAborted(reason: Error): void;
}

let delivered: MeshResponse | undefined;

/** The pipeline's answer when it streamed the response into the request's sink itself. */
export function deliveredResponse(): MeshResponse {
  if (!delivered) {
    const body = new Readable({ read() {} });
    body.push(null);
    delivered = Object.freeze({ status: 0, headers: Object.freeze({}) as MeshResponse['headers'], body });
  }
  return delivered;
}

let deliveredPromise: Promise<MeshResponse> | undefined;

/** {@link deliveredResponse} as one shared, settled promise (a layer's answer, allocated once). */
export function deliveredAnswer(): Promise<MeshResponse> {
  deliveredPromise ??= Promise.resolve(deliveredResponse());
  return deliveredPromise;
}

/** True when `response` is {@link deliveredResponse}: nothing left for the front end to send. */
export function isDelivered(response: MeshResponse): boolean {
  return response === delivered;
}

/**
 * A HeaderMap in undici's raw form (name, value, name, value… as Buffers). Values are written
 * latin1 (what undici decoded them from, so upstream bytes go back unchanged); a value with
 * characters beyond latin1 (configured header values) is written as UTF-8.
 */
export function toRawHeaders(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Buffer[] {
  const out: Buffer[] = [];
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (typeof value === 'string') out.push(Buffer.from(name), headerBytes(value));
    else for (const v of value) out.push(Buffer.from(name), headerBytes(String(v)));
  }
  return out;
}

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

function headerBytes(value: string): Buffer {
  return Buffer.from(value, BEYOND_LATIN1.test(value) ? 'utf8' : 'latin1');
}

const headerNameToString = undiciUtil.headerNameToString as (name: Buffer | string) => string;

/** undici's raw response headers as a HeaderMap (lower-case names, repeated headers as arrays). */
export function fromRawHeaders(raw: readonly (Buffer | string)[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    // undici's own lookup: common header names come back lower-cased without decoding the bytes.
    const name = headerNameToString(raw[i]!);
    const value = raw[i + 1]!.toString('latin1');
    if (name === '__proto__') {
      Object.defineProperty(out, name, { value, enumerable: true, configurable: true, writable: true });
      continue;
    }
    const prev = out[name];
    if (prev === undefined) out[name] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[name] = [prev, value];
  }
  return out;
}
