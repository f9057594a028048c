// Front end: an undici Dispatcher whose every request runs through the mesh pipeline, so
// `fetch(url, { dispatcher: mesh.dispatcher })`, `undici.request(url, { dispatcher })` and the
// process-wide global dispatcher (explicit opt-in) are all meshed. Bridges both handler APIs.

import { Dispatcher } from 'undici';
import { Readable } from 'node:stream';
import type { MeshHandler } from './fetch';
import type { HeaderMap, MeshRequest, MeshResponse } from '../request';
import { toHeaderMap } from '../request';

type AnyHandler = Dispatcher.DispatchHandler & Record<string, any>;

/** An undici Dispatcher that sends requests through `handle`. */
export class MeshDispatcher extends Dispatcher {
  private closed = false;

  constructor(private readonly handle: MeshHandler, private readonly onClose: () => Promise<void> = async () => undefined) {
    super();
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const h = handler as AnyHandler;
    const abort = new AbortController();
    const bridge = new HandlerBridge(h, abort);
    if (this.closed) {
      bridge.error(new Error('mesh dispatcher is closed'));
      return false;
    }
    let request: MeshRequest;
    try {
      request = toMeshRequest(options, abort.signal);
    } catch (err) {
      bridge.error(err as Error);
      return true;
    }
    bridge.start();
    this.handle(request).then(
      (response) => bridge.respond(response),
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

/** Host and scheme of the last origins seen (callers reuse a handful of origins; parsing one is costly). */
const PARSED_ORIGINS = new Map<string, { readonly host: string; readonly https: boolean }>();

function parseOrigin(raw: string | URL): { readonly host: string; readonly https: boolean } {
  const key = String(raw);
  let origin = PARSED_ORIGINS.get(key);
  if (!origin) {
    const url = new URL(key);
    origin = { host: url.host, https: url.protocol === 'https:' };
    if (PARSED_ORIGINS.size >= 1024) PARSED_ORIGINS.clear();
    PARSED_ORIGINS.set(key, origin);
  }
  return origin;
}

function toMeshRequest(options: Dispatcher.DispatchOptions, signal: AbortSignal): MeshRequest {
  if (!options.origin) throw new TypeError('mesh dispatcher: request has no origin');
  const origin = parseOrigin(options.origin);
  const headers: HeaderMap = toHeaderMap(options.headers);
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
  return {
    authority: headers['host'] ? String(headers['host']) : origin.host,
    scheme: origin.https ? 'https' : 'http',
    method: options.method,
    path: options.path,
    headers,
    ...(body !== undefined ? { body } : {}),
    signal,
  };
}

/** Feeds a MeshResponse to an undici handler, new-style (onResponse*) or legacy (onHeaders/onData). */
class HandlerBridge {
  private body: Readable | undefined;
  private done = false;
  private readonly modern: boolean;
  private controllerObject: Dispatcher.DispatchController | undefined;

  constructor(private readonly handler: AnyHandler, private readonly abort: AbortController) {
    this.modern = typeof handler.onRequestStart === 'function' || typeof handler.onResponseStart === 'function';
  }

  /** The controller new-style handlers receive (built on first use; legacy handlers never need it). */
  private get controller(): Dispatcher.DispatchController {
    if (this.controllerObject) return this.controllerObject;
    const self = this;
    this.controllerObject = {
      get aborted() { return self.abort.signal.aborted; },
      get paused() { return self.body?.isPaused() ?? false; },
      get reason() { return self.abort.signal.reason; },
      abort(reason?: Error) { self.cancel(reason); },
      pause() { self.body?.pause(); },
      resume() { self.body?.resume(); },
    };
    return this.controllerObject;
  }

  start(): void {
    if (this.modern) this.handler.onRequestStart?.(this.controller, {});
    else (this.handler.onConnect as ((abort: (reason?: Error) => void, context: object) => void) | undefined)?.((reason) => this.cancel(reason), {});
  }

  respond(response: MeshResponse): void {
    if (this.done) { response.body.destroy(); return; }
    this.body = response.body;
    const body = response.body;
    if (this.modern) {
      this.handler.onResponseStart?.(this.controller, response.status, flatHeaders(response.headers), response.statusText ?? '');
    } else {
      const keepGoing = this.handler.onHeaders?.(response.status, rawHeaders(response.headers), () => body.resume(), response.statusText ?? '');
      if (keepGoing === false) body.pause();
    }
    body.on('data', (chunk: Buffer) => {
      if (this.done) return;
      if (this.modern) this.handler.onResponseData?.(this.controller, chunk);
      else if (this.handler.onData?.(chunk) === false) body.pause();
    });
    body.once('end', () => {
      if (this.done) return;
      this.done = true;
      if (this.modern) this.handler.onResponseEnd?.(this.controller, {});
      else this.handler.onComplete?.([]);
    });
    body.once('error', (err) => this.error(err));
  }

  error(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.body?.destroy();
    if (this.modern) this.handler.onResponseError?.(this.controller, err);
    else this.handler.onError?.(err);
  }

  private cancel(reason?: Error): void {
    if (!this.abort.signal.aborted) this.abort.abort(reason ?? new Error('request aborted'));
    this.error(reason ?? new Error('request aborted'));
  }
}

function flatHeaders(headers: HeaderMap): Record<string, string | string[]> {
  return headers;
}

function rawHeaders(headers: HeaderMap): Buffer[] {
  const out: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) out.push(Buffer.from(name), Buffer.from(String(v)));
  }
  return out;
}
