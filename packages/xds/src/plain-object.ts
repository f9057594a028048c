// Strict check of a plain object against a protobufjs message type, producing a canonical copy:
// unknown fields, enum names and mistyped values are reported with their path (protobufjs' own
// verify/fromObject ignore them), and map keys are sorted so equal input encodes to equal bytes.

import * as protobuf from 'protobufjs';
import { messageNameOf } from './type-urls';

/** One problem found in a plain object: the field path and what is wrong. */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

const MAX_PROBLEMS = 20;
const ANY_TYPE = '.google.protobuf.Any';

const INT32_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  int32: [-2147483648, 2147483647],
  sint32: [-2147483648, 2147483647],
  sfixed32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
  fixed32: [0, 4294967295],
};
const INT64_RANGE: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

/**
 * Checks `value` against message `type` and returns a canonical copy (absent `null`/`undefined`
 * fields and oneof discriminator names removed, map keys sorted). Problems are appended to
 * `problems`; the copy is only meaningful when none were found.
 */
export function canonicalMessage(type: protobuf.Type, value: unknown, path: string, problems: FieldProblem[]): Record<string, unknown> {
  if (!isPlainRecord(value)) {
    report(problems, path, `expected an object for ${type.fullName.slice(1)}, got ${describe(value)}`);
    return {};
  }
  if (type.fullName === ANY_TYPE && typeof value['@type'] === 'string') return canonicalAny(type, value, path, problems);
  return canonicalFields(type, value, path, problems, false);
}

function canonicalAny(anyType: protobuf.Type, value: Record<string, unknown>, path: string, problems: FieldProblem[]): Record<string, unknown> {
  const url = value['@type'] as string;
  const inner = anyType.root.lookup(messageNameOf(url));
  if (!(inner instanceof protobuf.Type)) {
    report(problems, `${path}.@type`, `unknown type "${url}" (not among the loaded xDS protos)`);
    return {};
  }
  const fields = canonicalFields(inner, value, `${path}<${inner.name}>`, problems, true);
  return { '@type': url, ...fields };
}

function canonicalFields(type: protobuf.Type, value: Record<string, unknown>, path: string, problems: FieldProblem[], allowAtType: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const discriminators: [string, unknown][] = [];
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    if (key === '@type' && allowAtType) continue;
    const field = type.fields[key];
    if (!field) {
      if (type.oneofs?.[key]) { discriminators.push([key, v]); continue; }
      report(problems, join(path, key), `unknown field (${type.fullName.slice(1)} has no field "${key}")`);
      continue;
    }
    if (v === undefined || v === null) continue;
    out[key] = canonicalField(field, v, join(path, key), problems);
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.oneof.filter((name) => out[name] !== undefined);
    if (set.length > 1) report(problems, join(path, oneof.name), `oneof "${oneof.name}" has more than one field set: ${set.join(', ')}`);
  }
  for (const [name, v] of discriminators) {
    const members = type.oneofs[name]!.oneof;
    if (typeof v !== 'string' || !members.includes(v) || out[v] === undefined) {
      report(problems, join(path, name), `oneof name must be the set field (${members.join(' | ')}), got ${describe(v)}`);
    }
  }
  return out;
}

function canonicalField(field: protobuf.Field, value: unknown, path: string, problems: FieldProblem[]): unknown {
  if (field.map) {
    if (!isPlainRecord(value)) { report(problems, path, `expected a map object, got ${describe(value)}`); return undefined; }
    const keyType = (field as unknown as protobuf.MapField).keyType;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      checkMapKey(keyType, k, `${path}["${k}"]`, problems);
      const v = value[k];
      if (v === undefined || v === null) { report(problems, `${path}["${k}"]`, 'map value is missing'); continue; }
      out[k] = canonicalSingle(field, v, `${path}["${k}"]`, problems);
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) { report(problems, path, `expected an array, got ${describe(value)}`); return undefined; }
    return value.map((v, i) => canonicalSingle(field, v, `${path}[${i}]`, problems));
  }
  return canonicalSingle(field, value, path, problems);
}

function canonicalSingle(field: protobuf.Field, value: unknown, path: string, problems: FieldProblem[]): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return canonicalMessage(resolved, value, path, problems);
  if (resolved instanceof protobuf.Enum) { checkEnum(resolved, value, path, problems); return value; }
  checkScalar(field.type, value, path, problems);
  return value;
}

function checkEnum(en: protobuf.Enum, value: unknown, path: string, problems: FieldProblem[]): void {
  if (typeof value === 'string' && Object.prototype.hasOwnProperty.call(en.values, value)) return;
  if (typeof value === 'number' && Number.isInteger(value) && en.valuesById[value] !== undefined) return;
  const names = Object.keys(en.values);
  const shown = names.length > 12 ? `${names.slice(0, 12).join(', ')}, …` : names.join(', ');
  report(problems, path, `invalid ${en.name} value ${describe(value)} (expected one of ${shown})`);
}

function checkScalar(kind: string, value: unknown, path: string, problems: FieldProblem[]): void {
  const int32 = INT32_RANGE[kind];
  if (int32) {
    const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < int32[0] || n > int32[1]) report(problems, path, `expected a ${kind}, got ${describe(value)}`);
    return;
  }
  const int64 = INT64_RANGE[kind];
  if (int64) {
    if (!isInt64(value, int64)) report(problems, path, `expected a ${kind} (integer number or decimal string), got ${describe(value)}`);
    return;
  }
  switch (kind) {
    case 'double':
    case 'float':
      if (typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) || value === 'NaN') return;
      break;
    case 'bool':
      if (typeof value === 'boolean') return;
      break;
    case 'string':
      if (typeof value === 'string') return;
      break;
    case 'bytes':
      if (value instanceof Uint8Array || (typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value))) return;
      break;
    default:
      report(problems, path, `field of unsupported type ${kind}`);
      return;
  }
  report(problems, path, `expected a ${kind}, got ${describe(value)}`);
}

function isInt64(value: unknown, [lo, hi]: readonly [bigint, bigint]): boolean {
  let n: bigint;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) return false;
    n = BigInt(value);
  } else if (typeof value === 'string' && /^-?\d+$/.test(value)) {
    n = BigInt(value);
  } else if (isPlainRecordLike(value) && typeof value['low'] === 'number' && typeof value['high'] === 'number') {
    return true; // a Long instance
  } else {
    return false;
  }
  return n >= lo && n <= hi;
}

function checkMapKey(keyType: string, key: string, path: string, problems: FieldProblem[]): void {
  if (keyType === 'string') return;
  if (keyType === 'bool' ? key === 'true' || key === 'false' : /^-?\d+$/.test(key)) return;
  report(problems, path, `map key "${key}" is not a ${keyType}`);
}

function report(problems: FieldProblem[], path: string, message: string): void {
  if (problems.length < MAX_PROBLEMS) problems.push({ path, message });
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function isPlainRecordLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${String(v)}`;
}
