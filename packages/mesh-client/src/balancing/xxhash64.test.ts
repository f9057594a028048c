// xxHash64 against the reference vectors (xxHash spec / xxhash-wasm used by grpc-js-xds).

import assert from 'node:assert/strict';
import { uint64ToHex, xxhash64, xxhash64Halves } from './xxhash64';

const VECTORS: readonly [string, string][] = [
  ['', 'ef46db3751d8e999'],
  ['a', 'd24ec4f1a98c6e5b'],
  ['abc', '44bc2cf5ad770999'],
  ['Nobody inspects the spammish repetition', 'fbcea83c8a378bf1'],
  ['a'.repeat(100), '375041e8b1decfb3'],
  ['10.0.0.1:9080_0', '9cb414e8399577bc'],
  ['The quick brown fox jumps over the lazy dog, 0123456789', 'bff9f5e02da6c67c'],
];

describe('xxhash64', () => {
  for (const [input, hex] of VECTORS) {
    it(`xxh64(${JSON.stringify(input.length > 20 ? input.slice(0, 20) + '…' : input)}) = ${hex}`, () => {
      assert.equal(uint64ToHex(xxhash64(input)), hex);
      const [hi, lo] = xxhash64Halves(input);
      assert.equal(hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0'), hex);
    });
  }

  it('hashes bytes and UTF-8 strings the same way', () => {
    assert.equal(xxhash64('héllo ✓'), xxhash64(new TextEncoder().encode('héllo ✓')));
  });

  it('inputs of every length up to 70 bytes agree between string and byte paths', () => {
    for (let n = 0; n <= 70; n++) {
      const s = 'x'.repeat(n);
      assert.equal(xxhash64(s), xxhash64(Buffer.from(s)));
    }
  });
});
