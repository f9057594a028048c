// productpage's login session: a signed cookie named `session` holding `{user}`, like Flask's
// default signed-cookie session. The signature is HMAC-SHA256 over the payload with a secret.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The session cookie's name (Flask's default). */
export const SESSION_COOKIE = 'session';

/** What the session holds. */
export interface SessionData {
  readonly user?: string;
}

/**
 * The default signing secret. Like the original (whose Flask key is hard-coded in its source) it
 * is the same in every replica, so a session made by one productpage is honoured by the others.
 * It protects nothing real — anyone may log in as anyone — pass your own secret to change it.
 */
export const DEFAULT_SESSION_SECRET = 'inboard-bookinfo-demo-session-key';

/** A fresh random secret, for operators who want sessions bound to one set of replicas. */
export function randomSessionSecret(): string {
  return randomBytes(32).toString('base64url');
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Encodes and signs `data` as a cookie value. */
export function encodeSession(secret: string, data: SessionData): string {
  const payload = Buffer.from(JSON.stringify(data)).toString('base64url');
  return `${payload}.${sign(secret, payload)}`;
}

/** Decodes a cookie value; undefined when the signature or the payload is invalid. */
export function decodeSession(secret: string, value: string): SessionData | undefined {
  const dot = value.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const payload = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(sign(secret, payload));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    if (typeof data !== 'object' || data === null) return undefined;
    const user = (data as { user?: unknown }).user;
    return typeof user === 'string' ? { user } : {};
  } catch {
    return undefined;
  }
}

/** The value of cookie `name` in a `Cookie` header, or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The logged-in user of a request's `Cookie` header, or undefined (anonymous or bad signature). */
export function sessionUser(secret: string, cookieHeader: string | undefined): string | undefined {
  const value = cookieValue(cookieHeader, SESSION_COOKIE);
  return value === undefined ? undefined : decodeSession(secret, value)?.user;
}

/** `Set-Cookie` value that stores `user` in the session. */
export function loginCookie(secret: string, user: string): string {
  return `${SESSION_COOKIE}=${encodeSession(secret, { user })}; HttpOnly; Path=/`;
}

/** `Set-Cookie` value that removes the session (what Flask sends once the session is empty). */
export function logoutCookie(): string {
  return `${SESSION_COOKIE}=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; Path=/`;
}
