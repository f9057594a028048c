// Envoy matchers for AuthorizationPolicy values, as Istio's authz matcher package builds them: string,
// header, host, path (with templates), CIDR and JWT-metadata matchers. Every regex built here escapes
// the policy's literal text (CVE-2026-39350: a dot is never a wildcard).

import net from 'node:net';
import type { EnvoyObject } from './envoy-names';

/** The dynamic-metadata namespace Envoy's jwt_authn filter writes the verified payload under. */
export const JWT_AUTHN_FILTER = 'envoy.filters.http.jwt_authn';
/** The key under JWT_AUTHN_FILTER holding the payload (Istio's EnvoyJwtFilterPayload). */
export const JWT_PAYLOAD_KEY = 'payload';
/** The SPIFFE URI prefix Istio adds to principals (they are written without it in policies). */
export const SPIFFE_PREFIX = 'spiffe://';

/** Characters RE2 treats specially outside a character class. */
const RE2_META = /[\\^$.|?*+()[\]{}]/g;

/** Escapes `text` so that RE2 matches it literally. */
export function regexEscape(text: string): string {
  return text.replace(RE2_META, (c) => `\\${c}`);
}

/** A StringMatcher with a safe_regex (Envoy full-match semantics). */
export function regexMatcher(regex: string): EnvoyObject {
  return { safe_regex: { regex } };
}

/**
 * Istio's StringMatcherWithPrefix: `*` → regex `.+` (any non-empty value, `prefix` ignored);
 * `*x` → suffix x (or regex `<prefix>.*x` when a prefix is added); `x*` → prefix `<prefix>x`;
 * anything else → exact `<prefix>value`.
 */
export function stringMatcher(value: string, prefix = ''): EnvoyObject {
  if (value === '*') return regexMatcher('.+');
  if (value.startsWith('*')) {
    const suffix = value.slice(1);
    return prefix === '' ? { suffix } : regexMatcher(`${regexEscape(prefix)}.*${regexEscape(suffix)}`);
  }
  if (value.endsWith('*')) return { prefix: prefix + value.slice(0, -1) };
  return { exact: prefix + value };
}

/** Istio's HeaderMatcher: `*` → present_match, `*x` → suffix, `x*` → prefix, else exact (case-sensitive). */
export function headerMatcher(name: string, value: string, ignoreCase = false): EnvoyObject {
  const lower = name.toLowerCase();
  if (value === '*') return { name: lower, present_match: true };
  const withCase = (m: EnvoyObject): EnvoyObject => (ignoreCase ? { ...m, ignore_case: true } : m);
  if (value.startsWith('*')) return { name: lower, string_match: withCase({ suffix: value.slice(1) }) };
  if (value.endsWith('*')) return { name: lower, string_match: withCase({ prefix: value.slice(0, -1) }) };
  return { name: lower, string_match: withCase({ exact: value }) };
}

/** Istio's HostMatcher: the `:authority` header, matched case-insensitively (CVE-2021-39155). */
export function hostMatcher(value: string): EnvoyObject {
  return headerMatcher(':authority', value, true);
}

/** Characters of one path segment in a URI template (RFC 3986 pchar, as Envoy's uri_template). */
const SEGMENT_CHARS = "a-zA-Z0-9\\-._~%!$&'()+,;:@=";

/** True for a path that uses the `{*}` / `{**}` template operators. */
export function isPathTemplate(value: string): boolean {
  return value.includes('{*}') || value.includes('{**}');
}

/**
 * A path template as a full-match RE2 regex: `{*}` is one non-empty segment, `{**}` zero or more
 * characters across segments (Envoy's uri_template glob semantics); literal text is escaped.
 */
export function pathTemplateRegex(template: string): string {
  return template
    .split(/(\{\*\*\}|\{\*\})/)
    .map((part) => (part === '{**}' ? `[${SEGMENT_CHARS}/]*` : part === '{*}' ? `[${SEGMENT_CHARS}]+` : regexEscape(part)))
    .join('');
}

/** Permission url_path for an Istio path value (template → regex, else the Istio string rules). */
export function pathPermission(value: string): EnvoyObject {
  const path = isPathTemplate(value) ? regexMatcher(pathTemplateRegex(value)) : stringMatcher(value);
  return { url_path: { path } };
}

/**
 * Istio's AddrStrToCidrRange: "1.2.3.4" → /32, "2001:db8::1" → /128, "10.0.0.0/8" as given.
 * Throws on anything else (the caller decides between skip and fail closed).
 */
export function cidrRange(value: string): EnvoyObject {
  const slash = value.indexOf('/');
  const address = slash < 0 ? value : value.slice(0, slash);
  const family = net.isIP(address);
  if (family === 0) throw new Error(`${JSON.stringify(value)} is not an IP address or CIDR range`);
  const max = family === 4 ? 32 : 128;
  const lengthText = slash < 0 ? String(max) : value.slice(slash + 1);
  const length = Number(lengthText);
  if (!/^\d{1,3}$/.test(lengthText) || length > max) {
    throw new Error(`${JSON.stringify(value)} has an invalid prefix length (0..${max})`);
  }
  return { address_prefix: address, prefix_len: { value: length } };
}

/** A port string as a number; throws unless it is an integer in 0..65535. */
export function portNumber(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new Error(`${JSON.stringify(value)} is not a port number in 0..65535`);
  return Number(value);
}

/** A ValueMatcher: one string matcher, or an or_match of several. */
function stringValueMatcher(values: readonly string[]): EnvoyObject {
  const matchers = values.map((v) => ({ string_match: stringMatcher(v) }));
  return matchers.length === 1 ? matchers[0]! : { or_match: { value_matchers: matchers } };
}

/**
 * A metadata matcher on a JWT claim (`path` below the payload): matches a string claim equal to one
 * of `values`, or a list claim with an element that is (Istio's extended-JWT list-or-value form).
 */
export function jwtClaimMatcher(path: readonly string[], values: readonly string[]): EnvoyObject {
  const value = stringValueMatcher(values);
  return {
    filter: JWT_AUTHN_FILTER,
    path: [{ key: JWT_PAYLOAD_KEY }, ...path.map((key) => ({ key }))],
    value: { or_match: { value_matchers: [{ list_match: { one_of: value } }, value] } },
  };
}

/** The dynamic-metadata namespace of Istio's authn filter, whose `request.auth.principal` is `<iss>/<sub>`. */
export const ISTIO_AUTHN_FILTER = 'istio_authn';

/**
 * A request-principal matcher: Istio's string rules over the whole `<iss>/<sub>` of the verified
 * JWT, as the AuthorizationPolicy reference defines requestPrincipals (the `istio_authn` metadata
 * form). Istio ≥ 1.22 splits the value at its last "/" into separate iss and sub matchers, which
 * differs from the documentation for wildcard values containing "/" (e.g. "https://iss*").
 */
export function requestPrincipalMatcher(value: string): EnvoyObject {
  return { filter: ISTIO_AUTHN_FILTER, path: [{ key: 'request.auth.principal' }], value: { string_match: stringMatcher(value) } };
}

/** A glob value ("a*", "*a", "*", "a") as an RE2 fragment matching within one SPIFFE path part. */
function globFragment(value: string, any: string): string {
  return value.split('*').map(regexEscape).join(any);
}

/** Istio's namespace matcher: a regex over the principal, any text then `/ns/<ns>/` then any text (`*` → `.*`). */
export function namespacePrincipalName(value: string): EnvoyObject {
  return regexMatcher(`.*/ns/${globFragment(value, '.*')}/.*`);
}

/**
 * Istio's service-account matcher: `<ns>/<sa>` or `<sa>` (then in the policy's namespace) as
 * `spiffe://.+/ns/<ns>/(.+/|)sa/<sa>(/.+)?`, both names escaped.
 */
export function serviceAccountPrincipalName(value: string, policyNamespace: string): EnvoyObject {
  const slash = value.indexOf('/');
  const ns = slash < 0 ? policyNamespace : value.slice(0, slash);
  const sa = slash < 0 ? value : value.slice(slash + 1);
  return regexMatcher(`spiffe://.+/ns/${regexEscape(ns)}/(.+/|)sa/${regexEscape(sa)}(/.+)?`);
}

/** A trust-domain matcher over the principal: exact → prefix `spiffe://<td>/`, wildcards within the domain. */
export function trustDomainPrincipalName(value: string): EnvoyObject {
  if (value === '*') return regexMatcher('spiffe://[^/]+/.*');
  if (!value.includes('*')) return { prefix: `${SPIFFE_PREFIX}${value}/` };
  return regexMatcher(`spiffe://${globFragment(value, '[^/]*')}/.*`);
}
