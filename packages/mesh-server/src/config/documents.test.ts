// parseYamlDocuments: document numbering, empty documents, Lists, and syntax errors with line:column.

import assert from 'node:assert/strict';
import { isServerError } from '../errors';
import { parseYamlDocuments } from './documents';
import { formatIssue, type ValidationIssue } from './validate';

function syntaxErrors(text: string, source = 'bad.yaml'): ValidationIssue[] {
  try {
    parseYamlDocuments(source, text);
  } catch (e) {
    assert.ok(isServerError(e, 'INVALID'), 'a MeshServerError with code INVALID');
    return e.details.errors as ValidationIssue[];
  }
  assert.fail('expected a syntax error');
}

describe('parseYamlDocuments', () => {
  it('numbers documents by their position and drops empty ones', () => {
    const docs = parseYamlDocuments('a.yaml', 'a: 1\n---\n---\n# only a comment\n---\nb: 2\n---\n');
    assert.deepEqual(docs, [
      { source: 'a.yaml', index: 1, object: { a: 1 } },
      { source: 'a.yaml', index: 4, object: { b: 2 } },
    ]);
  });

  it('starts at 1 after a leading --- and a comment header', () => {
    const docs = parseYamlDocuments('a.yaml', '# Copyright\n---\nkind: Service\n');
    assert.deepEqual(docs.map((d) => d.index), [1]);
  });

  it('returns nothing for an empty text', () => {
    assert.deepEqual(parseYamlDocuments('empty.yaml', ''), []);
    assert.deepEqual(parseYamlDocuments('empty.yaml', '\n# nothing\n'), []);
  });

  it('treats an explicit null document as empty, like validateDocuments does', () => {
    assert.deepEqual(parseYamlDocuments('n.yaml', '~\n---\nnull\n---\na: 1\n'), [{ source: 'n.yaml', index: 3, object: { a: 1 } }]);
  });

  it('reads JSON', () => {
    assert.deepEqual(parseYamlDocuments('a.json', '{"kind": "Service", "spec": {"ports": [{"port": 80}]}}')[0]!.object, { kind: 'Service', spec: { ports: [{ port: 80 }] } });
  });

  it('follows anchors and merge keys (as kubectl does)', () => {
    const [doc] = parseYamlDocuments('m.yaml', 'base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n');
    assert.deepEqual(doc!.object, { base: { x: 1 }, derived: { x: 1, y: 2 } });
  });

  it('keeps YAML 1.2 scalars: "yes" stays a string, 0x10 is a number', () => {
    assert.deepEqual(parseYamlDocuments('s.yaml', 'a: yes\nb: 0x10\nc: "80"\n')[0]!.object, { a: 'yes', b: 16, c: '80' });
  });

  it('names the source, document and line:column of a syntax error', () => {
    const errors = syntaxErrors('kind: Service\n---\nmetadata:\n  name: [unclosed\n', 'svc.yaml');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.source, 'svc.yaml');
    assert.equal(errors[0]!.index, 2);
    assert.match(formatIssue(errors[0]!), /^svc\.yaml doc 2: YAML syntax error at line \d+:\d+: /);
  });

  it('reports a syntax error in each broken document', () => {
    const errors = syntaxErrors('a: [\n---\nb: 1\n---\nc: {\n');
    assert.deepEqual(errors.map((e) => e.index), [1, 3]);
  });

  it('puts the first problem in the thrown message', () => {
    assert.throws(() => parseYamlDocuments('x.yaml', 'a: 1\na: 2\n'), /^MeshServerError: x\.yaml doc 1: YAML syntax error at line 2:1: Map keys must be unique/);
  });

  it('rejects a duplicate key at its line', () => {
    const [error] = syntaxErrors('metadata:\n  name: a\n  name: b\n');
    assert.match(error!.message, /line 3:3: Map keys must be unique/);
  });

  it('rejects an alias bomb', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...['b', 'c', 'd', 'e', 'f', 'g'].map((k, i) => `${k}: &${k} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`)].join('\n');
    const [error] = syntaxErrors(bomb);
    assert.match(error!.message, /YAML error: .*alias/i);
  });

  it('expands a kubectl List into its items, keeping the document index', () => {
    const text = 'x: 1\n---\napiVersion: v1\nkind: List\nitems:\n- kind: Service\n  metadata: {name: a}\n- kind: Service\n  metadata: {name: b}\n';
    const docs = parseYamlDocuments('list.yaml', text);
    assert.deepEqual(docs.map((d) => [d.index, d.item, (d.object as { metadata?: { name: string } }).metadata?.name]), [[1, undefined, undefined], [2, 0, 'a'], [2, 1, 'b']]);
  });

  it('rejects a List without items, and empty items', () => {
    assert.match(syntaxErrors('kind: List\n')[0]!.message, /a List must have an items list/);
    const [empty] = syntaxErrors('kind: List\nitems:\n- ~\n');
    assert.equal(empty!.path, 'items[0]');
  });
});
