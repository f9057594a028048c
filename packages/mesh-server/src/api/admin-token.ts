// The admin API's bearer token: created at first start in <dataDir>/admin-token (`inba_` + 32 random
// bytes as base64url, mode 0600), read by the control plane and the CLI, compared in constant time.

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MeshServerError } from '../errors';

/** Prefix of admin tokens made by ensureAdminToken. */
export const ADMIN_TOKEN_PREFIX = 'inba_';

/** File name of the token inside the data directory. */
export const ADMIN_TOKEN_FILE = 'admin-token';

/** Path of the token file for a data directory. */
export function adminTokenPath(dataDir: string): string {
  return path.join(dataDir, ADMIN_TOKEN_FILE);
}

/**
 * Returns the data directory's admin token, creating it on first start. Creation is atomic
 * (written to a temporary file, fsynced, then linked into place), so a crash never leaves a
 * half-written token; a token file readable by others is tightened to 0600.
 */
export function ensureAdminToken(dataDir: string): string {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = adminTokenPath(dataDir);
  const existing = readAdminToken(dataDir);
  if (existing !== undefined) {
    if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    return existing;
  }
  // The prefix keeps the token from starting with "-" (which a command line would read as a flag)
  // and lets secret scanners find it, like workload tokens' `inbt_`.
  const token = `${ADMIN_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${token}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.linkSync(temp, file); // fails if another process created it first; theirs wins
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
  const stored = readAdminToken(dataDir);
  if (stored === undefined) throw new MeshServerError('STORE_FAILURE', `could not create the admin token at ${file}`, { file });
  return stored;
}

/** Reads the token of a data directory; undefined when the file does not exist. Throws on a malformed file. */
export function readAdminToken(dataDir: string): string | undefined {
  const file = adminTokenPath(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const token = text.trim();
  if (!/^[A-Za-z0-9_-]{32,}$/.test(token)) {
    throw new MeshServerError('BAD_REQUEST', `the admin token file ${file} is malformed (expected one base64url line); delete it and restart the control plane to make a new one`, { file });
  }
  return token;
}

/**
 * True if the Authorization header value is `Bearer <token>`. Compares SHA-256 digests with
 * timingSafeEqual, so neither the token's content nor its length leaks through timing.
 */
export function bearerTokenMatches(authorization: string | undefined, token: string): boolean {
  if (!authorization) return false;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(authorization);
  if (!match) return false;
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}
