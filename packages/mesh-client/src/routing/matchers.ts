// Compiled predicates for Envoy's StringMatcher, HeaderMatcher and QueryParameterMatcher: built
// once when a snapshot compiles (regexes included), evaluated per request without allocation.

import { Issues, Obj, fields, join, readBool, readObject, readString } from '../snapshot/proto-readers';
import { CompiledRegex, compileRegexMatcher } from './regex';
import type { RequestView } from './request-view';

/** A compiled type.matcher.v3.StringMatcher. */
export interface StringMatch {
  readonly kind: 'exact' | 'prefix' | 'suffix' | 'contains' | 'regex';
  /** The literal, or the regex source. */
  readonly value: string;
  /** exact/prefix/suffix/contains only; Envoy ignores it for regex. */
  readonly ignoreCase: boolean;
  test(input: string): boolean;
}

/** A compiled route.v3.HeaderMatcher. */
export interface HeaderMatch {
  readonly name: string;
  readonly kind: 'string' | 'regex' | 'range' | 'present';
  /** For kind 'string' (also the legacy exact/prefix/suffix/contains fields). */
  readonly string?: StringMatch;
  readonly regex?: CompiledRegex;
  /** Half-open [start, end). */
  readonly range?: { readonly start: bigint; readonly end: bigint };
  /** For kind 'present': true = must be present, false = must be absent. */
  readonly present?: boolean;
  readonly invert: boolean;
  readonly treatMissingAsEmpty: boolean;
  test(view: RequestView): boolean;
}

/** A compiled route.v3.QueryParameterMatcher. */
export interface QueryParameterMatch {
  readonly name: string;
  /** Undefined = presence match. */
  readonly string?: StringMatch;
  test(view: RequestView): boolean;
}

/** ASCII-only lower-casing, as absl::AsciiStrToLower (non-ASCII letters are left alone). */
export function asciiLower(s: string): string {
  // A scan, not a regex test: most strings are lower case already and come back as they are.
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return s;
}

const STRING_MATCHER_FIELDS = fields('exact', 'prefix', 'suffix', 'contains', 'safe_regex', 'ignore_case', 'custom');

/** Compiles a StringMatcher; errors name the field (empty prefix/suffix/contains, bad regex, no pattern). */
export function compileStringMatcher(v: unknown, path: string, issues: Issues): StringMatch | undefined {
  const o = readObject(v, path, issues);
  if (!o) {
    issues.error(path, 'string matcher is required');
    return undefined;
  }
  issues.unknownFields(o, path, STRING_MATCHER_FIELDS);
  const ignoreCase = readBool(o['ignore_case'], join(path, 'ignore_case'), issues);
  if (o['safe_regex'] !== undefined) {
    const regex = compileRegexMatcher(o['safe_regex'], join(path, 'safe_regex'), issues);
    return regex && { kind: 'regex', value: regex.source, ignoreCase: false, test: regex.fullMatch };
  }
  if (o['custom'] !== undefined) {
    issues.error(join(path, 'custom'), 'custom string matcher extensions are not supported');
    return undefined;
  }
  for (const kind of ['exact', 'prefix', 'suffix', 'contains'] as const) {
    if (o[kind] === undefined) continue;
    const value = readString(o[kind], join(path, kind), issues) ?? '';
    if (kind !== 'exact' && value === '') {
      issues.error(join(path, kind), `${kind} must not be empty (use a presence match instead)`);
      return undefined;
    }
    return literalMatcher(kind, value, ignoreCase);
  }
  // protobufjs leaves out `exact: ""` (a default): a matcher with no pattern set is exact "".
  if (Object.keys(o).every((k) => k === 'ignore_case' || k === 'match_pattern')) return literalMatcher('exact', '', ignoreCase);
  issues.error(path, 'string matcher sets no pattern (exact, prefix, suffix, contains or safe_regex)');
  return undefined;
}

/** A literal StringMatch (also used for legacy HeaderMatcher fields and path specifiers). */
export function literalMatcher(kind: 'exact' | 'prefix' | 'suffix' | 'contains', value: string, ignoreCase: boolean): StringMatch {
  const target = ignoreCase ? asciiLower(value) : value;
  const norm = ignoreCase ? asciiLower : (s: string) => s;
  let test: (s: string) => boolean;
  switch (kind) {
    case 'exact': test = (s) => norm(s) === target; break;
    case 'prefix': test = (s) => norm(s).startsWith(target); break;
    case 'suffix': test = (s) => norm(s).endsWith(target); break;
    case 'contains': test = (s) => norm(s).includes(target); break;
  }
  return { kind, value, ignoreCase, test };
}

const HEADER_MATCHER_FIELDS = fields(
  'name', 'exact_match', 'safe_regex_match', 'range_match', 'present_match', 'prefix_match', 'suffix_match',
  'contains_match', 'string_match', 'invert_match', 'treat_missing_header_as_empty',
);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Compiles a HeaderMatcher. No specifier set means "present", as Envoy's docs say. */
export function compileHeaderMatcher(v: unknown, path: string, issues: Issues): HeaderMatch | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  issues.unknownFields(o, path, HEADER_MATCHER_FIELDS);
  const name = readString(o['name'], join(path, 'name'), issues);
  if (name === undefined || name === '') {
    issues.error(join(path, 'name'), 'header matcher needs a name');
    return undefined;
  }
  // Envoy keeps matcher names as LowerCaseString: header names are case-insensitive.
  const lname = name.toLowerCase();
  const invert = readBool(o['invert_match'], join(path, 'invert_match'), issues);
  const treatMissingAsEmpty = readBool(o['treat_missing_header_as_empty'], join(path, 'treat_missing_header_as_empty'), issues);
  const base = { name: lname, invert, treatMissingAsEmpty };

  let spec: Omit<HeaderMatch, 'name' | 'invert' | 'treatMissingAsEmpty' | 'test'> | undefined;
  if (o['string_match'] !== undefined) {
    const string = compileStringMatcher(o['string_match'], join(path, 'string_match'), issues);
    if (!string) return undefined;
    spec = { kind: 'string', string };
  } else if (o['safe_regex_match'] !== undefined) {
    const regex = compileRegexMatcher(o['safe_regex_match'], join(path, 'safe_regex_match'), issues);
    if (!regex) return undefined;
    spec = { kind: 'regex', regex };
  } else if (o['range_match'] !== undefined) {
    const range = readRange(o['range_match'], join(path, 'range_match'), issues);
    if (!range) return undefined;
    spec = { kind: 'range', range };
  } else if (o['present_match'] !== undefined) {
    spec = { kind: 'present', present: readBool(o['present_match'], join(path, 'present_match'), issues) };
  } else {
    for (const [field, kind] of [['exact_match', 'exact'], ['prefix_match', 'prefix'], ['suffix_match', 'suffix'], ['contains_match', 'contains']] as const) {
      if (o[field] === undefined) continue;
      const value = readString(o[field], join(path, field), issues) ?? '';
      if (kind !== 'exact' && value === '') {
        issues.error(join(path, field), `${field} must not be empty (use present_match instead)`);
        return undefined;
      }
      // Envoy's legacy exact_match: an empty value matches any present header.
      spec = kind === 'exact' && value === '' ? { kind: 'present', present: true } : { kind: 'string', string: literalMatcher(kind, value, false) };
      break;
    }
    spec ??= { kind: 'present', present: true };
  }
  const matcher = { ...base, ...spec } as Omit<HeaderMatch, 'test'>;
  return { ...matcher, test: headerPredicate(matcher) };
}

/**
 * Envoy's HeaderUtility::matchHeaders: a missing header (without treat_missing_header_as_empty)
 * matches only a presence check that expects absence — inverted or not, a value matcher on a
 * missing header does not match. Otherwise the value (or "" for a missing header) is tested and
 * the result XOR invert_match.
 */
function headerPredicate(m: Omit<HeaderMatch, 'test'>): (view: RequestView) => boolean {
  const specific = valuePredicate(m);
  const { name, invert, treatMissingAsEmpty, kind, present } = m;
  return (view) => {
    const value = view.header(name);
    if (value === undefined && !treatMissingAsEmpty) {
      return invert ? kind === 'present' && present === true : kind === 'present' && present === false;
    }
    return specific(value ?? '') !== invert;
  };
}

function valuePredicate(m: Omit<HeaderMatch, 'test'>): (value: string) => boolean {
  switch (m.kind) {
    case 'string': return m.string!.test;
    case 'regex': return m.regex!.fullMatch;
    case 'present': { const present = m.present!; return () => present; }
    case 'range': {
      const { start, end } = m.range!;
      return (value) => {
        if (!/^[+-]?\d+$/.test(value)) return false;
        const n = BigInt(value);
        if (n < INT64_MIN || n > INT64_MAX) return false;
        return n >= start && n < end;
      };
    }
  }
}

function readRange(v: unknown, path: string, issues: Issues): { start: bigint; end: bigint } | undefined {
  const o = readObject(v, path, issues) as Obj | undefined;
  if (!o) return undefined;
  const toBig = (x: unknown, p: string): bigint | undefined => {
    if (x === undefined || x === null) return 0n;
    if ((typeof x === 'number' && Number.isInteger(x)) || (typeof x === 'string' && /^[+-]?\d+$/.test(x))) return BigInt(x);
    issues.error(p, `expected an int64, got ${JSON.stringify(x)}`);
    return undefined;
  };
  const start = toBig(o['start'], join(path, 'start'));
  const end = toBig(o['end'], join(path, 'end'));
  if (start === undefined || end === undefined) return undefined;
  return { start, end };
}

const QUERY_MATCHER_FIELDS = fields('name', 'string_match', 'present_match');

/**
 * Compiles a QueryParameterMatcher: `string_match` tests the first value of the parameter;
 * otherwise the parameter must be present (Envoy treats `present_match: false` as presence too).
 */
export function compileQueryParameterMatcher(v: unknown, path: string, issues: Issues): QueryParameterMatch | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  issues.unknownFields(o, path, QUERY_MATCHER_FIELDS);
  const name = readString(o['name'], join(path, 'name'), issues);
  if (name === undefined || name === '') {
    issues.error(join(path, 'name'), 'query parameter matcher needs a name');
    return undefined;
  }
  if (o['string_match'] !== undefined) {
    const string = compileStringMatcher(o['string_match'], join(path, 'string_match'), issues);
    if (!string) return undefined;
    return { name, string, test: (view) => { const value = view.queryParam(name); return value !== undefined && string.test(value); } };
  }
  if (o['present_match'] === false) {
    issues.note(join(path, 'present_match'), 'present_match: false is a presence check in Envoy (the parameter must be present)');
  }
  return { name, test: (view) => view.queryParam(name) !== undefined };
}
