// Readers for Envoy resources in the plain-object convention (protobufjs toObject, keepCase):
// Durations, wrappers, enums, fractions, Struct/Metadata, Any — plus the Issues collector that
// gives every validation error and "not honoured" note the field path it belongs to.

/** A plain object as decoded from protobuf. */
export type Obj = Readonly<Record<string, unknown>>;

/** One problem found in a resource, with the field path (`virtual_hosts[0].routes[2].match`). */
export interface Issue {
  readonly path: string;
  readonly message: string;
}

/**
 * Collects errors (the resource is rejected) and notes (accepted, but part of it is not honoured)
 * while one resource compiles. Paths are relative to the resource.
 */
export class Issues {
  readonly errors: Issue[] = [];
  readonly notes: Issue[] = [];

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  note(path: string, message: string): void {
    this.notes.push({ path, message });
  }

  /**
   * Notes every set field of `o` that is neither handled nor known to be harmless, so that config
   * we do not implement is reported instead of silently ignored. Oneof discriminator keys
   * (protobufjs `oneofs: true`) and default values (false, 0, '', empty) count as unset.
   */
  unknownFields(o: Obj, path: string, handled: ReadonlySet<string>, harmless: ReadonlySet<string> = EMPTY_SET): void {
    for (const key of Object.keys(o)) {
      if (handled.has(key) || harmless.has(key) || key === '@type') continue;
      const value = o[key];
      if (isUnset(value)) continue;
      if (typeof value === 'string' && o[value] !== undefined) continue; // oneof discriminator
      this.note(join(path, key), 'not honoured by inboard (field ignored)');
    }
  }
}

const EMPTY_SET: ReadonlySet<string> = new Set();

/** Builds a field set for `Issues.unknownFields`. */
export function fields(...names: string[]): ReadonlySet<string> {
  return new Set(names);
}

/** Joins a path and a field name. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** True for undefined/null and protobuf default values (false, 0, '', empty list or object). */
export function isUnset(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '' || value === '0') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === 'object' && !(value instanceof Uint8Array)) return Object.keys(value as object).length === 0;
  return false;
}

/** `v` as an object, or undefined when unset; records an error when set but not an object. */
export function readObject(v: unknown, path: string, issues: Issues): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    issues.error(path, `expected a message, got ${describe(v)}`);
    return undefined;
  }
  return v as Obj;
}

/** `v` as a list (unset → []); records an error when not an array. */
export function readList(v: unknown, path: string, issues: Issues): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    issues.error(path, `expected a repeated field, got ${describe(v)}`);
    return [];
  }
  return v;
}

/** `v` as a string (unset → undefined). */
export function readString(v: unknown, path: string, issues: Issues): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    issues.error(path, `expected a string, got ${describe(v)}`);
    return undefined;
  }
  return v;
}

/** `v` as a boolean (unset → false); accepts a BoolValue wrapper `{ value }` too. */
export function readBool(v: unknown, path: string, issues: Issues): boolean {
  const inner = unwrap(v);
  if (inner === undefined || inner === null || inner === WRAPPER_DEFAULT) return false;
  if (typeof inner !== 'boolean') {
    issues.error(path, `expected a bool, got ${describe(inner)}`);
    return false;
  }
  return inner;
}

/** A BoolValue wrapper: undefined when unset, else its value. */
export function readOptionalBool(v: unknown, path: string, issues: Issues): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  return readBool(v, path, issues);
}

/**
 * A (u)int32/64 field or wrapper (`{ value }`), as a JS number. 64-bit values may arrive as strings.
 * Unset → undefined. Errors on non-integers, negatives when `unsigned`, and values beyond 2^53.
 */
export function readInt(v: unknown, path: string, issues: Issues, options: { unsigned?: boolean; max?: number } = {}): number | undefined {
  const raw = unwrap(v);
  if (raw === undefined || raw === null) return undefined;
  const inner = raw === WRAPPER_DEFAULT ? 0 : raw;
  const n = typeof inner === 'string' && /^[+-]?\d+$/.test(inner) ? Number(inner) : inner;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    issues.error(path, `expected an integer, got ${describe(inner)}`);
    return undefined;
  }
  if (!Number.isSafeInteger(n)) {
    issues.error(path, `integer ${String(inner)} is too large`);
    return undefined;
  }
  if ((options.unsigned ?? true) && n < 0) {
    issues.error(path, `must not be negative (got ${n})`);
    return undefined;
  }
  if (options.max !== undefined && n > options.max) {
    issues.error(path, `must be ≤ ${options.max} (got ${n})`);
    return undefined;
  }
  return n;
}

/** A double field or DoubleValue wrapper. */
export function readDouble(v: unknown, path: string, issues: Issues): number | undefined {
  const raw = unwrap(v);
  if (raw === undefined || raw === null) return undefined;
  const inner = raw === WRAPPER_DEFAULT ? 0 : raw;
  if (typeof inner !== 'number' || !Number.isFinite(inner)) {
    issues.error(path, `expected a number, got ${describe(inner)}`);
    return undefined;
  }
  return inner;
}

/**
 * A google.protobuf.Duration as milliseconds: `{ seconds, nanos }` (seconds as string or number),
 * or the JSON form `"1.5s"`. Unset → undefined; negative → error.
 */
export function readDurationMs(v: unknown, path: string, issues: Issues): number | undefined {
  if (v === undefined || v === null) return undefined;
  let ms: number | undefined;
  if (typeof v === 'string') {
    const m = /^(-?\d+(?:\.\d+)?)s$/.exec(v);
    if (m) ms = Number(m[1]) * 1000;
  } else if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Obj;
    const seconds = o['seconds'] === undefined ? 0 : Number(o['seconds']);
    const nanos = o['nanos'] === undefined ? 0 : Number(o['nanos']);
    if (Number.isFinite(seconds) && Number.isFinite(nanos)) ms = seconds * 1000 + nanos / 1e6;
  }
  if (ms === undefined || Number.isNaN(ms)) {
    issues.error(path, `expected a Duration {seconds, nanos}, got ${describe(v)}`);
    return undefined;
  }
  if (ms < 0) {
    issues.error(path, `Duration must not be negative (got ${ms} ms)`);
    return undefined;
  }
  return ms;
}

/** An enum given by name (or number, mapped through `names`). Unset → `fallback`. */
export function readEnum<T extends string>(v: unknown, names: readonly T[], path: string, issues: Issues, fallback: T): T {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < names.length) return names[v]!;
  if (typeof v === 'string' && (names as readonly string[]).includes(v)) return v as T;
  issues.error(path, `unknown enum value ${describe(v)}; expected one of ${names.join(', ')}`);
  return fallback;
}

const DENOMINATORS = ['HUNDRED', 'TEN_THOUSAND', 'MILLION'] as const;
const PER_MILLION_SCALE = { HUNDRED: 10_000, TEN_THOUSAND: 100, MILLION: 1 } as const;

/**
 * A FractionalPercent `{ numerator, denominator }` as parts per million (denominator defaults to
 * HUNDRED; a numerator above the denominator is clamped, as Envoy does). Unset → `fallback`.
 */
export function readFractionPerMillion(v: unknown, path: string, issues: Issues, fallback: number): number {
  return readFraction(v, path, issues, fallback).perMillion;
}

/**
 * A FractionalPercent as parts per million, and `scale`: parts per million of one unit of its
 * denominator (HUNDRED 10 000, TEN_THOUSAND 100, MILLION 1; Envoy reads fault header percentages in it).
 */
export function readFraction(v: unknown, path: string, issues: Issues, fallback: number): { readonly perMillion: number; readonly scale: number } {
  const o = readObject(v, path, issues);
  if (!o) return { perMillion: fallback, scale: PER_MILLION_SCALE.HUNDRED };
  const numerator = readInt(o['numerator'], join(path, 'numerator'), issues) ?? 0;
  const denominator = readEnum(o['denominator'], DENOMINATORS, join(path, 'denominator'), issues, 'HUNDRED');
  const scale = PER_MILLION_SCALE[denominator];
  return { perMillion: Math.min(numerator * scale, 1_000_000), scale };
}

/** A RuntimeFractionalPercent: its `default_value` as parts per million; runtime keys are noted (no runtime). */
export function readRuntimeFractionPerMillion(v: unknown, path: string, issues: Issues, fallback: number): number {
  const o = readObject(v, path, issues);
  if (!o) return fallback;
  if (typeof o['runtime_key'] === 'string' && o['runtime_key'] !== '') {
    issues.note(join(path, 'runtime_key'), `runtime key "${o['runtime_key']}" not honoured (no runtime); default_value used`);
  }
  // An unset default_value is FractionalPercent{} = 0/100 in Envoy.
  return readFractionPerMillion(o['default_value'] ?? {}, join(path, 'default_value'), issues, 0);
}

/** A type.v3.Percent `{ value }` (double 0–100). */
export function readPercent(v: unknown, path: string, issues: Issues): number | undefined {
  const o = readObject(v, path, issues);
  if (!o) return undefined;
  const value = readDouble(o['value'], join(path, 'value'), issues) ?? 0;
  if (value < 0 || value > 100) {
    issues.error(join(path, 'value'), `percent must be within [0, 100] (got ${value})`);
    return undefined;
  }
  return value;
}

/**
 * A google.protobuf.Struct as plain JSON. Accepts both a plain object and the protobufjs message
 * form `{ fields: { k: { string_value | number_value | bool_value | struct_value | list_value | null_value } } }`.
 */
export function structToJson(v: unknown): Record<string, unknown> {
  if (v === undefined || v === null || typeof v !== 'object' || Array.isArray(v)) return {};
  const o = v as Obj;
  const fieldsValue = o['fields'];
  if (fieldsValue && typeof fieldsValue === 'object' && !Array.isArray(fieldsValue) && Object.keys(o).every((k) => k === 'fields')) {
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(fieldsValue as Obj)) out[k] = valueToJson(val);
    return out;
  }
  return { ...o };
}

function valueToJson(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const o = v as Obj;
  if ('string_value' in o) return o['string_value'];
  if ('number_value' in o) return o['number_value'];
  if ('bool_value' in o) return o['bool_value'];
  if ('null_value' in o) return null;
  if ('struct_value' in o) return structToJson(o['struct_value']);
  if ('list_value' in o) {
    const list = (o['list_value'] as Obj | undefined)?.['values'];
    return Array.isArray(list) ? list.map(valueToJson) : [];
  }
  if ('kind' in o && typeof o['kind'] === 'string') return valueToJson({ [o['kind']]: o[o['kind']] });
  return structToJson(o);
}

/** A core.v3.Metadata as `namespace → plain JSON` (filter_metadata; typed_filter_metadata is noted by callers). */
export function readMetadata(v: unknown): Readonly<Record<string, Readonly<Record<string, unknown>>>> {
  if (v === undefined || v === null || typeof v !== 'object') return {};
  const filterMetadata = (v as Obj)['filter_metadata'];
  if (!filterMetadata || typeof filterMetadata !== 'object') return {};
  const out: Record<string, Record<string, unknown>> = {};
  for (const [ns, struct] of Object.entries(filterMetadata as Obj)) out[ns] = structToJson(struct);
  return out;
}

/** The message name of an Any (`'@type'` after the last '/'), or undefined. */
export function anyTypeName(v: unknown): string | undefined {
  if (v === undefined || v === null || typeof v !== 'object') return undefined;
  const t = (v as Obj)['@type'];
  return typeof t === 'string' ? t.slice(t.lastIndexOf('/') + 1) : undefined;
}

const TYPED_STRUCTS = new Set(['xds.type.v3.TypedStruct', 'udpa.type.v1.TypedStruct']);

/**
 * Unwraps an Any into `{ typeName, message }`; a TypedStruct wrapper is opened into the message it
 * carries (its Struct becomes the plain fields). Returns undefined when `v` is not an Any.
 */
export function unwrapAny(v: unknown): { readonly typeName: string; readonly message: Obj } | undefined {
  const typeName = anyTypeName(v);
  if (typeName === undefined) return undefined;
  const message = v as Obj;
  if (TYPED_STRUCTS.has(typeName)) {
    const url = message['type_url'];
    if (typeof url !== 'string') return undefined;
    return { typeName: url.slice(url.lastIndexOf('/') + 1), message: structToJson(message['value']) };
  }
  return { typeName, message };
}

/** Short human description of a value for error messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'object') return 'a message';
  return `${typeof v} ${String(v)}`;
}

/** Marks a wrapper message whose value is the default (protobufjs omits `value: 0/false`, leaving `{}`). */
const WRAPPER_DEFAULT = Symbol('wrapper-default');

function unwrap(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    if ('value' in (v as Obj)) return (v as Obj)['value'];
    if (Object.keys(v as object).length === 0) return WRAPPER_DEFAULT;
  }
  return v;
}
