// BookInfo's productpage (Python/Flask in Istio's original): the HTML page, the index page,
// login/logout with a session cookie, the `/api/v1/products…` API, `/health` and `/metrics`.
// Calls details then reviews sequentially through the injected fetch.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BookinfoError } from '../errors';
import { guardHandler, headerOf, readBody, requestUrl, sendHtml, sendJson, sendMethodNotAllowed, sendNotFound, sendText, upstreamBase } from '../http-util';
import { productpageForwardHeaders } from '../propagation';
import type { FetchLike, RequestHandler, ServiceLogger } from '../types';
import { silentLogger } from '../types';
import { avatarPng } from './assets';
import type { BackendResult } from './backends';
import { productpageBackends } from './backends';
import { renderIndexPage, serviceTree } from './index-page-html';
import { RequestResultCounter } from './metrics';
import { renderProductPage } from './product-page-html';
import { PRODUCTS, PRODUCT_PAGE_ID, findProduct } from './products';
import { DEFAULT_SESSION_SECRET, loginCookie, logoutCookie, sessionUser } from './session';

const MAX_FORM_BYTES = 64 * 1024;

/** Everything productpage needs. */
export interface ProductpageDeps {
  readonly fetch: FetchLike;
  /** Base URLs such as `http://details:9080` (names the mesh resolves; loopback URLs in tests). */
  readonly upstreams: { readonly details: string; readonly reviews: string; readonly ratings: string };
  /** Secret signing the session cookie; replicas share sessions when they share it. Default {@link DEFAULT_SESSION_SECRET}. */
  readonly sessionSecret?: string;
  /** Extra reviews calls per page view (the original's FLOOD_FACTOR, productpage-v-flooding). Default 0. */
  readonly floodFactor?: number;
  readonly logger?: ServiceLogger;
}

/** Reads the `username` field of a login POST (query string first, then the urlencoded or multipart form). */
async function loginUsername(req: IncomingMessage, url: URL): Promise<string | undefined> {
  const fromQuery = url.searchParams.get('username');
  if (fromQuery !== null) return fromQuery;
  const contentType = headerOf(req, 'content-type');
  const body = await readBody(req, MAX_FORM_BYTES);
  if (!contentType || body.length === 0) return undefined;
  try {
    const form = await new Request('http://form.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
    const value = form.get('username');
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function redirectBack(req: IncomingMessage, res: ServerResponse, setCookie: string): void {
  const location = headerOf(req, 'referer') ?? '/productpage';
  const html = `<!doctype html>\n<title>Redirecting...</title>\n<h1>Redirecting...</h1>\n<p>You should be redirected automatically to the target URL: <a href="${location.replace(/"/g, '&quot;')}">${location.replace(/</g, '&lt;')}</a>.</p>\n`;
  res.writeHead(302, { location, 'set-cookie': setCookie, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

function sendResult(res: ServerResponse, result: BackendResult): void {
  sendJson(res, result.status, result.body);
}

/** Builds the productpage request handler. */
export function createProductpageApp(deps: ProductpageDeps): RequestHandler {
  const upstreams = {
    details: upstreamBase('details', deps.upstreams.details),
    reviews: upstreamBase('reviews', deps.upstreams.reviews),
    ratings: upstreamBase('ratings', deps.upstreams.ratings),
  };
  const floodFactor = deps.floodFactor ?? 0;
  if (!Number.isInteger(floodFactor) || floodFactor < 0) {
    throw new BookinfoError('BAD_OPTION', `productpage floodFactor must be a non-negative integer, got ${floodFactor}`);
  }
  const secret = deps.sessionSecret ?? DEFAULT_SESSION_SECRET;
  const logger = deps.logger ?? silentLogger;
  const counter = new RequestResultCounter();
  const backends = productpageBackends(deps.fetch, upstreams, (app, status, reason) => {
    counter.increment(app, status);
    if (reason) logger.error(`${app} call failed (${status}): ${reason}`);
  });
  const indexHtml = renderIndexPage(serviceTree(upstreams));
  const avatar = avatarPng();

  async function productPage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const user = sessionUser(secret, headerOf(req, 'cookie'));
    const headers = productpageForwardHeaders(req.headers, user);
    const id = String(PRODUCT_PAGE_ID);
    const details = await backends.details(id, headers);
    if (floodFactor > 0) {
      await Promise.allSettled(Array.from({ length: floodFactor }, () => backends.reviews(id, headers)));
    }
    const reviews = await backends.reviews(id, headers);
    // Always 200, whatever the backends answered (the original renders without a status).
    sendHtml(res, 200, renderProductPage({ product: findProduct(PRODUCT_PAGE_ID)!, user, details, reviews }));
  }

  async function api(req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> {
    const match = /^\/([^/]+)(?:\/(reviews|ratings))?$/.exec(rest);
    if (!match) return sendNotFound(res, `/api/v1/products${rest}`);
    let id: string;
    try {
      id = decodeURIComponent(match[1]!);
    } catch {
      return sendNotFound(res, `/api/v1/products${rest}`);
    }
    const headers = productpageForwardHeaders(req.headers, sessionUser(secret, headerOf(req, 'cookie')));
    if (match[2] === 'reviews') return sendResult(res, await backends.reviews(id, headers));
    if (match[2] === 'ratings') return sendResult(res, await backends.ratings(id, headers));
    return sendResult(res, await backends.details(id, headers));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = requestUrl(req);
    const { pathname } = url;
    const method = req.method ?? 'GET';
    const isGet = method === 'GET' || method === 'HEAD';

    if (pathname === '/login') {
      if (method !== 'POST') return sendMethodNotAllowed(res, ['POST']);
      const user = await loginUsername(req, url);
      return redirectBack(req, res, user ? loginCookie(secret, user) : logoutCookie());
    }
    const getRoutes: Record<string, () => Promise<void> | void> = {
      '/': () => sendHtml(res, 200, indexHtml),
      '/index.html': () => sendHtml(res, 200, indexHtml),
      '/health': () => sendText(res, 200, 'Product page is healthy', 'text/html; charset=utf-8'),
      '/productpage': () => productPage(req, res),
      '/logout': () => redirectBack(req, res, logoutCookie()),
      '/metrics': () => sendText(res, 200, counter.render(), 'text/plain; version=0.0.4; charset=utf-8'),
      '/api/v1/products': () => sendJson(res, 200, PRODUCTS),
      '/static/img/izzy.png': () => {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': avatar.length });
        res.end(avatar);
      },
    };
    const route = getRoutes[pathname];
    const isApi = pathname.startsWith('/api/v1/products/');
    if (!route && !isApi) return sendNotFound(res, pathname);
    if (!isGet) return sendMethodNotAllowed(res, ['GET']);
    if (route) return route();
    return api(req, res, pathname.slice('/api/v1/products'.length));
  }

  return guardHandler(logger, handle);
}
