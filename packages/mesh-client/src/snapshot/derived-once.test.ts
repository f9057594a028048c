import assert from 'node:assert/strict';
import { derivedOnce } from './derived-once';

describe('snapshot/derived-once', () => {
  it('derives once per key object, undefined results included', () => {
    let calls = 0;
    const firstTag = derivedOnce((config: { tags: string[] }) => { calls++; return config.tags[0]; });
    const tagged = { tags: ['a'] };
    const untagged = { tags: [] as string[] };
    assert.equal(firstTag(tagged), 'a');
    assert.equal(firstTag(tagged), 'a');
    assert.equal(firstTag(untagged), undefined);
    assert.equal(firstTag(untagged), undefined);
    assert.equal(calls, 2);
    assert.equal(firstTag({ tags: ['a'] }), 'a', 'an equal but different object is derived anew');
    assert.equal(calls, 3);
  });
});
