// A fortio-like load generator: `connections` concurrent callers share a call budget (`calls`)
// or a duration, paced to a total `qps` (0 = as fast as possible), through an injected fetch.
// Status codes and latencies are collected; load-summary.ts turns them into fortio's report.
import { BookinfoError } from '../services/errors';
import type { FetchLike } from '../services/types';

/** The status code recorded when a call got no HTTP response (fortio's -1). */
export const NO_RESPONSE_CODE = -1;

/** What to send and how hard. */
export interface LoadOptions {
  readonly url: string;
  /** Concurrent callers (fortio -c). */
  readonly connections: number;
  /** Total requests per second across callers; 0 = no pacing (fortio -qps 0). */
  readonly qps: number;
  /** Exact number of calls (fortio -n); takes precedence over `durationMs`. */
  readonly calls?: number;
  /** How long to run when `calls` is absent (fortio -t); 0 = until `signal` aborts. */
  readonly durationMs?: number;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Per-call timeout (fortio -timeout); default 3 s. */
  readonly timeoutMs?: number;
  readonly fetch: FetchLike;
  /** Stops the run early (calls in flight finish). */
  readonly signal?: AbortSignal;
  /** Clock in ms; default performance.now. */
  readonly now?: () => number;
}

/** What a run produced. */
export interface LoadResult {
  readonly url: string;
  readonly connections: number;
  readonly requestedQps: number;
  readonly calls: number;
  readonly elapsedMs: number;
  /** Count per status code ({@link NO_RESPONSE_CODE} for calls without a response). */
  readonly codes: ReadonlyMap<number, number>;
  /** Latency of every call, in call-completion order. */
  readonly latenciesMs: readonly number[];
  /** Count per error message of calls without a response. */
  readonly errors: ReadonlyMap<string, number>;
}

/** When call number `index` (0-based) may start: evenly spaced at `qps`, or immediately when qps is 0. */
export function callStartTime(index: number, startMs: number, qps: number): number {
  return qps > 0 ? startMs + (index * 1000) / qps : startMs;
}

/** Checks options, throwing a message naming the bad field. */
export function validateLoadOptions(options: LoadOptions): void {
  const bad = (field: string, what: string, value: unknown) => {
    throw new BookinfoError('BAD_OPTION', `load ${field} must be ${what}, got ${String(value)}`);
  };
  try {
    const url = new URL(options.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') bad('url', 'an http(s) URL', options.url);
  } catch (error) {
    if (error instanceof BookinfoError) throw error;
    bad('url', 'an http(s) URL', options.url);
  }
  if (!Number.isInteger(options.connections) || options.connections < 1) bad('connections', 'an integer ≥ 1', options.connections);
  if (!Number.isFinite(options.qps) || options.qps < 0) bad('qps', 'a number ≥ 0', options.qps);
  if (options.calls !== undefined && (!Number.isInteger(options.calls) || options.calls < 1)) bad('calls', 'an integer ≥ 1', options.calls);
  if (options.durationMs !== undefined && (!Number.isFinite(options.durationMs) || options.durationMs < 0)) bad('durationMs', 'a number ≥ 0', options.durationMs);
  if (options.calls === undefined && options.durationMs === undefined) bad('calls/durationMs', 'given (one of them)', undefined);
  if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)) bad('timeoutMs', 'a number > 0', options.timeoutMs);
}

function waitUntil(deadlineMs: number, now: () => number, signal?: AbortSignal): Promise<void> {
  const delay = deadlineMs - now();
  if (delay <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, delay);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

/** Runs the load and resolves with every call's code and latency. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  validateLoadOptions(options);
  const now = options.now ?? (() => performance.now());
  const timeoutMs = options.timeoutMs ?? 3_000;
  const codes = new Map<number, number>();
  const errors = new Map<string, number>();
  const latenciesMs: number[] = [];
  const startMs = now();
  const endMs = options.calls === undefined && options.durationMs ? startMs + options.durationMs : Infinity;
  let nextIndex = 0;

  const count = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

  async function oneCall(): Promise<void> {
    const began = now();
    try {
      const response = await options.fetch(options.url, {
        method: options.method ?? 'GET',
        headers: { ...options.headers },
        ...(options.body !== undefined ? { body: options.body } : {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.arrayBuffer();
      count(codes, response.status);
    } catch (error) {
      count(codes, NO_RESPONSE_CODE);
      count(errors, errorText(error));
    }
    latenciesMs.push(now() - began);
  }

  async function caller(): Promise<void> {
    for (;;) {
      if (options.signal?.aborted) return;
      const index = nextIndex++;
      if (options.calls !== undefined && index >= options.calls) return;
      const slot = callStartTime(index, startMs, options.qps);
      if (slot >= endMs) return;
      await waitUntil(slot, now, options.signal);
      if (now() >= endMs || options.signal?.aborted) return;
      await oneCall();
    }
  }

  await Promise.all(Array.from({ length: options.connections }, () => caller()));
  return {
    url: options.url,
    connections: options.connections,
    requestedQps: options.qps,
    calls: latenciesMs.length,
    elapsedMs: now() - startMs,
    codes,
    latenciesMs,
    errors,
  };
}
