import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalizePath, type PathNormalization } from './normalize-path';

const norm = (target: string, mode?: PathNormalization): string => {
  const r = normalizePath(target, mode);
  return r.ok ? r.url : `${r.status} ${r.details}`;
};

describe('authz/normalize-path: the one path normalisation (Istio meshConfig.pathNormalization)', () => {
  // istio/istio tests/integration/security/normalization_test.go, and its "left as is" list.
  const istio: [string, string, string, string][] = [
    // input, BASE, MERGE_SLASHES, DECODE_AND_MERGE_SLASHES
    ['/app#foo', '/app', '/app', '/app'],
    ['/app/../admin', '/admin', '/admin', '/admin'],
    ['/app//', '/app//', '/app/', '/app/'],
    ['/app/%2f', '/app/%2f', '/app/%2f', '/app/'],
    ['/xyz%30..//abc', '/xyz0..//abc', '/xyz0../abc', '/xyz0../abc'],
    ['/app/%2E./admin', '/admin', '/admin', '/admin'],
    ['/%2Fapp%5cadmin%5Cabc', '/%2Fapp%5cadmin%5Cabc', '/%2Fapp%5cadmin%5Cabc', '/app/admin/abc'],
    ['/app//../../admin', '/admin', '/admin', '/admin'],
    ['/admin%00', '400 path_normalization_failed', '400 path_normalization_failed', '400 path_normalization_failed'],
    ['/..;/admin', '/..;/admin', '/..;/admin', '/..;/admin'],
    ['/admin;a=b', '/admin;a=b', '/admin;a=b', '/admin;a=b'],
    ['/%252e%252e/admin', '/%252e%252e/admin', '/%252e%252e/admin', '/%252e%252e/admin'],
    ['/%c0%ae', '/%c0%ae', '/%c0%ae', '/%c0%ae'],
    ['/Admin', '/Admin', '/Admin', '/Admin'],
    ['/public/%2E/%2E%2E/private', '/private', '/private', '/private'],
    ['/public/%2e%2e/private', '/private', '/private', '/private'],
  ];
  for (const [input, base, merge, decode] of istio) {
    it(`Istio table: ${input} → BASE ${base} | MERGE_SLASHES ${merge} | DECODE_AND_MERGE_SLASHES ${decode}`, () => {
      assert.equal(norm(input, 'BASE'), base);
      assert.equal(norm(input, 'MERGE_SLASHES'), merge);
      assert.equal(norm(input, 'DECODE_AND_MERGE_SLASHES'), decode);
    });
  }

  it('defaults to BASE, and NONE leaves the path alone (but still strips the fragment and rejects %00)', () => {
    assert.equal(norm('/a/../b'), '/b');
    assert.equal(norm('/a/../b?x=/../', 'NONE'), '/a/../b?x=/../');
    assert.equal(norm('/a#frag', 'NONE'), '/a');
    assert.equal(norm('/a%00', 'NONE'), '400 path_normalization_failed');
    assert.throws(() => normalizePath('/', 'STRICT' as PathNormalization), /unknown path normalization "STRICT"/);
  });

  const chromium: [string, string][] = [
    ['/%41%7e%5f%2D', '/A~_-'], // unreserved escapes are decoded
    ['/%3b%3A%40', '/%3b%3A%40'], // reserved escapes are kept byte-for-byte (hex case too)
    ['/a b"<>`{}|^', '/a%20b%22%3C%3E%60%7B%7D%7C%5E'], // what may not appear raw is escaped
    ['/a\\b\\..\\c', '/a/c'], // backslash is a slash
    ['/%zz/%2', '/%zz/%2'], // invalid escapes pass through
    ['/%%30%30', '/%2500'], // nested escapes cannot become a new escape
    ['/a/%2e/b/%2E%2e/c', '/a/c'],
    ['/a/..%2fb', '/a/..%2fb'], // an escaped slash does not end a dot segment (BASE)
    ['/..', '/'],
    ['/../../x', '/x'],
    ['/a/.', '/a/'],
    ['/a/b/..', '/a/'],
    ['/.hidden/..x/x..', '/.hidden/..x/x..'],
    ['/é', '/%E9'], // characters up to U+00FF are the bytes Node decoded as latin1
    ['/€', '/%E2%82%AC'], // anything above is UTF-8
  ];
  for (const [input, expected] of chromium) {
    it(`Envoy's canonicalizer: ${JSON.stringify(input)} → ${expected}`, () => assert.equal(norm(input), expected));
  }

  it('keeps the query byte-for-byte and never normalises it; cuts the fragment first', () => {
    assert.deepEqual(normalizePath('/a/./b?x=../%2e&y#f?z'), { ok: true, path: '/a/b', query: '?x=../%2e&y', url: '/a/b?x=../%2e&y' });
    assert.deepEqual(normalizePath('/p#/../admin?x'), { ok: true, path: '/p', query: '', url: '/p' });
    assert.deepEqual(normalizePath('/p?'), { ok: true, path: '/p', query: '?', url: '/p?' });
  });

  const rejected: [string, string][] = [
    ['', 'invalid_request_target'],
    ['*', 'invalid_request_target'],
    ['http://other.svc/admin', 'invalid_request_target'],
    ['admin', 'invalid_request_target'],
    ['/a\u0000b', 'invalid_request_target'],
    ['/a\tb', 'invalid_request_target'],
    ['/a\r\nb', 'invalid_request_target'],
    ['/a\u007fb', 'invalid_request_target'],
    ['/%00', 'path_normalization_failed'],
    ['/x/%00/../y', 'path_normalization_failed'],
  ];
  for (const [input, details] of rejected) {
    it(`rejects ${JSON.stringify(input)} with 400 ${details}`, () => {
      const r = normalizePath(input);
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.status, 400);
        assert.equal(r.details, details);
        assert.ok(r.reason.length > 0);
      }
    });
  }

  it('is idempotent in every mode: the app path normalises to itself (property, fixed seed)', () => {
    const chars = fc.constantFrom('/', '/', '.', '.', '..', 'a', 'B', '%2e', '%2E', '%2f', '%5C', '%41', '%25', '%', '\\', ';', '~', ' ', 'é', '%c0', '?', '#');
    const target = fc.array(chars, { maxLength: 14 }).map((parts) => `/${parts.join('')}`);
    const mode = fc.constantFrom<PathNormalization>('NONE', 'BASE', 'MERGE_SLASHES', 'DECODE_AND_MERGE_SLASHES');
    fc.assert(fc.property(target, mode, (t, m) => {
      const once = normalizePath(t, m);
      if (!once.ok) return;
      const twice = normalizePath(once.url, m);
      assert.ok(twice.ok, `${t} → ${once.url} rejected the second time`);
      assert.equal(twice.url, once.url, `${t} → ${once.url} → ${twice.url}`);
      assert.ok(once.path.startsWith('/'));
      if (m !== 'NONE') assert.ok(!/(^|\/)\.\.?(\/|$)/.test(once.path), `dot segment left in ${once.path}`);
    }), { seed: 20261125, numRuns: 3000 });
  });
});
