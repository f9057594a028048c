// Reading request bodies (size limit, content type, JSON with the error position) and writing
// JSON responses for the admin API. Plain node:http; no framework.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error';

/** Default largest request body accepted (8 MiB); larger bodies get 413. */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Writes `value` as a JSON response. */
export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value, null, 2) + '\n';
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(body);
}

/** Writes an ApiError as `{ code, message, details }`. */
export function sendError(res: ServerResponse, error: ApiError, headers: Record<string, string> = {}): void {
  sendJson(res, error.status, error.body(), headers);
}

/**
 * Reads and parses a JSON request body. 415 unless Content-Type is application/json (or *+json),
 * 413 past `maxBytes`, 400 with line/column for malformed JSON.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type.endsWith('+json')) {
    throw new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', `request body must be JSON (Content-Type: application/json), got ${type ? `"${type}"` : 'no Content-Type'}`);
  }
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      req.resume(); // drain the rest so the connection can answer
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  return parseJsonText(Buffer.concat(chunks).toString('utf8'));
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${maxBytes} bytes; split the apply into smaller batches`, { limit: maxBytes });
}

/** JSON.parse that fails with 400 naming the line, column and offset of the first syntax error. */
export function parseJsonText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const offset = jsonErrorOffset(text);
    const { line, column } = lineAndColumn(text, offset);
    const reason = (error as Error).message.split('\n')[0]!.replace(/, ".*$/, '');
    throw new ApiError(400, 'BAD_JSON', `request body is not valid JSON at line ${line}, column ${column} (offset ${offset}): ${reason}`, { line, column, offset });
  }
}

/**
 * Offset of the first JSON syntax error. V8 names the position only for some errors, so this finds
 * the shortest prefix that is already wrong (not merely unfinished): a prefix that is wrong stays wrong.
 */
export function jsonErrorOffset(text: string): number {
  const brokenAt = (length: number): boolean => {
    try {
      JSON.parse(text.slice(0, length));
      return false;
    } catch (error) {
      const message = (error as Error).message;
      if (message.startsWith('Unexpected end of JSON input')) return false;
      const at = /at position (\d+)/.exec(message);
      return !(at && Number(at[1]) >= length);
    }
  };
  if (!brokenAt(text.length)) return text.length;
  let low = 0; // not broken (the empty prefix is only unfinished)
  let high = text.length; // broken
  while (high - low > 1) {
    const mid = (low + high) >> 1;
    if (brokenAt(mid)) high = mid;
    else low = mid;
  }
  return high - 1;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return { line, column };
}
