// Front end: an undici Dispatcher whose every request runs through the mesh pipeline, so
// `fetch(url, { dispatcher: mesh.dispatcher })`, `undici.request(url, { dispatcher })` and the
// process-wide global dispatcher (explicit opt-in) are all meshed. Bridges both handler APIs; for
// undici's own handler protocol it offers itself as the sink of the pipeline's pass-through.

import { Dispatcher } from 'undici';
import { Readable } from 'node:stream';
import type { MeshHandler } from './fetch';
import type { HeaderMap, MeshRequest, MeshResponse } from '../request';
import { toHeaderMap } from '../request';
import type { DispatchLane } from '../pipeline/dispatch-lane';
import { LegacySink } from '../pipeline/legacy-sink';
import { deliveredAnswer, isDelivered, toRawHeaders, type RawHandler, type ResponseSink } from '../pipeline/response-sink';

type AnyHandler = Dispatcher.DispatchHandler & Record<string, any>;

/** An undici Dispatcher that sends requests through `handle`. */
export class MeshDispatcher extends Dispatcher {
  private closed = false;

  /** `lane`: the mesh's shortest way for the calls it can take (pipeline/dispatch-lane.ts); the rest take `handle`. */
  constructor(private readonly handle: MeshHandler, private readonly onClose: () => Promise<void> = async () => undefined, private readonly lane?: DispatchLane) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.closed) {
      new HandlerBridge(handler as AnyHandler).error(new Error('mesh dispatcher is closed'));
      return false;
    }
    let request: DispatchedRequest;
    try {
      request = toMeshRequest(options);
    } catch (err) {
      new HandlerBridge(handler as AnyHandler).error(err as Error);
      return true;
    }
    const streams = streamsInto(handler as AnyHandler, options);
    if (streams && this.lane !== undefined && this.lane.take(request, handler as RawHandler)) return true;
    const bridge = new HandlerBridge(handler as AnyHandler);
    request.bridge = bridge;
    if (streams) request.sink = bridge;
    bridge.start();
    const answer = this.handle(request);
    // The pass-through streamed (or is streaming) into the bridge itself: nothing to wait for.
    if (answer === deliveredAnswer()) return true;
    answer.then(
      (response) => { if (!isDelivered(response)) bridge.respond(response); },
      (err: Error) => bridge.error(err),
    );
    return true;
  }

  override async close(): Promise<void> {
    this.closed = true;
    await this.onClose();
  }

  override async destroy(): Promise<void> {
    this.closed = true;
    await this.onClose();
  }
}

/** Host and scheme of an origin. */
interface Origin {
  readonly host: string;
  readonly https: boolean;
}

/** Host and scheme of the last origins seen (callers reuse a handful of origins; parsing one is costly). */
const PARSED_ORIGINS = new Map<string, Origin>();
/** The origin asked for last: undici hands a new string each time, and comparing it costs less than hashing it. */
let lastOrigin: { readonly key: string; readonly origin: Origin } | undefined;

function parseOrigin(raw: string | URL): Origin {
  const key = typeof raw === 'string' ? raw : raw.href;
  if (key === lastOrigin?.key) return lastOrigin.origin;
  let origin = PARSED_ORIGINS.get(key);
  if (!origin) {
    const url = new URL(key);
    origin = { host: url.host, https: url.protocol === 'https:' };
    if (PARSED_ORIGINS.size >= 1024) PARSED_ORIGINS.clear();
    PARSED_ORIGINS.set(key, origin);
  }
  lastOrigin = { key, origin };
  return origin;
}

/** The request for the pipeline (its bridge and sink are set by `dispatch` when it takes the pipeline). */
function toMeshRequest(options: Dispatcher.DispatchOptions): DispatchedRequest {
  if (!options.origin) throw new TypeError('mesh dispatcher: request has no origin');
  const origin = parseOrigin(options.origin);
  const headers: HeaderMap = options.headers == null ? {} : toHeaderMap(options.headers);
  let body: Buffer | Readable | undefined;
  const raw = options.body as unknown;
  if (raw != null) {
    if (typeof raw === 'string') body = Buffer.from(raw);
    else if (Buffer.isBuffer(raw)) body = raw;
    else if (raw instanceof Uint8Array) body = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    else if (raw instanceof Readable) body = raw;
    else if (typeof (raw as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') body = Readable.from(raw as AsyncIterable<unknown>);
    else throw new TypeError(`mesh dispatcher: unsupported request body type ${Object.prototype.toString.call(raw)}`);
    if (Buffer.isBuffer(body)) headers['content-length'] ??= String(body.length);
  }
  const host = headers['host'];
  return new DispatchedRequest(host ? String(host) : origin.host, origin.https ? 'https' : 'http', options.method, options.path, headers, body);
}

/**
 * True when the pass-through (and the lane) may stream into this handler: undici's own (legacy)
 * protocol, no upgrade/CONNECT, and a body held in memory (so a retry can resend it).
 */
function streamsInto(handler: AnyHandler, options: Dispatcher.DispatchOptions): boolean {
  if (isModern(handler) || typeof handler.onHeaders !== 'function' || options.upgrade || options.method === 'CONNECT') return false;
  const body = options.body as unknown;
  return body == null || typeof body === 'string' || body instanceof Uint8Array;
}

/** True for a handler of undici's new protocol (onRequestStart/onResponse*). */
function isModern(handler: AnyHandler): boolean {
  return typeof handler.onRequestStart === 'function' || typeof handler.onResponseStart === 'function';
}

/** A dispatched request as the pipeline reads it (a class: one shape, the signal getter on the prototype). */
class DispatchedRequest implements MeshRequest {
  /** The bridge to the caller's handler, when the request takes the pipeline; its signal is made on first read. */
  bridge: HandlerBridge | undefined = undefined;
  /** The bridge, when the pass-through may stream into it. */
  sink: ResponseSink | undefined = undefined;

  constructor(
    readonly authority: string,
    readonly scheme: 'http' | 'https',
    readonly method: string,
    readonly path: string,
    readonly headers: HeaderMap,
    readonly body: Buffer | Readable | undefined,
  ) {}

  get signal(): AbortSignal | undefined {
    return this.bridge?.signal;
  }
}

/**
 * Feeds a MeshResponse to an undici handler, new-style (onResponse*) or legacy (onHeaders/onData);
 * for a legacy handler it is also the sink (LegacySink) the pipeline's pass-through streams into.
 */
class HandlerBridge extends LegacySink {
  private body: Readable | undefined;
  private readonly modern: boolean;
  private controllerObject: Dispatcher.DispatchController | undefined;
  private abortController: AbortController | undefined;

  constructor(private readonly caller: AnyHandler) {
    super(caller as unknown as RawHandler);
    this.modern = isModern(caller);
  }

  /** The request's abort signal, made on first use (already aborted when the caller has aborted). */
  get signal(): AbortSignal {
    if (!this.abortController) {
      this.abortController = new AbortController();
      if (this.abortReason) this.abortController.abort(this.abortReason);
    }
    return this.abortController.signal;
  }

  /** The controller new-style handlers receive (built on first use; legacy handlers never need it). */
  private get controller(): Dispatcher.DispatchController {
    if (this.controllerObject) return this.controllerObject;
    const self = this;
    this.controllerObject = {
      get aborted() { return self.abortReason !== undefined; },
      get paused() { return self.body?.isPaused() ?? false; },
      get reason() { return self.abortReason ?? null; },
      abort(reason?: Error) { self.cancel(reason); },
      pause() { self.body?.pause(); },
      resume() { self.body?.resume(); },
    };
    return this.controllerObject;
  }

  start(): void {
    if (this.modern) this.caller.onRequestStart?.(this.controller, {});
    else this.connect();
  }

  respond(response: MeshResponse): void {
    if (this.done) { response.body.destroy(); return; }
    this.body = response.body;
    const body = response.body;
    if (this.modern) {
      this.caller.onResponseStart?.(this.controller, response.status, flatHeaders(response.headers), response.statusText ?? '');
    } else {
      const keepGoing = this.caller.onHeaders?.(response.status, rawHeaders(response.headers), () => body.resume(), response.statusText ?? '');
      if (keepGoing === false) body.pause();
    }
    body.on('data', (chunk: Buffer) => {
      if (this.done) return;
      if (this.modern) this.caller.onResponseData?.(this.controller, chunk);
      else if (this.caller.onData?.(chunk) === false) body.pause();
    });
    body.once('end', () => {
      if (this.done) return;
      this.done = true;
      if (this.modern) this.caller.onResponseEnd?.(this.controller, {});
      else this.caller.onComplete?.([]);
    });
    body.once('error', (err) => this.error(err));
  }

  override error(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.body?.destroy();
    if (this.modern) this.caller.onResponseError?.(this.controller, err);
    else this.caller.onError?.(err);
  }

  /** The caller aborted: the request's signal (if anyone made it) aborts too. */
  protected override aborted(reason: Error): void {
    this.abortController?.abort(reason);
  }
}

function flatHeaders(headers: HeaderMap): Record<string, string | string[]> {
  return headers;
}

function rawHeaders(headers: HeaderMap): Buffer[] {
  return toRawHeaders(headers);
}
