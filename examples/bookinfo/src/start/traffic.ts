// `npm start -- --traffic`: a steady trickle of product-page requests through the ingress gateway,
// with the project's fortio-like load client, so access logs, load balancing across the two
// reviews v2 instances and the admin API show live traffic. Stops with the example.
import { runLoad } from '../support/load-client';
import { formatLoadSummary } from '../support/load-summary';

/** A running traffic generator. */
export interface Traffic {
  /** Stops sending; resolves with fortio's report of the whole run. */
  stop(): Promise<string>;
}

/** Sends `qps` GETs per second to `url` (one caller) until stopped; reports status counts every `reportEveryMs`. */
export function startTraffic(url: string, qps: number, report: (line: string) => void, reportEveryMs = 15_000): Traffic {
  const abort = new AbortController();
  const codes = new Map<number, number>();
  const countingFetch: typeof fetch = async (input, init) => {
    try {
      const response = await fetch(input, init);
      codes.set(response.status, (codes.get(response.status) ?? 0) + 1);
      return response;
    } catch (error) {
      codes.set(-1, (codes.get(-1) ?? 0) + 1);
      throw error;
    }
  };
  const ticker = setInterval(() => {
    const parts = [...codes].sort(([a], [b]) => a - b).map(([code, n]) => `${code === -1 ? 'no answer' : code}: ${n}`);
    report(`traffic to ${url}: ${parts.join(', ') || 'no requests yet'}`);
  }, reportEveryMs);
  ticker.unref();
  const run = runLoad({ url, connections: 1, qps, durationMs: 0, fetch: countingFetch, signal: abort.signal });
  return {
    async stop() {
      clearInterval(ticker);
      abort.abort();
      return formatLoadSummary(await run);
    },
  };
}
