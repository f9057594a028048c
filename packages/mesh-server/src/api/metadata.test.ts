import assert from 'node:assert/strict';
import { splitServerMetadata } from './metadata';

describe('splitServerMetadata', () => {
  it('removes server-managed fields and keeps resourceVersion as the guard', () => {
    const { object, expectedVersion } = splitServerMetadata({
      kind: 'VirtualService',
      metadata: { name: 'r', labels: { a: '1' }, resourceVersion: '7', creationTimestamp: 'x', generation: 2, uid: 'u' },
      spec: {},
    });
    assert.equal(expectedVersion, '7');
    assert.deepEqual(object, { kind: 'VirtualService', metadata: { name: 'r', labels: { a: '1' } }, spec: {} });
  });
  it('accepts an integer resourceVersion and ignores an empty one', () => {
    assert.equal(splitServerMetadata({ metadata: { resourceVersion: 3 } }).expectedVersion, '3');
    assert.equal(splitServerMetadata({ metadata: { resourceVersion: '' } }).expectedVersion, undefined);
  });
  it('leaves non-objects alone', () => {
    assert.deepEqual(splitServerMetadata('x'), { object: 'x' });
    assert.deepEqual(splitServerMetadata({ kind: 'A' }), { object: { kind: 'A' } });
  });
});
