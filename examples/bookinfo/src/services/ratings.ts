// BookInfo's ratings service (Node.js in Istio's original): `/ratings/{id}` answers the stars
// per reviewer, POST stores new ratings in memory, and the failure variants of the image
// (v-faulty, v-delayed, v-unavailable, v-unhealthy) are selected by `version`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BookinfoError } from './errors';
import { guardHandler, readBody, requestUrl, sendJson, sendMethodNotAllowed, sendNotFound } from './http-util';
import type { RatingsVersion } from './ratings-variants';
import { RATINGS_DELAY_MS, RATINGS_VERSIONS, decideRatingsGet, defaultPeriodMs, toggleState } from './ratings-variants';
import type { RequestHandler, ServiceLogger } from './types';
import { silentLogger } from './types';

const MAX_BODY_BYTES = 64 * 1024;

/** Everything the ratings service needs (it makes no outbound calls). */
export interface RatingsDeps {
  /** `v1` (default) or one of the failure variants in {@link RATINGS_VERSIONS}. */
  readonly version?: string;
  /** v-delayed's delay; default 7 s. */
  readonly delayMs?: number;
  /** v-unavailable / v-unhealthy toggle period; default 60 s / 15 min. */
  readonly togglePeriodMs?: number;
  /** Random source in [0, 1) for v-faulty / v-delayed; default Math.random. */
  readonly random?: () => number;
  /** Clock in ms for the toggling variants; default Date.now. */
  readonly now?: () => number;
  readonly logger?: ServiceLogger;
}

/** The ratings JSON: `{id, ratings: {Reviewer1: 5, Reviewer2: 4}}` unless ratings were POSTed. */
export interface RatingsAnswer {
  readonly id: number;
  readonly ratings: unknown;
}

/** The default ratings of every product. */
export function defaultRatings(id: number): RatingsAnswer {
  return { id, ratings: { Reviewer1: 5, Reviewer2: 4 } };
}

function asRatingsVersion(version: string): RatingsVersion {
  if ((RATINGS_VERSIONS as readonly string[]).includes(version)) return version as RatingsVersion;
  if (version === 'v2') {
    throw new BookinfoError('UNSUPPORTED_VERSION', 'ratings v2 needs MongoDB or MySQL and is not provided; use v1 or a variant (v-faulty, v-delayed, v-unavailable, v-unhealthy)');
  }
  throw new BookinfoError('UNSUPPORTED_VERSION', `ratings version "${version}" is not known; use one of ${RATINGS_VERSIONS.join(', ')}`);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new BookinfoError('BAD_OPTION', `ratings ${name} must be a positive number of milliseconds, got ${value}`);
  return value;
}

/** Builds the ratings request handler. */
export function createRatingsApp(deps: RatingsDeps = {}): RequestHandler {
  const version = asRatingsVersion(deps.version ?? 'v1');
  const settings = {
    delayMs: positive('delayMs', deps.delayMs, RATINGS_DELAY_MS),
    periodMs: positive('togglePeriodMs', deps.togglePeriodMs, defaultPeriodMs(version)),
  };
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const logger = deps.logger ?? silentLogger;
  const posted = new Map<number, RatingsAnswer>();

  const answer = (id: number): RatingsAnswer => posted.get(id) ?? defaultRatings(id);

  function handleGet(id: number, res: ServerResponse): void {
    const decision = decideRatingsGet(version, random(), now() - startedAt, settings);
    if (decision.kind === 'unavailable') return sendJson(res, 503, { error: 'Service unavailable' });
    if (decision.kind === 'answer') return sendJson(res, 200, answer(id));
    const timer = setTimeout(() => sendJson(res, 200, answer(id)), decision.ms);
    res.once('close', () => clearTimeout(timer));
  }

  async function handlePost(id: number, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = (await readBody(req, MAX_BODY_BYTES)).toString('utf8');
    let ratings: unknown;
    try {
      ratings = JSON.parse(body);
    } catch {
      return sendJson(res, 400, { error: 'please provide valid ratings JSON' });
    }
    posted.set(id, { id, ratings });
    return sendJson(res, 200, answer(id));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = requestUrl(req);
    if (pathname === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, ['GET']);
      const { healthy } = toggleState(version, now() - startedAt, settings.periodMs);
      return healthy ? sendJson(res, 200, { status: 'Ratings is healthy' }) : sendJson(res, 500, { status: 'Ratings is not healthy' });
    }
    if (!pathname.startsWith('/ratings/')) return sendNotFound(res, pathname);
    // ratings.js takes the last path segment through parseInt (so "12abc" is 12, "" and "abc" are errors).
    const id = parseInt(pathname.split('/').pop() ?? '', 10);
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (Number.isNaN(id)) return sendJson(res, 400, { error: 'please provide numeric product ID' });
      return handleGet(id, res);
    }
    if (req.method === 'POST') {
      if (Number.isNaN(id)) return sendJson(res, 400, { error: 'please provide numeric product ID' });
      return handlePost(id, req, res);
    }
    return sendMethodNotAllowed(res, ['GET', 'POST']);
  }

  return guardHandler(logger, handle);
}
