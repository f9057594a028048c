// The application-level client every BookInfo caller uses: GET a JSON resource through the
// injected fetch with a per-attempt timeout (AbortSignal.timeout) and a fixed number of attempts.
// These timeouts and retries are the apps' own behaviour (Istio §A.7), not the mesh's.
import type { FetchLike } from './types';

/** How one upstream call is made. */
export interface UpstreamCallOptions {
  /** Headers to send (already filtered by the propagation rules). */
  readonly headers: Record<string, string>;
  /** Timeout of each attempt, covering connect, headers and body. */
  readonly timeoutMs: number;
  /** Attempts in total (1 = no retry). The loop stops at the first 200. */
  readonly attempts?: number;
}

/** The outcome: a 200 with its parsed JSON, or the last failure. */
export type UpstreamOutcome =
  | { readonly ok: true; readonly status: 200; readonly json: unknown }
  | {
      readonly ok: false;
      /** The last response's status, or undefined when no response arrived (timeout, refused, bad JSON). */
      readonly status: number | undefined;
      /** Why the last attempt failed, for logs. */
      readonly reason: string;
    };

async function attemptOnce(fetchFn: FetchLike, url: string, options: UpstreamCallOptions): Promise<UpstreamOutcome> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await fetchFn(url, { method: 'GET', headers: options.headers, signal });
    const text = await response.text();
    if (response.status !== 200) return { ok: false, status: response.status, reason: `status ${response.status}` };
    try {
      return { ok: true, status: 200, json: JSON.parse(text) as unknown };
    } catch {
      return { ok: false, status: undefined, reason: 'status 200 with a body that is not JSON' };
    }
  } catch (error) {
    const reason = signal.aborted ? `no response within ${options.timeoutMs} ms` : describeError(error);
    return { ok: false, status: undefined, reason };
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}

/** GETs `url` as JSON, retrying (without backoff) until a 200 or `attempts` run out. */
export async function getJson(fetchFn: FetchLike, url: string, options: UpstreamCallOptions): Promise<UpstreamOutcome> {
  const attempts = Math.max(1, options.attempts ?? 1);
  let outcome: UpstreamOutcome = { ok: false, status: undefined, reason: 'not attempted' };
  for (let attempt = 0; attempt < attempts; attempt++) {
    outcome = await attemptOnce(fetchFn, url, options);
    if (outcome.ok) return outcome;
  }
  return outcome;
}
