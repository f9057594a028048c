// RequestView and virtual-host helpers: pseudo headers, joined values, path and query parsing, ports.

import assert from 'node:assert/strict';
import { Issues } from '../snapshot/proto-readers';
import { compileSubstitution } from './regex';
import { RequestView } from './request-view';
import { stripPort } from './virtual-host';

const view = (path: string, headers: Record<string, string | string[]> = {}, strip = false) =>
  new RequestView({ authority: 'svc:9080', method: 'GET', path, headers }, strip);

describe('RequestView', () => {
  it('pseudo headers and Envoy header joining', () => {
    const v = view('/a?b=1', { x: ['1', '2'], y: 'z', empty: [] });
    assert.deepEqual([v.header(':authority'), v.header(':method'), v.header(':path'), v.header(':scheme')], ['svc:9080', 'GET', '/a?b=1', 'http']);
    assert.equal(v.header('x'), '1,2');
    assert.deepEqual(v.headerValues('x'), ['1', '2']);
    assert.equal(v.header('empty'), undefined);
    assert.equal(v.header('missing'), undefined);
  });

  it('path without query and fragment; path parameters cut when asked', () => {
    assert.equal(view('/a/b?c#d').pathWithoutQuery, '/a/b');
    assert.equal(view('/a#d?x').pathWithoutQuery, '/a');
    assert.equal(view('/a;p=1/b?c', {}, true).pathWithoutQuery, '/a');
    assert.equal(view('/a;p=1?c', {}, true).fullPath, '/a');
    assert.equal(view('/a;p=1?c').fullPath, '/a;p=1?c');
  });

  it('query parameters: first value wins, bare keys are "", no decoding, fragment excluded', () => {
    const v = view('/p?a=1&a=2&flag&&e=&enc=a%20b&last=x#frag=1');
    assert.deepEqual([v.queryParam('a'), v.queryParam('flag'), v.queryParam('e'), v.queryParam('enc'), v.queryParam('last'), v.queryParam('frag')], ['1', '', '', 'a%20b', 'x', undefined]);
    assert.equal(view('/p').queryParam('a'), undefined);
  });
});

describe('stripPort', () => {
  for (const [input, output] of [['host:80', 'host'], ['host', 'host'], ['[::1]:443', '[::1]'], ['[::1]', '[::1]'], ['host:abc', 'host:abc'], ['10.0.0.1:9080', '10.0.0.1']]) {
    it(`${input} → ${output}`, () => assert.equal(stripPort(input), output));
  }
});

describe('RE2 substitutions', () => {
  const sub = (regex: string, substitution: string) => {
    const issues = new Issues();
    const s = compileSubstitution({ pattern: { regex }, substitution }, 'p', issues);
    return { s, issues };
  };

  it('\\0 is the whole match and \\\\ a backslash', () => {
    assert.equal(sub('b+', '[\\0]').s?.apply('abbbc'), 'a[bbb]c');
    assert.equal(sub('b', '\\\\').s?.apply('abc'), 'a\\c');
  });

  it('an unmatched optional group substitutes as empty', () => {
    assert.equal(sub('a(x)?', '<\\1>').s?.apply('ab'), '<>b');
  });

  it('invalid escapes are errors', () => {
    const { s, issues } = sub('a', '\\n');
    assert.equal(s, undefined);
    assert.match(issues.errors[0]!.message, /backslash must be followed by a digit/);
  });
});
