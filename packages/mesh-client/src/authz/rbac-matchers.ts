// Leaf matchers of Envoy's RBAC as compiled predicates: StringMatcher (RE2 with Istio's program-size
// limit), CidrRange over IPv4/IPv6 (IPv4-mapped IPv6 peers count as IPv4, as Envoy reports them),
// and MetadataMatcher/ValueMatcher over the request's dynamic metadata (the JWT payload).

import net from 'node:net';
import { asciiLower, literalMatcher, type StringMatch } from '../routing/matchers';
import { compileRegex } from '../routing/regex';
import { Issues, fields, join, readBool, readDouble, readInt, readList, readObject, readString } from '../snapshot/proto-readers';

/**
 * Istio runs Envoy with runtime `re2.max_program_size.error_level: 32768`, so policy regexes (long
 * service-account names) compile there; RBAC regexes here get the same limit unless the matcher
 * sets google_re2.max_program_size itself.
 */
export const RBAC_MAX_PROGRAM_SIZE = 32768;

/** Compiles a type.matcher.v3.StringMatcher; errors name the field. */
export function compileRbacStringMatcher(v: unknown, path: string, issues: Issues): StringMatch | undefined {
  const o = readObject(v, path, issues);
  if (!o) {
    issues.error(path, 'string matcher is required');
    return undefined;
  }
  const ignoreCase = readBool(o['ignore_case'], join(path, 'ignore_case'), issues);
  if (o['safe_regex'] !== undefined) {
    const re = readObject(o['safe_regex'], join(path, 'safe_regex'), issues) ?? {};
    const pattern = readString(re['regex'], join(path, 'safe_regex.regex'), issues) ?? '';
    if (pattern === '') {
      issues.error(join(path, 'safe_regex.regex'), 'regex must not be empty');
      return undefined;
    }
    const google = readObject(re['google_re2'], join(path, 'safe_regex.google_re2'), issues);
    const limit = (google && readInt(google['max_program_size'], join(path, 'safe_regex.google_re2.max_program_size'), issues)) || RBAC_MAX_PROGRAM_SIZE;
    const compiled = compileRegex(pattern, join(path, 'safe_regex.regex'), issues, limit);
    return compiled && { kind: 'regex', value: pattern, ignoreCase: false, test: compiled.fullMatch };
  }
  if (o['custom'] !== undefined) {
    issues.error(join(path, 'custom'), 'custom string matcher extensions are not supported');
    return undefined;
  }
  for (const kind of ['exact', 'prefix', 'suffix', 'contains'] as const) {
    if (o[kind] === undefined) continue;
    const value = readString(o[kind], join(path, kind), issues) ?? '';
    if (kind !== 'exact' && value === '') {
      issues.error(join(path, kind), `${kind} must not be empty`);
      return undefined;
    }
    return literalMatcher(kind, value, ignoreCase);
  }
  // protobuf leaves out `exact: ""` (the default): a matcher with no pattern is exact "".
  return literalMatcher('exact', '', ignoreCase);
}

/** An address as Envoy sees it: IPv4-mapped IPv6 ("::ffff:1.2.3.4") is the IPv4 address. */
export function canonicalIp(ip: string): string {
  const lower = asciiLower(ip);
  if (lower.startsWith('::ffff:') && net.isIPv4(lower.slice(7))) return lower.slice(7);
  return ip;
}

/** Compiles a core.v3.CidrRange into a test over addresses (false for an address of the other family). */
export function compileCidrRange(v: unknown, path: string, issues: Issues): ((ip: string) => boolean) | undefined {
  const o = readObject(v, path, issues);
  if (!o) {
    issues.error(path, 'CIDR range is required');
    return undefined;
  }
  const prefix = readString(o['address_prefix'], join(path, 'address_prefix'), issues) ?? '';
  const family = net.isIP(prefix);
  if (family === 0) {
    issues.error(join(path, 'address_prefix'), `${JSON.stringify(prefix)} is not an IP address`);
    return undefined;
  }
  const max = family === 4 ? 32 : 128;
  const length = readInt(o['prefix_len'], join(path, 'prefix_len'), issues) ?? 0;
  if (length > max) {
    issues.error(join(path, 'prefix_len'), `prefix length ${length} is larger than ${max} for ${prefix}`);
    return undefined;
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const list = new net.BlockList();
  list.addSubnet(prefix, length, type);
  return (ip) => {
    const address = canonicalIp(ip);
    const addressFamily = net.isIP(address);
    return addressFamily === family && list.check(address, type);
  };
}

/** A compiled ValueMatcher over a JSON value (undefined = not present). */
type ValuePredicate = (value: unknown) => boolean;

const VALUE_MATCHER_FIELDS = fields('null_match', 'double_match', 'string_match', 'bool_match', 'present_match', 'list_match', 'or_match');

/** Compiles a type.matcher.v3.ValueMatcher with Envoy's semantics per value kind. */
export function compileValueMatcher(v: unknown, path: string, issues: Issues): ValuePredicate | undefined {
  const o = readObject(v, path, issues);
  if (!o) {
    issues.error(path, 'value matcher is required');
    return undefined;
  }
  const set = Object.keys(o).filter((k) => VALUE_MATCHER_FIELDS.has(k) && o[k] !== undefined && o[k] !== null);
  const kind = set[0];
  switch (kind) {
    case 'null_match': return (value) => value === null;
    case 'string_match': {
      const m = compileRbacStringMatcher(o['string_match'], join(path, 'string_match'), issues);
      return m && ((value) => typeof value === 'string' && m.test(value));
    }
    case 'bool_match': {
      const expected = readBool(o['bool_match'], join(path, 'bool_match'), issues);
      return (value) => value === expected;
    }
    case 'present_match': {
      const expected = readBool(o['present_match'], join(path, 'present_match'), issues);
      return (value) => (value !== undefined) === expected;
    }
    case 'double_match': return compileDoubleMatcher(o['double_match'], join(path, 'double_match'), issues);
    case 'list_match': {
      const list = readObject(o['list_match'], join(path, 'list_match'), issues) ?? {};
      const oneOf = compileValueMatcher(list['one_of'], join(path, 'list_match.one_of'), issues);
      return oneOf && ((value) => Array.isArray(value) && value.some((element) => oneOf(element)));
    }
    case 'or_match': {
      const or = readObject(o['or_match'], join(path, 'or_match'), issues) ?? {};
      const items = readList(or['value_matchers'], join(path, 'or_match.value_matchers'), issues);
      if (items.length < 2) issues.error(join(path, 'or_match.value_matchers'), 'or_match needs at least 2 value matchers');
      const matchers = items.map((m, i) => compileValueMatcher(m, join(join(path, 'or_match.value_matchers'), i), issues));
      if (matchers.some((m) => m === undefined)) return undefined;
      return (value) => matchers.some((m) => m!(value));
    }
    default:
      issues.error(path, 'value matcher sets no match pattern');
      return undefined;
  }
}

function compileDoubleMatcher(v: unknown, path: string, issues: Issues): ValuePredicate | undefined {
  const o = readObject(v, path, issues) ?? {};
  if (o['range'] !== undefined) {
    const range = readObject(o['range'], join(path, 'range'), issues) ?? {};
    const start = readDouble(range['start'], join(path, 'range.start'), issues) ?? 0;
    const end = readDouble(range['end'], join(path, 'range.end'), issues) ?? 0;
    return (value) => typeof value === 'number' && value >= start && value < end;
  }
  const exact = readDouble(o['exact'], join(path, 'exact'), issues) ?? 0;
  return (value) => typeof value === 'number' && value === exact;
}

/** Compiles a type.matcher.v3.MetadataMatcher over dynamic metadata `{ [filter]: JSON }`. */
export function compileMetadataMatcher(v: unknown, path: string, issues: Issues): ((metadata: Readonly<Record<string, unknown>>) => boolean) | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  const filter = readString(o['filter'], join(path, 'filter'), issues) ?? '';
  if (filter === '') issues.error(join(path, 'filter'), 'metadata matcher needs a filter name');
  const keys = readList(o['path'], join(path, 'path'), issues).map((segment, i) => {
    const key = readString(readObject(segment, join(join(path, 'path'), i), issues)?.['key'], join(join(path, 'path'), i), issues) ?? '';
    if (key === '') issues.error(join(join(path, 'path'), i), 'path segment needs a non-empty key');
    return key;
  });
  if (keys.length === 0) issues.error(join(path, 'path'), 'metadata matcher needs at least one path segment');
  const invert = readBool(o['invert'], join(path, 'invert'), issues);
  const value = compileValueMatcher(o['value'], join(path, 'value'), issues);
  if (!value || filter === '' || keys.length === 0) return undefined;
  return (metadata) => {
    let node: unknown = metadata[filter];
    for (const key of keys) {
      node = node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
    }
    return value(node) !== invert;
  };
}
