// Compiles header mutations (request/response headers_to_add and headers_to_remove) at every
// level of a route table, with Envoy's validation: no pseudo headers or Host, append vs append_action.

import type { HeaderAddition, HeaderMutation } from '../routing/types';
import { Issues, describe, fields, join, readEnum, readList, readObject, readOptionalBool, readString, readBool } from './proto-readers';

const APPEND_ACTIONS = ['APPEND_IF_EXISTS_OR_ADD', 'ADD_IF_ABSENT', 'OVERWRITE_IF_EXISTS_OR_ADD', 'OVERWRITE_IF_EXISTS'] as const;

const HEADER_VALUE_OPTION_FIELDS = fields('header', 'append', 'append_action', 'keep_empty_value');

/** The empty mutation. */
export const NO_HEADER_MUTATION: HeaderMutation = Object.freeze({ remove: Object.freeze([]), add: Object.freeze([]) });

/**
 * Compiles one level's `*_headers_to_add` (HeaderValueOption list) and `*_headers_to_remove`.
 * `direction` decides which names are forbidden: request mutations may not touch `:`-prefixed
 * headers or `host` (use host rewrite), response mutations may not touch `:`-prefixed ones.
 */
export function compileHeaderMutation(
  toAdd: unknown, toRemove: unknown, addPath: string, removePath: string, direction: 'request' | 'response', issues: Issues,
): HeaderMutation {
  const add: HeaderAddition[] = [];
  readList(toAdd, addPath, issues).forEach((item, i) => {
    const addition = compileHeaderValueOption(item, join(addPath, i), direction, issues);
    if (addition) add.push(addition);
  });
  const remove: string[] = [];
  readList(toRemove, removePath, issues).forEach((item, i) => {
    const p = join(removePath, i);
    const name = readString(item, p, issues);
    if (name === undefined || name === '') {
      issues.error(p, 'header name must not be empty');
      return;
    }
    if (forbidden(name.toLowerCase(), direction)) {
      issues.error(p, `${direction === 'request' ? ':-prefixed or host' : ':-prefixed'} headers may not be removed ("${name}")`);
      return;
    }
    remove.push(name.toLowerCase());
  });
  if (add.length === 0 && remove.length === 0) return NO_HEADER_MUTATION;
  return { add, remove };
}

function compileHeaderValueOption(v: unknown, path: string, direction: 'request' | 'response', issues: Issues): HeaderAddition | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  issues.unknownFields(o, path, HEADER_VALUE_OPTION_FIELDS);
  const header = readObject(o['header'], join(path, 'header'), issues);
  if (!header) {
    issues.error(join(path, 'header'), 'header is required');
    return undefined;
  }
  const name = (readString(header['key'], join(path, 'header.key'), issues) ?? '').toLowerCase();
  if (name === '') {
    issues.error(join(path, 'header.key'), 'header key must not be empty');
    return undefined;
  }
  if (forbidden(name, direction)) {
    issues.error(join(path, 'header.key'), `${direction === 'request' ? ':-prefixed or host' : ':-prefixed'} headers may not be modified ("${name}")`);
    return undefined;
  }
  let raw = readString(header['value'], join(path, 'header.value'), issues) ?? '';
  if (header['raw_value'] !== undefined && raw === '') {
    raw = rawValueToString(header['raw_value'], join(path, 'header.raw_value'), issues);
  }
  const value = evaluateFormatters(raw, join(path, 'header.value'), issues);
  if (value === undefined) return undefined;
  const legacyAppend = readOptionalBool(o['append'], join(path, 'append'), issues);
  if (legacyAppend !== undefined && o['append_action'] !== undefined) {
    issues.error(path, 'Both append and append_action are set and it\'s not allowed');
    return undefined;
  }
  const action = legacyAppend !== undefined
    ? (legacyAppend ? 'APPEND_IF_EXISTS_OR_ADD' : 'OVERWRITE_IF_EXISTS_OR_ADD')
    : readEnum(o['append_action'], APPEND_ACTIONS, join(path, 'append_action'), issues, 'APPEND_IF_EXISTS_OR_ADD');
  return { name, value, action, keepEmptyValue: readBool(o['keep_empty_value'], join(path, 'keep_empty_value'), issues) };
}

function forbidden(name: string, direction: 'request' | 'response'): boolean {
  return name.startsWith(':') || (direction === 'request' && name === 'host');
}

/**
 * Envoy evaluates `%COMMAND%` substitutions in header values; `%%` is a literal '%'. Inboard
 * evaluates none of the commands: such a value is kept literally and noted. A lone '%' is an
 * error, as in Envoy ("Un-terminated variable expression").
 */
function evaluateFormatters(value: string, path: string, issues: Issues): string | undefined {
  if (!value.includes('%')) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    if (value[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    const end = value.indexOf('%', i + 1);
    if (end < 0) {
      issues.error(path, `Invalid header configuration. Un-terminated variable expression in ${describe(value)}`);
      return undefined;
    }
    const command = value.slice(i, end + 1);
    issues.note(path, `header value formatter ${command} is not evaluated by inboard; the text is sent literally`);
    out += command;
    i = end;
  }
  return out;
}

function rawValueToString(v: unknown, path: string, issues: Issues): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (typeof v === 'string') return Buffer.from(v, 'base64').toString('utf8');
  issues.error(path, `expected bytes, got ${describe(v)}`);
  return '';
}
