// The token store: format, hashed storage (0600), scopes and their validation, constant-time
// verification, expiry on an injected clock, revocation seen by another store on the same data dir.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isServerError } from '../src/errors';
import { openTokenStore } from '../src/tokens/token-store';
import { ManualClock } from './ca-fixtures';

describe('token store', () => {
  const dirs: string[] = [];
  const dataDir = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'inboard-tokens-')); dirs.push(d); return d; };
  after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('issues prefixed random tokens bound to an identity and stores only their SHA-256, mode 0600', () => {
    const dir = dataDir();
    const store = openTokenStore({ dataDir: dir });
    const { token, info } = store.issue({ scope: 'workload', namespace: 'default', serviceAccount: 'bookinfo-reviews', description: 'reviews v1' });
    assert.match(token, /^inbt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(store.verifyToken(token), { id: info.id, scope: 'workload', namespace: 'default', serviceAccount: 'bookinfo-reviews' });
    const file = path.join(dir, 'tokens', `${info.id}.json`);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.join(dir, 'tokens')).mode & 0o777, 0o700);
    const stored = fs.readFileSync(file, 'utf8');
    assert.ok(!stored.includes(token.slice(22)), 'the secret part must not be stored');
    assert.match(stored, /"sha256": "[0-9a-f]{64}"/);
    assert.notEqual(store.issue({ scope: 'admin' }).token, token);
  });

  it('verifies Authorization headers and refuses anything that is not exactly a stored token', () => {
    const store = openTokenStore({ dataDir: dataDir() });
    const { token, info } = store.issue({ scope: 'read' });
    assert.equal(store.verifyAuthorization(`Bearer ${token}`)?.id, info.id);
    assert.equal(store.verifyAuthorization(`bearer  ${token}`)?.scope, 'read');
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const bad of [undefined, '', token, `Basic ${token}`, `Bearer ${flipped}`, `Bearer ${token}x`, `Bearer ${token.replace('inbt_', 'inbx_')}`, `Bearer inbt_${'f'.repeat(16)}_${'A'.repeat(43)}`]) {
      assert.equal(store.verifyAuthorization(bad), undefined, String(bad));
    }
  });

  it('lets tokens expire on the clock', () => {
    const clock = new ManualClock();
    const store = openTokenStore({ dataDir: dataDir(), clock });
    const { token, info } = store.issue({ scope: 'workload', namespace: 'a', serviceAccount: 'b', ttlMs: 24 * 3_600_000 });
    assert.equal(info.expiresAt, new Date(clock.now() + 24 * 3_600_000).toISOString());
    clock.advance(24 * 3_600_000 - 1);
    assert.ok(store.verifyToken(token));
    clock.advance(1);
    assert.equal(store.verifyToken(token), undefined);
  });

  it('revokes at once, also for another store on the same data dir (another process)', () => {
    const dir = dataDir();
    const server = openTokenStore({ dataDir: dir });
    const cli = openTokenStore({ dataDir: dir });
    const { token, info } = cli.issue({ scope: 'workload', namespace: 'a', serviceAccount: 'b' });
    assert.ok(server.verifyToken(token));
    assert.equal(cli.revoke(info.id), true);
    assert.equal(server.verifyToken(token), undefined);
    assert.equal(cli.revoke(info.id), false);
    assert.equal(cli.revoke('0123456789abcdef'), false);
    assert.throws(() => cli.revoke('../admin-token'), (e: unknown) => isServerError(e, 'BAD_REQUEST'));
    assert.ok(server.list().find((t) => t.id === info.id)?.revokedAt);
  });

  it('refuses invalid requests, naming the field', () => {
    const store = openTokenStore({ dataDir: dataDir() });
    const cases: [string, Parameters<typeof store.issue>[0]][] = [
      ['namespace', { scope: 'workload', serviceAccount: 'x' }],
      ['serviceAccount', { scope: 'workload', namespace: 'x' }],
      ['namespace', { scope: 'workload', namespace: 'Bad_NS', serviceAccount: 'x' }],
      ['serviceAccount', { scope: 'workload', namespace: 'x', serviceAccount: 'a/b' }],
      ['scope', { scope: 'admin', namespace: 'x', serviceAccount: 'y' }],
      ['scope', { scope: 'root' as 'admin' }],
      ['ttl', { scope: 'read', ttlMs: 0 }],
      ['ttl', { scope: 'read', ttlMs: Number.POSITIVE_INFINITY }],
    ];
    for (const [field, request] of cases) {
      assert.throws(() => store.issue(request), (e: unknown) => isServerError(e, 'BAD_REQUEST') && e.details.field === field, JSON.stringify(request));
    }
    assert.equal(store.list().length, 0);
  });

  it('lists tokens oldest first without secrets, survives reopening, and fails closed on a damaged record', () => {
    const dir = dataDir();
    const clock = new ManualClock();
    const store = openTokenStore({ dataDir: dir, clock });
    const first = store.issue({ scope: 'admin' });
    clock.advance(1_000);
    const second = store.issue({ scope: 'workload', namespace: 'a', serviceAccount: 'b' });
    const reopened = openTokenStore({ dataDir: dir, clock });
    assert.deepEqual(reopened.list().map((t) => t.id), [first.info.id, second.info.id]);
    assert.ok(reopened.list().every((t) => !('sha256' in t)));
    assert.equal(reopened.verifyToken(second.token)?.serviceAccount, 'b');
    fs.writeFileSync(path.join(dir, 'tokens', `${first.info.id}.json`), '{ not json');
    assert.equal(reopened.verifyToken(first.token), undefined);
  });
});
