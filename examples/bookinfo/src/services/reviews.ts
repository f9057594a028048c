// BookInfo's reviews service (Java/Liberty in Istio's original), versions v1/v2/v3:
// v1 never calls ratings, v2 shows black stars (ratings timeout 10 s), v3 red stars (2.5 s).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BookinfoError } from './errors';
import { guardHandler, requestUrl, sendJson, sendMethodNotAllowed, sendNotFound, upstreamBase } from './http-util';
import { backendForwardHeaders } from './propagation';
import type { FetchLike, RequestHandler, ServiceLogger } from './types';
import { silentLogger } from './types';
import { getJson } from './upstream-call';

/** reviews → ratings timeout when the stars are black (v2). */
export const REVIEWS_RATINGS_TIMEOUT_BLACK_MS = 10_000;
/** reviews → ratings timeout for any other star colour (v3: red). */
export const REVIEWS_RATINGS_TIMEOUT_OTHER_MS = 2_500;
/** The text a review carries when its rating could not be obtained. */
export const RATINGS_UNAVAILABLE_TEXT = 'Ratings service is currently unavailable';

/** Everything the reviews service needs. */
export interface ReviewsDeps {
  readonly fetch: FetchLike;
  /** `ratings`: base URL of the ratings service (required for v2/v3), e.g. `http://ratings:9080`. */
  readonly upstreams: { readonly ratings?: string };
  /** `v1` (no ratings), `v2` (black stars) or `v3` (red stars). Default v1. */
  readonly version?: string;
  /** Overrides the version's star colour (the original's STAR_COLOR build argument). */
  readonly starColor?: string;
  /** Reported as `podname` (the original's $HOSTNAME). */
  readonly podName: string;
  /** Reported as `clustername` (the original's $CLUSTER_NAME); absent → the string "null". */
  readonly clusterName?: string;
  readonly logger?: ServiceLogger;
}

/** The per-version build settings of reviews (Istio's docker-bake.hcl). */
export interface ReviewsFlavour {
  readonly ratingsEnabled: boolean;
  readonly starColor: string;
}

/** Resolves a version name to its build settings; throws for unknown versions. */
export function reviewsFlavour(version: string, starColor?: string): ReviewsFlavour {
  const flavours: Record<string, ReviewsFlavour> = {
    v1: { ratingsEnabled: false, starColor: 'black' },
    v2: { ratingsEnabled: true, starColor: 'black' },
    v3: { ratingsEnabled: true, starColor: 'red' },
  };
  const flavour = flavours[version];
  if (!flavour) throw new BookinfoError('UNSUPPORTED_VERSION', `reviews version "${version}" is not known; use v1, v2 or v3`);
  return starColor ? { ...flavour, starColor } : flavour;
}

/** The ratings timeout the original derives from the star colour: 10 s for black, else 2.5 s. */
export function ratingsTimeoutMs(starColor: string): number {
  return starColor === 'black' ? REVIEWS_RATINGS_TIMEOUT_BLACK_MS : REVIEWS_RATINGS_TIMEOUT_OTHER_MS;
}

/** A review's rating: stars in the version's colour, or the unavailable text. */
export type ReviewRating = { readonly stars: number; readonly color: string } | { readonly error: string };

/** One review as reviews serves it; `rating` is absent in v1. */
export interface Review {
  readonly reviewer: string;
  readonly text: string;
  readonly rating?: ReviewRating;
}

/** The `/reviews/{id}` answer. */
export interface ReviewsAnswer {
  readonly id: string;
  readonly podname: string;
  readonly clustername: string;
  readonly reviews: readonly Review[];
}

const REVIEWS: ReadonlyArray<{ reviewer: string; text: string }> = [
  { reviewer: 'Reviewer1', text: 'An extremely entertaining play by Shakespeare. The slapstick humour is refreshing!' },
  { reviewer: 'Reviewer2', text: 'Absolutely fun and entertaining. The play lacks thematic depth when compared to other plays by Shakespeare.' },
];

/**
 * Builds the reviews answer. `ratings` is the ratings JSON (`{ratings: {Reviewer1: n, …}}`) or
 * undefined when the call failed; ignored when ratings are disabled (v1).
 */
export function buildReviewsAnswer(
  productId: number,
  flavour: ReviewsFlavour,
  ratings: unknown,
  pod: { podName: string; clusterName?: string },
): ReviewsAnswer {
  const stars = (ratings as { ratings?: Record<string, unknown> } | undefined)?.ratings;
  return {
    id: String(productId),
    podname: pod.podName,
    clustername: pod.clusterName ?? 'null',
    reviews: REVIEWS.map(({ reviewer, text }) => {
      if (!flavour.ratingsEnabled) return { reviewer, text };
      const value = stars && typeof stars === 'object' ? stars[reviewer] : undefined;
      const rating: ReviewRating =
        typeof value === 'number' && Number.isInteger(value)
          ? { stars: value, color: flavour.starColor }
          : { error: RATINGS_UNAVAILABLE_TEXT };
      return { reviewer, text, rating };
    }),
  };
}

/** Parses `{productId}` as Java's int path parameter; undefined means the route does not match (404). */
export function parseReviewsId(segment: string): number | undefined {
  if (!/^[+-]?\d+$/.test(segment)) return undefined;
  const value = Number(segment);
  return value >= -2147483648 && value <= 2147483647 ? value : undefined;
}

/** Builds the reviews request handler. */
export function createReviewsApp(deps: ReviewsDeps): RequestHandler {
  const flavour = reviewsFlavour(deps.version ?? 'v1', deps.starColor);
  const ratingsBase = flavour.ratingsEnabled ? upstreamBase('ratings', deps.upstreams.ratings) : undefined;
  const timeoutMs = ratingsTimeoutMs(flavour.starColor);
  const logger = deps.logger ?? silentLogger;

  async function fetchRatings(productId: number, req: IncomingMessage): Promise<unknown> {
    if (!ratingsBase) return undefined;
    const outcome = await getJson(deps.fetch, `${ratingsBase}/ratings/${productId}`, {
      headers: { ...backendForwardHeaders(req.headers), accept: 'application/json' },
      timeoutMs,
    });
    if (outcome.ok) return outcome.json;
    logger.error(`unable to contact ${ratingsBase}/ratings/${productId}: ${outcome.reason}`);
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = requestUrl(req);
    if (pathname === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, ['GET']);
      return sendJson(res, 200, { status: 'Reviews is healthy' });
    }
    const match = /^\/reviews\/([^/]+)$/.exec(pathname);
    const productId = match ? parseReviewsId(match[1]!) : undefined;
    if (productId === undefined) return sendNotFound(res, pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, ['GET']);
    const ratings = await fetchRatings(productId, req);
    return sendJson(res, 200, buildReviewsAnswer(productId, flavour, ratings, deps));
  }

  return guardHandler(logger, handle);
}
