// The ResponseSink over a caller's handler in undici's own (legacy) protocol — onConnect, onHeaders,
// onData, onComplete, onError — with the caller's abort: what the dispatcher's bridge and its lane
// both stream answers into.

import type { AbortListener, RawHandler, ResponseSink } from './response-sink';

/** Streams into a legacy undici handler; every call is a no-op once `done`. */
export class LegacySink implements ResponseSink {
  done = false;
  /** Why the caller aborted, once it has. */
  protected abortReason: Error | undefined = undefined;
  private abortListener: AbortListener | undefined = undefined;

  constructor(protected readonly handler: RawHandler) {}

  /** Starts the request for the handler: it gets the caller's abort (the request fails, the listener is told). */
  connect(): void {
    this.handler.onConnect?.((reason) => this.cancel(reason), {});
  }

  headers(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (this.done) return false;
    if (status >= 200) this.handler.onResponseStarted?.();
    return this.handler.onHeaders?.(status, rawHeaders, resume, statusText) !== false;
  }

  data(chunk: Buffer): boolean {
    if (this.done) return true;
    return this.handler.onData?.(chunk) !== false;
  }

  complete(trailers: Buffer[] | null): void {
    if (this.done) return;
    this.done = true;
    this.handler.onComplete?.(trailers ?? []);
  }

  error(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.handler.onError?.(error);
  }

  onAbort(listener: AbortListener | undefined): void {
    this.abortListener = listener;
  }

  /** The caller aborted: `aborted`, then the request fails with the reason, then the listener is told (once). */
  protected cancel(reason?: Error): void {
    if (this.abortReason) return;
    const why = reason ?? new Error('request aborted');
    this.abortReason = why;
    this.aborted(why);
    const listener = this.abortListener;
    this.abortListener = undefined;
    this.error(why);
    listener?.callerAborted(why);
  }

  /** What a subclass does first when the caller aborts (nothing here). */
  protected aborted(_reason: Error): void {}
}
