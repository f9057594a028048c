// Unit tests of `inboard apply -n`: documents without a namespace get it, a conflicting one is an
// error naming the document, an invalid namespace is a usage error.

import assert from 'node:assert/strict';
import type { ApplyDocument } from '../../api/wire';
import { CliError, EXIT_REJECTED, EXIT_USAGE } from '../exit-codes';
import { inNamespace } from './apply';

const doc = (index: number, metadata: Record<string, unknown>): ApplyDocument => ({
  source: 'pa.yaml', index, object: { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata, spec: { mtls: { mode: 'STRICT' } } },
});

describe('inboard apply -n (inNamespace)', () => {
  it('puts documents without a namespace into it and keeps those already in it', () => {
    const out = inNamespace([doc(0, { name: 'default' }), doc(1, { name: 'b', namespace: 'istio-system' }), doc(2, { name: 'c', namespace: '' })], 'istio-system');
    assert.deepEqual(out.map((d) => (d.object as { metadata: { namespace: string } }).metadata.namespace), ['istio-system', 'istio-system', 'istio-system']);
    assert.equal(((out[0]!.object as { spec: unknown }).spec as { mtls: { mode: string } }).mtls.mode, 'STRICT', 'the rest of the document is kept');
  });

  it('rejects a document that names another namespace, naming the file and document, and sends nothing', () => {
    assert.throws(() => inNamespace([doc(0, { name: 'a' }), doc(1, { name: 'b', namespace: 'foo' })], 'bar'),
      (e: unknown) => e instanceof CliError && e.exitCode === EXIT_REJECTED && /pa\.yaml doc 1: the namespace from the provided object "foo" does not match the namespace "bar"/.test(e.message));
  });

  it('rejects an invalid namespace as a usage error', () => {
    assert.throws(() => inNamespace([doc(0, { name: 'a' })], 'Not_A_Namespace'), (e: unknown) => e instanceof CliError && e.exitCode === EXIT_USAGE && /--namespace "Not_A_Namespace"/.test(e.message));
  });
});
