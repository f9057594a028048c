// The transport's lean request call: `dispatcher.dispatch` with a small handler that resolves with
// status, headers and a plain Readable body — what `Pool.request` gives, without its per-request
// AsyncResource, abort-signal plumbing and BodyReadable (a second stream layer the mesh never uses).

import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { errors } from 'undici';

/** A response as the transport hands it up: status, lower-cased headers, the body stream. */
export interface DispatchedResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Record<string, string | string[]>;
  readonly body: Readable;
}

type Controller = Dispatcher.DispatchController;

/**
 * Sends one request over `dispatcher`. Resolves once response headers arrive (1xx are skipped);
 * rejects with undici's error (connect failure, reset) or the signal's reason when `signal` aborts
 * first. Destroying the body before its end aborts the request, as undici's own body does.
 */
export function dispatchForResponse(dispatcher: Dispatcher, options: Dispatcher.DispatchOptions, signal?: AbortSignal): Promise<DispatchedResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    dispatcher.dispatch(options, new ResponseHandler(resolve, reject, signal));
  });
}

class ResponseHandler implements Dispatcher.DispatchHandler {
  private controller: Controller | undefined;
  private body: Readable | undefined;
  private settled = false;
  private complete = false;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly resolve: (response: DispatchedResponse) => void,
    private readonly reject: (error: unknown) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    if (signal) {
      this.onAbort = () => this.abort(signal.reason);
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.signal?.aborted) controller.abort(this.signal.reason);
  }

  onResponseStart(controller: Controller, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    if (statusCode < 200) return;
    const body = new Readable({
      read: () => controller.resume(),
      destroy: (error, callback) => {
        if (!this.complete) {
          this.complete = true;
          this.detach();
          controller.abort(error ?? new errors.RequestAbortedError());
        }
        callback(error);
      },
    });
    this.body = body;
    this.settled = true;
    this.resolve({ status: statusCode, statusText: statusMessage ?? '', headers: headers as Record<string, string | string[]>, body });
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.body && !this.body.push(chunk)) controller.pause();
  }

  onResponseEnd(): void {
    this.complete = true;
    this.detach();
    this.body?.push(null);
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.complete = true;
    this.detach();
    if (!this.settled) {
      this.settled = true;
      this.reject(error);
    } else if (this.body && !this.body.destroyed) {
      this.body.destroy(error);
    }
  }

  /** The caller's signal fired: reject with its reason before headers, else break the body with it. */
  private abort(reason: unknown): void {
    const error = reason instanceof Error ? reason : new errors.RequestAbortedError();
    if (!this.settled) {
      this.settled = true;
      this.reject(reason);
    }
    if (this.complete) return;
    if (this.controller) this.controller.abort(error);
    // Not started yet: onRequestStart sees the aborted signal and aborts then.
  }

  private detach(): void {
    if (this.signal && this.onAbort) this.signal.removeEventListener('abort', this.onAbort);
  }
}
