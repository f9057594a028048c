// Where JWTs sit in an inbound request and how the request changes around them (pure): extraction from
// headers (with value prefix), query parameters and cookies as Envoy's jwt_authn does; removal of a
// verified token that is not forwarded; and the payload/claim headers written for the application.

import type { TokenLocation } from '../snapshot/compile-jwt';

/** Header map with every header as a list (req.headersDistinct). */
export type DistinctHeaders = Readonly<Record<string, readonly string[] | undefined>>;

/** One token found in the request, with every place it was found. */
export interface FoundToken {
  readonly token: string;
  readonly places: readonly TokenLocation[];
}

/** The query string of a request target (without `?` and fragment), '' when none. */
function queryOf(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return url.slice(q + 1, hash < 0 ? undefined : hash);
}

function decodeComponent(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** Every `name=value` pair of a query string, decoded. */
function queryPairs(query: string): [string, string][] {
  if (query === '') return [];
  return query.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? [decodeComponent(p), ''] : [decodeComponent(p.slice(0, eq)), decodeComponent(p.slice(eq + 1))];
  });
}

/** Every `name=value` of the Cookie header(s). */
function cookiePairs(headers: DistinctHeaders): [string, string][] {
  return (headers['cookie'] ?? []).flatMap((line) => line.split(';')).map((c) => c.trim()).filter((c) => c !== '').map((c) => {
    const eq = c.indexOf('=');
    return eq < 0 ? [c, ''] : [c.slice(0, eq).trim(), c.slice(eq + 1).trim()];
  });
}

/** The token in one header value after `prefix` (case-insensitive, as the auth-scheme is), else undefined. */
function afterPrefix(value: string, prefix: string): string | undefined {
  if (prefix === '') return value.trim() || undefined;
  if (value.length < prefix.length || value.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return undefined;
  return value.slice(prefix.length).trim() || undefined;
}

/** The values at one location (a header without the prefix yields nothing there). */
function valuesAt(location: TokenLocation, url: string, headers: DistinctHeaders): string[] {
  switch (location.kind) {
    case 'header': return (headers[location.name] ?? []).map((v) => afterPrefix(v, location.prefix)).filter((v): v is string => v !== undefined);
    case 'param': return queryPairs(queryOf(url)).filter(([k, v]) => k === location.name && v !== '').map(([, v]) => v);
    case 'cookie': return cookiePairs(headers).filter(([k, v]) => k === location.name && v !== '').map(([, v]) => v);
  }
}

/** Every distinct token at `locations`, in order of first appearance, with where each was found. */
export function extractTokens(locations: readonly TokenLocation[], url: string, headers: DistinctHeaders): FoundToken[] {
  const found = new Map<string, TokenLocation[]>();
  for (const location of locations) {
    for (const token of valuesAt(location, url, headers)) {
      const places = found.get(token) ?? [];
      if (!places.includes(location)) places.push(location);
      found.set(token, places);
    }
  }
  return [...found].map(([token, places]) => ({ token, places }));
}

/** Changes to make to the request before authorization and the application see it. */
export interface RequestEdit {
  /** The request target with removed token parameters. */
  readonly url: string;
  /** Header names to delete entirely. */
  readonly removeHeaders: readonly string[];
  /** Cookie names to delete from the Cookie header. */
  readonly removeCookies: readonly string[];
  /** Headers to set (after removal). */
  readonly setHeaders: Readonly<Record<string, string>>;
}

/** `url` without the query parameters named in `names` (other parameters keep their exact bytes). */
export function removeQueryParams(url: string, names: ReadonlySet<string>): string {
  if (names.size === 0) return url;
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const kept = query.split('&').filter((p) => {
    if (p === '') return false;
    const eq = p.indexOf('=');
    return !names.has(decodeComponent(eq < 0 ? p : p.slice(0, eq)));
  });
  return `${url.slice(0, q)}${kept.length > 0 ? `?${kept.join('&')}` : ''}${hash < 0 ? '' : url.slice(hash)}`;
}

/** The Cookie header value without the cookies named in `names`; undefined when nothing is left. */
export function removeCookies(lines: readonly string[], names: ReadonlySet<string>): string | undefined {
  const kept = lines.flatMap((l) => l.split(';')).map((c) => c.trim()).filter((c) => {
    if (c === '') return false;
    const eq = c.indexOf('=');
    return !names.has((eq < 0 ? c : c.slice(0, eq)).trim());
  });
  return kept.length > 0 ? kept.join('; ') : undefined;
}

/** A claim by name, or by a dotted path into nested objects (`a.b`), as claim_to_headers reads it. */
export function claimValue(payload: Readonly<Record<string, unknown>>, claim: string): unknown {
  if (Object.hasOwn(payload, claim)) return payload[claim];
  let node: unknown = payload;
  for (const key of claim.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node) || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A claim as a header value: strings, numbers and booleans only (Envoy skips other claim types). */
export function claimHeaderValue(value: unknown): string | undefined {
  if (typeof value === 'string') return /[\0\r\n]/.test(value) ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}
