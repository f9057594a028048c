// One try of the dispatcher's pass-through: undici's handler for it, what it holds (breaker slots,
// the endpoint's active count) and the response it got, as retry, outlier and telemetry decisions read it.

import type { ActiveRequest, EndpointStateStore } from '../balancing/endpoint-state';
import { MeshError } from '../errors';
import { firstHeader } from '../policy/outcome';
import type { Permit } from '../policy/cluster-limits';
import type { RetryState } from '../policy/retry-policy';
import type { Endpoint } from '../snapshot/types';
import { fromRawHeaders, type ResponseSink } from './response-sink';
import type { AttemptTelemetry } from './telemetry-layer';
import type { AttemptCall, OutboundCall } from './types';

/**
 * A try's response as retry, outlier and telemetry decisions see it, with its headers decoded
 * from undici's raw form only when one of them reads them (most decisions need the status alone).
 */
export class RawResponseOutcome {
  readonly kind = 'response';
  private decoded: Record<string, string | string[]> | undefined;

  constructor(readonly status: number, private readonly raw: readonly Buffer[]) {}

  get headers(): Record<string, string | string[]> {
    this.decoded ??= fromRawHeaders(this.raw);
    return this.decoded;
  }

  /** One header's first value; only names of the same length are decoded. */
  header(name: string): string | undefined {
    if (this.decoded) return firstHeader(this.decoded, name);
    const at = rawHeaderIndex(this.raw, name);
    return at < 0 ? undefined : this.raw[at + 1]!.toString('latin1');
  }
}

/** Where the first header named `name` (lower-case) is in undici's raw name/value list, or -1; only names of its length are decoded. */
export function rawHeaderIndex(raw: readonly Buffer[], name: string): number {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.length === name.length && raw[i]!.toString('latin1').toLowerCase() === name) return i;
  }
  return -1;
}

/** The outlier detector's view of a pass-through (or lane) try: HTTP, never gRPC — one object for all. */
export const HTTP_TRY = Object.freeze({ grpc: false });

/** What a try reports to the call it belongs to (DirectCall in direct-dispatch.ts). */
export interface TryOwner {
  readonly sink: ResponseSink;
  /** The route deadline passed. */
  readonly expired: boolean;
  timeoutError(): Error;
  onTryHeaders(attempt: DirectTry, status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean;
  onTryComplete(attempt: DirectTry, trailers: Buffer[] | null): void;
  onTryError(attempt: DirectTry, error: Error): void;
}

/**
 * One try of the pass-through: undici's handler for it (the legacy protocol undici's core calls
 * itself), the AttemptCall the telemetry sees, and what the try holds — the request and connection
 * slots, the endpoint's active count — in fields instead of cleanup closures, released once by `release`.
 */
export class DirectTry implements AttemptCall {
  endpoint: Endpoint | undefined = undefined;
  requestSlot: Permit | undefined = undefined;
  connectionSlot: Permit | undefined = undefined;
  active: ActiveRequest | undefined = undefined;
  telemetry: AttemptTelemetry | undefined = undefined;
  abortUpstream: ((reason?: Error) => void) | undefined = undefined;
  /** Headers went to the caller: this try is the answer. */
  forwarded = false;
  /** A retry was decided at its headers: its body is read and dropped. */
  dropping = false;
  bytes = 0;

  /** Unused (frozen): the pass-through's holds are the fields above. */
  readonly cleanups = NO_CLEANUPS;
  /** Who the try reports to: its DirectCall; a dispatch-lane call is its own owner until a DirectCall adopts it. */
  owner: TryOwner;
  /** The call record (a dispatch-lane call has none until a DirectCall adopts it; nothing reads it before). */
  call!: OutboundCall;

  constructor(owner: TryOwner | undefined, call: OutboundCall | undefined, readonly number: number, readonly retry: RetryState | undefined, private readonly endpoints: EndpointStateStore) {
    this.owner = owner ?? (this as unknown as TryOwner);
    if (call !== undefined) this.call = call;
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.owner.sink.done) abort(new MeshError('ABORTED', 'request aborted by the caller'));
    else if (this.owner.expired) abort(this.owner.timeoutError());
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (status < 200) return this.owner.sink.headers(status, rawHeaders, resume, statusText);
    return this.owner.onTryHeaders(this, status, rawHeaders, resume, statusText);
  }

  onData(chunk: Buffer): boolean {
    if (this.dropping) return true;
    this.bytes += chunk.length;
    return this.owner.sink.data(chunk);
  }

  onComplete(trailers: Buffer[] | null): void {
    this.owner.onTryComplete(this, trailers);
  }

  onError(error: Error): void {
    this.owner.onTryError(this, error);
  }

  /** Gives back what the try holds (idempotent). */
  release(): void {
    this.requestSlot?.release();
    this.connectionSlot?.release();
    if (this.active) this.endpoints.leave(this.endpoint!.key, this.active);
    this.requestSlot = undefined;
    this.connectionSlot = undefined;
    this.active = undefined;
  }
}

const NO_CLEANUPS = Object.freeze([]) as unknown as (() => void)[];
