// The envelope (apiVersion, kind, metadata), batch validation, duplicates, skipping and formatIssue.

import assert from 'node:assert/strict';
import { formatIssue, validateDocuments, validateResource } from './validate';
import { type Case, runTable } from './validate/table.test-util';

const VS_SPEC = { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }] }] };
const vs = (metadata: unknown = { name: 'reviews' }, extra: Record<string, unknown> = {}) => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata, spec: VS_SPEC, ...extra });

const envelope: Case[] = [
  { name: 'every served version of an Istio kind', doc: vs({ name: 'a' }, { apiVersion: 'networking.istio.io/v1alpha3' }), errors: [] },
  { name: 'a name with dots (DNS-1123 subdomain)', doc: vs({ name: 'reviews.v1' }), errors: [] },
  { name: 'kubectl read-only metadata and status', doc: vs({ name: 'a', uid: 'x', resourceVersion: '7', generation: 2, creationTimestamp: '2026-01-01T00:00:00Z', managedFields: [], selfLink: '/x' }, { status: { conditions: [] } }), errors: [] },
  { name: 'a document that is a list', doc: [vs()], errors: [['', 'a document must be a mapping with apiVersion, kind, metadata and spec, got a list']] },
  { name: 'a document that is a string', doc: 'hello', errors: [['', 'got "hello"']] },
  { name: 'no kind', doc: { apiVersion: 'v1', metadata: { name: 'a' } }, errors: [['kind', 'is required']] },
  { name: 'no apiVersion', doc: { kind: 'Service', metadata: { name: 'a' } }, errors: [['apiVersion', 'is required']] },
  { name: 'a kind that is not a string', doc: { apiVersion: 'v1', kind: 5 }, errors: [['kind', 'must be a string, got 5']] },
  { name: 'an unserved version', doc: vs(undefined, { apiVersion: 'networking.istio.io/v2' }), errors: [['apiVersion', 'networking.istio.io/v2 is not a served version of VirtualService; use networking.istio.io/v1, v1beta1, v1alpha3']] },
  { name: 'an Istio kind in the wrong group', doc: vs(undefined, { apiVersion: 'security.istio.io/v1' }), errors: [['apiVersion', 'VirtualService belongs to networking.istio.io/v1, v1beta1, v1alpha3, not security.istio.io/v1']] },
  { name: 'a Service in an Istio group', doc: { apiVersion: 'networking.istio.io/v1', kind: 'Service', metadata: { name: 'a' }, spec: { ports: [{ port: 80 }] } }, errors: [['apiVersion', 'Service belongs to v1, not networking.istio.io/v1']] },
  { name: 'a security kind at v1alpha3', doc: { apiVersion: 'security.istio.io/v1alpha3', kind: 'PeerAuthentication', metadata: { name: 'a' }, spec: {} }, errors: [['apiVersion', 'is not a served version of PeerAuthentication']] },
  { name: 'a kind in the wrong case', doc: vs(undefined, { kind: 'virtualservice' }), errors: [['kind', 'kinds are case-sensitive: did you mean VirtualService?']] },
  { name: 'an unsupported kind', doc: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'details-v1' } }, errors: [['kind', 'unsupported kind Deployment (apiVersion apps/v1); Inboard stores Service (v1); VirtualService']] },
  { name: 'a Gateway API Gateway (a different kind)', doc: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'gw' } }, errors: [['kind', 'unsupported kind Gateway (apiVersion gateway.networking.k8s.io/v1)']] },
  { name: 'no metadata', doc: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', spec: VS_SPEC }, errors: [['metadata', 'is required']] },
  { name: 'no name', doc: vs({ namespace: 'default' }), errors: [['metadata.name', 'is required']] },
  { name: 'an upper-case name', doc: vs({ name: 'Reviews' }), errors: [['metadata.name', '"Reviews" is not a valid DNS-1123 subdomain']] },
  { name: 'a name that is a number', doc: vs({ name: 42 }), errors: [['metadata.name', 'must be a string, got 42']] },
  { name: 'an invalid namespace', doc: vs({ name: 'a', namespace: 'My_NS' }), errors: [['metadata.namespace', '"My_NS" is not a valid DNS-1123 label']] },
  { name: 'an invalid label value', doc: vs({ name: 'a', labels: { version: 'v 1' } }), errors: [['metadata.labels[version]', 'label value "v 1" is invalid']] },
  { name: 'a label value that is a number', doc: vs({ name: 'a', labels: { version: 1 } }), errors: [['metadata.labels[version]', 'must be a string, got number 1']] },
  { name: 'an annotation that is not a string', doc: vs({ name: 'a', annotations: { 'example.com/x': true } }), errors: [['metadata.annotations[example.com/x]', 'must be a string']] },
  { name: 'ownerReferences', doc: vs({ name: 'a', ownerReferences: [] }), errors: [['metadata.ownerReferences', 'unknown metadata field "ownerReferences"']] },
  { name: 'generateName', doc: vs({ generateName: 'a-' }), errors: [['metadata.generateName', 'generated names are not supported'], ['metadata.name', 'is required']] },
  { name: 'an unknown top-level field', doc: vs(undefined, { specs: {} }), errors: [['specs', 'unknown top-level field "specs"']] },
  { name: 'a spec that is not a mapping', doc: vs(undefined, { spec: ['x'] }), errors: [['spec', 'must be a mapping, got a list']] },
  { name: 'a List given to validateResource', doc: { apiVersion: 'v1', kind: 'List', items: [] }, errors: [['kind', 'a List must be expanded into its items']] },
];

describe('validation of the envelope', () => runTable('VirtualService', 'networking.istio.io/v1', envelope));

describe('validateResource', () => {
  it('returns a normalised, deep-frozen copy: namespace filled in, nulls and read-only metadata dropped', () => {
    const input = {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', labels: { app: 'reviews' }, uid: 'abc', resourceVersion: '9' },
      spec: { hosts: ['reviews'], gateways: null, http: [{ route: [{ destination: { host: 'reviews', subset: null }, weight: 100 }] }] },
      status: { anything: true },
    };
    const { resource, errors } = validateResource(input);
    assert.deepEqual(errors, []);
    assert.deepEqual(resource, {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace: 'default', labels: { app: 'reviews' } },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: 100 }] }] },
    });
    assert.ok(Object.isFrozen(resource!.spec) && Object.isFrozen((resource!.spec as { http: object[] }).http[0]));
    assert.ok(!Object.isFrozen(input.spec) && !Object.isFrozen(input.metadata.labels), 'the input is not frozen');
  });

  it('gives no resource when there are errors, and names the resource in every issue', () => {
    const { resource, errors } = validateResource(vs({ name: 'reviews', namespace: 'prod' }, { spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: -5 }] }] } }));
    assert.equal(resource, undefined);
    assert.deepEqual(errors.map((e) => [e.resource, e.path]), [['VirtualService prod/reviews', 'spec.http[0].route[0].weight']]);
  });

  it('treats a missing spec as empty (an AuthorizationPolicy that allows nothing)', () => {
    const { resource, errors } = validateResource({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'deny-all' } });
    assert.deepEqual(errors, []);
    assert.deepEqual(resource?.spec, {});
  });

  it('marks unsupported kinds with code UNSUPPORTED_KIND', () => {
    const { errors } = validateResource({ apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: { name: 'f', namespace: 'istio-system' } });
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.code, 'UNSUPPORTED_KIND');
    assert.equal(errors[0]!.resource, 'EnvoyFilter istio-system/f');
    assert.match(errors[0]!.message, /use --skip-unsupported to skip them$/);
  });
});

describe('validateDocuments', () => {
  const doc = (index: number, object: unknown, source = 'reviews.yaml') => ({ source, index, object });
  const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'reviews-v1' } };

  it('keeps document order and reports every problem with file and document', () => {
    const out = validateDocuments([
      doc(1, vs({ name: 'a' })),
      doc(2, vs({ name: 'b' }, { spec: { hosts: ['b'], http: [{ route: [{ destination: { host: 'b' }, weight: -5 }, { destination: { host: 'c' } }] }] } })),
      doc(4, vs({ name: 'c' }, { spec: { hosts: [], http: [] } })),
      doc(5, vs({ name: 'd' })),
    ]);
    assert.deepEqual(out.resources.map((r) => r.metadata.name), ['a', 'd']);
    assert.deepEqual(out.errors.map((e) => [e.source, e.index, e.resource, e.path]), [
      ['reviews.yaml', 2, 'VirtualService default/b', 'spec.http[0].route[0].weight'],
      ['reviews.yaml', 4, 'VirtualService default/c', 'spec.hosts'],
      ['reviews.yaml', 4, 'VirtualService default/c', 'spec'],
    ]);
  });

  it('reports unsupported kinds as errors, or skips them when asked', () => {
    const strict = validateDocuments([doc(1, deployment), doc(2, vs())]);
    assert.equal(strict.errors.length, 1);
    assert.equal(strict.errors[0]!.code, 'UNSUPPORTED_KIND');
    assert.deepEqual(strict.skipped, []);
    const lenient = validateDocuments([doc(1, deployment), doc(2, vs())], { skipUnsupported: true });
    assert.deepEqual(lenient.errors, []);
    assert.deepEqual(lenient.skipped, [{ source: 'reviews.yaml', index: 1, apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews-v1' }]);
    assert.equal(lenient.resources.length, 1);
  });

  it('does not skip a wrong-case Istio kind, even with skipUnsupported', () => {
    const out = validateDocuments([doc(1, vs(undefined, { kind: 'Virtualservice' }))], { skipUnsupported: true });
    assert.deepEqual(out.skipped, []);
    assert.equal(out.errors[0]!.path, 'kind');
  });

  it('rejects the same resource twice in one batch, naming the first', () => {
    const out = validateDocuments([doc(1, vs()), doc(3, vs(), 'other.yaml'), doc(4, vs({ name: 'reviews', namespace: 'prod' }))]);
    assert.equal(out.errors.length, 1);
    assert.equal(out.errors[0]!.path, 'metadata.name');
    assert.equal(formatIssue(out.errors[0]!), 'other.yaml doc 3 VirtualService default/reviews: metadata.name: VirtualService default/reviews is defined twice in one apply (first in reviews.yaml doc 1)');
    assert.deepEqual(out.resources.map((r) => r.metadata.namespace), ['default', 'prod']);
  });

  it('prefixes the paths of List items with items[N]', () => {
    const out = validateDocuments([{ source: 'list.yaml', index: 1, item: 1, object: vs({ name: 'Bad' }) }]);
    assert.equal(out.errors[0]!.path, 'items[1].metadata.name');
  });

  it('passes over empty (null) documents', () => {
    const out = validateDocuments([doc(1, null), doc(2, undefined), doc(3, vs())]);
    assert.deepEqual(out.errors, []);
    assert.equal(out.resources.length, 1);
  });

  it('collects warnings with their codes', () => {
    const out = validateDocuments([doc(1, vs(undefined, { spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'a' } }] }, { route: [{ destination: { host: 'b' } }] }] } }))]);
    assert.deepEqual(out.warnings.map((w) => [w.index, w.path, w.code]), [[1, 'spec.http[1]', 'IST0130']]);
  });
});

describe('formatIssue', () => {
  it('prints file, document, resource, path and message', () => {
    assert.equal(
      formatIssue({ source: 'reviews.yaml', index: 2, resource: 'VirtualService default/reviews', path: 'spec.http[0].route[1].weight', message: '-5 must not be negative' }),
      'reviews.yaml doc 2 VirtualService default/reviews: spec.http[0].route[1].weight: -5 must not be negative',
    );
  });
  it('leaves out what is unknown', () => {
    assert.equal(formatIssue({ resource: 'Gateway default/gw', path: 'spec.servers', message: 'x' }), 'Gateway default/gw: spec.servers: x');
    assert.equal(formatIssue({ source: 'a.yaml', index: 1, path: '', message: 'YAML syntax error at line 1:2: y' }), 'a.yaml doc 1: YAML syntax error at line 1:2: y');
    assert.equal(formatIssue({ path: 'kind', message: 'is required' }), 'kind: is required');
  });
  it('formats a real validation error exactly as the issue text shows', () => {
    const out = validateDocuments([
      { source: 'reviews.yaml', index: 1, object: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'reviews' }, spec: { host: 'reviews' } } },
      { source: 'reviews.yaml', index: 2, object: vs(undefined, { spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }, { destination: { host: 'reviews', subset: 'v2' }, weight: -5 }] }] } }) },
    ]);
    assert.deepEqual(out.errors.map(formatIssue), ['reviews.yaml doc 2 VirtualService default/reviews: spec.http[0].route[1].weight: -5 must not be negative']);
  });
});
