// The catalogue of runnable services: name → factory, their upstream names and default
// upstream URLs (Istio's short names on port 9080). Used by the CLI and by whoever starts
// services in-process with another fetch (e.g. `mesh.fetch`).
import { createHttpbinApp } from '../support/httpbin';
import { createDetailsApp, GOOGLE_BOOKS_BASE } from './details';
import { BookinfoError } from './errors';
import { createProductpageApp } from './productpage/app';
import { createRatingsApp } from './ratings';
import { createReviewsApp } from './reviews';
import type { FetchLike, RequestHandler, ServiceLogger } from './types';

/** Every service the catalogue can build. */
export const SERVICE_NAMES = ['productpage', 'details', 'reviews', 'ratings', 'httpbin'] as const;

/** One of {@link SERVICE_NAMES}. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** The upstreams each service calls, with their defaults (the names the mesh resolves). */
export const DEFAULT_UPSTREAMS: Readonly<Record<ServiceName, Readonly<Record<string, string>>>> = Object.freeze({
  productpage: { details: 'http://details:9080', reviews: 'http://reviews:9080', ratings: 'http://ratings:9080' },
  details: { books: GOOGLE_BOOKS_BASE },
  reviews: { ratings: 'http://ratings:9080' },
  ratings: {},
  httpbin: {},
});

/** The port each service listens on by default (BookInfo 9080; httpbin's Service port 8000). */
export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = Object.freeze({
  productpage: 9080,
  details: 9080,
  reviews: 9080,
  ratings: 9080,
  httpbin: 8000,
});

/** The flood factor of the productpage-v-flooding image. */
export const PRODUCTPAGE_FLOOD_FACTOR = 100;

/** What to build: the service, its version, upstream URLs and per-service options. */
export interface ServiceSpec {
  readonly service: ServiceName;
  readonly version: string;
  /** Upstream base URLs by name; missing names take {@link DEFAULT_UPSTREAMS}. */
  readonly upstreams: Readonly<Record<string, string>>;
  /** reviews: `podname` in answers. */
  readonly podName?: string;
  /** reviews: `clustername` in answers. */
  readonly clusterName?: string;
  /** reviews: star colour override. */
  readonly starColor?: string;
  /** productpage: session signing secret. */
  readonly sessionSecret?: string;
  /** productpage: extra reviews calls per page. */
  readonly floodFactor?: number;
  /** ratings v-delayed: delay in ms. */
  readonly delayMs?: number;
  /** ratings v-unavailable / v-unhealthy: toggle period in ms. */
  readonly togglePeriodMs?: number;
  /** httpbin: cap of /delay in seconds. */
  readonly maxDelaySeconds?: number;
}

/** The outbound fetch and the logger the built service uses. */
export interface ServiceIo {
  readonly fetch: FetchLike;
  readonly logger?: ServiceLogger;
}

/** Narrows a string to a {@link ServiceName} or throws naming the known ones. */
export function asServiceName(name: string): ServiceName {
  if ((SERVICE_NAMES as readonly string[]).includes(name)) return name as ServiceName;
  throw new BookinfoError('UNKNOWN_SERVICE', `unknown service "${name}"; known services: ${SERVICE_NAMES.join(', ')}`);
}

/** Builds the request handler of `spec`, calling out through `io.fetch`. */
export function createServiceApp(spec: ServiceSpec, io: ServiceIo): RequestHandler {
  for (const name of Object.keys(spec.upstreams)) {
    if (!(name in DEFAULT_UPSTREAMS[spec.service])) {
      const known = Object.keys(DEFAULT_UPSTREAMS[spec.service]);
      throw new BookinfoError('BAD_FLAG', `${spec.service} has no upstream "${name}"; its upstreams are: ${known.length ? known.join(', ') : 'none'}`);
    }
  }
  const upstreams = { ...DEFAULT_UPSTREAMS[spec.service], ...spec.upstreams };
  const logger = io.logger;
  switch (spec.service) {
    case 'productpage':
      if (spec.version !== 'v1' && spec.version !== 'v-flooding') {
        throw new BookinfoError('UNSUPPORTED_VERSION', `productpage version "${spec.version}" is not known; use v1 or v-flooding`);
      }
      return createProductpageApp({
        fetch: io.fetch,
        upstreams: { details: upstreams['details']!, reviews: upstreams['reviews']!, ratings: upstreams['ratings']! },
        ...(spec.sessionSecret !== undefined ? { sessionSecret: spec.sessionSecret } : {}),
        // productpage-v-flooding is the original image built with FLOOD_FACTOR=100.
        floodFactor: spec.floodFactor ?? (spec.version === 'v-flooding' ? PRODUCTPAGE_FLOOD_FACTOR : 0),
        ...(logger ? { logger } : {}),
      });
    case 'details':
      return createDetailsApp({ fetch: io.fetch, upstreams: { books: upstreams['books']! }, version: spec.version, ...(logger ? { logger } : {}) });
    case 'reviews':
      return createReviewsApp({
        fetch: io.fetch,
        upstreams: { ratings: upstreams['ratings']! },
        version: spec.version,
        podName: spec.podName ?? `reviews-${spec.version}`,
        ...(spec.clusterName !== undefined ? { clusterName: spec.clusterName } : {}),
        ...(spec.starColor !== undefined ? { starColor: spec.starColor } : {}),
        ...(logger ? { logger } : {}),
      });
    case 'ratings':
      return createRatingsApp({
        version: spec.version,
        ...(spec.delayMs !== undefined ? { delayMs: spec.delayMs } : {}),
        ...(spec.togglePeriodMs !== undefined ? { togglePeriodMs: spec.togglePeriodMs } : {}),
        ...(logger ? { logger } : {}),
      });
    case 'httpbin':
      return createHttpbinApp({
        version: spec.version,
        ...(spec.maxDelaySeconds !== undefined ? { maxDelaySeconds: spec.maxDelaySeconds } : {}),
        ...(logger ? { logger } : {}),
      });
  }
}
