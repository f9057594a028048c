// Compiles a RouteMatch: the path specifier (prefix, path, safe_regex, path_separated_prefix,
// connect_matcher) with case sensitivity, header and query matchers, runtime fraction, gRPC and TLS.

import { asciiLower, compileHeaderMatcher, compileQueryParameterMatcher } from '../routing/matchers';
import { compileRegexMatcher } from '../routing/regex';
import type { RequestView } from '../routing/request-view';
import type { CompiledRouteMatch, PathMatch } from '../routing/types';
import {
  Issues, fields, join, readList, readObject, readOptionalBool, readRuntimeFractionPerMillion, readString,
} from './proto-readers';

const ROUTE_MATCH_FIELDS = fields(
  'prefix', 'path', 'safe_regex', 'connect_matcher', 'path_separated_prefix', 'path_match_policy', 'case_sensitive',
  'runtime_fraction', 'headers', 'query_parameters', 'grpc', 'tls_context', 'dynamic_metadata',
);

const SEPARATED_PREFIX = /^[^?#]+[^?#/]$/;

/** Compiles a RouteMatch; returns undefined (with errors recorded) when it is invalid. */
export function compileRouteMatch(v: unknown, path: string, issues: Issues): CompiledRouteMatch | undefined {
  const o = readObject(v, path, issues);
  if (!o) {
    issues.error(path, 'route match is required');
    return undefined;
  }
  const before = issues.errors.length;
  issues.unknownFields(o, path, ROUTE_MATCH_FIELDS);
  const caseSensitive = readOptionalBool(o['case_sensitive'], join(path, 'case_sensitive'), issues) ?? true;
  const pathMatch = compilePathSpecifier(o, path, caseSensitive, issues);

  const headers = readList(o['headers'], join(path, 'headers'), issues)
    .map((h, i) => compileHeaderMatcher(h, join(join(path, 'headers'), i), issues))
    .filter((h) => h !== undefined);
  const queryParameters = readList(o['query_parameters'], join(path, 'query_parameters'), issues)
    .map((q, i) => compileQueryParameterMatcher(q, join(join(path, 'query_parameters'), i), issues))
    .filter((q) => q !== undefined);

  const match: { -readonly [K in keyof CompiledRouteMatch]: CompiledRouteMatch[K] } = {
    path: pathMatch ?? UNSUPPORTED_PATH,
    headers,
    queryParameters,
    grpc: o['grpc'] !== undefined && o['grpc'] !== null,
  };
  if (o['runtime_fraction'] !== undefined) {
    match.runtimeFractionPerMillion = readRuntimeFractionPerMillion(o['runtime_fraction'], join(path, 'runtime_fraction'), issues, 1_000_000);
  }
  const tls = readObject(o['tls_context'], join(path, 'tls_context'), issues);
  if (tls) {
    const presented = readOptionalBool(tls['presented'], join(path, 'tls_context.presented'), issues);
    const validated = readOptionalBool(tls['validated'], join(path, 'tls_context.validated'), issues);
    match.tlsContext = { ...(presented !== undefined ? { presented } : {}), ...(validated !== undefined ? { validated } : {}) };
  }
  if (readList(o['dynamic_metadata'], join(path, 'dynamic_metadata'), issues).length > 0) {
    match.neverMatches = 'dynamic_metadata matchers are not supported (there is no dynamic metadata in-process)';
    issues.note(join(path, 'dynamic_metadata'), `${match.neverMatches}; the route never matches`);
  }
  if (pathMatch?.kind === 'unsupported') match.neverMatches = 'path_match_policy extensions are not supported';
  return issues.errors.length > before ? undefined : match;
}

const UNSUPPORTED_PATH: PathMatch = { kind: 'unsupported', value: '', caseSensitive: true, test: () => false };

function compilePathSpecifier(o: Readonly<Record<string, unknown>>, path: string, caseSensitive: boolean, issues: Issues): PathMatch | undefined {
  const fold = caseSensitive ? (s: string) => s : asciiLower;
  if (o['prefix'] !== undefined) {
    const value = readString(o['prefix'], join(path, 'prefix'), issues) ?? '';
    const target = fold(value);
    const test = caseSensitive
      ? (view: RequestView) => view.fullPath.startsWith(value)
      : (view: RequestView) => asciiLower(view.fullPath.slice(0, target.length)) === target;
    return { kind: 'prefix', value, caseSensitive, test };
  }
  if (o['path'] !== undefined) {
    const value = readString(o['path'], join(path, 'path'), issues) ?? '';
    const target = fold(value);
    return { kind: 'path', value, caseSensitive, test: (view) => fold(view.pathWithoutQuery) === target };
  }
  if (o['safe_regex'] !== undefined) {
    const regex = compileRegexMatcher(o['safe_regex'], join(path, 'safe_regex'), issues);
    if (!regex) return undefined;
    // case_sensitive is ignored for safe_regex (use (?i) in the pattern).
    return { kind: 'regex', value: regex.source, caseSensitive: true, test: (view) => regex.fullMatch(view.pathWithoutQuery) };
  }
  if (o['path_separated_prefix'] !== undefined) {
    const value = readString(o['path_separated_prefix'], join(path, 'path_separated_prefix'), issues) ?? '';
    if (!SEPARATED_PREFIX.test(value)) {
      issues.error(join(path, 'path_separated_prefix'), `${JSON.stringify(value)} must not contain '?' or '#' nor end in '/' (pattern ^[^?#]+[^?#/]$)`);
      return undefined;
    }
    const target = fold(value);
    const test = (view: RequestView): boolean => {
      const p = fold(view.pathWithoutQuery);
      return p.startsWith(target) && (p.length === target.length || p.charCodeAt(target.length) === 47 /* '/' */);
    };
    return { kind: 'path_separated_prefix', value, caseSensitive, test };
  }
  if (o['connect_matcher'] !== undefined) {
    return { kind: 'connect', value: '', caseSensitive, test: (view) => view.request.method === 'CONNECT' };
  }
  if (o['path_match_policy'] !== undefined) {
    issues.note(join(path, 'path_match_policy'), 'path_match_policy (URI template) is not supported; the route never matches');
    return UNSUPPORTED_PATH;
  }
  issues.error(path, 'route match needs a path specifier (prefix, path, safe_regex, path_separated_prefix or connect_matcher)');
  return undefined;
}
