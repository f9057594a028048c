// Unit tests of productpage's signed session cookie.
import assert from 'node:assert/strict';
import { cookieValue, decodeSession, encodeSession, loginCookie, sessionUser } from './session';

describe('productpage session', function () {
  it('round-trips the user through a signed cookie', function () {
    const cookie = loginCookie('secret', 'jason').split(';')[0]!;
    assert.equal(sessionUser('secret', `other=1; ${cookie}`), 'jason');
  });

  it('rejects another secret, a tampered payload, and junk', function () {
    const value = encodeSession('secret', { user: 'jason' });
    assert.equal(decodeSession('other-secret', value), undefined);
    const tampered = `${Buffer.from('{"user":"admin"}').toString('base64url')}.${value.split('.')[1]}`;
    assert.equal(decodeSession('secret', tampered), undefined);
    assert.equal(decodeSession('secret', 'no-dot'), undefined);
    assert.equal(sessionUser('secret', undefined), undefined);
  });

  it('finds a cookie by exact name', function () {
    assert.equal(cookieValue('a=1; session=xyz; b=2', 'session'), 'xyz');
    assert.equal(cookieValue('mysession=1', 'session'), undefined);
  });
});
