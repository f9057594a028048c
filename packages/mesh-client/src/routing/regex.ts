// RE2 regular expressions for config-supplied patterns (re2js: linear time, no backtracking), with
// Envoy's program-size limit and RE2's `\N` substitution syntax. Compiled once per snapshot.

import { RE2JS } from 're2js';
import { Issues, Obj, join, readInt, readObject, readString } from '../snapshot/proto-readers';

/** Envoy's default `re2.max_program_size.error_level`. */
export const DEFAULT_MAX_PROGRAM_SIZE = 100;

/** A compiled RegexMatcher: full-match semantics, as Envoy's CompiledGoogleReMatcher::match. */
export interface CompiledRegex {
  readonly source: string;
  /** True if the whole input matches. */
  fullMatch(input: string): boolean;
  /** The underlying RE2 program (for substitutions). */
  readonly re: RE2JS;
}

/**
 * Compiles a `type.matcher.v3.RegexMatcher` ({ regex, google_re2: { max_program_size } }). Errors
 * name the field: syntax errors, and programs larger than the limit (google_re2.max_program_size,
 * else Envoy's default 100), with Envoy's wording.
 */
export function compileRegexMatcher(v: unknown, path: string, issues: Issues): CompiledRegex | undefined {
  const o = readObject(v, path, issues);
  if (!o) {
    issues.error(path, 'regex matcher is required');
    return undefined;
  }
  const regex = readString(o['regex'], join(path, 'regex'), issues);
  if (regex === undefined || regex === '') {
    issues.error(join(path, 'regex'), 'regex must not be empty');
    return undefined;
  }
  const google = readObject(o['google_re2'], join(path, 'google_re2'), issues);
  const limit = (google && readInt(google['max_program_size'], join(path, 'google_re2.max_program_size'), issues)) ?? DEFAULT_MAX_PROGRAM_SIZE;
  return compileRegex(regex, join(path, 'regex'), issues, limit);
}

/** Compiles an RE2 pattern string; records an error (and returns undefined) when invalid. */
export function compileRegex(pattern: string, path: string, issues: Issues, maxProgramSize = DEFAULT_MAX_PROGRAM_SIZE): CompiledRegex | undefined {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    issues.error(path, `invalid RE2 regex ${JSON.stringify(pattern)}: ${(e as Error).message}`);
    return undefined;
  }
  const size = re.programSize();
  if (size > maxProgramSize) {
    issues.error(path, `regex ${JSON.stringify(pattern)} RE2 program size of ${size} > max program size of ${maxProgramSize} set for the error level threshold. Increase configured max program size if necessary.`);
    return undefined;
  }
  return { source: pattern, re, fullMatch: (input) => re.testExact(input) };
}

/** A compiled RegexMatchAndSubstitute: replaces every match of `pattern` in a string. */
export interface CompiledSubstitution {
  readonly pattern: CompiledRegex;
  readonly substitution: string;
  /** Applies RE2::GlobalReplace semantics: all non-overlapping matches replaced; `\N` = group N. */
  apply(input: string): string;
}

type Part = string | number; // literal text or capture-group index

/**
 * Compiles `{ pattern: RegexMatcher, substitution }`. The substitution uses RE2's syntax: `\0`–`\9`
 * name capture groups, `\\` is a backslash; any other escape, or a group the pattern lacks, is an
 * error (RE2::CheckRewriteString), as Envoy rejects it.
 */
export function compileSubstitution(v: unknown, path: string, issues: Issues): CompiledSubstitution | undefined {
  const o = readObject(v, path, issues) as Obj | undefined;
  if (!o) return undefined;
  const pattern = compileRegexMatcher(o['pattern'], join(path, 'pattern'), issues);
  const substitution = readString(o['substitution'], join(path, 'substitution'), issues) ?? '';
  if (!pattern) return undefined;
  const parts = parseRewrite(substitution, pattern.re.groupCount(), join(path, 'substitution'), issues);
  if (!parts) return undefined;
  const re = pattern.re;
  return {
    pattern,
    substitution,
    apply(input: string): string {
      return re.matcher(input).replaceAll((...args: unknown[]) => expand(parts, args));
    },
  };
}

function parseRewrite(text: string, groups: number, path: string, issues: Issues): Part[] | undefined {
  const parts: Part[] = [];
  let literal = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      literal += c;
      continue;
    }
    const next = text[i + 1];
    if (next === '\\') {
      literal += '\\';
      i++;
    } else if (next !== undefined && next >= '0' && next <= '9') {
      const group = Number(next);
      if (group > groups) {
        issues.error(path, `substitution ${JSON.stringify(text)} refers to group \\${group} but the pattern has ${groups} group(s)`);
        return undefined;
      }
      if (literal !== '') parts.push(literal);
      literal = '';
      parts.push(group);
      i++;
    } else {
      issues.error(path, `invalid rewrite pattern ${JSON.stringify(text)}: a backslash must be followed by a digit or a backslash`);
      return undefined;
    }
  }
  if (literal !== '') parts.push(literal);
  return parts;
}

function expand(parts: readonly Part[], args: readonly unknown[]): string {
  let out = '';
  for (const part of parts) {
    if (typeof part === 'string') out += part;
    else {
      const g = args[part];
      out += typeof g === 'string' ? g : '';
    }
  }
  return out;
}
