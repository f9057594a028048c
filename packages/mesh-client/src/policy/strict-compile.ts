// Runs an Issues-style compiler (snapshot/proto-readers) on one xDS message and turns its result
// into the policies' contract: a frozen spec, or a CONFIG_REJECTED error naming every bad field.

import { MeshError } from '../errors';
import { Issues, type Issue } from '../snapshot/proto-readers';

/**
 * Calls `compile` with a fresh Issues collector. Errors become one MeshError `CONFIG_REJECTED`
 * whose message lists `field.path: problem` for each, and whose details carry `problems`.
 * Notes (accepted but not honoured) are appended to `notes` when given. The result is frozen.
 * @throws MeshError CONFIG_REJECTED when the message is invalid.
 */
export function compileStrict<T>(what: string, compile: (issues: Issues) => T | undefined, notes?: Issue[]): T {
  const issues = new Issues();
  const value = compile(issues);
  if (notes) notes.push(...issues.notes);
  if (issues.errors.length > 0 || value === undefined) {
    const problems = issues.errors.length > 0 ? issues.errors : [{ path: what, message: 'invalid' }];
    throw new MeshError('CONFIG_REJECTED', `invalid ${what}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, {
      details: { resource: what, problems },
    });
  }
  return freezePlain(value);
}

/**
 * Freezes plain objects and arrays recursively (objects with another prototype, such as compiled
 * matchers or regexes, are left as they are), and returns the value.
 */
export function freezePlain<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  const proto = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    for (const item of value) freezePlain(item);
  } else if (proto === Object.prototype || proto === null) {
    for (const key of Object.keys(value)) freezePlain((value as Record<string, unknown>)[key]);
  } else {
    return value;
  }
  return Object.freeze(value);
}
