// Tests of the plain JSON ↔ google.protobuf.Struct conversion (snake_case Value members).

import assert from 'node:assert/strict';
import { fromStruct, toStruct } from './struct';

describe('struct', () => {
  it('round-trips JSON values of every kind', () => {
    const plain = { s: 'x', n: 9080, b: true, z: null, list: ['a', 1], nested: { labels: { app: 'reviews' } } };
    const struct = toStruct(plain);
    assert.deepEqual(struct.fields!['nested'], { struct_value: { fields: { labels: { struct_value: { fields: { app: { string_value: 'reviews' } } } } } } });
    assert.deepEqual(fromStruct(struct), plain);
  });

  it('reads camelCase members too and skips undefined', () => {
    assert.deepEqual(fromStruct({ fields: { a: { stringValue: 'x' }, b: { numberValue: 2 } } }), { a: 'x', b: 2 });
    assert.deepEqual(toStruct({ a: undefined, b: 'y' }), { fields: { b: { string_value: 'y' } } });
  });

  it('rejects values JSON cannot hold, naming the key', () => {
    assert.throws(() => toStruct({ ports: { http: Number.NaN } }), /metadata\.ports\.http: NaN cannot be a Struct number/);
    assert.throws(() => toStruct({ f: () => 1 }), /metadata\.f: a function cannot be a Struct value/);
  });
});
