// The ingress gateway's HTTP edge: turns a downstream node:http request into a MeshRequest (the
// authority from Host, hop-by-hop headers dropped, x-forwarded-* and x-request-id added as Envoy's
// edge does) and streams a MeshResponse back, cutting the upstream when the client goes away.

import { requestId } from '../pipeline/request-id';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { HeaderMap, MeshRequest, MeshResponse } from '../request';

/** Headers that describe one connection, never forwarded (RFC 9110 §7.6.1; Envoy strips the same). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authenticate', 'proxy-authorization']);

/** Request bodies up to this size are buffered (so the route's retries can resend them); larger ones stream. */
export const MAX_BUFFERED_BODY_BYTES = 1024 * 1024;

/** What the edge knows about the connection a request came in on. */
export interface DownstreamInfo {
  readonly remoteAddress: string;
  readonly scheme: 'http' | 'https';
}

/** Request headers as the mesh should forward them: lower-case, no hop-by-hop ones, Host taken out (it is the authority). */
export function forwardedRequestHeaders(raw: IncomingMessage['headers'], downstream: DownstreamInfo): HeaderMap {
  const headers: HeaderMap = {};
  const connectionListed = new Set(String(raw['connection'] ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean));
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined || name === 'host' || HOP_BY_HOP.has(name) || connectionListed.has(name)) continue;
    headers[name] = Array.isArray(value) ? [...value] : value;
  }
  const prior = headers['x-forwarded-for'];
  const chain = [prior === undefined ? [] : Array.isArray(prior) ? prior : [prior]].flat();
  headers['x-forwarded-for'] = [...chain, downstream.remoteAddress].join(', ');
  headers['x-forwarded-proto'] = downstream.scheme;
  headers['x-request-id'] ??= requestId();
  return headers;
}

/** True when the request declares a body (content-length > 0 or chunked). */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** Reads a body of known small size into memory; otherwise returns the stream itself. */
async function requestBody(req: IncomingMessage): Promise<Buffer | Readable | undefined> {
  if (!hasBody(req)) {
    req.resume();
    return undefined;
  }
  const length = Number(req.headers['content-length'] ?? NaN);
  if (!Number.isFinite(length) || length > MAX_BUFFERED_BODY_BYTES) return req;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Converts a downstream request into the MeshRequest the gateway routes (`signal` aborts it when the client leaves). */
export async function toMeshRequest(req: IncomingMessage, downstream: DownstreamInfo, signal: AbortSignal): Promise<MeshRequest> {
  const authority = req.headers[':authority'] ?? req.headers.host ?? '';
  const body = await requestBody(req);
  const headers = forwardedRequestHeaders(req.headers, downstream);
  if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
  return {
    authority: String(authority),
    scheme: downstream.scheme,
    method: (req.method ?? 'GET').toUpperCase(),
    path: req.url ?? '/',
    headers,
    ...(body !== undefined ? { body } : {}),
    signal,
  };
}

/** Response headers for the downstream client: hop-by-hop ones dropped (node:http frames the body itself). */
export function downstreamResponseHeaders(headers: HeaderMap): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || value === undefined) continue;
    out[lower] = value;
  }
  return out;
}

/** Streams `response` to the client; destroys the upstream body if the client disconnects first. */
export function writeMeshResponse(res: ServerResponse, response: MeshResponse, method: string): Promise<void> {
  return new Promise((resolve) => {
    res.writeHead(response.status, response.statusText, downstreamResponseHeaders(response.headers));
    if (method === 'HEAD' || response.status === 204 || response.status === 304) {
      response.body.resume();
      res.end(resolve);
      return;
    }
    const done = () => {
      res.off('close', onClose);
      resolve();
    };
    const onClose = () => {
      if (!res.writableFinished) response.body.destroy();
      done();
    };
    res.once('close', onClose);
    response.body.once('error', () => res.destroy());
    response.body.pipe(res);
  });
}

/** Answers with a plain-text local reply (the gateway's own errors, e.g. the mesh failing unexpectedly). */
export function writeLocalReply(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), ...extra });
  res.end(body);
}
