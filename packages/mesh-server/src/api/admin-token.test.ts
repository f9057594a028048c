import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminTokenPath, bearerTokenMatches, ensureAdminToken, readAdminToken } from './admin-token';

describe('admin token', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-token-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is created once, 0600, inba_ + 32 random bytes as base64url, and then reused', () => {
    const token = ensureAdminToken(dir);
    assert.match(token, /^inba_[A-Za-z0-9_-]{43}$/, 'the prefix: never a leading "-" that a command line reads as a flag');
    assert.equal(Buffer.from(token.slice('inba_'.length), 'base64url').length, 32);
    assert.equal(fs.statSync(adminTokenPath(dir)).mode & 0o777, 0o600);
    assert.equal(ensureAdminToken(dir), token);
    assert.equal(readAdminToken(dir), token);
    assert.deepEqual(fs.readdirSync(dir), ['admin-token']);
  });

  it('differs between data directories', () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-token-'));
    try {
      assert.notEqual(ensureAdminToken(dir), ensureAdminToken(other));
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('tightens a token file readable by others to 0600', () => {
    ensureAdminToken(dir);
    fs.chmodSync(adminTokenPath(dir), 0o644);
    ensureAdminToken(dir);
    assert.equal(fs.statSync(adminTokenPath(dir)).mode & 0o777, 0o600);
  });

  it('reads as undefined when absent and rejects a malformed file', () => {
    assert.equal(readAdminToken(dir), undefined);
    fs.writeFileSync(adminTokenPath(dir), 'short\n');
    assert.throws(() => readAdminToken(dir), /malformed/);
  });

  it('matches only "Bearer <the token>"', () => {
    const token = 'A'.repeat(43);
    const table: [string | undefined, boolean][] = [
      [`Bearer ${token}`, true],
      [`bearer ${token}`, true],
      [`Bearer  ${token} `, true],
      [undefined, false],
      ['', false],
      [token, false],
      [`Basic ${token}`, false],
      [`Bearer ${token}x`, false],
      [`Bearer ${token.slice(1)}`, false],
      [`Bearer ${token} extra`, false],
    ];
    for (const [header, expected] of table) assert.equal(bearerTokenMatches(header, token), expected, String(header));
  });
});
