// A small declarative schema language for Istio specs: typed leaves, lists, maps and objects
// with required / mutually exclusive fields, plus hooks for the cross-field rules Istio's webhook
// checks. A schema walks a value and reports every problem with its path; it never stops early.

import { parseDurationNanos } from '../duration';

/** Where a schema reports problems, plus what it needs to know about the resource being checked. */
export interface Ctx {
  /** Namespace of the resource (short hosts and "." in exportTo resolve against it). */
  readonly namespace: string;
  error(path: string, message: string): void;
  /** A warning; `code` is Istio's analysis code (e.g. IST0130) or Inboard's (INB…) where one exists. */
  warn(path: string, message: string, code?: string): void;
}

/** One node of a schema. */
export interface Schema {
  /** What the value should be, for messages: "a string", "an integer", "a mapping". */
  readonly expected: string;
  check(value: unknown, path: string, ctx: Ctx): void;
}

/** Code of the warning given for an Istio field Inboard stores but does not act on yet. */
export const NOT_ENFORCED_CODE = 'INB0001';

// ---- paths and value helpers -------------------------------------------------------------------

/** `a.b` (or `b` at the root). */
export function at(path: string, field: string): string {
  return path === '' ? field : `${path}.${field}`;
}

/** `a[3]` for list items, `a[key]` for map entries (Kubernetes' field-path style). */
export function item(path: string, index: number | string): string {
  return `${path}[${index}]`;
}

/** True for a plain mapping (not a list, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value as a mapping, or undefined when it is anything else. */
export function rec(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

/** The value as a list, or [] when it is anything else. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The value as a string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** True when a field is present with a non-null value. */
export function has(obj: Record<string, unknown> | undefined, field: string): boolean {
  return obj !== undefined && obj[field] !== undefined && obj[field] !== null;
}

/** A value as messages quote it: strings in double quotes, others as JSON-ish text. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function wrongType(expected: string, value: unknown): string {
  const got = typeof value === 'string' ? `string ${JSON.stringify(value)}`
    : Array.isArray(value) ? 'a list'
      : value === null ? 'null'
        : typeof value === 'object' ? 'a mapping'
          : `${typeof value} ${String(value)}`;
  return `must be ${expected}, got ${got}`;
}

type Hook<T> = (value: T, path: string, ctx: Ctx) => void;

// ---- leaves ------------------------------------------------------------------------------------

/** A string; `check` adds rules on its content. */
export function string(options: { nonEmpty?: boolean; maxLength?: number; check?: Hook<string> } = {}): Schema {
  return {
    expected: 'a string',
    check(value, path, ctx) {
      if (typeof value !== 'string') return ctx.error(path, wrongType('a string', value));
      if (options.nonEmpty && value === '') return ctx.error(path, 'must not be empty');
      if (options.maxLength !== undefined && value.length > options.maxLength) {
        return ctx.error(path, `is ${value.length} characters long; the limit is ${options.maxLength}`);
      }
      options.check?.(value, path, ctx);
    },
  };
}

/** An integer within [min, max] (default: the int32 range protobuf uses). */
export function integer(options: { min?: number; max?: number; check?: Hook<number> } = {}): Schema {
  const min = options.min ?? -2147483648;
  const max = options.max ?? 2147483647;
  return {
    expected: 'an integer',
    check(value, path, ctx) {
      if (typeof value !== 'number' || !Number.isInteger(value)) return ctx.error(path, wrongType('an integer', value));
      if (value < min) return ctx.error(path, min === 0 ? `${value} must not be negative` : `${value} must be at least ${min}`);
      if (value > max) return ctx.error(path, `${value} must be at most ${max}`);
      options.check?.(value, path, ctx);
    },
  };
}

/** A non-negative uint32, as protobuf's uint32 and UInt32Value. */
export const uint32 = (check?: Hook<number>): Schema => integer({ min: 0, max: 4294967295, ...(check ? { check } : {}) });

/** A number (protobuf double) within [min, max]. */
export function number(options: { min?: number; max?: number; check?: Hook<number> } = {}): Schema {
  return {
    expected: 'a number',
    check(value, path, ctx) {
      if (typeof value !== 'number' || !Number.isFinite(value)) return ctx.error(path, wrongType('a number', value));
      if (options.min !== undefined && value < options.min) return ctx.error(path, `${value} must be at least ${options.min}`);
      if (options.max !== undefined && value > options.max) return ctx.error(path, `${value} must be at most ${options.max}`);
      options.check?.(value, path, ctx);
    },
  };
}

/** true or false. */
export function boolean(): Schema {
  return {
    expected: 'a boolean',
    check(value, path, ctx) {
      if (typeof value !== 'boolean') ctx.error(path, wrongType('true or false', value));
    },
  };
}

/** One of a fixed set of strings (protobuf enum names, case-sensitive as Istio's CRDs). */
export function enumOf(values: readonly string[], options: { rejected?: Readonly<Record<string, string>>; check?: Hook<string> } = {}): Schema {
  return {
    expected: `one of ${values.join(', ')}`,
    check(value, path, ctx) {
      if (typeof value !== 'string') return ctx.error(path, wrongType(`one of ${values.join(', ')}`, value));
      if (!values.includes(value)) {
        const near = values.find((v) => v.toLowerCase() === value.toLowerCase());
        return ctx.error(path, `${show(value)} is not one of ${values.join(', ')}${near ? ` (did you mean ${near}?)` : ''}`);
      }
      const why = options.rejected?.[value];
      if (why !== undefined) return ctx.error(path, why);
      options.check?.(value, path, ctx);
    },
  };
}

/**
 * A duration string ("1s", "100ms"). By default it must be at least 1ms and a whole number of
 * milliseconds, as Istio's `ValidateDuration`; `allowZero` also accepts "0s" (meaning "disabled").
 */
export function duration(options: { allowZero?: boolean; wholeSeconds?: boolean } = {}): Schema {
  return {
    expected: 'a duration',
    check(value, path, ctx) {
      if (typeof value !== 'string') return ctx.error(path, wrongType('a duration string such as "1s" or "100ms"', value));
      let nanos: bigint;
      try {
        nanos = parseDurationNanos(value);
      } catch (e) {
        return ctx.error(path, (e as Error).message);
      }
      if (nanos === 0n && options.allowZero) return;
      if (nanos < 1_000_000n) return ctx.error(path, `${show(value)} must be at least 1ms`);
      if (nanos % 1_000_000n !== 0n) return ctx.error(path, `${show(value)} has sub-millisecond precision; only whole milliseconds are supported`);
      if (options.wholeSeconds && nanos % 1_000_000_000n !== 0n) ctx.error(path, `${show(value)} must be a whole number of seconds`);
    },
  };
}

// ---- containers --------------------------------------------------------------------------------

/** A list of `itemSchema`; null items are errors. */
export function listOf(itemSchema: Schema, options: { minItems?: number; maxItems?: number; check?: Hook<unknown[]> } = {}): Schema {
  return {
    expected: `a list`,
    check(value, path, ctx) {
      if (!Array.isArray(value)) return ctx.error(path, wrongType(`a list of ${itemSchema.expected.replace(/^an? /, '')} values`, value));
      if (options.minItems !== undefined && value.length < options.minItems) {
        ctx.error(path, options.minItems === 1 ? 'must not be empty' : `must have at least ${options.minItems} items`);
      }
      if (options.maxItems !== undefined && value.length > options.maxItems) ctx.error(path, `has ${value.length} items; the limit is ${options.maxItems}`);
      value.forEach((entry, i) => {
        if (entry === null || entry === undefined) ctx.error(item(path, i), 'must not be null');
        else itemSchema.check(entry, item(path, i), ctx);
      });
      options.check?.(value, path, ctx);
    },
  };
}

/** A mapping from string keys to `valueSchema`; `key` checks each key. */
export function mapOf(valueSchema: Schema, options: { key?: Hook<string>; maxProperties?: number; nullable?: boolean; check?: Hook<Record<string, unknown>> } = {}): Schema {
  return {
    expected: 'a mapping',
    check(value, path, ctx) {
      if (!isRecord(value)) return ctx.error(path, wrongType('a mapping', value));
      const keys = Object.keys(value);
      if (options.maxProperties !== undefined && keys.length > options.maxProperties) {
        ctx.error(path, `has ${keys.length} entries; the limit is ${options.maxProperties}`);
      }
      for (const key of keys) {
        options.key?.(key, item(path, key), ctx);
        const entry = value[key];
        if (entry === null || entry === undefined) {
          if (!options.nullable) ctx.error(item(path, key), 'must not be null');
        } else valueSchema.check(entry, item(path, key), ctx);
      }
      options.check?.(value, path, ctx);
    },
  };
}

/** Field table of an object schema. */
export type Fields = Readonly<Record<string, Schema>>;

/**
 * A mapping with known fields. Unknown fields are errors that name the allowed ones; null fields
 * count as absent (Kubernetes prunes them). `exclusive` lists groups of which at most one may be set.
 */
export function object(fields: Fields, options: { required?: readonly string[]; exclusive?: readonly (readonly string[])[]; check?: Hook<Record<string, unknown>> } = {}): Schema {
  const names = Object.keys(fields);
  return {
    expected: 'a mapping',
    check(value, path, ctx) {
      if (!isRecord(value)) return ctx.error(path, wrongType('a mapping', value));
      for (const [key, entry] of Object.entries(value)) {
        const schema = Object.hasOwn(fields, key) ? fields[key] : undefined;
        if (!schema) ctx.error(at(path, key), unknownField(key, names));
        else if (entry !== null && entry !== undefined) schema.check(entry, at(path, key), ctx);
      }
      for (const name of options.required ?? []) {
        if (!has(value, name)) ctx.error(at(path, name), 'is required');
      }
      for (const group of options.exclusive ?? []) {
        const set = group.filter((name) => has(value, name));
        if (set.length > 1) ctx.error(path, `only one of ${group.join(', ')} may be set, found ${set.join(' and ')}`);
      }
      options.check?.(value, path, ctx);
    },
  };
}

function unknownField(key: string, allowed: readonly string[]): string {
  const camel = key.replace(/[_-]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const near = allowed.find((name) => name === camel || name.toLowerCase() === key.toLowerCase());
  const hint = near ? ` (did you mean "${near}"?)` : '';
  return `unknown field ${JSON.stringify(key)}${hint}; allowed fields: ${allowed.join(', ')}`;
}

// ---- field status ------------------------------------------------------------------------------

/** A field Istio has that Inboard refuses: any value is an error with `reason`. */
export function rejected(reason: string): Schema {
  return {
    expected: 'nothing',
    check(_value, path, ctx) {
      ctx.error(path, reason);
    },
  };
}

/** A deprecated Istio field that still works: validated, plus a warning with `advice`. */
export function deprecated(inner: Schema, advice: string): Schema {
  return {
    expected: inner.expected,
    check(value, path, ctx) {
      ctx.warn(path, `deprecated: ${advice}`);
      inner.check(value, path, ctx);
    },
  };
}

/** A field Inboard validates and stores but does not act on yet: validated, plus a warning. */
export function notEnforced(inner: Schema, reason = 'Inboard stores it but does not act on it yet'): Schema {
  return {
    expected: inner.expected,
    check(value, path, ctx) {
      ctx.warn(path, `accepted but not enforced: ${reason}`, NOT_ENFORCED_CODE);
      inner.check(value, path, ctx);
    },
  };
}

