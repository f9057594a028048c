// BookInfo's details service (Ruby/WEBrick in Istio's original): `/details/{id}` answers the
// book's details; v2 fetches them from the Google Books API through the injected fetch.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BookinfoError } from './errors';
import { guardHandler, requestUrl, sendJson, sendMethodNotAllowed, sendNotFound, upstreamBase } from './http-util';
import { backendForwardHeaders } from './propagation';
import type { FetchLike, RequestHandler, ServiceLogger } from './types';
import { silentLogger } from './types';
import { getJson } from './upstream-call';

/** details-v2's read timeout towards the external book service (details.rb `read_timeout = 5`). */
export const DETAILS_EXTERNAL_TIMEOUT_MS = 5_000;

/** The ISBN details-v2 looks up: an edition of The Comedy of Errors with Shakespeare as sole author. */
export const DETAILS_EXTERNAL_ISBN = '0486424618';

/** The default base URL of the external book service (details-v2). */
export const GOOGLE_BOOKS_BASE = 'https://www.googleapis.com';

/** Everything the details service needs. */
export interface DetailsDeps {
  readonly fetch: FetchLike;
  /** `books`: base URL of the Google Books API, used by v2 only (default {@link GOOGLE_BOOKS_BASE}). */
  readonly upstreams?: { readonly books?: string };
  /** `v1` (static details, default) or `v2` (ENABLE_EXTERNAL_BOOK_SERVICE). */
  readonly version?: string;
  readonly logger?: ServiceLogger;
}

/** The details JSON shape (swagger `ProductDetails`; v2 may carry other value types from the API). */
export interface BookDetails {
  readonly id: number;
  readonly author: unknown;
  readonly year: unknown;
  readonly type: string;
  readonly pages: unknown;
  readonly publisher: unknown;
  readonly language: string;
  readonly 'ISBN-10': unknown;
  readonly 'ISBN-13': unknown;
}

/** details-v1's answer for product `id`. */
export function staticBookDetails(id: number): BookDetails {
  return {
    id,
    author: 'William Shakespeare',
    year: 1595,
    type: 'paperback',
    pages: 200,
    publisher: 'PublisherA',
    language: 'English',
    'ISBN-10': '1234567890',
    'ISBN-13': '123-1234567890',
  };
}

/** Maps a Google Books `volumes` answer to {@link BookDetails}, as details-v2 does; throws on a missing field. */
export function detailsFromGoogleBooks(id: number, answer: unknown): BookDetails {
  const items = (answer as { items?: unknown } | null)?.items;
  const book = Array.isArray(items) ? (items[0] as { volumeInfo?: Record<string, unknown> } | undefined)?.volumeInfo : undefined;
  if (!book) throw new Error('the book service answered without items[0].volumeInfo');
  const isbn = (type: string): unknown => {
    const identifiers = book['industryIdentifiers'];
    const found = Array.isArray(identifiers)
      ? (identifiers as Array<{ type?: unknown; identifier?: unknown }>).find((entry) => entry.type === type)
      : undefined;
    if (!found) throw new Error(`the book service answered without an ${type} identifier`);
    return found.identifier;
  };
  const authors = book['authors'];
  return {
    id,
    author: Array.isArray(authors) ? authors[0] : undefined,
    year: book['publishedDate'],
    type: book['printType'] === 'BOOK' ? 'paperback' : 'unknown',
    pages: book['pageCount'],
    publisher: book['publisher'],
    language: book['language'] === 'en' ? 'English' : 'unknown',
    'ISBN-10': isbn('ISBN_10'),
    'ISBN-13': isbn('ISBN_13'),
  };
}

/** Parses the product id as details.rb's `Integer(...)` does for decimal input; undefined if not numeric. */
export function parseDetailsId(segment: string): number | undefined {
  const trimmed = segment.trim();
  return /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** Builds the details request handler. */
export function createDetailsApp(deps: DetailsDeps): RequestHandler {
  const version = deps.version ?? 'v1';
  if (version !== 'v1' && version !== 'v2') {
    throw new BookinfoError('UNSUPPORTED_VERSION', `details version "${version}" is not known; use v1 or v2`);
  }
  const booksBase = upstreamBase('books', deps.upstreams?.books ?? GOOGLE_BOOKS_BASE);
  const logger = deps.logger ?? silentLogger;

  async function bookDetails(id: number, req: IncomingMessage): Promise<BookDetails> {
    if (version === 'v1') return staticBookDetails(id);
    const url = `${booksBase}/books/v1/volumes?q=isbn:${DETAILS_EXTERNAL_ISBN}`;
    const outcome = await getJson(deps.fetch, url, { headers: backendForwardHeaders(req.headers), timeoutMs: DETAILS_EXTERNAL_TIMEOUT_MS });
    if (!outcome.ok) throw new Error(`could not fetch book details from ${booksBase}: ${outcome.reason}`);
    return detailsFromGoogleBooks(id, outcome.json);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = requestUrl(req);
    if (pathname === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, ['GET']);
      return sendJson(res, 200, { status: 'Details is healthy' });
    }
    if (pathname === '/details' || pathname.startsWith('/details/')) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return sendMethodNotAllowed(res, ['GET']);
      const id = parseDetailsId(pathname.split('/').pop() ?? '');
      if (id === undefined) return sendJson(res, 400, { error: 'please provide numeric product id' });
      try {
        return sendJson(res, 200, await bookDetails(id, req));
      } catch (error) {
        // details.rb answers every failure of the lookup with 400 and the error's text.
        return sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
      }
    }
    return sendNotFound(res, pathname);
  }

  return guardHandler(logger, handle);
}
