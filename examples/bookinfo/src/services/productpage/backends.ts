// productpage's calls to details, reviews and ratings with the original's timeouts and retry
// (productpage.py: 3 s each; reviews tried twice, "bug introduced explicitly for illustration in
// fault injection task"). A failure becomes the original's status and error JSON.
import type { FetchLike } from '../types';
import { getJson } from '../upstream-call';
import { DETAILS_ERROR_TEXT, RATINGS_ERROR_TEXT, REVIEWS_ERROR_TEXT } from './products';

/** productpage → details/reviews/ratings timeout per attempt. */
export const PRODUCTPAGE_CALL_TIMEOUT_MS = 3_000;
/** productpage → reviews attempts (1 try + 1 retry, ≈ 6 s worst case). */
export const PRODUCTPAGE_REVIEWS_ATTEMPTS = 2;

/** A backend answer as productpage renders or relays it: status and JSON body. */
export interface BackendResult {
  readonly status: number;
  readonly body: unknown;
}

/** Base URLs of productpage's upstreams, without trailing slash. */
export interface ProductpageUpstreams {
  readonly details: string;
  readonly reviews: string;
  readonly ratings: string;
}

/** Observes each backend result (for the request_result counters and logs). */
export type ResultObserver = (app: 'details' | 'reviews' | 'ratings', status: number, reason?: string) => void;

async function call(
  fetchFn: FetchLike,
  url: string,
  headers: Record<string, string>,
  attempts: number,
  errorText: string,
): Promise<BackendResult & { reason?: string }> {
  const outcome = await getJson(fetchFn, url, { headers, timeoutMs: PRODUCTPAGE_CALL_TIMEOUT_MS, attempts });
  if (outcome.ok) return { status: 200, body: outcome.json };
  // No response (timeout, refused, unreadable body) counts as 500, as in productpage.py.
  return { status: outcome.status ?? 500, body: { error: errorText }, reason: outcome.reason };
}

/** The three backend calls of productpage, bound to a fetch and the upstream base URLs. */
export interface ProductpageBackends {
  details(productId: string, headers: Record<string, string>): Promise<BackendResult>;
  reviews(productId: string, headers: Record<string, string>): Promise<BackendResult>;
  ratings(productId: string, headers: Record<string, string>): Promise<BackendResult>;
}

/** Binds the backend calls; `observe` sees every final result. */
export function productpageBackends(fetchFn: FetchLike, upstreams: ProductpageUpstreams, observe: ResultObserver): ProductpageBackends {
  const path = (id: string) => encodeURIComponent(id);
  return {
    async details(id, headers) {
      const result = await call(fetchFn, `${upstreams.details}/details/${path(id)}`, headers, 1, DETAILS_ERROR_TEXT);
      observe('details', result.status, result.reason);
      return result;
    },
    async reviews(id, headers) {
      const result = await call(fetchFn, `${upstreams.reviews}/reviews/${path(id)}`, headers, PRODUCTPAGE_REVIEWS_ATTEMPTS, REVIEWS_ERROR_TEXT);
      observe('reviews', result.status, result.reason);
      return result;
    },
    async ratings(id, headers) {
      const result = await call(fetchFn, `${upstreams.ratings}/ratings/${path(id)}`, headers, 1, RATINGS_ERROR_TEXT);
      observe('ratings', result.status, result.reason);
      return result;
    },
  };
}
