// A small method + path router for the admin API. Patterns are slash-separated segments where
// `:name` captures one non-empty segment; a path that matches with another method yields 405.

import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a handler gets: the raw request/response, captured path parameters and the query. */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

/** Methods the admin API serves. */
export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

/** One route. `write` routes require the bearer token. */
export interface Route {
  readonly method: HttpMethod;
  readonly pattern: string;
  readonly write?: boolean;
  /** Replaces the default check (writes: token; reads: token unless on loopback) for this route. */
  readonly authorize?: (authorization: string | undefined, loopback: boolean) => boolean;
  readonly handler: (ctx: RequestContext) => Promise<void> | void;
}

/** Result of routing one request. */
export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly HttpMethod[] }
  | { readonly kind: 'not-found' };

/**
 * Splits a request target into decoded path segments and the query. Returns undefined for targets
 * that are not plain origin-form paths (absolute-form, empty segments such as `//`, `.`/`..`, bad escapes).
 */
export function parseTarget(target: string): { segments: string[]; query: URLSearchParams } | undefined {
  if (!target.startsWith('/') || target.includes('#')) return undefined;
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  if (rawPath === '/') return { segments: [], query };
  const raw = rawPath.slice(1).replace(/\/$/, '').split('/');
  const segments: string[] = [];
  for (const part of raw) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      return undefined;
    }
    if (decoded === '' || decoded === '.' || decoded === '..' || decoded.includes('/')) return undefined;
    segments.push(decoded);
  }
  return { segments, query };
}

/**
 * Routes a request. Among patterns matching the path, the most specific one (fewest `:` captures)
 * decides; a method it does not serve yields 405 with the methods it does.
 */
export function matchRoute(routes: readonly Route[], method: string, segments: readonly string[]): RouteMatch {
  let best: { route: Route; params: Record<string, string>; captures: number }[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (!params) continue;
    const captures = Object.keys(params).length;
    if (best.length === 0 || captures < best[0]!.captures) best = [{ route, params, captures }];
    else if (captures === best[0]!.captures && route.pattern === best[0]!.route.pattern) best.push({ route, params, captures });
  }
  if (best.length === 0) return { kind: 'not-found' };
  const hit = best.find((b) => b.route.method === method);
  if (hit) return { kind: 'found', route: hit.route, params: hit.params };
  return { kind: 'method-not-allowed', allow: [...new Set(best.map((b) => b.route.method))] };
}

function matchPattern(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = pattern.split('/').filter(Boolean);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.startsWith(':')) params[part.slice(1)] = segments[i]!;
    else if (part !== segments[i]) return undefined;
  }
  return params;
}
