// Request hash for consistent-hash load balancing (RouteAction.hash_policy), as Envoy's
// HashPolicyImpl::generateHash: policies combined by rotate-left-1 XOR, `terminal` stops early.

import { defaultRandom, type RandomSource } from '../balancing/random';
import { uint64ToHex, xxhash64 } from '../balancing/xxhash64';
import type { RequestView } from './request-view';
import type { HashPolicy } from './types';

/** A cookie Envoy would set on the response (cookie hash policy with ttl, cookie absent). */
export interface CookieToSet {
  readonly name: string;
  readonly value: string;
  /** The full Set-Cookie header value, formatted as Envoy does. */
  readonly header: string;
}

/** The request hash (undefined when no policy produced one: the balancer then picks at random). */
export interface RequestHash {
  readonly hash?: bigint;
  readonly setCookies: readonly CookieToSet[];
}

const MASK = 0xffffffffffffffffn;

/**
 * Evaluates hash policies in order. header: xxHash64 of all values of the header (sorted, so order
 * does not matter), after the optional regex rewrite; cookie: xxHash64 of the cookie value — when
 * absent and a ttl is set, a cookie is generated (16 hex digits of xxHash64 of `cookieSeed`, or of
 * a random value) and hashed instead; source_ip: xxHash64 of `request.sourceAddress`;
 * query_parameter: xxHash64 of its first value; filter_state: never in-process.
 */
export function computeRequestHash(
  policies: readonly HashPolicy[], view: RequestView,
  options: { readonly random?: RandomSource; readonly cookieSeed?: string } = {},
): RequestHash {
  let hash: bigint | undefined;
  const setCookies: CookieToSet[] = [];
  for (const policy of policies) {
    const next = evaluate(policy, view, options, setCookies);
    if (next !== undefined) {
      const old = hash === undefined ? 0n : ((hash << 1n) | (hash >> 63n)) & MASK;
      hash = old ^ next;
    }
    if (policy.terminal && hash !== undefined) break;
  }
  return hash === undefined ? { setCookies } : { hash, setCookies };
}

function evaluate(
  policy: HashPolicy, view: RequestView, options: { readonly random?: RandomSource; readonly cookieSeed?: string }, setCookies: CookieToSet[],
): bigint | undefined {
  switch (policy.kind) {
    case 'header': {
      const values = view.headerValues(policy.name);
      if (values === undefined) return undefined;
      const rewritten = values.map((v) => (policy.regexRewrite ? policy.regexRewrite.apply(v) : v)).sort();
      return xxhash64(rewritten.join(''));
    }
    case 'cookie': {
      const value = cookieValue(view.headerValues('cookie'), policy.name);
      if (value !== undefined) return xxhash64(value);
      if (policy.ttlMs === undefined) return undefined;
      const seed = options.cookieSeed ?? String(Math.floor((options.random ?? defaultRandom)() * 2 ** 52));
      const generated = uint64ToHex(xxhash64(seed));
      setCookies.push({ name: policy.name, value: generated, header: setCookieHeader(policy, generated) });
      return xxhash64(generated);
    }
    case 'source_ip': {
      const ip = view.request.sourceAddress;
      return ip === undefined || ip === '' ? undefined : xxhash64(ip);
    }
    case 'query_parameter': {
      const value = view.queryParam(policy.name);
      return value === undefined ? undefined : xxhash64(value);
    }
    case 'filter_state':
      return undefined;
  }
}

/** The value of cookie `name` in Cookie header(s), quotes stripped (Http::Utility::parseCookieValue). */
export function cookieValue(cookieHeaders: readonly string[] | undefined, name: string): string | undefined {
  if (!cookieHeaders) return undefined;
  for (const header of cookieHeaders) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
      let value = part.slice(eq + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value;
    }
  }
  return undefined;
}

function setCookieHeader(policy: Extract<HashPolicy, { kind: 'cookie' }>, value: string): string {
  let header = `${policy.name}="${value}"`;
  if (policy.ttlMs !== undefined && policy.ttlMs > 0) header += `; Max-Age=${Math.floor(policy.ttlMs / 1000)}`;
  if (policy.path !== undefined) header += `; Path=${policy.path}`;
  for (const a of policy.attributes) header += a.value === '' ? `; ${a.name}` : `; ${a.name}=${a.value}`;
  return `${header}; HttpOnly`;
}
