// Deep immutability for compiled snapshots: freeze plain objects, arrays and Maps recursively,
// stopping at frozen parts (reused from the previous snapshot) and at class instances (RE2 programs).

/** Deep-freezes plain data in place and returns it. Map and Set objects are frozen and their contents walked. */
export function deepFreeze<T>(value: T): T {
  freeze(value);
  return value;
}

function freeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  if (value instanceof Map) {
    Object.freeze(value);
    for (const v of value.values()) freeze(v);
    return;
  }
  if (value instanceof Set) {
    Object.freeze(value);
    return;
  }
  if (ArrayBuffer.isView(value)) return; // typed arrays cannot be frozen; they stay private to their owner
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return; // class instance (e.g. RE2JS)
  Object.freeze(value);
  for (const key of Object.keys(value)) freeze((value as Record<string, unknown>)[key]);
}

/**
 * A frozen deep copy of plain config data (objects, arrays, strings, numbers, bytes), so that the
 * snapshot can keep parts of a resource without freezing objects the xDS client still owns.
 */
export function cloneFrozen<T>(value: T): T {
  return deepFreeze(clone(value)) as T;
}

function clone(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(clone);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = clone(v);
  return out;
}
