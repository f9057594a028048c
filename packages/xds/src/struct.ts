// Converts between plain JSON values and google.protobuf.Struct in the plain-object convention
// ({ fields: { key: { string_value } } }). Node metadata travels as a Struct; so do filter metadata
// and TypedStruct values inside resources.

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** google.protobuf.Value as a plain object (exactly one member set). */
export interface StructValue {
  null_value?: 'NULL_VALUE' | 0;
  number_value?: number;
  string_value?: string;
  bool_value?: boolean;
  struct_value?: Struct;
  list_value?: { values?: StructValue[] };
}

/** google.protobuf.Struct as a plain object. */
export interface Struct {
  fields?: Record<string, StructValue>;
}

/** Plain object → Struct. `undefined` members are left out; anything not JSON throws a TypeError naming the key. */
export function toStruct(object: Readonly<Record<string, unknown>>, path = 'metadata'): Struct {
  const fields: Record<string, StructValue> = {};
  for (const key of Object.keys(object).sort()) {
    const v = object[key];
    if (v !== undefined) fields[key] = toValue(v, `${path}.${key}`);
  }
  return { fields };
}

/** Struct (as decoded) → plain object. Accepts camelCase member names too (protobufjs' bundled spelling). */
export function fromStruct(struct: unknown): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  const fields = (struct as Struct | undefined)?.fields;
  if (!fields || typeof fields !== 'object') return out;
  for (const [key, value] of Object.entries(fields)) out[key] = fromValue(value);
  return out;
}

function toValue(v: unknown, path: string): StructValue {
  if (v === null) return { null_value: 'NULL_VALUE' };
  switch (typeof v) {
    case 'string': return { string_value: v };
    case 'number':
      if (!Number.isFinite(v)) throw new TypeError(`${path}: ${v} cannot be a Struct number`);
      return { number_value: v };
    case 'boolean': return { bool_value: v };
    case 'object':
      if (Array.isArray(v)) return { list_value: { values: v.map((x, i) => toValue(x, `${path}[${i}]`)) } };
      return { struct_value: toStruct(v as Record<string, unknown>, path) };
    default:
      throw new TypeError(`${path}: a ${typeof v} cannot be a Struct value`);
  }
}

function fromValue(value: unknown): JsonValue {
  const v = (value ?? {}) as Record<string, unknown>;
  const pick = (snake: string, camel: string) => (v[snake] !== undefined ? v[snake] : v[camel]);
  const s = pick('string_value', 'stringValue');
  if (s !== undefined) return String(s);
  const n = pick('number_value', 'numberValue');
  if (n !== undefined) return Number(n);
  const b = pick('bool_value', 'boolValue');
  if (b !== undefined) return Boolean(b);
  const st = pick('struct_value', 'structValue');
  if (st !== undefined) return fromStruct(st);
  const l = pick('list_value', 'listValue') as { values?: unknown[] } | undefined;
  if (l !== undefined) return (l.values ?? []).map(fromValue);
  return null;
}
