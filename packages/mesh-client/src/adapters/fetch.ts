// Front end: the WHATWG `fetch(input, init)` signature over the mesh pipeline. Converts the call
// into a MeshRequest, and the MeshResponse back into a standard `Response`.

import { Readable } from 'node:stream';
import type { MeshRequest, MeshResponse } from '../request';
import { toHeaderMap } from '../request';

/** The pipeline every front end calls. */
export type MeshHandler = (request: MeshRequest) => Promise<MeshResponse>;

const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Builds a `fetch`-compatible function that sends every request through `handle`. Mesh local
 * replies (404 NR, 503 UH, 504 UT …) resolve as Responses, as Envoy sends them; an aborted request
 * rejects with the signal's reason; failures with no HTTP answer reject with a coded MeshError.
 */
export function createMeshFetch(handle: MeshHandler): typeof fetch {
  return async function meshFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const request = await toMeshRequest(input, init);
    let response: MeshResponse;
    try {
      response = await handle(request);
    } catch (error) {
      // WHATWG fetch rejects an aborted request with the signal's reason (an AbortError by default).
      if (request.signal?.aborted) throw request.signal.reason;
      throw error;
    }
    return toWebResponse(response, request, urlOf(input));
  } as typeof fetch;
}

function urlOf(input: string | URL | Request): string {
  return typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
}

/** Converts fetch arguments into a MeshRequest (bodies are buffered so retries can resend them, except streams). */
export async function toMeshRequest(input: string | URL | Request, init: RequestInit = {}): Promise<MeshRequest> {
  const url = new URL(urlOf(input));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`mesh.fetch supports http: and https: URLs, got ${url.protocol} in ${url.href}`);
  }
  const isRequest = typeof input === 'object' && !(input instanceof URL);
  const method = (init.method ?? (isRequest ? (input as Request).method : 'GET')).toUpperCase();
  const headers = toHeaderMap(init.headers ?? (isRequest ? (input as Request).headers : undefined));
  const signal = init.signal ?? (isRequest ? (input as Request).signal : undefined) ?? undefined;
  let body: Buffer | Readable | undefined;
  const rawBody = init.body !== undefined ? init.body : isRequest ? (input as Request).body : null;
  if (rawBody != null) {
    if (typeof rawBody === 'string') {
      body = Buffer.from(rawBody);
      headers['content-type'] ??= 'text/plain;charset=UTF-8';
    } else if (Buffer.isBuffer(rawBody) || rawBody instanceof Uint8Array) {
      body = Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
    } else if (rawBody instanceof ArrayBuffer) {
      body = Buffer.from(rawBody);
    } else if (rawBody instanceof ReadableStream) {
      body = Readable.fromWeb(rawBody as import('node:stream/web').ReadableStream);
    } else {
      // Blob, FormData, URLSearchParams: let the platform serialise it and pick the content type.
      const serialised = new Request(url, { method: 'POST', body: rawBody as RequestInit['body'] });
      body = Buffer.from(await serialised.arrayBuffer());
      const type = serialised.headers.get('content-type');
      if (type) headers['content-type'] ??= type;
    }
  }
  if (body !== undefined && Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
  return {
    authority: url.host,
    scheme: url.protocol === 'https:' ? 'https' : 'http',
    method,
    path: `${url.pathname}${url.search}`,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(signal ? { signal } : {}),
  };
}

/** Converts a MeshResponse into a WHATWG Response whose `url` is the caller's URL. */
export function toWebResponse(response: MeshResponse, request: MeshRequest, url: string): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (value !== undefined) headers.append(name, String(value));
  }
  let body: ReadableStream | null = null;
  if (NULL_BODY_STATUS.has(response.status) || request.method === 'HEAD') {
    response.body.resume();
  } else {
    body = Readable.toWeb(response.body) as ReadableStream;
  }
  const web = new Response(body, {
    status: response.status,
    ...(response.statusText ? { statusText: response.statusText } : {}),
    headers,
  });
  Object.defineProperty(web, 'url', { value: url });
  return web;
}
