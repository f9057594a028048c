// HTTP-level rules Istio's webhook applies: RE2 regexes (checked with re2js, the same syntax
// Envoy's safe_regex uses), header names and values, status codes, gRPC status names and the
// retryOn vocabulary. Each returns an error message, or undefined when the value is fine.

import { RE2JS } from 're2js';

/** Envoy's RE2 program-size guard, approximated by length exactly as Istio does. */
const MAX_REGEX_LENGTH = 1024;

/** Compiles `pattern` as RE2 and reports RE2's own error text when it does not compile. */
export function regexError(pattern: string): string | undefined {
  if (pattern === '') return 'regex must not be empty';
  if (pattern.length > MAX_REGEX_LENGTH) return `regex is ${pattern.length} characters long; the limit is ${MAX_REGEX_LENGTH}`;
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    const description = (e as { getDescription?: () => string }).getDescription?.() ?? (e as Error).message;
    const where = (e as { getPattern?: () => string | null }).getPattern?.();
    return `${JSON.stringify(pattern)} is not a valid RE2 regex: ${description}${where ? ` at \`${where}\`` : ''} (RE2 has no lookaround or backreferences; see https://github.com/google/re2/wiki/Syntax)`;
  }
}

// RFC 7230 token characters, as Istio's validHeaderNameRegex.
const TOKEN = /^[!#$%&'*+\-.^_`|~A-Za-z0-9]+$/;
const STRICT_HEADER = /^[-_A-Za-z0-9]+$/;
const PSEUDO_HEADERS = new Set([':method', ':scheme', ':authority', ':path', ':status']);

/** A header name to match on: an RFC 7230 token or one of the HTTP/2 pseudo-headers. */
export function matchHeaderNameError(name: string): string | undefined {
  if (name === '') return 'header name must not be empty';
  if (name.startsWith('@request.auth.claims')) {
    return `${JSON.stringify(name)}: routing on JWT claims (@request.auth.claims) is not supported by Inboard`;
  }
  if (PSEUDO_HEADERS.has(name) || TOKEN.test(name)) return undefined;
  return `${JSON.stringify(name)} is not a valid header name`;
}

/** A header name limited to letters, digits, '-' and '_' (JWT output headers). */
export function strictHeaderNameError(name: string): string | undefined {
  if (name === '') return 'header name must not be empty';
  return STRICT_HEADER.test(name) ? undefined : `${JSON.stringify(name)} is not a valid header name (letters, digits, '-' and '_' only)`;
}

/** An RFC 7230 token (CORS header lists allow "*" too). */
export function tokenHeaderNameError(name: string, allowStar = false): string | undefined {
  if (name === '') return 'header name must not be empty';
  if (allowStar && name === '*') return undefined;
  return TOKEN.test(name) ? undefined : `${JSON.stringify(name)} is not a valid header name`;
}

/** Names a route may add or set on the request: not a pseudo-header other than `:authority`. */
export function requestSetHeaderNameError(name: string): string | undefined {
  if (name === '') return 'header name must not be empty';
  const lower = name.toLowerCase();
  if (name.startsWith(':') && lower !== ':authority') return `${JSON.stringify(name)}: header names starting with ":" cannot be set`;
  return tokenOrAuthority(name);
}

/** Names a route may remove, or touch on the response: never `host` or a pseudo-header. */
export function plainHeaderNameError(name: string): string | undefined {
  if (name === '') return 'header name must not be empty';
  if (name.toLowerCase() === 'host') return `${JSON.stringify(name)}: the Host header cannot be changed here (use rewrite.authority)`;
  if (name.startsWith(':')) return `${JSON.stringify(name)}: header names starting with ":" cannot be changed`;
  return tokenOrAuthority(name);
}

function tokenOrAuthority(name: string): string | undefined {
  return name.toLowerCase() === ':authority' || TOKEN.test(name) ? undefined : `${JSON.stringify(name)} is not a valid header name`;
}

/** True for `:authority` or `host` (both rewrite the authority). */
export function isAuthorityHeader(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === ':authority' || lower === 'host';
}

/**
 * A header value: no control characters (tab allowed), and every '%' either doubled ("%%") or
 * opening an Envoy formatter `%NAME%` / `%NAME(args)%`, as Envoy's header parser requires.
 */
export function headerValueError(value: string): string | undefined {
  if (/[\u0000-\u0008\u000A-\u001F\u007F]/.test(value)) return `header value ${JSON.stringify(value)} contains a control character`;
  let i = 0;
  while (i < value.length) {
    if (value[i] !== '%') { i++; continue; }
    if (value[i + 1] === '%') { i += 2; continue; }
    const close = formatterEnd(value, i + 1);
    if (close < 0) return `header value ${JSON.stringify(value)}: a lone "%" must be written "%%" (or start an Envoy variable such as %HOSTNAME%)`;
    i = close + 1;
  }
  return undefined;
}

/** Index of the '%' closing a formatter that starts at `from`, or -1. Arguments may hold quoted strings. */
function formatterEnd(value: string, from: number): number {
  let i = from;
  while (i < value.length && /[A-Z0-9_]/.test(value[i]!)) i++;
  if (i === from) return -1;
  if (value[i] === '%') return i;
  if (value[i] !== '(') return -1;
  let quoted = false;
  for (i++; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ')') return value[i + 1] === '%' ? i + 1 : -1;
  }
  return -1;
}

/** gRPC status names Istio accepts for `fault.abort.grpcStatus`. */
export const GRPC_STATUS_NAMES: readonly string[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE',
  'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

/** Envoy's x-envoy-retry-on and x-envoy-retry-grpc-on policies that Istio accepts in `retryOn`. */
export const RETRY_ON_POLICIES: readonly string[] = [
  '5xx', 'gateway-error', 'reset', 'reset-before-request', 'connect-failure', 'retriable-4xx', 'refused-stream',
  'retriable-status-codes', 'retriable-headers', 'envoy-ratelimited', 'http3-post-connect-failure',
  'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable',
];

/** HTTP status codes with a standard name (Go's http.StatusText), which Istio accepts in retryOn. */
const NAMED_STATUS = new Set<number>([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308,
  ...Array.from({ length: 19 }, (_, i) => 400 + i), 421, 422, 423, 424, 425, 426, 428, 429, 431, 451,
  500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** Errors of a comma-separated retryOn list: each entry a policy or an HTTP status code. */
export function retryOnErrors(retryOn: string): string[] {
  const errors: string[] = [];
  for (const entry of retryOn.split(',')) {
    if (RETRY_ON_POLICIES.includes(entry)) continue;
    if (/^[0-9]+$/.test(entry) && NAMED_STATUS.has(Number(entry))) continue;
    const hint = entry.trim() !== entry ? ' (remove the spaces around the commas)' : '';
    errors.push(`${JSON.stringify(entry)} is not a valid retryOn policy${hint}; use HTTP status codes or ${RETRY_ON_POLICIES.join(', ')}`);
  }
  return errors;
}

/** Redirect status codes Envoy can send (its RedirectResponseCode enum). */
export const REDIRECT_CODES: readonly number[] = [301, 302, 303, 307, 308];

/** Methods Istio accepts in `corsPolicy.allowMethods`. */
export const CORS_METHODS: readonly string[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', '*'];
