// Test support for the validation tables: one case = one spec (or whole document) plus the exact
// list of [path, message fragment] errors (and, when given, warnings) it must produce.

import assert from 'node:assert/strict';
import { validateResource, type ValidationIssue } from '../validate';

/** [field path, fragment the message must contain]. */
export type Expected = readonly [path: string, fragment: string];

/** One row of a validation table. */
export interface Case {
  readonly name: string;
  /** The spec to validate inside a standard envelope of the table's kind. */
  readonly spec?: unknown;
  /** A whole document instead (envelope tests). */
  readonly doc?: unknown;
  /** Every error expected, in any order; [] for a valid case. */
  readonly errors: readonly Expected[];
  /** When given, every warning expected. */
  readonly warnings?: readonly Expected[];
}

/** Defines one mocha `it` per case, validating `{apiVersion, kind, metadata, spec}`. */
export function runTable(kind: string, apiVersion: string, cases: readonly Case[], metadata: Record<string, unknown> = { name: 'example', namespace: 'default' }): void {
  for (const c of cases) {
    it(`${c.errors.length === 0 ? 'accepts' : 'rejects'}: ${c.name}`, () => {
      const doc = c.doc ?? { apiVersion, kind, metadata, spec: c.spec };
      const { errors, warnings } = validateResource(doc);
      assertIssues('error', errors, c.errors);
      if (c.warnings) assertIssues('warning', warnings, c.warnings);
    });
  }
}

/** Asserts that `actual` holds exactly the expected issues (path equal, message containing the fragment). */
export function assertIssues(what: string, actual: readonly ValidationIssue[], expected: readonly Expected[]): void {
  const remaining = [...actual];
  const show = () => actual.map((i) => `  ${i.path}: ${i.message}`).join('\n') || '  (none)';
  for (const [path, fragment] of expected) {
    const at = remaining.findIndex((i) => i.path === path && i.message.includes(fragment));
    assert.ok(at >= 0, `expected ${what} at ${path} containing ${JSON.stringify(fragment)}; got:\n${show()}`);
    remaining.splice(at, 1);
  }
  assert.equal(remaining.length, 0, `unexpected ${what}s:\n${remaining.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
}
