// Small HTTP helpers the BookInfo services share: JSON/text replies, bounded body reading, URL
// parsing, upstream base-URL validation, and the guard that turns a thrown error into a 500.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BookinfoError } from './errors';
import type { RequestHandler, ServiceLogger } from './types';

/** Sends `value` as JSON with `status`. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Sends `text` with `status` and a content type (plain text by default). */
export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Sends an HTML document with `status`. */
export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

/** Replies 405 naming the methods the path accepts. */
export function sendMethodNotAllowed(res: ServerResponse, allowed: readonly string[]): void {
  res.setHeader('allow', allowed.join(', '));
  sendText(res, 405, `method not allowed; this path accepts ${allowed.join(', ')}\n`);
}

/** Replies 404 with a short text naming the path. */
export function sendNotFound(res: ServerResponse, pathname: string): void {
  sendText(res, 404, `not found: ${pathname}\n`);
}

/** The request's path and query, parsed (the host part is irrelevant and ignored). */
export function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://service.invalid');
}

/** Thrown by {@link readBody} when the body exceeds its limit. */
export class BodyTooLargeError extends Error {
  /** Stable code. */
  readonly code = 'BODY_TOO_LARGE';
}

/** Reads the whole request body, rejecting with {@link BodyTooLargeError} past `limitBytes`. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError(`request body exceeds ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** One value of an incoming header (repeated values joined with ", "), or undefined. */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Validates an upstream base URL (`http://details:9080`, optionally with a path prefix) and
 * returns it without a trailing slash, so `${base}/details/0` is the call URL.
 */
export function upstreamBase(name: string, value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new BookinfoError('MISSING_UPSTREAM', `upstream "${name}" is required: pass its base URL, e.g. http://${name}:9080`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new BookinfoError('BAD_UPSTREAM_URL', `upstream "${name}" is not a URL: "${value}" (expected e.g. http://${name}:9080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BookinfoError('BAD_UPSTREAM_URL', `upstream "${name}" must be http: or https:, got "${value}"`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new BookinfoError('BAD_UPSTREAM_URL', `upstream "${name}" must not carry a query or fragment: "${value}"`);
  }
  return url.href.replace(/\/+$/, '');
}

/** `GET /reviews/0 200 3ms`. */
export function defaultAccessLine(req: IncomingMessage, res: ServerResponse, elapsedMs: number): string {
  return `${req.method ?? '-'} ${req.url ?? '-'} ${res.statusCode} ${elapsedMs}ms`;
}

/**
 * Wraps an async handler: logs one access line per response, and answers 500 (or destroys the
 * socket if headers already went out) when the handler throws.
 */
export function guardHandler(
  logger: ServiceLogger,
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void,
  accessLine: (req: IncomingMessage, res: ServerResponse, elapsedMs: number) => string = defaultAccessLine,
): RequestHandler {
  return (req, res) => {
    const started = Date.now();
    res.once('finish', () => logger.info(accessLine(req, res, Date.now() - started)));
    const fail = (error: unknown) => {
      logger.error(`${req.method ?? '-'} ${req.url ?? '-'} failed: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof BodyTooLargeError && !res.headersSent) {
        sendText(res, 413, `${error.message}\n`);
      } else if (!res.headersSent) {
        sendText(res, 500, 'internal server error\n');
      } else {
        res.destroy(error instanceof Error ? error : undefined);
      }
    };
    try {
      const pending = handle(req, res);
      if (pending) pending.catch(fail);
    } catch (error) {
      fail(error);
    }
  };
}
