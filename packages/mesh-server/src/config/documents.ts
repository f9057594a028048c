// Splitting a YAML (or JSON) text into its documents, as `kubectl apply -f` reads a file:
// empty documents are dropped but keep their number, a `kind: List` is expanded into its items,
// and a syntax error names the file, the document and the line:column.

import { LineCounter, parseAllDocuments } from 'yaml';
import { MeshServerError } from '../errors';
import type { ValidationIssue } from './validate';

/** One document of a source text. */
export interface SourceDocument {
  /** Where the text came from: a file path, "-" for stdin, or a request name. */
  readonly source: string;
  /** 1-based position of the YAML document in its source. */
  readonly index: number;
  readonly object: unknown;
  /** For an item of a `kind: List` document: its 0-based position in `items`. */
  readonly item?: number;
}

/** Aliases a document may expand before it is refused (guards against "billion laughs"). */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses every document of `text`. Empty documents (a trailing `---`, comments only) are dropped,
 * and the others keep their position as `index`. A `kind: List` document becomes one
 * SourceDocument per item, all with the List's index.
 * @throws MeshServerError code INVALID with `details.errors` (one ValidationIssue per syntax error).
 */
export function parseYamlDocuments(source: string, text: string): SourceDocument[] {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, merge: true });
  const issues: ValidationIssue[] = [];
  const out: SourceDocument[] = [];
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, i) => {
    const index = i + 1;
    if (doc.errors.length > 0) {
      for (const error of doc.errors) {
        const { line, col } = lines.linePos(error.pos[0]);
        issues.push({ source, index, path: '', message: `YAML syntax error at line ${line}:${col}: ${error.message}` });
      }
      return;
    }
    const contents = doc.contents as { value?: unknown } | null;
    if (contents === null || contents.value === null) return; // an empty document (nothing, comments, or ~)
    let object: unknown;
    try {
      object = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      issues.push({ source, index, path: '', message: `YAML error: ${(e as Error).message}` });
      return;
    }
    out.push(...expandList(source, index, object, issues));
  });
  if (issues.length > 0) {
    const first = issues[0]!;
    throw new MeshServerError('INVALID', `${source} doc ${first.index}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`, { errors: issues });
  }
  return out;
}

/** A kubectl-style `{ apiVersion: v1, kind: List, items: [...] }` becomes its items. */
function expandList(source: string, index: number, object: unknown, issues: ValidationIssue[]): SourceDocument[] {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) return [{ source, index, object }];
  const record = object as Record<string, unknown>;
  if (record.kind !== 'List') return [{ source, index, object }];
  const items = record.items;
  if (!Array.isArray(items)) {
    issues.push({ source, index, path: 'items', message: `a List must have an items list, got ${items === undefined ? 'nothing' : JSON.stringify(items)}` });
    return [];
  }
  items.forEach((entry, item) => {
    if (entry === null || entry === undefined) issues.push({ source, index, path: `items[${item}]`, message: 'a List item must not be empty' });
  });
  return items.map((entry, item) => ({ source, index, object: entry, item }));
}
