// Validation of config documents before they reach the store: the envelope (envelope.ts), then
// the kind's spec schema (validate/<kind>.ts), collecting every problem with its file, document,
// resource and field path. Used by the admin API (apply, PUT) and the CLI.

import type { SourceDocument } from './documents';
import { keyString, type Resource } from './resource';
import { checkEnvelope, storedKindsText } from './validate/envelope';
import { KIND_RULES } from './validate/kinds';
import { type Ctx, isRecord } from './validate/schema';

/** One problem found in a document. */
export interface ValidationIssue {
  readonly source?: string;
  /** 1-based position of the YAML document in its source. */
  readonly index?: number;
  /** "VirtualService default/reviews", once kind and name are known. */
  readonly resource?: string;
  /** Field path from the document root, e.g. "spec.http[0].route[1].weight" (items[N]. for List items). */
  readonly path: string;
  readonly message: string;
  /** Machine-readable code where one exists: UNSUPPORTED_KIND, or an analysis code such as IST0130 / INB0001. */
  readonly code?: string;
}

/** A document of a kind Inboard does not store, skipped on request. */
export interface SkippedDocument {
  readonly source: string;
  readonly index: number;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
}

/** The result of validating a batch of documents. */
export interface ValidationOutcome {
  /** Resources of the documents that validated cleanly, in document order. */
  readonly resources: Resource[];
  readonly skipped: SkippedDocument[];
  readonly errors: ValidationIssue[];
  readonly warnings: ValidationIssue[];
}

interface Checked {
  /** Set only when the document is valid. */
  readonly resource?: Resource;
  /** Kind, namespace and name, when the envelope is sound (for duplicate detection). */
  readonly key?: string;
  readonly label?: string;
  readonly unsupported?: { apiVersion: string; kind: string; name: string };
  readonly errors: ValidationIssue[];
  readonly warnings: ValidationIssue[];
}

/**
 * Validates a batch (one `inboard apply`). Documents whose object is null or undefined are empty
 * documents and are passed over. Kinds Inboard does not store are errors unless `skipUnsupported`,
 * which moves them to `skipped`. The same kind/namespace/name twice is an error.
 */
export function validateDocuments(docs: readonly SourceDocument[], options: { skipUnsupported?: boolean } = {}): ValidationOutcome {
  const outcome: ValidationOutcome = { resources: [], skipped: [], errors: [], warnings: [] };
  const firstSeen = new Map<string, SourceDocument>();
  for (const doc of docs) {
    if (doc.object === null || doc.object === undefined) continue;
    const prefix = doc.item !== undefined ? `items[${doc.item}]` : '';
    const checked = checkObject(doc.object, options.skipUnsupported === true);
    const place = (issue: ValidationIssue): ValidationIssue => ({
      source: doc.source,
      index: doc.index,
      ...issue,
      path: prefix === '' ? issue.path : issue.path === '' ? prefix : `${prefix}.${issue.path}`,
    });
    if (checked.unsupported && options.skipUnsupported) {
      outcome.skipped.push({ source: doc.source, index: doc.index, ...checked.unsupported });
      continue;
    }
    outcome.errors.push(...checked.errors.map(place));
    outcome.warnings.push(...checked.warnings.map(place));
    const key = checked.key;
    if (key === undefined) continue;
    const first = firstSeen.get(key);
    if (first) {
      outcome.errors.push(place({
        resource: checked.label,
        path: 'metadata.name',
        message: `${checked.label} is defined twice in one apply (first in ${first.source} doc ${first.index}${first.item !== undefined ? ` item ${first.item}` : ''})`,
      }));
      continue;
    }
    firstSeen.set(key, doc);
    if (checked.resource) outcome.resources.push(checked.resource);
  }
  return outcome;
}

/** Validates one object (an admin API PUT); kinds Inboard does not store are errors. */
export function validateResource(object: unknown): { resource?: Resource; errors: ValidationIssue[]; warnings: ValidationIssue[] } {
  const checked = checkObject(object, false);
  return {
    ...(checked.resource ? { resource: checked.resource } : {}),
    errors: checked.errors,
    warnings: checked.warnings,
  };
}

/** `reviews.yaml doc 2 VirtualService default/reviews: spec.http[0].route[1].weight: -5 must not be negative`. */
export function formatIssue(issue: ValidationIssue): string {
  const where = [
    issue.source,
    issue.index !== undefined ? `doc ${issue.index}` : undefined,
    issue.resource,
  ].filter((part) => part !== undefined && part !== '').join(' ');
  const path = issue.path === '' ? '' : `${issue.path}: `;
  return where === '' ? `${path}${issue.message}` : `${where}: ${path}${issue.message}`;
}

function checkObject(object: unknown, skipUnsupported: boolean): Checked {
  const errors: ValidationIssue[] = [];
  const warnings: ValidationIssue[] = [];
  let label: string | undefined;
  const rawMeta = isRecord(object) && isRecord(object.metadata) ? object.metadata : undefined;
  const ctx: Ctx = {
    namespace: typeof rawMeta?.namespace === 'string' ? rawMeta.namespace : 'default',
    error: (path, message) => errors.push({ ...(label ? { resource: label } : {}), path, message }),
    warn: (path, message, code) => warnings.push({ ...(label ? { resource: label } : {}), path, message, ...(code ? { code } : {}) }),
  };
  const envelope = checkEnvelope(object, ctx, (text) => (label = text));
  if (envelope.type === 'unsupported') {
    const { apiVersion, kind, name } = envelope;
    if (!skipUnsupported) {
      errors.push({
        ...(label ? { resource: label } : {}),
        path: 'kind',
        message: `unsupported kind ${kind} (apiVersion ${apiVersion}); Inboard stores ${storedKindsText()}; use --skip-unsupported to skip them`,
        code: 'UNSUPPORTED_KIND',
      });
    }
    return { unsupported: { apiVersion, kind, name }, errors, warnings };
  }
  if (envelope.type === 'invalid') return { ...(label ? { label } : {}), errors, warnings };
  KIND_RULES[envelope.info.kind].spec.check(envelope.spec, 'spec', ctx);
  const metadata = envelope.metadata;
  if (!metadata) return { ...(label ? { label } : {}), errors, warnings };
  const key = keyString({ kind: envelope.info.kind, namespace: metadata.namespace, name: metadata.name });
  if (errors.length > 0) return { key, ...(label ? { label } : {}), errors, warnings };
  const resource: Resource = deepFreeze({
    apiVersion: envelope.apiVersion,
    kind: envelope.info.kind,
    metadata: withoutNulls(metadata) as Resource['metadata'],
    spec: withoutNulls(envelope.spec),
  });
  return { resource, key, ...(label ? { label } : {}), errors, warnings };
}

/** A deep copy without null-valued mapping fields (Kubernetes prunes them; validation treated them as unset). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isRecord(value)) return value;
  // fromEntries defines own properties, so a key such as "__proto__" stays a plain key.
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => [k, withoutNulls(v)]));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
